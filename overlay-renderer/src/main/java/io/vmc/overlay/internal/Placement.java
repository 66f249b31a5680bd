package io.vmc.overlay.internal;

import io.vmc.overlay.Rect;
import java.util.List;

/**
 * Where the overlay window goes, in the parent (session) window's coordinates, and which parts of
 * it show.
 *
 * @param window the child window's rectangle: the whole mapped video area, so the picture scales
 *     right even when part of it is off screen (X clips at the parent's edges, the shape elsewhere)
 * @param shape the showing parts in window coordinates (visible region, clipped to the guest
 *     screen's image inside the display area), or null for the whole window
 */
public record Placement(boolean visible, Rect window, List<Rect> shape) {

    public static final Placement HIDDEN = new Placement(false, Rect.of(0, 0, 0, 0), null);
}
