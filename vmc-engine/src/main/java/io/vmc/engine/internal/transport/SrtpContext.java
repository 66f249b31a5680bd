package io.vmc.engine.internal.transport;

import io.vmc.engine.internal.rtp.RtpPackets;
import io.vmc.engine.sdp.Crypto;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.srtp.SrtpPolicy;
import org.jitsi.utils.ByteArrayBuffer;
import org.jitsi.utils.logging2.LoggerImpl;

/**
 * SRTP/SRTCP (RFC 3711, AES-GCM RFC 7714) on top of jitsi-srtp, keyed by SDES (RFC 4568) or by the
 * DTLS-SRTP exporter (RFC 5764): one factory for what we send (our key) and one for what we receive
 * (the peer's key). Receive contexts exist only for SSRCs the
 * caller has accepted, and at most {@link #MAX_RECEIVE_SSRCS} of them.
 */
public final class SrtpContext implements AutoCloseable {
    /** Bound on per-SSRC receive state a peer can make us allocate. */
    public static final int MAX_RECEIVE_SSRCS = 4;

    private final SrtpContextFactory sendFactory;
    private final SrtpContextFactory receiveFactory;
    private final Map<Long, SrtpCryptoContext> sendRtp = new HashMap<>();
    private final Map<Long, SrtcpCryptoContext> sendRtcp = new HashMap<>();
    private final Map<Long, SrtpCryptoContext> recvRtp = new HashMap<>();
    private final Map<Long, SrtcpCryptoContext> recvRtcp = new HashMap<>();
    private final Map<Long, ReplayWindow> recvReplay = new HashMap<>();
    private final String suite;
    private final int replayWindow;

    public SrtpContext(String suite, byte[] localKeyAndSalt, byte[] remoteKeyAndSalt) {
        this(suite, localKeyAndSalt, remoteKeyAndSalt, JITSI_REPLAY_WINDOW);
    }

    /** jitsi-srtp's fixed SRTP receive replay window (packets). */
    public static final int JITSI_REPLAY_WINDOW = 64;
    /** Largest replay window {@link #SrtpContext(String, byte[], byte[], int)} accepts. */
    public static final int MAX_REPLAY_WINDOW = 4096;

    /**
     * @param replayWindow the SRTP receive replay window in packets (RFC 3711 section 3.3.2). Above
     *     jitsi-srtp's fixed 64, jitsi's check is off and a wider window here takes its place, after
     *     authentication: NACKed retransmissions of a large keyframe come back further behind than
     *     64 (libwebrtc uses 1024 for video for that reason).
     */
    public SrtpContext(String suite, byte[] localKeyAndSalt, byte[] remoteKeyAndSalt, int replayWindow) {
        if (replayWindow < JITSI_REPLAY_WINDOW || replayWindow > MAX_REPLAY_WINDOW || replayWindow % 64 != 0) {
            throw new IllegalArgumentException("replayWindow must be a multiple of 64 in 64.." + MAX_REPLAY_WINDOW + ", got " + replayWindow);
        }
        int salt = saltBytes(suite);
        if (localKeyAndSalt.length != KEY_BYTES + salt || remoteKeyAndSalt.length != KEY_BYTES + salt) {
            throw new IllegalArgumentException(suite + " needs " + (KEY_BYTES + salt) + " bytes of master key and salt, got "
                    + localKeyAndSalt.length + " and " + remoteKeyAndSalt.length);
        }
        this.suite = suite;
        this.replayWindow = replayWindow;
        SrtpPolicy rtp;
        SrtpPolicy rtcp;
        if (AEAD_AES_128_GCM.equals(suite)) {
            // RFC 7714 section 12: a 16-byte tag, no separate authentication key, for SRTP and SRTCP alike
            rtp = new SrtpPolicy(SrtpPolicy.AESGCM_ENCRYPTION, KEY_BYTES, SrtpPolicy.NULL_AUTHENTICATION, 0, 16, salt);
            rtcp = new SrtpPolicy(SrtpPolicy.AESGCM_ENCRYPTION, KEY_BYTES, SrtpPolicy.NULL_AUTHENTICATION, 0, 16, salt);
        } else {
            int tag = Crypto.AES_CM_128_HMAC_SHA1_32.equals(suite) ? 4 : 10;
            rtp = new SrtpPolicy(SrtpPolicy.AESCM_ENCRYPTION, KEY_BYTES, SrtpPolicy.HMACSHA1_AUTHENTICATION, 20, tag, salt);
            // RFC 4568 section 6.2.2 (and RFC 5764 section 4.1.2): SRTCP always uses the 80-bit tag
            rtcp = new SrtpPolicy(SrtpPolicy.AESCM_ENCRYPTION, KEY_BYTES, SrtpPolicy.HMACSHA1_AUTHENTICATION, 20, 10, salt);
        }
        // a NACKed packet is protected again with its original sequence number (plain retransmission,
        // RFC 4585); jitsi-srtp's send-side replay check would refuse that as REPLAY_FAIL
        rtp.setSendReplayEnabled(false);
        if (replayWindow > JITSI_REPLAY_WINDOW) rtp.setReceiveReplayEnabled(false);
        LoggerImpl log = new LoggerImpl(SrtpContext.class.getName());
        sendFactory = new SrtpContextFactory(true, Arrays.copyOfRange(localKeyAndSalt, 0, KEY_BYTES),
                Arrays.copyOfRange(localKeyAndSalt, KEY_BYTES, KEY_BYTES + salt), rtp, rtcp, log);
        receiveFactory = new SrtpContextFactory(false, Arrays.copyOfRange(remoteKeyAndSalt, 0, KEY_BYTES),
                Arrays.copyOfRange(remoteKeyAndSalt, KEY_BYTES, KEY_BYTES + salt), rtp, rtcp, log);
    }

