package io.vmc.engine.internal.rtp;

import io.vmc.engine.internal.RateLimiter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;

/**
 * Generic NACK and plain retransmission (<a href="https://www.rfc-editor.org/rfc/rfc4585#section-6.2.1">RFC
 * 4585 section 6.2.1</a>), the video stream's feature. Receiving: gaps ({@link NackTracker}) are asked
 * for at once when due (rate-limited) and retried at every report; a packet that fills a NACKed gap
 * is {@link Arrival#RECOVERED}. Sending: a {@link SendHistory} answers the peer's NACKs, bounded per
 * NACK and in rate, each packet at most once per RTT. Retransmissions go in the original stream (SDP
 * has {@code nack} without rtx).
 */
public final class NackFeedback implements RtpFeature {
    /** Gaps are NACKed up to this many sequence numbers behind the highest. */
    public static final int WINDOW = 512;
    /**
     * A gap waits this long before its first NACK: ice4j's socket multiplexing can reorder packets
     * (seen at call start), and a NACK for a packet that is merely late costs a duplicate.
     */
    public static final long REORDER_DELAY_NANOS = 10_000_000L;
    public static final long MAX_AGE_NANOS = 200_000_000L;
    static final int MAX_NACKS_PER_SEQ = 3;
    /** Sequence numbers asked for in one NACK: always fits {@link RtcpPackets#MAX_NACK_ITEMS_OUT} items. */
    static final int MAX_SEQS_PER_NACK = RtcpPackets.MAX_NACK_ITEMS_OUT;
    /** Retransmissions answered for one received NACK compound. */
    static final int MAX_RESEND_PER_NACK = 64;
    static final long HISTORY_MAX_AGE_NANOS = 1_000_000_000L;

    private final DoubleSupplier rttMs;
    private final BooleanSupplier sending;
    private final Consumer<byte[]> resender;
    // receive side, under this
    private final NackTracker nacks = new NackTracker(WINDOW, REORDER_DELAY_NANOS, MAX_AGE_NANOS, MAX_NACKS_PER_SEQ);
    private final RateLimiter nackLimiter;
    private List<Long> early = List.of();
    // send side, under history
    private final SendHistory history = new SendHistory(HISTORY_MAX_AGE_NANOS);
    private final RateLimiter resendLimiter;

    private final AtomicLong nacksSent = new AtomicLong();
    private final AtomicLong nackedPackets = new AtomicLong();
    private final AtomicLong recovered = new AtomicLong();
    private final AtomicLong nacksReceived = new AtomicLong();
    private final AtomicLong retransmitted = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final AtomicLong limited = new AtomicLong();

    /**
     * @param rttMs the stream's RTT, -1 while unknown
     * @param sending whether our media goes out now (no retransmission while on hold)
     * @param resender sends a plain packet from the history again (SRTP applies as to any packet)
     */
    public NackFeedback(DoubleSupplier rttMs, BooleanSupplier sending, Consumer<byte[]> resender, long nowNanos) {
        this.rttMs = rttMs;
        this.sending = sending;
        this.resender = resender;
        this.nackLimiter = new RateLimiter(50, 10, nowNanos);
        this.resendLimiter = new RateLimiter(400, 100, nowNanos);
    }

    @Override
    public synchronized Arrival onRtp(byte[] b, int off, int len, int headerLength, long extSeq, boolean restarted,
                                      Arrival arrival, long nowNanos) {
        if (arrival != Arrival.NEW) return arrival;
        if (restarted) nacks.reset();
        if (extSeq < 0) return Arrival.DUPLICATE;
        Arrival a = switch (nacks.onPacket(extSeq, nowNanos)) {
            case NEW -> Arrival.NEW;
            case REORDERED -> Arrival.REORDERED;
            case RECOVERED -> Arrival.RECOVERED;
            case DUPLICATE -> Arrival.DUPLICATE;
        };
        if (a == Arrival.RECOVERED) recovered.incrementAndGet();
        return a;
    }

    /** Whether gaps are waiting (their reorder delay, or a retry): the caller checks again after {@link #REORDER_DELAY_NANOS}. */
    public synchronized boolean hasGaps() {
        return nacks.missingCount() > 0;
    }

    @Override
    public synchronized boolean feedbackDue(long nowNanos) {
        long retry = retryNanos();
        if (early.isEmpty() && nacks.anyDue(nowNanos, retry) && nackLimiter.tryAcquire(nowNanos, 1)) {
            early = nacks.due(nowNanos, retry, MAX_SEQS_PER_NACK);
        }
        return !early.isEmpty();
    }

    @Override
    public int writeFeedback(byte[] p, int pos, long ssrc, long remoteSsrc, boolean periodic, long nowNanos) {
        List<Long> ask;
        synchronized (this) {
            ask = early;
            early = List.of();
            if (periodic && ask.isEmpty()) ask = nacks.due(nowNanos, retryNanos(), MAX_SEQS_PER_NACK);
        }
        if (ask.isEmpty() || remoteSsrc < 0) return pos;
        List<Integer> seqs = new ArrayList<>(ask.size());
        for (long e : ask) seqs.add((int) (e & 0xffff));
        nacksSent.incrementAndGet();
        nackedPackets.addAndGet(seqs.size());
        return RtcpPackets.writeNack(p, pos, ssrc, remoteSsrc, seqs);
    }

    @Override
    public int maxFeedbackBytes() {
        return RtcpPackets.maxNackBytes();
    }

    @Override
    public void onSent(byte[] pkt, int seq, long nowNanos) {
        synchronized (history) {
            history.put(seq, pkt, nowNanos);
        }
    }

    @Override
    public void onRtcp(RtcpPackets.Parsed r, RtcpPackets.ReportBlock aboutUs, long nowNanos) {
        if (r.nackSeqs().isEmpty()) return;
        nacksReceived.incrementAndGet();
        if (!sending.getAsBoolean()) return;
        long minGap = Math.max(10_000_000L, (long) (rttMs.getAsDouble() * 1e6));
        int n = 0;
        for (int seq : r.nackSeqs()) {
            if (n >= MAX_RESEND_PER_NACK) break;
            byte[] pkt;
            synchronized (history) {
                pkt = history.forResend(seq, nowNanos, minGap);
            }
            if (pkt == null) {
                misses.incrementAndGet();
                continue;
            }
            if (!resendLimiter.tryAcquire(nowNanos, 1)) {
                limited.incrementAndGet();
                break;
            }
            resender.accept(pkt);
            retransmitted.incrementAndGet();
            n++;
        }
    }

    /**
     * Ask again after 1.5 RTT, at least 30 ms (a busy peer answers late, and a retry that crosses
     * its answer costs a duplicate), 50 ms while the RTT is unknown.
     */
    private long retryNanos() {
        double rtt = rttMs.getAsDouble();
        return rtt < 0 ? 50_000_000L : Math.max(30_000_000L, (long) (rtt * 1.5e6));
    }

    public long nacksSent() { return nacksSent.get(); }
    public long nackedPackets() { return nackedPackets.get(); }
    public long recovered() { return recovered.get(); }
    public long nacksReceived() { return nacksReceived.get(); }
    public long retransmitted() { return retransmitted.get(); }
    /** NACKed packets no longer (or never) in the history. */
    public long misses() { return misses.get(); }
    /** Retransmissions the rate limit refused. */
    public long limited() { return limited.get(); }
}
