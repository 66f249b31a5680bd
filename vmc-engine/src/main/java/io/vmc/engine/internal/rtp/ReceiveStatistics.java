package io.vmc.engine.internal.rtp;

/**
 * What we know about one received RTP stream, for its report block: extended highest sequence
 * number (RFC 3550 A.1), loss per interval and cumulative (A.3), interarrival jitter (A.8) and the
 * last SR (LSR/DLSR). Pure logic: times are passed in. Not thread-safe; the caller locks.
 */
public final class ReceiveStatistics {
    /** A.1: a forward jump up to this is taken as loss, a larger one as a possible restart. */
    public static final int MAX_DROPOUT = 3000;
    /**
     * A.1: a backward step up to this is reordering, a larger one a possible restart. A.1 uses 100;
     * NACKed retransmissions come back in the original stream up to {@code NackTracker}'s window
     * (512) behind, and two consecutive ones must not look like a restart.
     */
    public static final int MAX_MISORDER = 1024;
    /** Transit differences beyond this (10 s of the clock) are a timestamp jump, not jitter. */
    private static final long MAX_TRANSIT_STEP_SECONDS = 10;

    private final int clockRate;
    private boolean started;
    private int baseSeq;
    private int maxSeq;
    private long cycles;
    private int badSeq = -1;
    private long received;
    private long expectedPrior;
    private long receivedPrior;
    private int lastFraction;
    private long restarts;
    private double jitter;
    private long lastTransit;
    private boolean haveTransit;
    private long arrivalBaseNanos;
    private long lastSrMiddle;
    private long lastSrNanos;

    public ReceiveStatistics(int clockRate) {
        this.clockRate = clockRate;
    }

    /**
     * Tracks a packet's sequence number and returns its extended number, or -1 when it is the
     * first of a large jump (dropped until the next packet confirms a restart, as in A.1). After
     * a confirmed restart {@link #restarts()} grows and counting starts over.
     */
    public long onSequence(int seq) {
        seq &= 0xffff;
        if (!started) {
            init(seq);
            return seq;
        }
        int udelta = (seq - maxSeq) & 0xffff;
        if (udelta < MAX_DROPOUT) {
            if (seq < maxSeq) cycles += 0x10000;
            maxSeq = seq;
            badSeq = -1;
            return cycles + seq;
        }
        if (udelta <= 0x10000 - MAX_MISORDER) {
            if (seq == badSeq) {
                init(seq);
                restarts++;
                return seq;
            }
            badSeq = (seq + 1) & 0xffff;
            return -1;
        }
        // reordered or duplicate: below the highest seen
        long ext = cycles + maxSeq - ((maxSeq - seq) & 0xffff);
        return ext < 0 ? -1 : ext;
    }

    private void init(int seq) {
        started = true;
        baseSeq = seq;
        maxSeq = seq;
        cycles = 0;
        badSeq = -1;
        received = 0;
        expectedPrior = 0;
        receivedPrior = 0;
    }

    /**
     * Counts a packet as received (a duplicate or a retransmission that filled a reported gap is
     * not counted, see VideoFlow) and, with {@code forJitter}, updates the jitter (A.8).
     */
    public void onReceived(long rtpTimestamp, long nowNanos, boolean forJitter) {
        received++;
        if (!forJitter) return;
        if (!haveTransit) arrivalBaseNanos = nowNanos;
        long arrival = (nowNanos - arrivalBaseNanos) / 1000L * clockRate / 1_000_000L;
        long transit = arrival - rtpTimestamp;
        if (haveTransit) {
            long d = Math.abs(transit - lastTransit);
            if (d < clockRate * MAX_TRANSIT_STEP_SECONDS) jitter += (d - jitter) / 16.0;
        }
        lastTransit = transit;
        haveTransit = true;
    }

    /** The remote sender's SR arrived (A.8's LSR/DLSR). */
    public void onSenderReport(long ntpMiddle32, long nowNanos) {
        lastSrMiddle = ntpMiddle32 & 0xffffffffL;
        lastSrNanos = nowNanos;
    }

    public boolean started() {
        return started;
    }

    public long restarts() {
        return restarts;
    }

    public long extendedHighest() {
        return cycles + maxSeq;
    }

    public long expected() {
        return started ? cycles + maxSeq - baseSeq + 1 : 0;
    }

    public long received() {
        return received;
    }

    /** Cumulative lost (A.3); negative when duplicates outnumber losses. */
    public long lost() {
        return expected() - received;
    }

    public double jitterMs() {
        return jitter * 1000.0 / clockRate;
    }

    /** The fraction lost of the last report interval, 0..255 (the report block's unit). */
    public int lastFraction() {
        return lastFraction;
    }

    /** A report block for {@code ssrc}; starts a new interval (A.3). */
    public RtcpPackets.ReportBlock report(long ssrc, long nowNanos) {
        long expected = expected();
        long expInt = expected - expectedPrior;
        long recInt = received - receivedPrior;
        expectedPrior = expected;
        receivedPrior = received;
        long lostInt = expInt - recInt;
        lastFraction = expInt <= 0 || lostInt <= 0 ? 0 : (int) Math.min(255, (lostInt << 8) / expInt);
        long lost = Math.max(-0x800000L, Math.min(0x7fffffL, lost()));
        long dlsr = lastSrMiddle == 0 ? 0 : Math.min(0xffffffffL, (nowNanos - lastSrNanos) * 65536 / 1_000_000_000L);
        return new RtcpPackets.ReportBlock(ssrc, lastFraction, (int) lost, extendedHighest() & 0xffffffffL,
                Math.min(0xffffffffL, (long) jitter), lastSrMiddle, Math.max(0, dlsr));
    }
}
