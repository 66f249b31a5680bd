package io.vmc.overlay;

/** How the session window draws the guest screen into its display area. */
public enum ScalingMode {
    /** Scaled to fit, aspect ratio kept, centred with letterbox or pillarbox bars (spice-gtk's default). */
    FIT,
    /** Like {@link #FIT} but never enlarged (spice-gtk {@code only-downscale}). */
    FIT_DOWNSCALE_ONLY,
    /** One guest pixel per window pixel, centred when smaller than the display area, else top-left. */
    ONE_TO_ONE
}
