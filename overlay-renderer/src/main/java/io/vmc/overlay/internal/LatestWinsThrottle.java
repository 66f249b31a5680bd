package io.vmc.overlay.internal;

import java.util.function.LongSupplier;

/**
 * Hands out at most one value per interval; a value offered meanwhile replaces the one waiting
 * (the latest wins), so a flood of geometry updates costs one X round per frame, and the last
 * update always gets applied. Thread-safe; the clock is injectable for tests.
 */
public final class LatestWinsThrottle<T> {

    private final long intervalNanos;
    private final LongSupplier clock;
    private T pending;
    private long lastTaken;
    private boolean taken;
    private long offered;
    private long superseded;

    public LatestWinsThrottle(long intervalNanos, LongSupplier clock) {
        if (intervalNanos < 0) {
            throw new IllegalArgumentException("intervalNanos must not be negative, was " + intervalNanos);
        }
        this.intervalNanos = intervalNanos;
        this.clock = clock;
    }

    public synchronized void offer(T value) {
        offered++;
        if (pending != null) {
            superseded++;
        }
        pending = value;
    }

    /** The waiting value if its turn has come, else null. */
    public synchronized T poll() {
        if (pending == null) {
            return null;
        }
        long now = clock.getAsLong();
        if (taken && now - lastTaken < intervalNanos) {
            return null;
        }
        T v = pending;
        pending = null;
        taken = true;
        lastTaken = now;
        return v;
    }

    /** Nanoseconds until {@link #poll()} returns the waiting value; -1 when none waits. */
    public synchronized long nanosUntilDue() {
        if (pending == null) {
            return -1;
        }
        if (!taken) {
            return 0;
        }
        return Math.max(0, intervalNanos - (clock.getAsLong() - lastTaken));
    }

    /** Values offered so far. */
    public synchronized long offered() {
        return offered;
    }

    /** Values replaced before they were taken. */
    public synchronized long superseded() {
        return superseded;
    }
}
