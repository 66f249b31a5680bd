package io.vmc.overlay.nativeapi;

import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import java.util.List;
import java.util.function.Consumer;

/**
 * Java-named wrapper over one Xlib connection, used by one thread only. XIDs are plain
 * {@code long}s. Calls that target a window which died meanwhile produce an X error for the handler
 * (see {@link X11}), never an exception or an exit.
 */
public final class XDisplay implements AutoCloseable {

    /** Extra attempts of {@code XOpenDisplay}, 10, 20... ms apart. */
    public static final int OPEN_RETRIES = 4;

    private final Pointer display;
    private final Xlib xlib = Xlib.INSTANCE;
    private final Xlib.XEvent event = new Xlib.XEvent();
    private boolean closed;

    private XDisplay(Pointer display) {
        this.display = display;
    }

    /** Opens {@code name} (null: {@code $DISPLAY}); errors on this connection go to {@code errors}. */
    public static XDisplay open(String name, Consumer<X11.XError> errors) {
        if (!X11.isAvailable()) {
            throw new IllegalStateException("X11 is unavailable: " + X11.unavailabilityCause(), X11.unavailabilityCause());
        }
        Pointer p = Xlib.INSTANCE.XOpenDisplay(name);
        // A busy server occasionally refuses one connection attempt; a few quick retries get through.
        for (int i = 1; p == null && i <= OPEN_RETRIES; i++) {
            try {
                Thread.sleep(10L * i);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            p = Xlib.INSTANCE.XOpenDisplay(name);
        }
        if (p == null) {
            throw new IllegalStateException("cannot open X display " + (name == null ? System.getenv("DISPLAY") : name));
        }
        X11.listen(Pointer.nativeValue(p), errors);
        return new XDisplay(p);
    }

    public int connectionFd() {
        return xlib.XConnectionNumber(display);
    }

    /** Attributes of {@code window}, or null when it does not exist (any more). */
    public WindowInfo windowInfo(long window) {
        Xlib.XWindowAttributes a = new Xlib.XWindowAttributes();
        if (xlib.XGetWindowAttributes(display, new NativeLong(window), a) == 0) {
            return null;
        }
        return new WindowInfo(a.x, a.y, a.width, a.height, a.depth, Pointer.nativeValue(a.visual),
                a.colormap.longValue(), a.map_state == Xlib.IsViewable);
    }

    /**
     * Creates an unmapped child of {@code parent} with the parent's depth, visual and colormap and an
     * explicit border pixel: a child of a 32-bit (ARGB) window would otherwise fail with BadMatch or
     * draw garbage.
     */
    public long createChild(long parent, WindowInfo parentInfo, int x, int y, int width, int height, long eventMask) {
        Xlib.XSetWindowAttributes attrs = new Xlib.XSetWindowAttributes();
        attrs.background_pixel = new NativeLong(0);
        attrs.border_pixel = new NativeLong(0);
        attrs.colormap = new NativeLong(parentInfo.colormap());
        attrs.event_mask = new NativeLong(eventMask);
        long mask = Xlib.CWBackPixel | Xlib.CWBorderPixel | Xlib.CWColormap | Xlib.CWEventMask;
        NativeLong w = xlib.XCreateWindow(display, new NativeLong(parent), x, y, Math.max(1, width),
                Math.max(1, height), 0, parentInfo.depth(), Xlib.InputOutput, new Pointer(parentInfo.visual()),
                new NativeLong(mask), attrs);
        return w.longValue();
    }

    public void setName(long window, String name) {
        xlib.XStoreName(display, new NativeLong(window), name);
    }

    public void destroyWindow(long window) {
        xlib.XDestroyWindow(display, new NativeLong(window));
    }

    public void map(long window) {
        xlib.XMapRaised(display, new NativeLong(window));
    }

    public void unmap(long window) {
        xlib.XUnmapWindow(display, new NativeLong(window));
    }

    public void moveResize(long window, int x, int y, int width, int height) {
        xlib.XMoveResizeWindow(display, new NativeLong(window), x, y, Math.max(1, width), Math.max(1, height));
    }

    /** Moves {@code window} (unmapped first) into {@code parent} at x, y; it keeps its id. */
    public void reparent(long window, long parent, int x, int y) {
        xlib.XReparentWindow(display, new NativeLong(window), new NativeLong(parent), x, y);
    }

    public void selectInput(long window, long mask) {
        xlib.XSelectInput(display, new NativeLong(window), new NativeLong(mask));
    }

    /**
     * Sets the bounding shape of {@code window} to the union of {@code rects} (x, y, w, h
     * in window coordinates, each entry an int[4]); null removes the shape (the whole window shows).
     */
    public void setShape(long window, List<int[]> rects) {
        NativeLong w = new NativeLong(window);
        if (rects == null) {
            XShape.INSTANCE.XShapeCombineMask(display, w, XShape.ShapeBounding, 0, 0, new NativeLong(0), XShape.ShapeSet);
            return;
        }
        XShape.XRectangle first = new XShape.XRectangle();
        Structure[] array = rects.isEmpty() ? new Structure[] {first} : first.toArray(rects.size());
        for (int i = 0; i < rects.size(); i++) {
            XShape.XRectangle r = (XShape.XRectangle) array[i];
            int[] v = rects.get(i);
            r.x = (short) v[0];
            r.y = (short) v[1];
            r.width = (short) v[2];
            r.height = (short) v[3];
            r.write();
        }
        XShape.INSTANCE.XShapeCombineRectangles(display, w, XShape.ShapeBounding, 0, 0, first, rects.size(),
                XShape.ShapeSet, XShape.Unsorted);
    }

    /**
     * Gives {@code window} an empty input shape: pointer events, enter and leave go to the window
     * below (the SPICE display), as if the overlay were not there.
     */
    public void makeInputTransparent(long window) {
        XShape.INSTANCE.XShapeCombineRectangles(display, new NativeLong(window), XShape.ShapeInput, 0, 0,
                new XShape.XRectangle(), 0, XShape.ShapeSet, XShape.Unsorted);
    }

    /** Events already received or readable without blocking. */
    public int pending() {
        return xlib.XPending(display);
    }

    /** The next event; blocks if none is {@link #pending()}. */
    public Event nextEvent() {
        xlib.XNextEvent(display, event);
        int type = event.getPointer().getInt(0);
        switch (type) {
            case Xlib.ConfigureNotify: {
                Xlib.XConfigureEvent e = (Xlib.XConfigureEvent) event.getTypedValue(Xlib.XConfigureEvent.class);
                return new Event(type, e.window.longValue(), e.x, e.y, e.width, e.height, 0);
            }
            case Xlib.DestroyNotify:
            case Xlib.MapNotify:
            case Xlib.UnmapNotify: {
                Xlib.XDestroyWindowEvent e = (Xlib.XDestroyWindowEvent) event.getTypedValue(Xlib.XDestroyWindowEvent.class);
                return new Event(type, e.window.longValue(), 0, 0, 0, 0, 0);
            }
            case Xlib.Expose: {
                Xlib.XExposeEvent e = (Xlib.XExposeEvent) event.getTypedValue(Xlib.XExposeEvent.class);
                return new Event(type, e.window.longValue(), e.x, e.y, e.width, e.height, e.count);
            }
            default: {
                Xlib.XAnyEvent e = (Xlib.XAnyEvent) event.getTypedValue(Xlib.XAnyEvent.class);
                return new Event(type, e.window.longValue(), 0, 0, 0, 0, 0);
            }
        }
    }

    public void flush() {
        xlib.XFlush(display);
    }

    /** Round trip: everything sent is processed and its errors reported. */
    public void sync() {
        xlib.XSync(display, 0);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            xlib.XSync(display, 0);
            X11.unlisten(Pointer.nativeValue(display));
            xlib.XCloseDisplay(display);
        }
    }

    /** What {@code XGetWindowAttributes} says about a window. */
    public record WindowInfo(int x, int y, int width, int height, int depth, long visual, long colormap,
            boolean viewable) {
    }

    /** An X event reduced to the fields the overlay uses; x/y/width/height/count per type. */
    public record Event(int type, long window, int x, int y, int width, int height, int count) {
        public static final int EXPOSE = Xlib.Expose;
        public static final int DESTROY_NOTIFY = Xlib.DestroyNotify;
        public static final int UNMAP_NOTIFY = Xlib.UnmapNotify;
        public static final int MAP_NOTIFY = Xlib.MapNotify;
        public static final int CONFIGURE_NOTIFY = Xlib.ConfigureNotify;
    }

    public static final long EXPOSURE_MASK = Xlib.ExposureMask;
    public static final long STRUCTURE_NOTIFY_MASK = Xlib.StructureNotifyMask;
}
