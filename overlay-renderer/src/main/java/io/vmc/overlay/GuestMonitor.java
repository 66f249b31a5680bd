package io.vmc.overlay;

import java.util.Objects;

/**
 * One window of a multi-monitor SPICE session and what it shows: the X11 window id, the SPICE
 * display channel the monitor belongs to (one per display device; a device with several heads has
 * one channel and a monitor per head) and the part of that channel's surface drawn in the window
 * (the channel's monitor config for the head, or the whole primary surface when the guest reports
 * none), in guest pixels as SPICE reports them. Listed in (display channel, head) order, the
 * overlay turns these into the guest desktop's layout (see {@link VideoArea.Builder#monitor(int)}
 * and the developer guide, "Several monitors").
 *
 * @param channel the SPICE display channel id; monitors with the same one are heads of one device
 */
public record GuestMonitor(long window, int channel, Rect shown) {
    /** Most monitors the overlay considers (a wall of 16 is beyond any thin client); more are ignored. */
    public static final int MAX_MONITORS = 16;

    public GuestMonitor {
        Objects.requireNonNull(shown, "shown must not be null");
    }
}
