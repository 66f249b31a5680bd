package io.vmc.overlay.nativeapi;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Union;

/**
 * Raw libX11 binding: C names, C types, the few calls the overlay needs ({@code <X11/Xlib.h>}).
 * XIDs ({@code Window}, {@code Colormap}, {@code Pixmap}) are {@code unsigned long}, so
 * {@link NativeLong}; that keeps 32-bit ARM thin clients right.
 */
public interface Xlib extends Library {

    /** Loaded on first use; the error surfaces through {@link X11#unavailabilityCause()}. */
    Xlib INSTANCE = Native.load("X11", Xlib.class);

    int Success = 0;
    int BadWindow = 3;
    int BadDrawable = 9;

    int InputOutput = 1;

    long NoEventMask = 0L;
    long ExposureMask = 1L << 15;
    long StructureNotifyMask = 1L << 17;

    long CWBackPixel = 1L << 1;
    long CWBorderPixel = 1L << 3;
    long CWEventMask = 1L << 11;
    long CWColormap = 1L << 13;

    int Expose = 12;
    int DestroyNotify = 17;
    int UnmapNotify = 18;
    int MapNotify = 19;
    int ConfigureNotify = 22;

    int IsViewable = 2;

    int XInitThreads();

    Pointer XOpenDisplay(String displayName);

    int XCloseDisplay(Pointer display);

    int XConnectionNumber(Pointer display);

    int XGetWindowAttributes(Pointer display, NativeLong window, XWindowAttributes attributes);

    NativeLong XCreateWindow(Pointer display, NativeLong parent, int x, int y, int width, int height,
            int borderWidth, int depth, int windowClass, Pointer visual, NativeLong valueMask,
            XSetWindowAttributes attributes);

    int XDestroyWindow(Pointer display, NativeLong window);

    int XMapWindow(Pointer display, NativeLong window);

    int XMapRaised(Pointer display, NativeLong window);

    int XUnmapWindow(Pointer display, NativeLong window);

    int XMoveResizeWindow(Pointer display, NativeLong window, int x, int y, int width, int height);

    int XSelectInput(Pointer display, NativeLong window, NativeLong eventMask);

    int XReparentWindow(Pointer display, NativeLong window, NativeLong parent, int x, int y);

    int XPending(Pointer display);

    int XNextEvent(Pointer display, XEvent event);

    int XFlush(Pointer display);

    int XSync(Pointer display, int discard);

    int XGetErrorText(Pointer display, int code, byte[] buffer, int length);

    XErrorHandler XSetErrorHandler(XErrorHandler handler);

    NativeLong XDefaultRootWindow(Pointer display);

    NativeLong XCreateSimpleWindow(Pointer display, NativeLong parent, int x, int y, int width, int height,
            int borderWidth, NativeLong border, NativeLong background);

    int XResizeWindow(Pointer display, NativeLong window, int width, int height);

    long AllPlanes = -1L;
    int ZPixmap = 2;

    /** Returns an {@code XImage *}; free it with {@link #XDestroyImage}. */
    Pointer XGetImage(Pointer display, NativeLong drawable, int x, int y, int width, int height,
            NativeLong planeMask, int format);

    NativeLong XGetPixel(Pointer image, int x, int y);

    int XDestroyImage(Pointer image);

    int XStoreName(Pointer display, NativeLong window, String name);

    /** {@code int (*XErrorHandler)(Display *, XErrorEvent *)}. */
    interface XErrorHandler extends Callback {
        int invoke(Pointer display, XErrorEvent event);
    }

    /** {@code XErrorEvent}. */
    @Structure.FieldOrder({"type", "display", "resourceid", "serial", "error_code", "request_code", "minor_code"})
    class XErrorEvent extends Structure {
        public int type;
        public Pointer display;
        public NativeLong resourceid;
        public NativeLong serial;
        public byte error_code;
        public byte request_code;
        public byte minor_code;

        public XErrorEvent() {
        }

        public XErrorEvent(Pointer p) {
            super(p);
            read();
        }
    }

