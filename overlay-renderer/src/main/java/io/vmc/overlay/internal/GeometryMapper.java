package io.vmc.overlay.internal;

import io.vmc.overlay.Rect;
import io.vmc.overlay.ScalingMode;
import io.vmc.overlay.VideoArea;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Maps a {@link VideoArea} in guest desktop pixels into the session window, given where the
 * window's display area is and how it scales the guest screen. Pure and total: any input, however
 * hostile, yields a bounded {@link Placement} (no window side above {@link #MAX_WINDOW_SIDE}, what
 * shows never leaves the guest screen's image inside the display area, the shape never holds more
 * than {@link #MAX_VISIBLE_RECTS} rectangles).
 *
 * <p>Rounding: the scaled screen is {@code round(guest * s)} wide and centred with
 * {@code floor((display - scaled) / 2)}, like spice-gtk; every edge of a mapped rectangle is
 * rounded on its own ({@code floor(v + 0.5)}), so rectangles that touch in the guest touch on screen.
 */
public final class GeometryMapper {

    /** Largest guest screen side accepted; larger ones are clamped (beyond any real monitor wall). */
    public static final int MAX_SCREEN_SIDE = 16384;
    /** Guest coordinates are clamped to +/- this before mapping; 4x {@link #MAX_SCREEN_SIDE}. */
    public static final int MAX_COORDINATE = 65536;
    /**
     * Largest overlay window side. A mapped area within it gets a window of its full size, shaped to
     * its visible part (so a video partly off screen shows the right part of the picture); a larger
     * one (only hostile input does that) gets a window of its visible part and the picture squeezed.
     */
    public static final int MAX_WINDOW_SIDE = 4096;
    /**
     * Most rectangles in the applied visible region. More are cut to the largest ones: the video may
     * then show less than it could, never over a window that covers it.
     */
    public static final int MAX_VISIBLE_RECTS = 64;

    private GeometryMapper() {
    }

    /**
     * @param display the display area inside the parent window, in parent window coordinates
     */
    public static Placement map(VideoArea video, Rect display, ScalingMode mode) {
        int gw = video.screenWidth();
        int gh = video.screenHeight();
        if (gw <= 0 || gh <= 0 || display.isEmpty() || video.area().isEmpty()) {
            return Placement.HIDDEN;
        }
        gw = Math.min(gw, MAX_SCREEN_SIDE);
        gh = Math.min(gh, MAX_SCREEN_SIDE);
        double s;
        switch (mode) {
            case FIT:
                s = Math.min((double) display.width() / gw, (double) display.height() / gh);
                break;
            case FIT_DOWNSCALE_ONLY:
                s = Math.min(1.0, Math.min((double) display.width() / gw, (double) display.height() / gh));
                break;
            default:
                s = 1.0;
        }
        long sw = Math.max(1, Math.round(gw * s));
        long sh = Math.max(1, Math.round(gh * s));
        long sx = display.x() + Math.max(0, Math.floorDiv(display.width() - sw, 2));
        long sy = display.y() + Math.max(0, Math.floorDiv(display.height() - sh, 2));
        Mapping m = new Mapping(sx, sy, (double) sw / gw, (double) sh / gh);

        // Clip: the video shows only over the guest screen's image and inside the display area.
        long cx0 = Math.max(sx, display.x());
        long cy0 = Math.max(sy, display.y());
        long cx1 = Math.min(sx + sw, (long) display.x() + display.width());
        long cy1 = Math.min(sy + sh, (long) display.y() + display.height());

        Rect a = video.area();
        long gx0 = clampCoord(a.x());
        long gy0 = clampCoord(a.y());
        long gx1 = clampCoord((long) a.x() + a.width());
        long gy1 = clampCoord((long) a.y() + a.height());
        long ax0 = m.x(gx0);
        long ay0 = m.y(gy0);
        long ax1 = m.x(gx1);
        long ay1 = m.y(gy1);
        long wx0 = Math.max(ax0, cx0);
        long wy0 = Math.max(ay0, cy0);
        long wx1 = Math.min(ax1, cx1);
        long wy1 = Math.min(ay1, cy1);
        if (wx1 <= wx0 || wy1 <= wy0) {
            return Placement.HIDDEN;
        }
        // The window: the whole mapped area when sane, else its clipped part.
        long ox0 = wx0;
        long oy0 = wy0;
        long ox1 = wx1;
        long oy1 = wy1;
        if (ax1 - ax0 <= MAX_WINDOW_SIDE && ay1 - ay0 <= MAX_WINDOW_SIDE) {
            ox0 = ax0;
            oy0 = ay0;
            ox1 = ax1;
            oy1 = ay1;
        }
        Rect window = Rect.of((int) ox0, (int) oy0, (int) (ox1 - ox0), (int) (oy1 - oy0));

        List<Rect> rects = new ArrayList<>();
        if (video.fullyVisible()) {
            rects.add(Rect.of((int) (wx0 - ox0), (int) (wy0 - oy0), (int) (wx1 - wx0), (int) (wy1 - wy0)));
        } else {
            for (Rect v : video.visibleRegions()) {
                // Clip to the area in guest space first, so a hostile rect cannot overflow.
                long vx0 = Math.max(clampCoord(v.x()), gx0);
                long vy0 = Math.max(clampCoord(v.y()), gy0);
                long vx1 = Math.min(clampCoord((long) v.x() + Math.max(0, v.width())), gx1);
                long vy1 = Math.min(clampCoord((long) v.y() + Math.max(0, v.height())), gy1);
                if (vx1 <= vx0 || vy1 <= vy0) {
                    continue;
                }
                long x0 = Math.max(m.x(vx0), wx0);
                long y0 = Math.max(m.y(vy0), wy0);
                long x1 = Math.min(m.x(vx1), wx1);
                long y1 = Math.min(m.y(vy1), wy1);
                if (x1 > x0 && y1 > y0) {
                    rects.add(Rect.of((int) (x0 - ox0), (int) (y0 - oy0), (int) (x1 - x0), (int) (y1 - y0)));
                }
            }
            if (rects.isEmpty()) {
                return Placement.HIDDEN;
            }
            if (rects.size() > MAX_VISIBLE_RECTS) {
                rects.sort(Comparator.comparingLong((Rect r) -> -(long) r.width() * r.height()));
                rects = new ArrayList<>(rects.subList(0, MAX_VISIBLE_RECTS));
            }
        }
        boolean whole = rects.size() == 1 && rects.get(0).equals(Rect.of(0, 0, window.width(), window.height()));
        return new Placement(true, window, whole ? null : List.copyOf(rects));
    }

    private static long clampCoord(long v) {
        return Math.max(-MAX_COORDINATE, Math.min(MAX_COORDINATE, v));
    }

    private record Mapping(long sx, long sy, double kx, double ky) {
        long x(long guestX) {
            return sx + (long) Math.floor(guestX * kx + 0.5);
        }

        long y(long guestY) {
            return sy + (long) Math.floor(guestY * ky + 0.5);
        }
    }
}
