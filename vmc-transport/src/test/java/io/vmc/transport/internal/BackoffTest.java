package io.vmc.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class BackoffTest {
    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    @Test
    void doublesUpToTheCapWithJitterInTheUpperHalf() {
        Backoff high = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), () -> 0.999999);
        assertThat(ms(high.nextDelayNanos())).isEqualTo(99);
        assertThat(ms(high.nextDelayNanos())).isEqualTo(199);
        assertThat(ms(high.nextDelayNanos())).isEqualTo(399);
        assertThat(ms(high.nextDelayNanos())).isEqualTo(799);
        assertThat(ms(high.nextDelayNanos())).isEqualTo(999);
        for (int i = 0; i < 100; i++) {
            assertThat(ms(high.nextDelayNanos())).isEqualTo(999);
        }
        Backoff low = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), () -> 0.0);
        assertThat(ms(low.nextDelayNanos())).isEqualTo(50);
        assertThat(ms(low.nextDelayNanos())).isEqualTo(100);
        low.reset();
        assertThat(ms(low.nextDelayNanos())).isEqualTo(50);
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), () -> 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), () -> 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
