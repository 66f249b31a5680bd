package io.vmc.overlay;

/** An overlay could not be attached: X11 unavailable, display not reachable, parent window unknown. */
public final class OverlayException extends Exception {
    public OverlayException(String message) {
        super(message);
    }

    public OverlayException(String message, Throwable cause) {
        super(message, cause);
    }
}
