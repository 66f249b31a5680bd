package io.vmc.overlay.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class LatestWinsThrottleTest {

    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final LatestWinsThrottle<String> t = new LatestWinsThrottle<>(16_000_000L, now::get);

    @Test
    void firstValueGoesAtOnce() {
        assertThat(t.nanosUntilDue()).isEqualTo(-1);
        t.offer("a");
        assertThat(t.nanosUntilDue()).isZero();
        assertThat(t.poll()).isEqualTo("a");
        assertThat(t.poll()).isNull();
    }

    @Test
    void withinTheIntervalTheLatestWaitsAndWins() {
        t.offer("a");
        assertThat(t.poll()).isEqualTo("a");
        now.addAndGet(5_000_000L);
        t.offer("b");
        t.offer("c");
        assertThat(t.poll()).isNull();
        assertThat(t.nanosUntilDue()).isEqualTo(11_000_000L);
        now.addAndGet(11_000_000L);
        assertThat(t.poll()).isEqualTo("c");
        assertThat(t.offered()).isEqualTo(3);
        assertThat(t.superseded()).isEqualTo(1);
    }

    @Test
    void aThousandUpdatesPerSecondApplyAtMostOncePerInterval() {
        int taken = 0;
        String last = null;
        for (int i = 0; i < 1000; i++) {
            t.offer("v" + i);
            String v = t.poll();
            if (v != null) {
                taken++;
                last = v;
            }
            now.addAndGet(1_000_000L);
        }
        assertThat(t.nanosUntilDue()).isPositive(); // the last offer waits for its turn...
        now.addAndGet(16_000_000L);
        String tail = t.poll(); // ...and is never lost
        if (tail != null) {
            taken++;
            last = tail;
        }
        assertThat(taken).isBetween(60, 65);
        assertThat(last).isEqualTo("v999");
    }

    @Test
    void rejectsNegativeInterval() {
        assertThatThrownBy(() -> new LatestWinsThrottle<>(-1, now::get))
                .hasMessage("intervalNanos must not be negative, was -1");
    }
}
