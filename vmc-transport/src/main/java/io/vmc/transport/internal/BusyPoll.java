package io.vmc.transport.internal;

import io.netty.channel.SelectStrategy;
import io.netty.channel.SelectStrategyFactory;
import io.netty.util.IntSupplier;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.concurrent.TimeUnit;

/**
 * Select strategy of the epoll event loops. While a request the session handed to the
 * application's handler is being served, the loop polls (a zero-timeout {@code epoll_wait}) for
 * up to {@link #WINDOW_NANOS} instead of sleeping, so the task carrying the handler's response
 * runs without waking a sleeping loop through its eventfd (a context switch and a syscall on the
 * handler's thread). The loop sleeps as before when nothing is expected, so an idle endpoint
 * costs no CPU; a handler slower than the window wakes the loop the usual way.
 *
 * <p>Loop thread only: the strategy registers itself in a thread local of its loop on first use,
 * and {@link #expect()}/{@link #arrived()} find it there (a no-op on other loops: NIO, local
 * channels, tests' embedded channels).
 */
public final class BusyPoll implements SelectStrategy {
    /**
     * How long a loop polls for an expected response ({@code -Dvmc.transport.busyPollMicros},
     * default 50; 0 turns it off). Long enough for a handler that answers at once, short enough
     * to cost little when it does not.
     */
    static final long WINDOW_NANOS = TimeUnit.MICROSECONDS.toNanos(Long.getLong("vmc.transport.busyPollMicros", 50));

    public static final SelectStrategyFactory FACTORY = () -> new BusyPoll(WINDOW_NANOS);

    private static final FastThreadLocal<BusyPoll> CURRENT = new FastThreadLocal<>();

    private final long windowNanos;
    private boolean registered;
    private int expected;
    private long until;

    BusyPoll(long windowNanos) {
        this.windowNanos = windowNanos;
    }

    /** A response is expected on this loop soon (a request went to the handler). Loop thread. */
    static void expect() {
        BusyPoll p = CURRENT.getIfExists();
        if (p != null && p.windowNanos > 0) {
            p.expected++;
            p.until = System.nanoTime() + p.windowNanos;
        }
    }

    /** An expected response arrived. Loop thread. */
    static void arrived() {
        BusyPoll p = CURRENT.getIfExists();
        if (p != null && p.expected > 0) {
            p.expected--;
        }
    }

    @Override
    public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
        if (!registered) {
            registered = true;
            CURRENT.set(this);
        }
        if (hasTasks) {
            return selectNow.get();
        }
        if (expected > 0) {
            if (System.nanoTime() - until < 0) {
                int ready = selectNow.get();
                if (ready == 0) {
                    Thread.onSpinWait();
                }
                return ready;
            }
            expected = 0; // the window passed: sleep; a late response wakes the loop as usual
        }
        return SelectStrategy.SELECT;
    }
}
