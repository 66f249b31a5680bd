package io.vmc.overlay;

import io.vmc.overlay.nativeapi.X11;

/**
 * Whether overlays can work in this process, and the one call to make early:
 * {@link #initialize()} before {@code Gst.init} and before anything else opens an X connection.
 * Loading this class never fails, even without libX11 or JNA.
 */
public final class OverlaySupport {

    private static final Throwable CAUSE = probe();

    private OverlaySupport() {
    }

    private static Throwable probe() {
        try {
            return X11.isAvailable() ? null : X11.unavailabilityCause();
        } catch (Throwable t) { // JNA itself missing
            return t;
        }
    }

    /**
     * Calls {@code XInitThreads()} and installs a non-fatal X error handler, once per process.
     * Returns {@link #isAvailable()}.
     */
    public static boolean initialize() {
        return CAUSE == null;
    }

    /**
     * Puts the overlay's non-fatal X error handler back after a toolkit in the same process (GTK,
     * e.g. a SPICE display window) replaced it with one that exits on errors it did not expect.
     * Call it after such a toolkit has opened its display; {@link #initialize()} must still come first.
     */
    public static void reclaimErrorHandler() {
        if (CAUSE == null) {
            X11.reclaimErrorHandler();
        }
    }

    public static boolean isAvailable() {
        return CAUSE == null;
    }

    /** Why overlays cannot work (libX11/libXext/JNA missing), or null when they can. */
    public static Throwable unavailabilityCause() {
        return CAUSE;
    }
}
