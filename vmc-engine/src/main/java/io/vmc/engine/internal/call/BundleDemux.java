package io.vmc.engine.internal.call;

import io.vmc.engine.internal.rtp.RtpFlow;
import io.vmc.engine.internal.rtp.RtpHeaderExtensions;
import io.vmc.engine.internal.rtp.RtpPackets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tells a transport's RTP and RTCP apart by section (<a href="https://www.rfc-editor.org/rfc/rfc8843#section-9">RFC
 * 8843 section 9</a>); the media kind is decided last. RTP by its MID header extension when negotiated
 * and the packet has one (SRTP leaves the header in the clear), else by the SSRC a stream has locked,
 * else by payload type; RTCP by its sender SSRC, which SRTCP leaves in the clear, and to both
 * streams while neither knows the sender (each authenticates its own copy). Runs on the transport's
 * receive thread; the MID extension id is set under the call's monitor.
 */
final class BundleDemux {
    /** The MID header extension's id on the bundled transport (see {@link HeaderExtensions}), -1 when not negotiated. */
    private volatile int midExtensionId = -1;
    /** Bundled RTP packets that their MID header extension routed (a counter for tests and metrics). */
    private final AtomicLong routedByMid = new AtomicLong();

    void midExtension(int id) {
        midExtensionId = id;
    }

    int midExtension() {
        return midExtensionId;
    }

    long routedByMid() {
        return routedByMid.get();
    }

    /**
     * Hands one non-DTLS datagram to the section it belongs to.
     *
     * @param a the first section's flow (audio), or null
     * @param v the second section's flow (video) when it rides on this transport, else null
     * @param onlyV the transport carries {@code v} alone (a video-only call, an unbundled video transport)
     * @return true if a flow took it as an authenticated RTP packet
     */
    boolean route(RtpFlow a, String aMid, RtpFlow v, String vMid, boolean onlyV, byte[] buf, int off, int len) {
        if (v == null) return a != null && a.onPacket(buf, off, len);
        if (onlyV) return v.onPacket(buf, off, len);
        if (len < 8) return false;
        if (!RtpPackets.looksLikeRtcp(buf, off, len)) {
            int midId = midExtensionId;
            String mid = midId > 0 ? RtpHeaderExtensions.mid(buf, off, len, midId) : null;
            if (mid != null && mid.equals(vMid)) {
                routedByMid.incrementAndGet();
                return v.onPacket(buf, off, len);
            }
            if (mid != null && mid.equals(aMid)) {
                routedByMid.incrementAndGet();
                return a != null && a.onPacket(buf, off, len);
            }
            long ssrc = RtpPackets.ssrc(buf, off);
            if (ssrc == v.remoteSsrc()) return v.onPacket(buf, off, len);
            if (a != null && ssrc == a.remoteSsrc()) return a.onPacket(buf, off, len);
            if (RtpPackets.payloadType(buf, off) == v.recvPt()) return v.onPacket(buf, off, len);
            return a != null && a.onPacket(buf, off, len);
        }
        long sender = RtpPackets.readU32(buf, off + 4);
        if (sender == v.remoteSsrc()) return v.onPacket(buf, off, len);
        if (a == null || sender == a.remoteSsrc()) return a != null && a.onPacket(buf, off, len);
        byte[] copy = Arrays.copyOfRange(buf, off, off + len);
        boolean first = a.onPacket(buf, off, len);
        return v.onPacket(copy, 0, copy.length) || first;
    }
}
