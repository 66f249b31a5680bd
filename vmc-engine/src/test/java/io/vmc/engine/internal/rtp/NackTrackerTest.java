package io.vmc.engine.internal.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.engine.internal.rtp.NackTracker.Arrival;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class NackTrackerTest {
    static final long MS = 1_000_000L;

    @Test
    void aGapIsAskedForAtOnceThenRetriedThenGivenUp() {
        NackTracker t = new NackTracker(512, 0, 200 * MS, 3);
        assertThat(t.onPacket(10, 0)).isEqualTo(Arrival.NEW);
        assertThat(t.onPacket(13, 1 * MS)).isEqualTo(Arrival.NEW);
        assertThat(t.anyDue(1 * MS, 20 * MS)).isTrue();
        assertThat(t.due(1 * MS, 20 * MS, 32)).containsExactly(11L, 12L);
        assertThat(t.anyDue(10 * MS, 20 * MS)).isFalse();
        assertThat(t.due(10 * MS, 20 * MS, 32)).isEmpty();
        assertThat(t.due(21 * MS, 20 * MS, 32)).containsExactly(11L, 12L);
        assertThat(t.onPacket(11, 22 * MS)).isEqualTo(Arrival.RECOVERED);
        assertThat(t.due(41 * MS, 20 * MS, 32)).containsExactly(12L);
        assertThat(t.due(61 * MS, 20 * MS, 32)).as("asked three times: given up").isEmpty();
        assertThat(t.givenUp()).isEqualTo(1);
        assertThat(t.onPacket(12, 70 * MS)).as("too late, no longer tracked").isEqualTo(Arrival.DUPLICATE);
    }

    @Test
    void reorderingBeforeTheNackIsNotARecovery() {
        NackTracker t = new NackTracker(512, 0, 200 * MS, 3);
        t.onPacket(1, 0);
        t.onPacket(3, 0);
        assertThat(t.onPacket(2, 0)).isEqualTo(Arrival.REORDERED);
        assertThat(t.onPacket(2, 0)).isEqualTo(Arrival.DUPLICATE);
        assertThat(t.onPacket(3, 0)).isEqualTo(Arrival.DUPLICATE);
        assertThat(t.due(0, 0, 32)).isEmpty();
    }

    @Test
    void aGapWaitsTheReorderDelayBeforeItsFirstNack() {
        NackTracker t = new NackTracker(512, 10 * MS, 200 * MS, 3);
        t.onPacket(1, 0);
        t.onPacket(3, 0);
        assertThat(t.anyDue(9 * MS, 30 * MS)).isFalse();
        assertThat(t.due(9 * MS, 30 * MS, 32)).isEmpty();
        assertThat(t.onPacket(2, 9 * MS)).as("late, not lost").isEqualTo(Arrival.REORDERED);
        t.onPacket(5, 10 * MS);
        assertThat(t.due(19 * MS, 30 * MS, 32)).isEmpty();
        assertThat(t.due(20 * MS, 30 * MS, 32)).containsExactly(4L);
        assertThat(t.due(40 * MS, 30 * MS, 32)).as("retry after retryNanos, not the delay").isEmpty();
        assertThat(t.due(50 * MS, 30 * MS, 32)).containsExactly(4L);
    }

    @Test
    void oldGapsAgeOut() {
        NackTracker t = new NackTracker(512, 0, 200 * MS, 100);
        t.onPacket(1, 0);
        t.onPacket(3, 0);
        assertThat(t.due(0, 10 * MS, 32)).containsExactly(2L);
        assertThat(t.due(201 * MS, 10 * MS, 32)).isEmpty();
        assertThat(t.missingCount()).isZero();
    }

    @Test
    void aHugeJumpIsAResetNotThousandsOfNacks() {
        NackTracker t = new NackTracker(512, 0, 200 * MS, 3);
        t.onPacket(100, 0);
        t.onPacket(100 + 512 + 1, 0); // 512 missing: not within the window
        assertThat(t.missingCount()).isZero();
        assertThat(t.resets()).isEqualTo(1);
        t.onPacket(100_000, 0);
        assertThat(t.due(0, 0, 10_000)).isEmpty();
        assertThat(t.resets()).isEqualTo(2);
    }

    @Test
    void trackedGapsStayWithinTheWindowAndDueIsCapped() {
        NackTracker t = new NackTracker(512, 0, 200 * MS, 3);
        t.onPacket(0, 0);
        for (long s = 2; s < 10_000; s += 2) t.onPacket(s, 0); // every other packet lost
        assertThat(t.missingCount()).isEqualTo(256);
        assertThat(t.due(0, 0, 32)).hasSize(32).allMatch(s -> s >= 10_000 - 2 - 512);
    }

    @Test
    void windowIsValidated() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new NackTracker(0, 0, 1, 1))
                .hasMessageContaining("window must be 1..4096");
    }
}
