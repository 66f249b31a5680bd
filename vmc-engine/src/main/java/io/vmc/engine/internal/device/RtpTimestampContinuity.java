package io.vmc.engine.internal.device;

/**
 * Keeps a stream's RTP timestamps continuous when its encoder is replaced mid-call (a device
 * switch): each new encoder starts at a random timestamp (RFC 3550 section 5.1), which a receiver
 * would take for a jump of hours. The first packet of a new source continues from the last one
 * sent, advanced by the wall-clock time between them, so the receiver sees the gap as the silence
 * it is. Not thread-safe: the caller's send lock guards it.
 */
public final class RtpTimestampContinuity {
    private final int clockRate;
    private long offset;
    private boolean newSource;
    private long lastOut = -1;
    private long lastNanos;

    public RtpTimestampContinuity(int clockRate) {
        this.clockRate = clockRate;
    }

    /** The next packet comes from a new encoder. */
    public void newSource() {
        newSource = true;
    }

    /** The timestamp to send for a packet the encoder stamped {@code ts}, sent at {@code nowNanos}. */
    public long next(long ts, long nowNanos) {
        if (newSource && lastOut >= 0) {
            long elapsed = Math.max(0, nowNanos - lastNanos) * clockRate / 1_000_000_000L;
            offset = (lastOut + elapsed - ts) & 0xffffffffL;
        }
        newSource = false;
        lastOut = (ts + offset) & 0xffffffffL;
        lastNanos = nowNanos;
        return lastOut;
    }
}
