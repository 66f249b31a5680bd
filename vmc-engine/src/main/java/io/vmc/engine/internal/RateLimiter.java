package io.vmc.engine.internal;

/** A token bucket: {@code ratePerSecond} sustained, {@code burst} at once. Thread-safe. */
public final class RateLimiter {
    private final double ratePerNano;
    private final double burst;
    private double tokens;
    private long last;

    public RateLimiter(double ratePerSecond, double burst) {
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.last = System.nanoTime();
    }

    public synchronized boolean tryAcquire() {
        long now = System.nanoTime();
        tokens = Math.min(burst, tokens + (now - last) * ratePerNano);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
