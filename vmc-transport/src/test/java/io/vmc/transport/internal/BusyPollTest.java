package io.vmc.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.SelectStrategy;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The loop sleeps unless a response is expected; it polls only while one is. Runs on the test thread as its "loop". */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class BusyPollTest {
    private final AtomicInteger polls = new AtomicInteger();
    private final io.netty.util.IntSupplier selectNow = () -> {
        polls.incrementAndGet();
        return 0;
    };

    @AfterEach
    void leaveAnInertStrategyOnThisThread() throws Exception {
        // Later tests on this thread (embedded channels) call expect()/arrived(): make them no-ops.
        new BusyPoll(0).calculateStrategy(selectNow, false);
    }

    @Test
    void sleepsWhenNothingIsExpectedAndPollsWhileAResponseIs() throws Exception {
        BusyPoll p = new BusyPoll(TimeUnit.SECONDS.toNanos(30));
        assertThat(p.calculateStrategy(selectNow, false)).isEqualTo(SelectStrategy.SELECT); // registers on this thread
        assertThat(polls).hasValue(0);

        BusyPoll.expect();
        assertThat(p.calculateStrategy(selectNow, false)).isZero();
        assertThat(polls).hasValue(1);
        BusyPoll.arrived();
        assertThat(p.calculateStrategy(selectNow, false)).isEqualTo(SelectStrategy.SELECT);

        // Pending tasks are never slept on.
        assertThat(p.calculateStrategy(selectNow, true)).isZero();
        assertThat(polls).hasValue(2);
        BusyPoll.arrived(); // an extra arrival (a previous peer's request) does not go negative
        BusyPoll.expect();
        assertThat(p.calculateStrategy(selectNow, false)).isZero();
    }

    @Test
    void aResponseThatDoesNotComeWithinTheWindowLetsTheLoopSleep() throws Exception {
        BusyPoll p = new BusyPoll(1);
        p.calculateStrategy(selectNow, false);
        BusyPoll.expect();
        long start = System.nanoTime();
        while (System.nanoTime() - start < 1000) {
            Thread.onSpinWait(); // let the 1 ns window pass
        }
        assertThat(p.calculateStrategy(selectNow, false)).isEqualTo(SelectStrategy.SELECT);
        assertThat(p.calculateStrategy(selectNow, false)).isEqualTo(SelectStrategy.SELECT);
        assertThat(polls).hasValue(0);
    }

    @Test
    void offWithAZeroWindow() throws Exception {
        BusyPoll p = new BusyPoll(0);
        p.calculateStrategy(selectNow, false);
        BusyPoll.expect();
        assertThat(p.calculateStrategy(selectNow, false)).isEqualTo(SelectStrategy.SELECT);
        assertThat(polls).hasValue(0);
    }
}
