package io.vmc.overlay.nativeapi;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Process-wide X11 set-up: {@code XInitThreads()} before any other Xlib call and a non-fatal error
 * handler. Xlib's default handler calls {@code exit()} on the first {@code BadWindow}, which is
 * exactly what happens when the session window closes under a running video sink; ours logs and
 * goes on. The handler is process-wide (Xlib has one), so it also covers GStreamer's
 * {@code ximagesink} connections.
 *
 * <p>Loading never throws: a missing libX11 or libXext shows up in {@link #unavailabilityCause()}.
 */
public final class X11 {

    private static final Logger LOG = LoggerFactory.getLogger(X11.class);

    /** One error per this many is logged at WARN after the first few, so a dead window cannot flood the log. */
    private static final long ERROR_LOG_EVERY = 1000;

    private static final Throwable UNAVAILABILITY;
    private static final AtomicLong ERRORS = new AtomicLong();
    /** Per-connection listeners, keyed by the {@code Display *} address. */
    private static final Map<Long, Consumer<XError>> LISTENERS = new ConcurrentHashMap<>();
    /** Strong reference: JNA frees a callback's native stub once its Java object is collected. */
    private static Xlib.XErrorHandler handler;

    static {
        Throwable cause = null;
        try {
            Xlib xlib = Xlib.INSTANCE;
            if (xlib.XInitThreads() == 0) {
                throw new IllegalStateException("XInitThreads() failed");
            }
            XShape.INSTANCE.getClass();
            LibC.INSTANCE.getClass();
            handler = X11::onError;
            xlib.XSetErrorHandler(handler);
        } catch (Throwable t) { // LinkageError from JNA, or the above
            cause = t;
        }
        UNAVAILABILITY = cause;
    }

    private X11() {
    }

    /**
     * Calls {@code XInitThreads()} and installs the error handler, once. Call it before anything else
     * in the process opens an X connection (GStreamer's {@code ximagesink} does, and so may AWT).
     */
    public static boolean initialize() {
        return UNAVAILABILITY == null;
    }

    public static boolean isAvailable() {
        return UNAVAILABILITY == null;
    }

    /**
     * Installs the handler again. GTK installs its own process-wide handler when it opens its display,
     * and GTK's exits the process on an error it did not trap, such as our {@code BadWindow} after
     * the session window closed; GTK's error traps restore whatever handler was there before them.
     */
    public static void reclaimErrorHandler() {
        if (UNAVAILABILITY == null) {
            Xlib.INSTANCE.XSetErrorHandler(handler);
        }
    }

    public static Throwable unavailabilityCause() {
        return UNAVAILABILITY;
    }

    /** X protocol errors seen by the handler since start, on any connection. */
    public static long errorCount() {
        return ERRORS.get();
    }

    static void listen(long display, Consumer<XError> listener) {
        LISTENERS.put(display, listener);
    }

    static void unlisten(long display) {
        LISTENERS.remove(display);
    }

    private static int onError(com.sun.jna.Pointer display, Xlib.XErrorEvent event) {
        try {
            XError error = new XError(event.error_code & 0xff, event.request_code & 0xff, event.minor_code & 0xff,
                    event.resourceid.longValue());
            long n = ERRORS.incrementAndGet();
            Consumer<XError> listener = LISTENERS.get(com.sun.jna.Pointer.nativeValue(display));
            if (listener != null) {
                listener.accept(error);
            } else if (n <= 10 || n % ERROR_LOG_EVERY == 0) {
                LOG.warn("X error on a connection the overlay does not own (error #{}): {}", n, error);
            }
        } catch (Throwable t) { // never let an exception cross back into Xlib
            LOG.error("X error handler failed", t);
        }
        return 0;
    }

    /** One X protocol error, as reported to the handler. */
    public record XError(int errorCode, int requestCode, int minorCode, long resourceId) {
        @Override
        public String toString() {
            return "X error " + errorCode + " (request " + requestCode + "." + minorCode + ", resource 0x"
                    + Long.toHexString(resourceId) + ")";
        }
    }
}
