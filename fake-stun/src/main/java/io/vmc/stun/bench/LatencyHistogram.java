package io.vmc.stun.bench;

/**
 * Fixed-memory latency histogram: 1 µs buckets below 10 ms, 100 µs buckets up to 1 s, one overflow
 * bucket. Not thread-safe; one per generator channel, merged at the end.
 */
final class LatencyHistogram {
    private static final int FINE = 10_000;
    private static final int COARSE = 10_000;
    private final long[] counts = new long[FINE + COARSE + 1];
    private long total;
    private long maxMicros;

    void record(long nanos) {
        long us = nanos / 1000;
        int idx;
        if (us < FINE) {
            idx = (int) us;
        } else if (us < FINE + COARSE * 100L) {
            idx = FINE + (int) ((us - FINE) / 100);
        } else {
            idx = FINE + COARSE;
        }
        counts[idx]++;
        total++;
        maxMicros = Math.max(maxMicros, us);
    }

    void add(LatencyHistogram other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        maxMicros = Math.max(maxMicros, other.maxMicros);
    }

    void reset() {
        java.util.Arrays.fill(counts, 0);
        total = 0;
        maxMicros = 0;
    }

    long count() {
        return total;
    }

    long maxMicros() {
        return maxMicros;
    }

    /** Upper bound of the bucket holding the given quantile, in microseconds. */
    double percentileMicros(double q) {
        if (total == 0) {
            return Double.NaN;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                if (i < FINE) {
                    return i + 1;
                }
                if (i < FINE + COARSE) {
                    return FINE + (i - FINE + 1) * 100.0;
                }
                return maxMicros;
            }
        }
        return maxMicros;
    }
}
