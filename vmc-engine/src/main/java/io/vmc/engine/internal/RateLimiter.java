package io.vmc.engine.internal;

/**
 * A token bucket: {@code ratePerSecond} sustained, {@code burst} at once. Thread-safe. The forms
 * with {@code nowNanos} take the time from the caller (tests pass a fake clock; callers must use
 * one clock, {@link System#nanoTime()} in production).
 */
public final class RateLimiter {
    private final double ratePerNano;
    private final double burst;
    private double tokens;
    private long last;

    public RateLimiter(double ratePerSecond, double burst) {
        this(ratePerSecond, burst, System.nanoTime());
    }

    public RateLimiter(double ratePerSecond, double burst, long nowNanos) {
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.last = nowNanos;
    }

    public boolean tryAcquire() {
        return tryAcquire(System.nanoTime(), 1);
    }

    /** Takes {@code cost} tokens (e.g. bytes) if that many are there; otherwise takes none. */
    public synchronized boolean tryAcquire(long nowNanos, double cost) {
        if (nowNanos > last) {
            tokens = Math.min(burst, tokens + (nowNanos - last) * ratePerNano);
            last = nowNanos;
        }
        if (tokens >= cost) {
            tokens -= cost;
            return true;
        }
        return false;
    }
}
