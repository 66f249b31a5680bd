package io.vmc.overlay.testing;

import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import io.vmc.overlay.nativeapi.Xlib;

/** A plain top-level X window with a solid background, standing in for the session window. */
public final class TestWindow implements AutoCloseable {
    private final Pointer display;
    private final NativeLong window;
    private boolean destroyed;

    public TestWindow(String displayName, int x, int y, int width, int height, int background) {
        // XOpenDisplay fails now and then right after other clients came and went on a busy Xvfb
        // (seen about once in 20 runs, xdpyinfo works at once): retry.
        Pointer d = Xlib.INSTANCE.XOpenDisplay(displayName);
        for (int i = 0; d == null && i < 20; i++) {
            d = Xlib.INSTANCE.XOpenDisplay(displayName);
        }
        display = d;
        if (display == null) {
            throw new IllegalStateException("cannot open " + displayName);
        }
        window = Xlib.INSTANCE.XCreateSimpleWindow(display, Xlib.INSTANCE.XDefaultRootWindow(display), x, y, width,
                height, 0, new NativeLong(0), new NativeLong(background));
        Xlib.INSTANCE.XStoreName(display, window, "vmc-test-session");
        Xlib.INSTANCE.XMapWindow(display, window);
        Xlib.INSTANCE.XSync(display, 0);
    }

    public long id() {
        return window.longValue();
    }

    public void resize(int width, int height) {
        Xlib.INSTANCE.XResizeWindow(display, window, width, height);
        Xlib.INSTANCE.XSync(display, 0);
    }

    public void destroy() {
        if (!destroyed) {
            destroyed = true;
            Xlib.INSTANCE.XDestroyWindow(display, window);
            Xlib.INSTANCE.XSync(display, 0);
        }
    }

    @Override
    public void close() {
        destroy();
        Xlib.INSTANCE.XCloseDisplay(display);
    }
}
