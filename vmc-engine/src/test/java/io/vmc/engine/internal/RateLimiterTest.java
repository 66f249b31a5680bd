package io.vmc.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RateLimiterTest {
    private static final long S = 1_000_000_000L;

    @Test
    void aByteBudgetAllowsItsBurstThenItsRate() {
        RateLimiter bytes = new RateLimiter(8000, 2000, 0); // 64 kbit/s, 2000 bytes at once
        int sent = 0;
        for (long t = 0; t < 10 * S; t += 20_000_000L) { // 200-byte packets, 50 a second (80 kbit/s offered)
            if (bytes.tryAcquire(t, 200)) sent++;
        }
        // burst of 10 packets, then 40 a second for 10 s
        assertThat(sent).isBetween(405, 411);
    }

    @Test
    void aCostAboveWhatIsLeftTakesNothing() {
        RateLimiter r = new RateLimiter(1, 10, 0);
        assertThat(r.tryAcquire(0, 11)).isFalse();
        assertThat(r.tryAcquire(0, 10)).isTrue();
        assertThat(r.tryAcquire(0, 1)).isFalse();
        assertThat(r.tryAcquire(S, 1)).isTrue();
    }

    @Test
    void timeGoingBackwardsAddsNothing() {
        RateLimiter r = new RateLimiter(1000, 1, 10 * S);
        assertThat(r.tryAcquire(10 * S, 1)).isTrue();
        assertThat(r.tryAcquire(5 * S, 1)).isFalse();
        assertThat(r.tryAcquire(10 * S + 1_000_000L, 1)).isTrue();
    }
}
