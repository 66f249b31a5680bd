package io.vmc.overlay;

import java.util.Objects;

/**
 * One window of a multi-monitor SPICE session and what it shows: the X11 window id and the part
 * of its display channel's surface drawn in it (the channel's monitor config for monitor 0, or the
 * whole primary surface when the guest reports none), in guest pixels as SPICE reports them.
 * Listed in display channel order, the overlay turns these into the guest desktop's layout
 * (see {@link VideoArea.Builder#monitor(int)} and the developer guide, "Several monitors").
 */
public record GuestMonitor(long window, Rect shown) {
    /** Most monitors the overlay considers (a wall of 16 is beyond any thin client); more are ignored. */
    public static final int MAX_MONITORS = 16;

    public GuestMonitor {
        Objects.requireNonNull(shown, "shown must not be null");
    }
}
