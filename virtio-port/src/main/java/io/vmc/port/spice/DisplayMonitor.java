package io.vmc.port.spice;

/**
 * A guest monitor, its window and what that shows. A monitor is one head of a SPICE display
 * channel: a channel per QXL device, a head per output of that device ({@code max_outputs}, libvirt's
 * {@code heads}). What it shows is the part of its channel's surface from the channel's monitor
 * config for that head or, for head 0 when the guest reports none, the whole primary surface
 * (x, y = 0). All zero before the guest's first picture. In guest pixels as SPICE reports them:
 * each display channel counts from its own surface's top-left, and the heads of one channel lie
 * apart on that surface, which is the guest desktop's layout only for some drivers (Linux's qxl
 * driver with dumb buffers gives each head's framebuffer a column of its own; see the overlay's
 * {@code MonitorLayout}).
 *
 * @param channelId the SPICE display channel (0 = the first device)
 * @param monitorId the head of that channel (0 = its first output)
 * @param window its X11 window, 0 when it has none (closed by the user, or no display)
 */
public record DisplayMonitor(int channelId, int monitorId, long window, int x, int y, int width, int height) {
}
