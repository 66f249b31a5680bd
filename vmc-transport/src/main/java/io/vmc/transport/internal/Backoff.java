package io.vmc.transport.internal;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Capped exponential back-off with "equal jitter": attempt {@code n} waits a random time in
 * {@code [d/2, d]} where {@code d = min(max, initial * 2^n)}. The jitter keeps many clients that
 * lost the same server from reconnecting in lockstep.
 */
public final class Backoff {
    private final long initialNanos;
    private final long maxNanos;
    private final DoubleSupplier random;
    private int attempt;

    public Backoff(Duration initial, Duration max, DoubleSupplier random) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("back-off needs 0 < initial <= max, got " + initial + " and " + max);
        }
        this.initialNanos = initial.toNanos();
        this.maxNanos = max.toNanos();
        this.random = random;
    }

    /** The delay before the next attempt, in nanoseconds. */
    public long nextDelayNanos() {
        long d = initialNanos;
        for (int i = 0; i < attempt && d < maxNanos; i++) {
            d *= 2;
        }
        d = Math.min(d, maxNanos);
        attempt = Math.min(attempt + 1, 62);
        return d / 2 + (long) (random.getAsDouble() * (d - d / 2));
    }

    /** After a successful handshake. */
    public void reset() {
        attempt = 0;
    }
}
