package io.vmc.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class EngineLoadTest {
    private static final long PERIOD = EngineLoad.PROBE_PERIOD.toNanos();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final Queue<Runnable> workers = new ArrayDeque<>(); // a worker pool that runs only when told
    private double cpu = 0.1;
    private final EngineLoad load = new EngineLoad(0.9, Duration.ofSeconds(2), now::get, () -> cpu);

    /** One probe period: the timer fires on time and the workers are free. */
    private void quietPeriod() {
        now.addAndGet(PERIOD);
        load.sample(workers::add);
        while (!workers.isEmpty()) workers.poll().run();
    }

    @Test
    void aQuietEngineTakesCalls() {
        for (int i = 0; i < 20; i++) quietPeriod();
        assertThat(load.refusal(1)).isNull();
    }

    @Test
    void busyWorkersRefuseWithTheWaitAndRecoverOnceTheyAreFree() {
        quietPeriod();
        load.sample(workers::add); // the probe is queued behind long requests
        now.addAndGet(2_500_000_000L);
        assertThat(load.refusal(1)).isEqualTo("engine overloaded: requests wait 2500 ms (limit 2000 ms)");
        workers.poll().run(); // it finally ran: the wait it saw stays in the window for a while
        assertThat(load.refusal(1)).startsWith("engine overloaded: requests wait 2500 ms");
        for (int i = 0; i < EngineLoad.WINDOW; i++) quietPeriod();
        assertThat(load.refusal(1)).isNull();
    }

    @Test
    void oneProbeAtATimeWhileTheWorkersAreStuck() {
        quietPeriod();
        for (int i = 0; i < 10; i++) {
            now.addAndGet(PERIOD);
            load.sample(workers::add);
        }
        assertThat(workers).hasSize(1); // stuck workers do not collect a probe per period
    }

    @Test
    void aLateTimerRefuses() {
        quietPeriod();
        now.addAndGet(PERIOD + 3_000_000_000L); // the call timer ran 3 s late
        load.sample(workers::add);
        workers.poll().run();
        assertThat(load.refusal(1)).isEqualTo("engine overloaded: requests wait 3000 ms (limit 2000 ms)");
    }

    @Test
    void cpuAboveTheLimitRefusesOnAverageNotOnOneSample() {
        quietPeriod();
        cpu = 1.0;
        quietPeriod(); // one busy sample: the average is 0.325
        assertThat(load.refusal(1)).isNull();
        for (int i = 0; i < 12; i++) quietPeriod();
        assertThat(load.refusal(1)).isEqualTo("engine overloaded: CPU 98% of the machine (limit 90%)");
        cpu = 0.2;
        for (int i = 0; i < 12; i++) quietPeriod();
        assertThat(load.refusal(1)).isNull();
    }

    @Test
    void anEngineWithoutCallsTakesOneWhateverTheFigures() {
        cpu = 1.0; // a just-started engine: JIT and plugin loading
        for (int i = 0; i < 20; i++) quietPeriod();
        load.sample(workers::add);
        now.addAndGet(5_000_000_000L); // and its workers stuck
        assertThat(load.refusal(0)).isNull();
        assertThat(load.refusal(1)).startsWith("engine overloaded: requests wait 5000 ms");
    }

    @Test
    void anUnknownCpuFigureNeverRefuses() {
        cpu = -1;
        for (int i = 0; i < 20; i++) quietPeriod();
        assertThat(load.refusal(1)).isNull();
    }
}
