package io.vmc.engine.internal.rtp;

/**
 * The loss-based half of Google Congestion Control (draft-ietf-rmcat-gcc-02 section 6): from the
 * fraction lost in the peer's report blocks, loss under 2% grows the rate by 8% per second, 2-10%
 * holds it, over 10% cuts it to {@code rate * (1 - 0.5 * loss)}. Bounded by a floor and a ceiling;
 * a cut happens at most once per {@link #MIN_DECREASE_INTERVAL_NANOS} so that one loss burst seen
 * in several reports is not punished several times. Pure logic on passed-in times; not thread-safe.
 */
public final class LossBasedBitrate {
    public static final double LOW_LOSS = 0.02;
    public static final double HIGH_LOSS = 0.10;
    public static final double GROWTH_PER_SECOND = 1.08;
    public static final long MIN_DECREASE_INTERVAL_NANOS = 300_000_000L;
    /** Growth is credited for at most this long between two reports (a silent peer earns nothing). */
    private static final long MAX_GROWTH_STEP_NANOS = 1_000_000_000L;

    private final int floorKbps;
    private final int ceilingKbps;
    private double kbps;
    private long lastUpdateNanos;
    private long lastDecreaseNanos;
    private boolean decreased;

    public LossBasedBitrate(int floorKbps, int ceilingKbps, int startKbps, long nowNanos) {
        if (floorKbps <= 0 || ceilingKbps < floorKbps) {
            throw new IllegalArgumentException("need 0 < floor <= ceiling, got " + floorKbps + ", " + ceilingKbps);
        }
        this.floorKbps = floorKbps;
        this.ceilingKbps = ceilingKbps;
        this.kbps = clamp(startKbps);
        this.lastUpdateNanos = nowNanos;
    }

    /**
     * A report block about our stream arrived.
     *
     * @param fractionLost the block's 8-bit fraction (0..255)
     * @return the new target in kbit/s
     */
    public int onReport(int fractionLost, long nowNanos) {
        double loss = Math.max(0, Math.min(255, fractionLost)) / 256.0;
        long dt = Math.max(0, Math.min(MAX_GROWTH_STEP_NANOS, nowNanos - lastUpdateNanos));
        lastUpdateNanos = nowNanos;
        if (loss < LOW_LOSS) {
            kbps = clamp(kbps * Math.pow(GROWTH_PER_SECOND, dt / 1e9));
        } else if (loss > HIGH_LOSS && (!decreased || nowNanos - lastDecreaseNanos >= MIN_DECREASE_INTERVAL_NANOS)) {
            kbps = clamp(kbps * (1 - 0.5 * loss));
            lastDecreaseNanos = nowNanos;
            decreased = true;
        }
        return targetKbps();
    }

    public int targetKbps() {
        return (int) Math.round(kbps);
    }

    private double clamp(double v) {
        return Math.max(floorKbps, Math.min(ceilingKbps, v));
    }
}