    /**
     * AEAD_AES_128_GCM (RFC 7714): negotiated by DTLS-SRTP (use_srtp profile 0x0007); its master key
     * and salt come from the DTLS exporter, see {@code io.vmc.engine.internal.transport.SrtpProfile}.
     */
    public static final String AEAD_AES_128_GCM = "AEAD_AES_128_GCM";
    /** Master key length of every suite here (AES-128). */
    public static final int KEY_BYTES = 16;

    /** Master salt length of a suite: 14 bytes for AES-CM (RFC 3711), 12 for AES-GCM (RFC 7714 section 8.1). */
    /**
     * Protects and verifies one RTP and one RTCP packet of each suite with throwaway keys, so that
     * jitsi-srtp picks its AES implementation now: on its first context it benchmarks the ones it
     * has (about 1.2 s of a core for AES-CM, 1.8 s for GCM, under engine.jvm's C1), and without this
     * the first packet of the engine's first encrypted call waited for that.
     *
     * @return how long it took
     */
    public static java.time.Duration warmUp() {
        long t0 = System.nanoTime();
        java.security.SecureRandom random = new java.security.SecureRandom();
        for (String suite : new String[] {Crypto.AES_CM_128_HMAC_SHA1_80, AEAD_AES_128_GCM}) {
            byte[] key = new byte[KEY_BYTES + saltBytes(suite)];
            random.nextBytes(key);
            byte[] rtp = {(byte) 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4};
            byte[] rtcp = {(byte) 0x80, (byte) 201, 0, 1, 0, 0, 0, 1};
            try (SrtpContext send = new SrtpContext(suite, key, key); SrtpContext receive = new SrtpContext(suite, key, key)) {
                Buf p = send.protectRtp(new Buf(rtp, 0, rtp.length, 32), 1);
                Buf c = send.protectRtcp(new Buf(rtcp, 0, rtcp.length, 32), 1);
                if (receive.unprotectRtp(p, 1) != SrtpErrorStatus.OK || receive.unprotectRtcp(c, 1) != SrtpErrorStatus.OK
                        || !Arrays.equals(Arrays.copyOfRange(p.getBuffer(), p.getOffset(), p.getOffset() + p.getLength()), rtp)) {
                    throw new GeneralSecurityException("a packet it protected did not verify");
                }
            } catch (GeneralSecurityException | RuntimeException e) {
                throw new IllegalStateException("SRTP warm-up (" + suite + "): " + e, e);
            }
        }
        return java.time.Duration.ofNanos(System.nanoTime() - t0);
    }