    /** {@code XWindowAttributes}. */
    @Structure.FieldOrder({"x", "y", "width", "height", "border_width", "depth", "visual", "root", "c_class",
            "bit_gravity", "win_gravity", "backing_store", "backing_planes", "backing_pixel", "save_under",
            "colormap", "map_installed", "map_state", "all_event_masks", "your_event_mask",
            "do_not_propagate_mask", "override_redirect", "screen"})
    class XWindowAttributes extends Structure {
        public int x;
        public int y;
        public int width;
        public int height;
        public int border_width;
        public int depth;
        public Pointer visual;
        public NativeLong root;
        public int c_class;
        public int bit_gravity;
        public int win_gravity;
        public int backing_store;
        public NativeLong backing_planes;
        public NativeLong backing_pixel;
        public int save_under;
        public NativeLong colormap;
        public int map_installed;
        public int map_state;
        public NativeLong all_event_masks;
        public NativeLong your_event_mask;
        public NativeLong do_not_propagate_mask;
        public int override_redirect;
        public Pointer screen;
    }

    /** {@code XSetWindowAttributes}. */
    @Structure.FieldOrder({"background_pixmap", "background_pixel", "border_pixmap", "border_pixel",
            "bit_gravity", "win_gravity", "backing_store", "backing_planes", "backing_pixel", "save_under",
            "event_mask", "do_not_propagate_mask", "override_redirect", "colormap", "cursor"})
    class XSetWindowAttributes extends Structure {
        public NativeLong background_pixmap = new NativeLong(0);
        public NativeLong background_pixel = new NativeLong(0);
        public NativeLong border_pixmap = new NativeLong(0);
        public NativeLong border_pixel = new NativeLong(0);
        public int bit_gravity;
        public int win_gravity;
        public int backing_store;
        public NativeLong backing_planes = new NativeLong(0);
        public NativeLong backing_pixel = new NativeLong(0);
        public int save_under;
        public NativeLong event_mask = new NativeLong(0);
        public NativeLong do_not_propagate_mask = new NativeLong(0);
        public int override_redirect;
        public NativeLong colormap = new NativeLong(0);
        public NativeLong cursor = new NativeLong(0);
    }

    /** Common head of every event: {@code XAnyEvent}. */
    @Structure.FieldOrder({"type", "serial", "send_event", "display", "window"})
    class XAnyEvent extends Structure {
        public int type;
        public NativeLong serial;
        public int send_event;
        public Pointer display;
        public NativeLong window;
    }

    /** {@code XConfigureEvent}. */
    @Structure.FieldOrder({"type", "serial", "send_event", "display", "event", "window", "x", "y", "width",
            "height", "border_width", "above", "override_redirect"})
    class XConfigureEvent extends Structure {
        public int type;
        public NativeLong serial;
        public int send_event;
        public Pointer display;
        public NativeLong event;
        public NativeLong window;
        public int x;
        public int y;
        public int width;
        public int height;
        public int border_width;
        public NativeLong above;
        public int override_redirect;
    }

    /** {@code XDestroyWindowEvent}; also the head of Map/Unmap events. */
    @Structure.FieldOrder({"type", "serial", "send_event", "display", "event", "window"})
    class XDestroyWindowEvent extends Structure {
        public int type;
        public NativeLong serial;
        public int send_event;
        public Pointer display;
        public NativeLong event;
        public NativeLong window;
    }

    /** {@code XExposeEvent}. */
    @Structure.FieldOrder({"type", "serial", "send_event", "display", "window", "x", "y", "width", "height",
            "count"})
    class XExposeEvent extends Structure {
        public int type;
        public NativeLong serial;
        public int send_event;
        public Pointer display;
        public NativeLong window;
        public int x;
        public int y;
        public int width;
        public int height;
        public int count;
    }

    /** {@code XEvent}: the union, padded like Xlib's {@code long pad[24]}. */
    class XEvent extends Union {
        public int type;
        public XAnyEvent xany;
        public XConfigureEvent xconfigure;
        public XDestroyWindowEvent xdestroywindow;
        public XExposeEvent xexpose;
        public NativeLong[] pad = new NativeLong[24];
    }
}
