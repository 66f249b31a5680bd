package io.vmc.overlay;

/**
 * Events of a {@link VideoOverlay}. Methods have no-op defaults so that events can be added later.
 * They run on the overlay's event thread: return quickly and do not call {@link VideoOverlay#close()}
 * from them synchronously if that could block (it does not, but heavy work delays geometry).
 */
public abstract class OverlayListener {

    /** A listener that ignores everything. */
    public static final OverlayListener NONE = new OverlayListener() {
    };

    /**
     * The session window the overlay was attached to has been destroyed. The overlay is closed
     * already and its sink drops frames; the call may go on without video.
     */
    public void parentDestroyed(VideoOverlay overlay) {
    }

    /** The overlay was shown (true) or hidden (false) because of a geometry change. */
    public void visibilityChanged(VideoOverlay overlay, boolean visible) {
    }

    /** The overlay's event thread failed; the overlay is closed. */
    public void failed(VideoOverlay overlay, Throwable cause) {
    }
}
