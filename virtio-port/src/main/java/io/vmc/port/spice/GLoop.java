package io.vmc.port.spice;

import com.sun.jna.Pointer;
import io.vmc.port.spice.nativeapi.GLib;
import io.vmc.port.spice.nativeapi.Gtk;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns every GLib, spice-gtk and GTK object of the process: it runs the
 * default {@code GMainContext}, which is where spice-gtk's coroutines and signals live, and it is
 * GTK's main thread. Other threads hand it work with {@link #execute}; a single JNA callback,
 * referenced for the life of the process, drains the queue from a {@code g_idle_add} source.
 *
 * <p>Started on first use and never stopped (GTK cannot be initialized twice in a process).
 */
final class GLoop {
    private static final Logger LOG = LoggerFactory.getLogger(GLoop.class);
    private static final long CALL_TIMEOUT_SECONDS = 30;

    private static volatile GLoop instance;

    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final Thread thread;
    // Strong reference: native code calls it for as long as the process lives.
    private final GLib.GSourceFunc drain = data -> {
        drainScheduled.set(false);
        Runnable r;
        while ((r = queue.poll()) != null) {
            try {
                r.run();
            } catch (RuntimeException | Error e) {
                LOG.error("SPICE loop task failed", e);
            }
        }
        return 0;
    };
    private boolean gtkReady;
    private final java.util.Map<String, Pointer> displays = new java.util.HashMap<>();

    private GLoop() {
        thread = new Thread(this::run, "vmc-spice-glib");
        thread.setDaemon(true);
    }

    static GLoop get() {
        GLoop l = instance;
        if (l == null) {
            synchronized (GLoop.class) {
                l = instance;
                if (l == null) {
                    l = new GLoop();
                    l.thread.start();
                    l.started.join();
                    instance = l;
                }
            }
        }
        return l;
    }

    private void run() {
        try {
            Pointer loop = GLib.INSTANCE.g_main_loop_new(null, 0);
            started.complete(null);
            GLib.INSTANCE.g_main_loop_run(loop);
        } catch (Throwable t) {
            started.completeExceptionally(t);
            LOG.error("SPICE loop thread died", t);
        }
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Runs {@code task} on the loop thread, later (even when called from it). */
    void execute(Runnable task) {
        queue.add(task);
        if (drainScheduled.compareAndSet(false, true)) {
            GLib.INSTANCE.g_idle_add(drain, null);
        }
    }

    /** Runs {@code task} on the loop thread and waits for its result. */
    <T> T call(Callable<T> task) {
        return call(task, CALL_TIMEOUT_SECONDS * 1000);
    }

    /** {@link #call(Callable)} waiting at most {@code timeoutMillis} for the loop thread. */
    <T> T call(Callable<T> task, long timeoutMillis) {
        if (inLoop()) {
            try {
                return task.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        CompletableFuture<T> f = new CompletableFuture<>();
        execute(() -> {
            try {
                f.complete(task.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        try {
            return f.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the SPICE loop thread did not answer within " + timeoutMillis + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the SPICE loop thread");
        }
    }

    /**
     * The GDK display for an X11 display name, opened on first use and kept for the life of the
     * process: GTK 3 crashed here (a GDK event source ran after gdk_display_close) when a display
     * was closed and the loop went on. Like any GTK program, the process exits if the X server dies.
     * Loop thread only.
     */
    Pointer display(String name) {
        ensureGtk();
        Pointer d = displays.get(name);
        if (d == null) {
            Gtk.GdkLib gdk = Gtk.GdkLib.INSTANCE;
            d = gdk.gdk_display_open(name);
            if (d == null) {
                throw new IllegalStateException("cannot open X11 display '" + name + "'");
            }
            if (displays.isEmpty()) {
                // spice-gtk's clipboard uses the default display.
                gdk.gdk_display_manager_set_default_display(gdk.gdk_display_manager_get(), d);
            }
            displays.put(name, d);
        }
        return d;
    }

    /** Initializes GTK once, without opening a display; loop thread only. */
    void ensureGtk() {
        if (!gtkReady) {
            Gtk.GdkLib.INSTANCE.gdk_set_allowed_backends("x11");
            if (Gtk.GtkLib.INSTANCE.gtk_parse_args(null, null) == 0) {
                throw new IllegalStateException("GTK could not be initialized");
            }
            gtkReady = true;
        }
    }
}
