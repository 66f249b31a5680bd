package io.vmc.port.spice;

/**
 * A guest monitor (a SPICE display channel), its window and what that shows: the part of its display channel's surface, from the
 * channel's monitor config for monitor 0 or, when the guest reports none, the whole primary
 * surface (x, y = 0). All zero before the guest's first picture. In guest pixels as SPICE reports
 * them: each display channel counts from its own surface's top-left.
 *
 * @param channelId the SPICE display channel (0 = the first monitor)
 * @param window its X11 window, 0 when it has none (closed by the user, or no display)
 */
public record DisplayMonitor(int channelId, long window, int x, int y, int width, int height) {
}
