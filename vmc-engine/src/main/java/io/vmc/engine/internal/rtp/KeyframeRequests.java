package io.vmc.engine.internal.rtp;

import io.vmc.engine.internal.RateLimiter;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Keyframe requests (<a href="https://www.rfc-editor.org/rfc/rfc4585#section-6.3.1">RFC 4585 PLI</a>,
 * <a href="https://www.rfc-editor.org/rfc/rfc5104#section-4.3.1">RFC 5104 FIR</a>), the video
 * stream's feature. Receiving: a PLI in every report while nothing was decoded yet, and one at once
 * when the decoder lost a picture that NACK did not bring back (at most 4 a second). Sending: the
 * peer's PLI or FIR forces a keyframe, at most 3 a second (a keyframe costs many packets: a PLI
 * flood must not turn into a keyframe flood).
 */
public final class KeyframeRequests implements RtpFeature {
    private final Runnable keyframe;
    private final LongSupplier framesDecoded;
    private final RateLimiter pliLimiter;
    private final RateLimiter keyframeLimiter;
    private volatile boolean pending;
    private final AtomicLong plisSent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();

    /**
     * @param keyframe makes our encoder send a keyframe, or null without a sender
     * @param framesDecoded the decoder's count, or null without a receiver (then no PLI is sent)
     */
    public KeyframeRequests(Runnable keyframe, LongSupplier framesDecoded, long nowNanos) {
        this.keyframe = keyframe;
        this.framesDecoded = framesDecoded;
        this.pliLimiter = new RateLimiter(4, 1, nowNanos);
        this.keyframeLimiter = new RateLimiter(3, 2, nowNanos);
    }

    /** The decoder lost a picture: whether a PLI should go now (rate-limited), see {@link #feedbackDue}. */
    public boolean pictureLost(long nowNanos) {
        if (framesDecoded == null || !pliLimiter.tryAcquire(nowNanos, 1)) return false;
        pending = true;
        return true;
    }

    @Override
    public boolean feedbackDue(long nowNanos) {
        return pending;
    }

    @Override
    public int writeFeedback(byte[] p, int pos, long ssrc, long remoteSsrc, boolean periodic, long nowNanos) {
        boolean pli = pending || (periodic && framesDecoded != null && framesDecoded.getAsLong() == 0);
        pending = false;
        if (!pli) return pos;
        plisSent.incrementAndGet();
        return RtcpPackets.writePli(p, pos, ssrc, remoteSsrc < 0 ? 0 : remoteSsrc);
    }

    @Override
    public int maxFeedbackBytes() {
        return 12;
    }

    @Override
    public void onRtcp(RtcpPackets.Parsed r, RtcpPackets.ReportBlock aboutUs, long nowNanos) {
        if (r.keyframeRequests() == 0) return;
        received.incrementAndGet();
        if (keyframe != null && keyframeLimiter.tryAcquire(nowNanos, 1)) keyframe.run();
    }

    public long plisSent() { return plisSent.get(); }

    /** Compounds from the peer with a PLI or FIR for our stream. */
    public long received() { return received.get(); }
}
