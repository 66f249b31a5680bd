package io.vmc.stun.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(10)
class LatencyHistogramTest {
    @Test
    void percentilesAreBucketUpperBounds() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 1; i <= 1000; i++) {
            h.record(i * 1000L + 500); // 1.5 .. 1000.5 µs
        }
        h.record(50_000_000L); // one 50 ms outlier, in the 100 µs buckets
        assertThat(h.count()).isEqualTo(1001);
        assertThat(h.percentileMicros(0.5)).isEqualTo(502); // 501st value is 501.5 µs
        assertThat(h.percentileMicros(0.99)).isEqualTo(992);
        assertThat(h.percentileMicros(1.0)).isBetween(50_000.0, 50_100.0);
        assertThat(h.maxMicros()).isEqualTo(50_000);
        LatencyHistogram other = new LatencyHistogram();
        other.add(h);
        assertThat(other.percentileMicros(0.5)).isEqualTo(502);
    }
}
