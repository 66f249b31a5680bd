package io.vmc.overlay.testing;

import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import io.vmc.overlay.nativeapi.Xlib;

/** Reads single screen pixels over its own X connection: ~a millisecond, for latency measurements. */
public final class PixelProbe implements AutoCloseable {
    private final Pointer display;
    private final NativeLong root;

    public PixelProbe(String displayName) {
        display = Xlib.INSTANCE.XOpenDisplay(displayName);
        if (display == null) {
            throw new IllegalStateException("cannot open " + displayName);
        }
        root = Xlib.INSTANCE.XDefaultRootWindow(display);
    }

    /** 0xRRGGBB of the root window's pixel (24-bit TrueColor). */
    public int rgb(int x, int y) {
        Pointer image = Xlib.INSTANCE.XGetImage(display, root, x, y, 1, 1, new NativeLong(Xlib.AllPlanes), Xlib.ZPixmap);
        try {
            return (int) (Xlib.INSTANCE.XGetPixel(image, 0, 0).longValue() & 0xFFFFFF);
        } finally {
            Xlib.INSTANCE.XDestroyImage(image);
        }
    }

    @Override
    public void close() {
        Xlib.INSTANCE.XCloseDisplay(display);
    }
}
