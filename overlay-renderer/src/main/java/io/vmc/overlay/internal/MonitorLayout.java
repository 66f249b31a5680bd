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
 * <p>The guest desktop's layout. Display channels (one per display device) are side by side left
 * to right in channel order, tops aligned: each device counts from its own surface's top-left, and
 * side by side is the default of X/RandR and of Windows' "extend" mode. Within one channel, the
 * heads are where SPICE reports them when that is a desktop layout: no two overlap, they start at
 * 0,0 and each touches another along an edge (what a driver reports that places the heads by the
 * desktop's RandR positions, such as the X server's qxl driver). Otherwise they are side by side
 * in head order, tops aligned. That is the case with Linux's qxl kernel driver whenever the desktop
 * scans out of dumb buffers (the console, the X modesetting driver, Wayland compositors): it
 * reports each head on a shadow surface, where the head's framebuffer gets a column of its own
 * after the columns of the heads before it (head 2 of a 1824-wide framebuffer at x = 2848 while
 * the desktop has it at 1024). It is also the layout virt-viewer asks a guest agent for
 * ({@code virt_viewer_align_monitors_linear}) unless the user arranged full-screen monitors.
 *
 * <p>Finding the monitor: the app's explicit monitor number (1-based, in list order, that is the
 * windows' order) wins, and its area is then relative to that monitor's top-left. Otherwise the
 * area is in desktop coordinates and goes to the monitor that holds the larger part of it (the
 * first on a tie); an area on no monitor is not shown. A video spanning two monitors is drawn, cut
 * at the monitor's edge, on the one holding more of it: the part on the other is not drawn.
 */
public final class MonitorLayout {

    /** The monitor found: its index in the list and the area in that monitor's own pixels. */
    public record Located(int index, long window, VideoArea area) {
    }

    private MonitorLayout() {
    }

    /** The guest desktop rectangle of each monitor, in list order (at most {@link GuestMonitor#MAX_MONITORS}). */
    public static List<Rect> arrange(List<GuestMonitor> monitors) {
        int n = Math.min(monitors.size(), GuestMonitor.MAX_MONITORS);
        List<Rect> out = new ArrayList<>(n);
        long x = 0; // the left edge of the next channel
        int i = 0;
        while (i < n) {
            int channel = monitors.get(i).channel();
            List<Rect> heads = new ArrayList<>();
            for (; i < n && monitors.get(i).channel() == channel; i++) {
                Rect r = monitors.get(i).shown();
                heads.add(Rect.of(clamp(r.x()), clamp(r.y()), side(r.width()), side(r.height())));
            }
            List<Rect> placed = desktopLayout(heads) ? heads : sideBySide(heads);
            long right = 0;
            for (Rect r : placed) {
                if (r.width() == 0 || r.height() == 0) { // shows nothing: only its place in the list counts
                    out.add(Rect.of((int) x, 0, r.width(), r.height()));
                    continue;
                }
                out.add(Rect.of((int) (x + r.x()), r.y(), r.width(), r.height()));
                right = Math.max(right, (long) r.x() + r.width());
            }
            x += right; // a kept layout starts at 0 and is connected: at most 16 x 16384 in all
        }
        return List.copyOf(out);
    }

    /** Heads side by side in order from x = 0, tops aligned. */
    private static List<Rect> sideBySide(List<Rect> heads) {
        List<Rect> out = new ArrayList<>(heads.size());
        int x = 0;
        for (Rect r : heads) {
            out.add(Rect.of(x, 0, r.width(), r.height()));
            x += r.width(); // at most 16 x 16384: no overflow
        }
        return out;
    }

    /**
     * Whether one channel's heads, as reported, are a desktop's layout: none overlap, the shown
     * ones start at 0,0 and are connected by shared edges. One head always is (at 0,0 then).
     */
    static boolean desktopLayout(List<Rect> heads) {
        List<Rect> shown = heads.stream().filter(r -> r.width() > 0 && r.height() > 0).toList();
        if (shown.size() <= 1) {
            return shown.isEmpty() || shown.get(0).x() == 0 && shown.get(0).y() == 0;
        }
        long minX = Long.MAX_VALUE;
        long minY = Long.MAX_VALUE;
        for (int a = 0; a < shown.size(); a++) {
            minX = Math.min(minX, shown.get(a).x());
            minY = Math.min(minY, shown.get(a).y());
            for (int b = a + 1; b < shown.size(); b++) {
                if (overlap(shown.get(a), shown.get(b)) > 0) {
                    return false;
                }
            }
        }
        if (minX != 0 || minY != 0) {
            return false;
        }
        boolean[] reached = new boolean[shown.size()];
        reached[0] = true;
        for (boolean grew = true; grew; ) {
            grew = false;
            for (int a = 0; a < shown.size(); a++) {
                for (int b = 0; b < shown.size(); b++) {
                    if (reached[a] && !reached[b] && touch(shown.get(a), shown.get(b))) {
                        reached[b] = true;
                        grew = true;
                    }
                }
            }
        }
        for (boolean r : reached) {
            if (!r) {
                return false;
            }
        }
        return true;
    }

    /** Whether two rectangles share a piece of an edge (a corner is not enough). */
    private static boolean touch(Rect a, Rect b) {
        long ax2 = (long) a.x() + a.width();
        long ay2 = (long) a.y() + a.height();
        long bx2 = (long) b.x() + b.width();
        long by2 = (long) b.y() + b.height();
        boolean sideBySide = (ax2 == b.x() || bx2 == a.x()) && Math.min(ay2, by2) > Math.max(a.y(), b.y());
        boolean stacked = (ay2 == b.y() || by2 == a.y()) && Math.min(ax2, bx2) > Math.max(a.x(), b.x());
        return sideBySide || stacked;
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
