package io.vmc.transport.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The default executor for application callbacks: daemon threads, created on demand, idle ones die. */
public final class Callbacks {
    private Callbacks() {}

    private static final AtomicInteger COUNT = new AtomicInteger();

    public static final ExecutorService DEFAULT = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
            new SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "vmc-callback-" + COUNT.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
}
