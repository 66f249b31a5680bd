package io.vmc.engine.internal.rtp;

import io.vmc.engine.internal.transport.SrtpContext;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.jitsi.srtp.SrtpErrorStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every RTP stream does, whatever its kind (RFC 3550): our SSRC and CNAME, the peer's SSRC
 * locked by its first authenticated packet, SRTP receive with replays counted apart from forgeries,
 * receive statistics, and RTCP: the compound SR or RR with a report block and an SDES CNAME
 * (section 6.1), and what the peer's reports say about us (RTT, section 6.4.1, and its loss).
 * The media type does not change RTCP; the kinds plug their {@link RtpFeature}s in: {@link MediaFlow}
 * (audio) DTMF, {@link VideoFlow} (video) NACK, keyframe requests and bitrate control.
 *
 * <p>SSRC collisions (RFC 3550 section 8.2): when the peer's stream turns out to use our SSRC, we
 * take a new random one and the flow sends a BYE for the old one ({@link #takeBye()}).
 *
 * <p>Times are passed in (nanoTime for intervals, {@link RtcpPackets#ntpNow()} for NTP) so that this
 * is tested without clocks, sockets or GStreamer. Thread-safe: one lock guards the receive state.
 */
public final class RtpStream {
    private static final Logger LOG = LoggerFactory.getLogger(RtpStream.class);
    /** The drop counters every stream keeps, in the order they are reported. */
    public static final List<String> DROP_REASONS =
            List.of("badLength", "wrongSsrc", "authFailed", "replayed", "unknownPayloadType", "rtcpInvalid");
    /** A CNAME longer than an SDES item can carry (255 bytes) is cut. */
    static final int MAX_CNAME_BYTES = 255;

    private volatile long ssrc;
    /** Our SSRC before a collision made us change it, until the flow has sent its BYE; else -1. */
    private long collided = -1;
    private final byte[] cname;
    private final List<RtpFeature> features = new CopyOnWriteArrayList<>();
    private long seenRestarts;
    private final ReceiveStatistics stats;
    private final Map<String, AtomicLong> drops = new LinkedHashMap<>();
    private volatile long remoteSsrc = -1;
    private volatile double rttMs = -1;
    private volatile double remoteFractionLost;
    /** The MID header extension our packets carry in a bundle, or null (see {@link #setMid}). */
    private volatile MidTag midTag;

    private record MidTag(int id, byte[] mid) {
    }

    public RtpStream(long ssrc, String cname, int clockRate) {
        this.ssrc = ssrc;
        byte[] c = cname.getBytes(StandardCharsets.US_ASCII);
        this.cname = c.length > MAX_CNAME_BYTES ? java.util.Arrays.copyOf(c, MAX_CNAME_BYTES) : c;
        this.stats = new ReceiveStatistics(clockRate);
        for (String k : DROP_REASONS) drops.put(k, new AtomicLong());
    }

    /** Plugs a feature in: its hooks run after those added before it. */
    public void add(RtpFeature feature) {
        features.add(feature);
    }

    /**
     * From now on our RTP carries {@code mid} in header extension element {@code id} (RFC 8843
     * section 15: once a bundle negotiated the MID extension, a peer such as Chromium routes by it
     * and drops packets without it). {@code id} -1 or a null mid: no MID.
     */
    public void setMid(int id, String mid) {
        midTag = id > 0 && mid != null && !mid.isEmpty() ? new MidTag(id, mid.getBytes(StandardCharsets.US_ASCII)) : null;
    }

    /** Our plain RTP packet as it is to be sent: with the MID when one is set, else as it is. */
    public byte[] withMid(byte[] pkt) {
        MidTag t = midTag;
        return t == null ? pkt : RtpHeaderExtensions.withElement(pkt, pkt.length, t.id(), t.mid());
    }

    /** Our SSRC now (it changes after a collision). */
    public long ssrc() { return ssrc; }

    /**
     * After a collision (RFC 3550 section 8.2), once: the plain compound that says BYE for the SSRC
     * we gave up ({@link #writeBye}), to be sent (and protected) as that SSRC; else null.
     */
    public byte[] takeBye() {
        long old;
        synchronized (this) {
            old = collided;
            collided = -1;
        }
        if (old < 0) return null;
        byte[] p = new byte[maxCompoundBytes() + 8];
        return java.util.Arrays.copyOf(p, writeBye(p, 0, old));
    }

    /** The peer's SSRC once its first authenticated packet came, else -1. */
    public long remoteSsrc() { return remoteSsrc; }

    public double rttMs() { return rttMs; }

    public double remoteFractionLost() { return remoteFractionLost; }

    /** Counts one dropped packet; {@code reason} is one of {@link #DROP_REASONS}. */
    public void drop(String reason) {
        drops.get(reason).incrementAndGet();
    }

    /** The drop counters by reason (a snapshot). */
    public Map<String, Long> drops() {
        Map<String, Long> m = new LinkedHashMap<>();
        drops.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    /** Whether a packet from {@code pktSsrc} may be ours to take: any until the SSRC is locked. */
    public boolean fromPeer(long pktSsrc) {
        long known = remoteSsrc;
        if (known >= 0 && known != pktSsrc) {
            drop("wrongSsrc");
            return false;
        }
        return true;
    }

    /**
     * An authenticated packet from {@code pktSsrc}: the first one locks the peer's SSRC. When it is
     * ours, a collision: we move to a new SSRC (the peer's packet is fine, it is our choice that
     * clashes).
     */
    public synchronized boolean lockPeer(long pktSsrc) {
        if (remoteSsrc < 0) remoteSsrc = pktSsrc;
        if (remoteSsrc != pktSsrc) {
            drop("wrongSsrc");
            return false;
        }
        if (pktSsrc == ssrc) {
            if (collided < 0) collided = ssrc;
            long fresh;
            do {
                fresh = MediaFlow.randomSsrc();
            } while (fresh == pktSsrc || fresh == collided);
            ssrc = fresh;
            LOG.info("the peer's SSRC {} is ours (RFC 3550 section 8.2): now sending as {}, BYE for the old one", pktSsrc, fresh);
        }
        return true;
    }

    /**
     * An RTP packet that passed {@link #receiveRtp} and the kind's payload type check: locks the
     * peer's SSRC, counts the sequence number, lets the features say what the packet is and counts
     * it (jitter for new media only, RFC 3550 A.8).
     *
     * @return what the packet is, or null when it is dropped (not the peer's locked SSRC)
     */
    public RtpFeature.Arrival accept(byte[] b, int off, int len, long nowNanos) {
        if (!lockPeer(RtpPackets.ssrc(b, off))) return null;
        int h = RtpPackets.headerLength(b, off, len);
        synchronized (this) {
            long ext = stats.onSequence(RtpPackets.seq(b, off));
            boolean restarted = stats.restarts() != seenRestarts;
            seenRestarts = stats.restarts();
            RtpFeature.Arrival a = RtpFeature.Arrival.NEW;
            for (RtpFeature f : features) a = f.onRtp(b, off, len, h, ext, restarted, a, nowNanos);
            switch (a) {
                case NEW -> stats.onReceived(RtpPackets.timestamp(b, off), nowNanos, true);
                // events keep their timestamp for a whole event: no jitter from them
                case REORDERED, EVENT -> stats.onReceived(RtpPackets.timestamp(b, off), nowNanos, false);
                default -> { }
            }
            return a;
        }
    }

    /** A plain RTP packet we send (SSRC and sequence number set): the features see it (the NACK history keeps it). */
    public void onSent(byte[] pkt, int seq, long nowNanos) {
        for (RtpFeature f : features) f.onSent(pkt, seq, nowNanos);
    }

    /**
     * An RTCP packet from the peer: authenticated and decrypted with {@code srtp} (when set),
     * parsed, then what it says goes to {@link #onRtcp} and to the features.
     *
     * @return the parsed compound, or null when it did not authenticate
     */
    public RtcpPackets.Parsed receiveRtcp(SrtpContext srtp, byte[] buf, int off, int len, long nowNanos, long ntpNow) {
        long from = RtpPackets.readU32(buf, off + 4);
        SrtpContext.Buf plain = unprotect(srtp, true, buf, off, len, from);
        if (plain == null) return null;
        RtcpPackets.Parsed r = RtcpPackets.parse(plain.getBuffer(), plain.getOffset(), plain.getLength(), ssrc);
        RtcpPackets.ReportBlock aboutUs = onRtcp(r, nowNanos, ntpNow);
        for (RtpFeature f : features) f.onRtcp(r, aboutUs, nowNanos);
        return r;
    }

    /** Whether a feature has feedback to send at once. */
    public boolean feedbackDue(long nowNanos) {
        boolean due = false;
        for (RtpFeature f : features) due |= f.feedbackDue(nowNanos);
        return due;
    }

    /** The features' feedback after a compound of {@link #writeCompound}; returns the position after it. */
    public int writeFeedback(byte[] p, int pos, boolean periodic, long nowNanos) {
        for (RtpFeature f : features) pos = f.writeFeedback(p, pos, ssrc, remoteSsrc, periodic, nowNanos);
        return pos;
    }

    /** The bytes of {@link #writeCompound} and {@link #writeFeedback} together at most. */
    public int maxCompoundWithFeedbackBytes() {
        int n = maxCompoundBytes();
        for (RtpFeature f : features) n += f.maxFeedbackBytes();
        return n;
    }

    /**
     * The compound that says goodbye for {@code oldSsrc} (RFC 3550 section 6.6, after a collision):
     * an empty RR and SDES CNAME from that SSRC, then the BYE (last, section 6.1).
     *
     * @return the position after it; {@code p} holds at least {@link #maxCompoundBytes()} + 8 bytes
     */
    public int writeBye(byte[] p, int pos, long oldSsrc) {
        pos = RtcpPackets.writeReport(p, pos, oldSsrc, null, List.of());
        pos = writeSdes(p, pos, oldSsrc);
        p[pos] = (byte) 0x81;
        p[pos + 1] = (byte) RtcpPackets.BYE;
        RtpPackets.writeU16(p, pos + 2, 1);
        RtpPackets.writeU32(p, pos + 4, oldSsrc);
        return pos + 8;
    }

    /**
     * The plain packet, decrypted in place when {@code srtp} is set; {@code null} (counted) when it
     * fails: a replay (a retransmission's second copy, one that came too late) is harmless and
     * expected under loss, so it is counted apart from a failed authentication.
     */
    public SrtpContext.Buf unprotect(SrtpContext srtp, boolean rtcp, byte[] buf, int off, int len, long pktSsrc) {
        SrtpContext.Buf b = new SrtpContext.Buf(buf, off, len, 0);
        if (srtp == null) return b;
        SrtpErrorStatus st;
        try {
            st = rtcp ? srtp.unprotectRtcp(b, pktSsrc) : srtp.unprotectRtp(b, pktSsrc);
        } catch (GeneralSecurityException e) {
            st = SrtpErrorStatus.FAIL;
        }
        if (st == SrtpErrorStatus.OK) return b;
        drop(st == SrtpErrorStatus.REPLAY_FAIL || st == SrtpErrorStatus.REPLAY_OLD ? "replayed" : "authFailed");
        return null;
    }

    /**
     * An RTP packet (not RTCP) checked the same way for every kind: a valid header, from the peer's
     * SSRC, authenticated and decrypted, a valid header again; {@code null} (counted) otherwise.
     */
    public SrtpContext.Buf receiveRtp(SrtpContext srtp, byte[] buf, int off, int len) {
        if (RtpPackets.headerLength(buf, off, len) < 0) {
            drop("badLength");
            return null;
        }
        long pktSsrc = RtpPackets.ssrc(buf, off);
        if (!fromPeer(pktSsrc)) return null;
        SrtpContext.Buf plain = unprotect(srtp, false, buf, off, len, pktSsrc);
        if (plain == null) return null;
        if (RtpPackets.headerLength(plain.getBuffer(), plain.getOffset(), plain.getLength()) < 0) {
            drop("badLength");
            return null;
        }
        return plain;
    }

    /**
     * The extended sequence number of an accepted RTP packet (RFC 3550 A.1), or -1 for the first of a
     * large jump (a possible restart, see {@link ReceiveStatistics#onSequence}).
     */
    public synchronized long onSequence(int seq) {
        return stats.onSequence(seq);
    }

    /** Counts an accepted packet and, with {@code forJitter} (media, not events), its jitter (A.8). */
    public synchronized void onReceived(long rtpTimestamp, long nowNanos, boolean forJitter) {
        stats.onReceived(rtpTimestamp, nowNanos, forJitter);
    }

    /** How many times the peer's sequence numbers restarted (a new source behind the same SSRC). */
    public synchronized long restarts() { return stats.restarts(); }

    /** Cumulative lost (RFC 3550 A.3), never negative. */
    public synchronized long packetsLost() { return Math.max(0, stats.lost()); }

    /** The last report interval's fraction lost, 0..1. */
    public synchronized double fractionLost() { return stats.lastFraction() / 256.0; }

    public synchronized double jitterMs() { return stats.jitterMs(); }

    /** Packets expected by the sequence numbers (RFC 3550 A.3), 0 before the first. */
    public synchronized long expected() { return stats.started() ? stats.expected() : 0; }

    /** The bytes the compound of {@link #writeCompound} needs at most. */
    public int maxCompoundBytes() {
        return 28 + 24 + sdesBytes();
    }

    /**
     * SR (with {@code info}) or RR, with a report block about the peer once it sent ({@code withReport},
     * which starts a new report interval), then SDES CNAME: what RFC 3550 section 6.1 puts in every
     * compound packet. Feedback (RFC 4585) goes after it.
     *
     * @return the position after the compound
     */
    public int writeCompound(byte[] p, int pos, RtcpPackets.SenderInfo info, boolean withReport, long nowNanos) {
        List<RtcpPackets.ReportBlock> blocks = new ArrayList<>(1);
        long rs = remoteSsrc;
        if (rs >= 0 && withReport) {
            synchronized (this) {
                if (stats.started()) blocks.add(stats.report(rs, nowNanos));
            }
        }
        long us = ssrc;
        pos = RtcpPackets.writeReport(p, pos, us, info, blocks);
        return writeSdes(p, pos, us);
    }

    private int writeSdes(byte[] p, int pos, long from) {
        int len = sdesBytes();
        p[pos] = (byte) 0x81;
        p[pos + 1] = (byte) RtcpPackets.SDES;
        RtpPackets.writeU16(p, pos + 2, len / 4 - 1);
        RtpPackets.writeU32(p, pos + 4, from);
        p[pos + 8] = 1; // CNAME
        p[pos + 9] = (byte) cname.length;
        System.arraycopy(cname, 0, p, pos + 10, cname.length);
        java.util.Arrays.fill(p, pos + 10 + cname.length, pos + len, (byte) 0); // END and padding
        return pos + len;
    }

    /** The SDES chunk: header, SSRC, CNAME item, at least one END byte, padded to 32 bits. */
    private int sdesBytes() {
        return (8 + 2 + cname.length + 1 + 3) & ~3;
    }

    /**
     * What a received compound says: the peer's SR feeds our next report's LSR/DLSR; a report block
     * about us gives its loss and the RTT.
     *
     * @param ntpNow {@link RtcpPackets#ntpNow()} at arrival
     * @return the report block about us, or null
     */
    public RtcpPackets.ReportBlock onRtcp(RtcpPackets.Parsed r, long nowNanos, long ntpNow) {
        if (r.malformed()) drop("rtcpInvalid");
        if (r.senderInfo() != null && r.senderSsrc() == remoteSsrc) {
            synchronized (this) {
                stats.onSenderReport(r.senderInfo().middle32(), nowNanos);
            }
        }
        RtcpPackets.ReportBlock ours = null;
        for (RtcpPackets.ReportBlock b : r.blocks()) {
            if (b.ssrc() != ssrc) continue;
            ours = b;
            remoteFractionLost = b.fractionLost() / 256.0;
            if (b.lsr() != 0) {
                long rtt = ((ntpNow >>> 16) - b.lsr() - b.dlsr()) & 0xffffffffL;
                // below one unit (15 µs) counts as one; wrapped (negative) or beyond 10 s is absurd: ignored
                if (rtt < 65536L * 10) rttMs = Math.max(1, rtt) * 1000.0 / 65536.0;
            }
        }
        return ours;
    }
}
