package io.vmc.engine.internal;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * Whether the engine can take one more call, measured rather than counted. Two signals, sampled
 * every {@link #PROBE_PERIOD}:
 * <ul>
 * <li>how long a request waits before a worker starts it (a probe task queued on the request
 * workers; an unfinished probe counts with its age), and how late the timer that runs every
 * call's RTCP and statistics fires: either above {@code maxDelay} means new requests would be
 * served late, as CreateAnswer was at about 90 calls on a loaded machine (DEADLINE_EXCEEDED);</li>
 * <li>the engine process's share of the machine's CPU, averaged over the last few seconds.</li>
 * </ul>
 * A delay is the highest of the last {@link #WINDOW} samples, so one spike refuses calls for about
 * two seconds, and the figures recover by themselves once the load goes (no request needed).
 * Thread-safe.
 */
public final class EngineLoad implements AutoCloseable {
    static final Duration PROBE_PERIOD = Duration.ofMillis(250);
    static final int WINDOW = 8;
    /** Weight of a new CPU sample in the average (about 1 s of samples dominates). */
    private static final double CPU_WEIGHT = 0.25;

    private final double maxCpu;
    private final long maxDelayNanos;
    private final LongSupplier clock;
    private final DoubleSupplier processCpu;
    private final long[] delays = new long[WINDOW];
    private int next;
    private double cpu = -1;
    private long probeQueuedAt = -1;
    private long lastTick = -1;
    private ScheduledFuture<?> probe;

    /**
     * @param maxCpu the engine's share of all cores (0..1] above which new calls are refused
     * @param processCpu the process's recent CPU share (0..1), negative when unknown
     */
    public EngineLoad(double maxCpu, Duration maxDelay, LongSupplier clock, DoubleSupplier processCpu) {
        this.maxCpu = maxCpu;
        this.maxDelayNanos = maxDelay.toNanos();
        this.clock = clock;
        this.processCpu = processCpu;
    }

    /** The JVM's own process CPU figure (com.sun.management), or negative when the platform has none. */
    public static DoubleSupplier jvmProcessCpu() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os::getProcessCpuLoad;
        }
        return () -> -1;
    }

    /** Starts sampling: the probe runs on {@code timer} and queues its marker task on {@code workers}. */
    public synchronized void start(ScheduledExecutorService timer, Executor workers) {
        long p = PROBE_PERIOD.toNanos();
        probe = timer.scheduleWithFixedDelay(() -> sample(workers), p, p, TimeUnit.NANOSECONDS);
    }

    /** One probe round; the timer calls it every {@link #PROBE_PERIOD} (tests call it directly). */
    void sample(Executor workers) {
        long now = clock.getAsLong();
        double c = processCpu.getAsDouble();
        boolean queue;
        synchronized (this) {
            long late = lastTick < 0 ? 0 : Math.max(0, now - lastTick - PROBE_PERIOD.toNanos());
            lastTick = now;
            record(late);
            if (c >= 0) cpu = cpu < 0 ? c : cpu + CPU_WEIGHT * (c - cpu);
            queue = probeQueuedAt < 0;
            if (queue) probeQueuedAt = now;
        }
        if (queue) {
            workers.execute(this::probeRan);
        }
    }

    private void probeRan() {
        long now = clock.getAsLong();
        synchronized (this) {
            record(now - probeQueuedAt);
            probeQueuedAt = -1;
        }
    }

    private void record(long delayNanos) {
        delays[next] = delayNanos;
        next = (next + 1) % WINDOW;
    }

    /**
     * The reason a new call would be refused now, or null when the engine can take it. An engine
     * without calls always takes one: its load then is its own start (JIT, GStreamer's registry; a
     * just-started engine measured 100% CPU and refused its first call) or other programs', and
     * there are no calls to protect.
     *
     * @param callsInProgress the engine's current calls
     */
    public synchronized String refusal(int callsInProgress) {
        if (callsInProgress == 0) return null;
        long delay = 0;
        for (long d : delays) delay = Math.max(delay, d);
        if (probeQueuedAt >= 0) delay = Math.max(delay, clock.getAsLong() - probeQueuedAt);
        if (delay > maxDelayNanos) {
            return String.format(java.util.Locale.ROOT, "engine overloaded: requests wait %d ms (limit %d ms)",
                    TimeUnit.NANOSECONDS.toMillis(delay), TimeUnit.NANOSECONDS.toMillis(maxDelayNanos));
        }
        if (cpu > maxCpu) {
            return String.format(java.util.Locale.ROOT, "engine overloaded: CPU %.0f%% of the machine (limit %.0f%%)",
                    cpu * 100, maxCpu * 100);
        }
        return null;
    }

    @Override
    public synchronized void close() {
        if (probe != null) probe.cancel(false);
    }
}
