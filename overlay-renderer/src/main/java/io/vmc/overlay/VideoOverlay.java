package io.vmc.overlay;

import io.vmc.overlay.internal.GeometryMapper;
import io.vmc.overlay.internal.LatestWinsThrottle;
import io.vmc.overlay.internal.MonitorLayout;
import io.vmc.overlay.internal.OverlaySink;
import io.vmc.overlay.internal.Placement;
import io.vmc.overlay.nativeapi.WakePipe;
import io.vmc.overlay.nativeapi.X11;
import io.vmc.overlay.nativeapi.XDisplay;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.freedesktop.gstreamer.Bin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Draws decoded video into a child window of the SPICE session window, where the softphone's video
 * area is inside the guest desktop.
 *
 * <pre>{@code
 * OverlaySupport.initialize();               // before Gst.init and before anything opens X
 * Gst.init(Version.of(1, 16), "vmc");
 * VideoOverlay overlay = VideoOverlay.attach(OverlayOptions.builder()
 *         .parentWindow(sessionXid).displayInsets(0, 48, 0, 0).listener(listener).build());
 * Bin sink = overlay.sink();                 // a bin with one "sink" pad for raw video
 * pipeline.add(sink); decoder.link(sink);
 * overlay.setVideoArea(area);                // on every geometry update from the agent
 * ...
 * pipeline.setState(State.NULL); overlay.close();
 * }</pre>
 *
 * <p>Threading: every method may be called from any thread. The overlay owns one X connection
 * and one thread ({@code vmc-overlay-NAME}) that does all X calls on it, applies geometry at most
 * once per {@link OverlayOptions#minUpdateInterval()} (the latest update wins) and runs the
 * {@link OverlayListener}. The sink draws on GStreamer's streaming thread over ximagesink's own
 * connection.
 */
public final class VideoOverlay implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(VideoOverlay.class);
    private static final long CLOSE_WAIT_MILLIS = 5000;

    private final OverlayOptions options;
    private final XDisplay x;
    private final WakePipe wake;
    private final long parent;
    /** Our window; made anew when the other monitor's window it was in is destroyed with it. */
    private volatile long child;
    private final LatestWinsThrottle<Boolean> throttle;
    private final Thread thread;
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();

    private volatile VideoArea area = VideoArea.HIDDEN;
    private volatile Rect fixedDisplay;
    private volatile ScalingMode scaling;
    private volatile boolean closing;
    private volatile boolean closed;
    private volatile boolean parentDestroyed;
    private volatile boolean visible;
    private volatile OverlaySink sink;
    private volatile long hostWindow;

    // X thread only
    /** The window the overlay is in now: the parent, or another monitor's window. */
    private long host;
    private int parentWidth;
    private int parentHeight;
    private boolean childAlive = true;
    private Placement current = Placement.HIDDEN;

    private VideoOverlay(OverlayOptions options, XDisplay x, long parent, XDisplay.WindowInfo info) {
        this.options = options;
        this.x = x;
        this.parent = parent;
        this.host = parent;
        this.hostWindow = parent;
        this.fixedDisplay = options.displayArea();
        this.scaling = options.scaling();
        this.parentWidth = info.width();
        this.parentHeight = info.height();
        // Hear about the parent's size and death; our own exposures and death.
        x.selectInput(parent, XDisplay.STRUCTURE_NOTIFY_MASK);
        this.child = createChild(info);
        x.sync();
        this.wake = new WakePipe(x.connectionFd());
        this.throttle = new LatestWinsThrottle<>(options.minUpdateInterval().toNanos(), System::nanoTime);
        this.thread = new Thread(this::run, "vmc-overlay-" + options.name());
        this.thread.setDaemon(true);
    }

    private long createChild(XDisplay.WindowInfo parentInfo) {
        long w = x.createChild(parent, parentInfo, 0, 0, 1, 1, XDisplay.STRUCTURE_NOTIFY_MASK | XDisplay.EXPOSURE_MASK);
        x.setName(w, "vmc-overlay-" + options.name());
        x.makeInputTransparent(w);
        return w;
    }

    /**
     * Creates the overlay window (unmapped) as a child of {@link OverlayOptions#parentWindow()}.
     *
     * @throws OverlayException when X11 is unavailable, the display cannot be opened or the parent
     *     window does not exist
     */
    public static VideoOverlay attach(OverlayOptions options) throws OverlayException {
        Objects.requireNonNull(options, "options must not be null");
        if (!OverlaySupport.isAvailable()) {
            throw new OverlayException("video overlay unavailable: " + OverlaySupport.unavailabilityCause(),
                    OverlaySupport.unavailabilityCause());
        }
        XDisplay x;
        AtomicLong attachErrors = new AtomicLong();
        VideoOverlay[] self = new VideoOverlay[1];
        try {
            x = XDisplay.open(options.displayName(), e -> {
                VideoOverlay o = self[0];
                if (o == null) {
                    attachErrors.incrementAndGet();
                } else {
                    o.onXError(e);
                }
            });
        } catch (IllegalStateException e) {
            throw new OverlayException(e.getMessage(), e);
        }
        try {
            XDisplay.WindowInfo info = x.windowInfo(options.parentWindow());
            if (info == null) {
                throw new OverlayException("parent window 0x" + Long.toHexString(options.parentWindow())
                        + " does not exist on display " + describe(options.displayName()));
            }
            VideoOverlay overlay = new VideoOverlay(options, x, options.parentWindow(), info);
            if (attachErrors.get() > 0) {
                throw new OverlayException("X errors while creating the overlay window under 0x"
                        + Long.toHexString(options.parentWindow()) + " (gone meanwhile?)");
            }
            self[0] = overlay;
            overlay.thread.start();
            LOG.debug("overlay {} attached: window 0x{} under 0x{} ({}x{}, depth {})", options.name(),
                    Long.toHexString(overlay.child), Long.toHexString(overlay.parent), info.width(), info.height(),
                    info.depth());
            return overlay;
        } catch (OverlayException | RuntimeException e) {
            x.close();
            throw e;
        }
    }

    private static String describe(String displayName) {
        return displayName == null ? "$DISPLAY=" + System.getenv("DISPLAY") : displayName;
    }

    /**
     * The GStreamer bin to link decoded raw video into (one always-pad named {@code "sink"}); the
     * same bin on every call. The pipeline may go to NULL and play again: the window handle is given
     * back to ximagesink on each new caps. After {@link #close()} the bin drops frames.
     */
    public synchronized Bin sink() {
        if (closed) {
            throw new IllegalStateException("overlay " + options.name() + " is closed");
        }
        if (sink == null) {
            sink = new OverlaySink("vmc-overlay-" + options.name(), options.displayName(), child);
            throttle.offer(Boolean.TRUE); // size the scalers for the current placement
            wake.wake();
        }
        return sink.bin();
    }

    /** Moves the overlay to {@code area} (guest desktop pixels); rate-limited, the latest wins. */
    public void setVideoArea(VideoArea area) {
        this.area = Objects.requireNonNull(area, "area must not be null");
        request();
    }

    /** Hides the overlay until the next {@link #setVideoArea}. */
    public void clearVideoArea() {
        setVideoArea(VideoArea.HIDDEN);
    }

    /** The guest screen is now drawn in {@code displayArea} of the parent window (fixed until changed). */
    public void setDisplayArea(Rect displayArea) {
        Objects.requireNonNull(displayArea, "displayArea must not be null");
        this.fixedDisplay = displayArea;
        request();
    }

    public void setScaling(ScalingMode mode) {
        this.scaling = Objects.requireNonNull(mode, "mode must not be null");
        request();
    }

    private void request() {
        if (!closed) {
            throttle.offer(Boolean.TRUE);
            wake.wake();
        }
    }

    /** The overlay's own X window id (a child of the parent), for diagnostics and tests. */
    public long windowId() {
        return child;
    }

    public long parentWindowId() {
        return parent;
    }

    /** The window the overlay is in now: {@link #parentWindowId()} or another monitor's window. */
    public long hostWindowId() {
        return hostWindow;
    }

    /** Whether the overlay window is mapped (it may still be covered or its parent unmapped). */
    public boolean isVisible() {
        return visible;
    }

    /** Closed by {@link #close()}, by the parent's destruction, or by a failure. */
    public boolean isClosed() {
        return closed;
    }

    public boolean parentDestroyed() {
        return parentDestroyed;
    }

    /** Geometry updates applied to the window so far (at most one per update interval). */
    public long appliedUpdates() {
        return applied.get();
    }

    /** Geometry updates offered so far through the setters. */
    public long offeredUpdates() {
        return throttle.offered();
    }

    /** X protocol errors seen on the overlay's own connection. */
    public long xErrors() {
        return errors.get();
    }

    /**
     * Unmaps and destroys the overlay window and releases the X connection; the sink drops frames
     * from now on. Idempotent. Best called after the pipeline has stopped, safe while it runs.
     */
    @Override
    public void close() {
        closing = true;
        if (sink != null) {
            sink.stopDrawing();
        }
        if (Thread.currentThread() == thread) {
            return; // the loop sees closing on its way out
        }
        try {
            wake.wake();
        } catch (RuntimeException e) {
            LOG.debug("waking overlay thread failed (already gone?)", e);
        }
        try {
            thread.join(CLOSE_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("overlay {} thread did not stop within {} ms", options.name(), CLOSE_WAIT_MILLIS);
        }
    }

    // ---------------------------------------------------------------- X thread

    private void run() {
        try {
            while (!closing) {
                while (!closing && x.pending() > 0) {
                    handle(x.nextEvent());
                }
                if (closing) {
                    break;
                }
                if (throttle.poll() != null) {
                    apply();
                    if (x.pending() > 0) {
                        continue;
                    }
                }
                x.flush();
                long due = throttle.nanosUntilDue();
                int timeout = due < 0 ? -1 : (int) Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(due + 999_999));
                wake.await(timeout);
            }
        } catch (Throwable t) {
            LOG.error("overlay {} failed; closing it", options.name(), t);
            closing = true;
            notifyListener(() -> options.listener().failed(this, t));
        } finally {
            teardown();
        }
    }

    private void handle(XDisplay.Event e) {
        switch (e.type()) {
            case XDisplay.Event.DESTROY_NOTIFY:
                if (e.window() == parent || e.window() == host || e.window() == child) {
                    childAlive = false;
                    XDisplay.WindowInfo parentInfo = e.window() == parent ? null : x.windowInfo(parent);
                    if (parentInfo != null) {
                        // another monitor's window went (the user closed it, the guest dropped the
                        // monitor) and took our window with it: the call's video is not over
                        childLost(parentInfo);
                    } else if (!parentDestroyed) {
                        parentDestroyed = true;
                        closing = true;
                        LOG.info("overlay {}: session window 0x{} destroyed; video overlay closed", options.name(),
                                Long.toHexString(parent));
                        if (sink != null) {
                            sink.stopDrawing();
                        }
                        notifyListener(() -> options.listener().parentDestroyed(this));
                    }
                }
                break;
            case XDisplay.Event.CONFIGURE_NOTIFY:
                if (e.window() == host && (e.width() != parentWidth || e.height() != parentHeight)) {
                    parentWidth = e.width();
                    parentHeight = e.height();
                    if (fixedDisplay == null) {
                        throttle.offer(Boolean.TRUE);
                    }
                }
                break;
            case XDisplay.Event.EXPOSE:
                if (e.window() == child && e.count() == 0 && sink != null) {
                    sink.expose();
                }
                break;
            default:
                break;
        }
    }

    /** Our window is gone but the session window lives: a new one there, placed by the next geometry. */
    private void childLost(XDisplay.WindowInfo parentInfo) {
        LOG.info("overlay {}: window 0x{} holding the video destroyed; the video goes back to 0x{}", options.name(),
                Long.toHexString(host), Long.toHexString(parent));
        if (host != parent) {
            x.selectInput(host, 0); // harmless BadWindow if it is gone
        }
        host = parent;
        hostWindow = parent;
        parentWidth = parentInfo.width();
        parentHeight = parentInfo.height();
        child = createChild(parentInfo);
        childAlive = true;
        current = Placement.HIDDEN;
        x.sync(); // the sink's own connection must find the window
        OverlaySink s = sink;
        if (s != null) {
            s.setWindow(child);
        }
        if (visible) {
            visible = false;
            notifyListener(() -> options.listener().visibilityChanged(this, false));
        }
        throttle.offer(Boolean.TRUE);
    }

    private Rect displayArea() {
        Rect fixed = fixedDisplay;
        if (fixed != null) {
            return fixed;
        }
        int[] in = options.displayInsets();
        return Rect.of(in[0], in[1], parentWidth - in[0] - in[2], parentHeight - in[1] - in[3]);
    }

    private void apply() {
        applied.incrementAndGet();
        VideoArea a = area;
        long target = parent;
        List<GuestMonitor> monitors = monitors();
        if (a.monitor() != 0 || monitors.size() >= 2) {
            MonitorLayout.Located at = MonitorLayout.locate(a, monitors.isEmpty()
                    ? List.of(new GuestMonitor(parent, 0, Rect.of(0, 0, a.screenWidth(), a.screenHeight()))) : monitors);
            a = at == null ? VideoArea.HIDDEN : at.area();
            target = at == null ? host : at.window();
        }
        if (target == 0 || target != host && !moveTo(target)) { // 0: that monitor's window was closed
            a = VideoArea.HIDDEN;
        }
        Placement p = GeometryMapper.map(a, displayArea(), scaling);
        OverlaySink s = sink;
        if (!p.visible()) {
            if (current.visible()) {
                x.unmap(child);
                x.flush();
                current = p;
            }
            if (visible) {
                visible = false;
                notifyListener(() -> options.listener().visibilityChanged(this, false));
            }
            return;
        }
        if (s != null) {
            s.apply(p);
        }
        if (!p.window().equals(current.window()) || !current.visible()) {
            x.moveResize(child, p.window().x(), p.window().y(), p.window().width(), p.window().height());
        }
        if (!Objects.equals(p.shape(), current.shape()) || !current.visible()) {
            x.setShape(child, toShape(p.shape()));
        }
        boolean wasVisible = current.visible();
        if (!wasVisible) {
            x.map(child);
        }
        current = p;
        // ximagesink asks the server for the window size on its own connection: ours must be done first.
        x.sync();
        if (s != null) {
            s.expose();
        }
        if (!visible) {
            visible = true;
            notifyListener(() -> options.listener().visibilityChanged(this, true));
        }
    }

    private List<GuestMonitor> monitors() {
        java.util.function.Supplier<List<GuestMonitor>> m = options.monitors();
        if (m == null) {
            return List.of();
        }
        try {
            List<GuestMonitor> list = m.get();
            return list == null ? List.of() : list;
        } catch (RuntimeException e) {
            LOG.debug("overlay {}: no monitor layout: {}", options.name(), e.toString());
            return List.of();
        }
    }

    /**
     * Moves the overlay window into {@code window}, another monitor's window (same X id, so the sink
     * keeps drawing into it). False when that window is gone: the overlay stays where it is.
     */
    private boolean moveTo(long window) {
        XDisplay.WindowInfo info = x.windowInfo(window);
        if (info == null) {
            return false;
        }
        if (current.visible()) {
            x.unmap(child);
            current = Placement.HIDDEN; // mapped again, placed and shaped anew below
        }
        if (host != parent) {
            x.selectInput(host, 0);
        }
        x.selectInput(window, XDisplay.STRUCTURE_NOTIFY_MASK);
        x.reparent(child, window, 0, 0);
        LOG.debug("overlay {}: video moved from window 0x{} to 0x{}", options.name(), Long.toHexString(host),
                Long.toHexString(window));
        host = window;
        hostWindow = window;
        parentWidth = info.width();
        parentHeight = info.height();
        return true;
    }

    private static List<int[]> toShape(List<Rect> shape) {
        if (shape == null) {
            return null;
        }
        List<int[]> out = new ArrayList<>(shape.size());
        for (Rect r : shape) {
            out.add(new int[] {r.x(), r.y(), r.width(), r.height()});
        }
        return out;
    }

    private void onXError(X11.XError e) {
        long n = errors.incrementAndGet();
        if (n <= 5) {
            LOG.debug("overlay {}: {}", options.name(), e);
        }
    }

    private void notifyListener(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.warn("overlay {} listener failed", options.name(), e);
        }
    }

    private void teardown() {
        closed = true;
        visible = false;
        if (sink != null) {
            sink.stopDrawing();
        }
        try {
            if (childAlive) {
                x.unmap(child);
                x.destroyWindow(child);
            }
            x.selectInput(parent, 0); // harmless BadWindow if the parent is gone
            if (host != parent) {
                x.selectInput(host, 0);
            }
            x.close();
        } catch (RuntimeException e) {
            LOG.warn("overlay {}: X teardown failed", options.name(), e);
        }
        try {
            wake.close();
        } catch (RuntimeException e) {
            LOG.debug("closing wake pipe failed", e);
        }
    }
}