    public static int saltBytes(String suite) {
        if (AEAD_AES_128_GCM.equals(suite)) return 12;
        if (Crypto.AES_CM_128_HMAC_SHA1_80.equals(suite) || Crypto.AES_CM_128_HMAC_SHA1_32.equals(suite)) return 14;
        throw new IllegalArgumentException("unsupported SRTP suite " + suite);
    }

    public String suite() {
        return suite;
    }

    /** Protects an RTP packet in place; returns the new buffer view (the tag is appended). */
    public synchronized Buf protectRtp(Buf p, long ssrc) throws GeneralSecurityException {
        SrtpCryptoContext c = sendRtp.get(ssrc);
        if (c == null) {
            c = sendFactory.deriveContext((int) ssrc, 0);
            sendRtp.put(ssrc, c);
        }
        SrtpErrorStatus s = c.transformPacket(p);
        if (s != SrtpErrorStatus.OK) throw new GeneralSecurityException("SRTP protect: " + s);
        return p;
    }

    public synchronized Buf protectRtcp(Buf p, long ssrc) throws GeneralSecurityException {
        SrtcpCryptoContext c = sendRtcp.get(ssrc);
        if (c == null) {
            c = sendFactory.deriveControlContext((int) ssrc);
            sendRtcp.put(ssrc, c);
        }
        SrtpErrorStatus s = c.transformPacket(p);
        if (s != SrtpErrorStatus.OK) throw new GeneralSecurityException("SRTCP protect: " + s);
        return p;
    }

    /** Verifies and decrypts in place; returns the status (OK means p now holds the plain packet). */
    public synchronized SrtpErrorStatus unprotectRtp(Buf p, long ssrc) throws GeneralSecurityException {
        SrtpCryptoContext c = recvRtp.get(ssrc);
        boolean fresh = false;
        if (c == null) {
            if (recvRtp.size() >= MAX_RECEIVE_SSRCS) return SrtpErrorStatus.FAIL;
            c = receiveFactory.deriveContext((int) ssrc, 0);
            fresh = true;
        }
        ReplayWindow w = null;
        long index = 0;
        if (replayWindow > JITSI_REPLAY_WINDOW) {
            if (p.getLength() < 12) return SrtpErrorStatus.FAIL;
            w = recvReplay.get(ssrc);
            if (w == null) w = new ReplayWindow(replayWindow);
            index = w.estimate(RtpPackets.seq(p.getBuffer(), p.getOffset()));
            SrtpErrorStatus r = w.check(index);
            if (r != SrtpErrorStatus.OK) return r;
        }
        SrtpErrorStatus s = c.reverseTransformPacket(p, false);
        if (s == SrtpErrorStatus.OK) {
            if (fresh) recvRtp.put(ssrc, c); // keep state only for SSRCs that authenticated
            if (w != null) {
                w.accept(index); // only authenticated packets move the window
                recvReplay.putIfAbsent(ssrc, w);
            }
        }
        return s;
    }

    /** An RFC 3711 section 3.3.2 replay list over extended sequence numbers. */
    static final class ReplayWindow {
        private final long[] bits;
        private final int size;
        private long highest = -1;

        ReplayWindow(int size) {
            this.size = size;
            this.bits = new long[size / 64];
        }

        /** The extended number (RFC 3711 appendix A) of {@code seq} nearest to the highest seen. */
        long estimate(int seq) {
            if (highest < 0) return seq;
            long cand = (highest & ~0xffffL) | (seq & 0xffff);
            if (cand - highest > 0x8000) cand -= 0x10000;
            else if (highest - cand > 0x8000) cand += 0x10000;
            return cand;
        }

