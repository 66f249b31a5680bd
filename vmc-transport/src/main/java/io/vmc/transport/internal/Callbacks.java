package io.vmc.transport.internal;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default executor for application callbacks: a FIFO work-stealing pool of daemon threads.
 * Cheaper hand-offs than a cached pool under load; a callback that waits on a
 * {@code CompletableFuture} (join/get) is compensated with a spare thread by the pool, but
 * callbacks should still not block for long.
 */
public final class Callbacks {
    private static final Logger log = LoggerFactory.getLogger(Callbacks.class);
    private static final AtomicInteger COUNT = new AtomicInteger();

    private Callbacks() {}

    public static final ForkJoinPool DEFAULT = new ForkJoinPool(
            Math.max(4, 2 * Runtime.getRuntime().availableProcessors()),
            pool -> {
                ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
                t.setName("vmc-callback-" + COUNT.incrementAndGet());
                t.setDaemon(true);
                return t;
            },
            (t, e) -> log.warn("uncaught exception in a vmc callback", e),
            true);
}
