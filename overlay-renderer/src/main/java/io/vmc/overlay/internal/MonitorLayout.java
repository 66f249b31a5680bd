package io.vmc.overlay.internal;

import io.vmc.overlay.GuestMonitor;
import io.vmc.overlay.Rect;
import io.vmc.overlay.VideoArea;
import java.util.ArrayList;
import java.util.List;

/**
 * Which window shows a video area of a multi-monitor guest, and where in that monitor it is. Pure
 * and total: hostile areas, monitor numbers and layouts give a bounded answer or none.
 *
 * <p>The guest desktop's layout: when the monitors SPICE reports lie apart (no two overlap), they
 * are taken as the guest's desktop positions, which is what one display channel with several heads
 * reports. When they overlap, which is what displays on separate channels report (each at 0,0 of
 * its own surface) and what every guest without a layout-aware driver gives, the monitors are side
 * by side left to right in display channel order, tops aligned: the default of X/RandR and of
 * Windows' "extend" mode.
 *
 * <p>Finding the monitor: the app's explicit monitor number (1-based, display channel order) wins,
 * and its area is then relative to that monitor's top-left. Otherwise the area is in desktop
 * coordinates and goes to the monitor that holds the larger part of it (the first on a tie); an
 * area on no monitor is not shown. A video spanning two monitors is drawn, cut at the monitor's
 * edge, on the one holding more of it: the part on the other is not drawn.
 */
public final class MonitorLayout {

    /** The monitor found: its index in the list and the area in that monitor's own pixels. */
    public record Located(int index, long window, VideoArea area) {
    }

    private MonitorLayout() {
    }

    /** The guest desktop rectangle of each monitor, in list order (at most {@link #GuestMonitor.MAX_MONITORS}). */
    public static List<Rect> arrange(List<GuestMonitor> monitors) {
        int n = Math.min(monitors.size(), GuestMonitor.MAX_MONITORS);
        List<Rect> shown = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Rect r = monitors.get(i).shown();
            shown.add(Rect.of(clamp(r.x()), clamp(r.y()), side(r.width()), side(r.height())));
        }
        if (apart(shown)) {
            return List.copyOf(shown);
        }
        List<Rect> out = new ArrayList<>(n);
        int x = 0;
        for (Rect r : shown) {
            out.add(Rect.of(x, 0, r.width(), r.height()));
            x += r.width(); // at most 16 x 16384: no overflow
        }
        return List.copyOf(out);
    }

    /**
     * @param area the app's area; {@link VideoArea#monitor()} 0 means desktop coordinates
     * @return null when the area is on no monitor, or names one the guest does not have
     */
    public static Located locate(VideoArea area, List<GuestMonitor> monitors) {
        List<Rect> desktop = arrange(monitors);
        if (desktop.isEmpty()) {
            return null;
        }
        int wanted = area.monitor();
        if (wanted != 0) {
            if (wanted < 1 || wanted > desktop.size()) {
                return null;
            }
            // relative to the monitor already: its screen size is the app's, as for one window
            return new Located(wanted - 1, monitors.get(wanted - 1).window(), area);
        }
        Rect a = area.area();
        int best = -1;
        long bestOverlap = 0;
        for (int i = 0; i < desktop.size(); i++) {
            long o = overlap(a, desktop.get(i));
            if (o > bestOverlap) {
                best = i;
                bestOverlap = o;
            }
        }
        if (best < 0) {
            return null;
        }
        Rect m = desktop.get(best);
        VideoArea.Builder b = VideoArea.builder().area(shift(a, m)).screenSize(m.width(), m.height());
        if (!area.fullyVisible()) {
            List<Rect> visible = new ArrayList<>(area.visibleRegions().size());
            for (Rect v : area.visibleRegions()) {
                visible.add(shift(v, m));
            }
            b.visibleRegions(visible);
        }
        return new Located(best, monitors.get(best).window(), b.build());
    }

    private static boolean apart(List<Rect> rects) {
        for (int i = 0; i < rects.size(); i++) {
            for (int j = i + 1; j < rects.size(); j++) {
                if (overlap(rects.get(i), rects.get(j)) > 0) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Area of the intersection, 0 when none; exact for any int rectangle (long arithmetic). */
    static long overlap(Rect a, Rect b) {
        long w = Math.min((long) a.x() + Math.max(0, a.width()), (long) b.x() + Math.max(0, b.width()))
                - Math.max(a.x(), b.x());
        long h = Math.min((long) a.y() + Math.max(0, a.height()), (long) b.y() + Math.max(0, b.height()))
                - Math.max(a.y(), b.y());
        return w > 0 && h > 0 ? w * h : 0;
    }

    /** {@code r} relative to {@code origin}'s top-left, clamped so that it stays an int rectangle. */
    private static Rect shift(Rect r, Rect origin) {
        return Rect.of(clamp((long) r.x() - origin.x()), clamp((long) r.y() - origin.y()), r.width(), r.height());
    }

    private static int clamp(long v) {
        return (int) Math.max(-GeometryMapper.MAX_COORDINATE, Math.min(GeometryMapper.MAX_COORDINATE, v));
    }

    private static int side(int v) {
        return Math.max(0, Math.min(GeometryMapper.MAX_SCREEN_SIDE, v));
    }
}