        SrtpErrorStatus check(long index) {
            if (index < 0) return SrtpErrorStatus.REPLAY_OLD;
            if (highest < 0 || index > highest) return SrtpErrorStatus.OK;
            if (highest - index >= size) return SrtpErrorStatus.REPLAY_OLD;
            return isSet(index) ? SrtpErrorStatus.REPLAY_FAIL : SrtpErrorStatus.OK;
        }

        void accept(long index) {
            if (highest < 0 || index > highest) {
                long from = highest < 0 ? index : highest + 1;
                if (index - from >= size) {
                    Arrays.fill(bits, 0);
                } else {
                    for (long i = from; i < index; i++) clear(i);
                }
                highest = index;
            }
            set(index);
        }

        private boolean isSet(long i) {
            int bit = (int) (i % size);
            return (bits[bit >>> 6] & (1L << (bit & 63))) != 0;
        }

        private void set(long i) {
            int bit = (int) (i % size);
            bits[bit >>> 6] |= 1L << (bit & 63);
        }

        private void clear(long i) {
            int bit = (int) (i % size);
            bits[bit >>> 6] &= ~(1L << (bit & 63));
        }
    }

    /**
     * The plain packet of a received RTP ({@code rtcp=false}) or RTCP packet: decrypted in place
     * when {@code srtp} is set, the bytes as they are when the session is unencrypted, and
     * {@code null} when the packet fails authentication (the caller drops and counts it).
     */
    public static Buf receive(SrtpContext srtp, boolean rtcp, byte[] buf, int off, int len, long ssrc) {
        Buf b = new Buf(buf, off, len, 0);
        if (srtp == null) {
            return b;
        }
        try {
            SrtpErrorStatus s = rtcp ? srtp.unprotectRtcp(b, ssrc) : srtp.unprotectRtp(b, ssrc);
            return s == SrtpErrorStatus.OK ? b : null;
        } catch (GeneralSecurityException e) {
            return null;
        }
    }

    public synchronized SrtpErrorStatus unprotectRtcp(Buf p, long ssrc) throws GeneralSecurityException {
        SrtcpCryptoContext c = recvRtcp.get(ssrc);
        boolean fresh = false;
        if (c == null) {
            if (recvRtcp.size() >= MAX_RECEIVE_SSRCS) return SrtpErrorStatus.FAIL;
            c = receiveFactory.deriveControlContext((int) ssrc);
            fresh = true;
        }
        SrtpErrorStatus s = c.reverseTransformPacket(p);
        if (fresh && s == SrtpErrorStatus.OK) {
            recvRtcp.put(ssrc, c);
        }
        return s;
    }

    @Override
    public synchronized void close() {
        sendFactory.close();
        receiveFactory.close();
        sendRtp.clear();
        sendRtcp.clear();
        recvRtp.clear();
        recvRtcp.clear();
        recvReplay.clear();
    }

    /** A growable byte range, as jitsi-srtp wants it. */
    public static final class Buf implements ByteArrayBuffer {
        private byte[] buf;
        private int off;
        private int len;

        public Buf(byte[] data, int off, int len, int headroomAtEnd) {
            this.buf = new byte[len + headroomAtEnd];
            System.arraycopy(data, off, this.buf, 0, len);
            this.off = 0;
            this.len = len;
        }

        @Override public byte[] getBuffer() { return buf; }
        @Override public int getOffset() { return off; }
        @Override public int getLength() { return len; }
        @Override public void setLength(int l) { len = l; }
        @Override public void setOffset(int o) { off = o; }
        @Override public boolean isInvalid() { return false; }

        @Override
        public void readRegionToBuff(int from, int l, byte[] out) {
            System.arraycopy(buf, off + from, out, 0, l);
        }

        @Override
        public void grow(int howMuch) {
            if (howMuch <= 0) return;
            if (off + len + howMuch > buf.length) {
                byte[] n = new byte[off + len + howMuch];
                System.arraycopy(buf, 0, n, 0, off + len);
                buf = n;
            }
        }

        @Override
        public void append(byte[] data, int l) {
            grow(l);
            System.arraycopy(data, 0, buf, off + len, l);
            len += l;
        }

        @Override
        public void shrink(int l) {
            len = Math.max(0, len - l);
        }
    }
}
