package io.vmc.engine.internal.transport;

/**
 * Whether a stream may send to a peer without ICE now: symmetric RTP as consent (the RFC 7675 idea
 * for peers that cannot answer STUN). Full media goes only to a destination that has sent a valid
 * packet (authenticated SRTP/SRTCP with keys, RTP/RTCP without) within the consent timeout. Before
 * that, only probes: one packet at once, then at growing intervals ({@link #FIRST_PROBE_INTERVAL_NANOS}
 * doubling up to {@link #MAX_PROBE_INTERVAL_NANOS}), so that two endpoints that both wait for the
 * other (two VMC engines, or an SBC that latches on our first packet) still find each other, while
 * a destination that never answers gets a trickle, not a stream. Pure: times are passed in.
 * Thread-safe.
 */
public final class SendGate {
    /** Interval after the first probe; it doubles after each unanswered probe. */
    public static final long FIRST_PROBE_INTERVAL_NANOS = 1_000_000_000L;
    /** Longest interval between probes to a silent destination. */
    public static final long MAX_PROBE_INTERVAL_NANOS = 8_000_000_000L;

    /** What to do with the next packet. */
    public enum Verdict { SEND, PROBE, HOLD }

    private final boolean trusted;
    private final long consentTimeoutNanos;
    private boolean verified;
    private long lastVerified;
    private boolean probed;
    private long nextProbe;
    private long interval = FIRST_PROBE_INTERVAL_NANOS;

    /**
     * @param trusted the admin's policy trusts plain peers: always {@link Verdict#SEND}
     * @param consentTimeoutNanos how long a verified destination stays verified without a new packet
     */
    public SendGate(boolean trusted, long consentTimeoutNanos) {
        this.trusted = trusted;
        this.consentTimeoutNanos = consentTimeoutNanos;
    }

    /** A valid packet came from the destination. */
    public synchronized void verified(long nowNanos) {
        verified = true;
        lastVerified = nowNanos;
        probed = false;
        interval = FIRST_PROBE_INTERVAL_NANOS;
    }

    /** Whether full media may go now (without taking a probe). */
    public synchronized boolean isVerified(long nowNanos) {
        return trusted || (verified && nowNanos - lastVerified <= consentTimeoutNanos);
    }

    public synchronized Verdict check(long nowNanos) {
        if (isVerified(nowNanos)) return Verdict.SEND;
        if (verified) { // consent expired: back to probing, from the short interval
            verified = false;
            probed = false;
            interval = FIRST_PROBE_INTERVAL_NANOS;
        }
        if (!probed || nowNanos - nextProbe >= 0) {
            if (probed) interval = Math.min(MAX_PROBE_INTERVAL_NANOS, interval * 2);
            probed = true;
            nextProbe = nowNanos + interval;
            return Verdict.PROBE;
        }
        return Verdict.HOLD;
    }
}
