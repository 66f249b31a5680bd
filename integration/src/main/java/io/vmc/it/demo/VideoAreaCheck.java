package io.vmc.it.demo;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.util.Locale;

/**
 * Reads a session window's screenshot as a user would look at it: is the peer's video inside the
 * softphone's video area (mapped 1:1, the window has the guest screen's size), and the window's
 * own background around it? A few pixels of margin absorb rounding and the overlay's borders.
 */
final class VideoAreaCheck {
    private static final int MARGIN = 3;
    private static final int BACKGROUND_TOLERANCE = 24;

    /** What the screenshot showed; {@code detail} names the first pixel that did not fit. */
    record Result(boolean ok, String detail) {}

    private VideoAreaCheck() {}

    /** The peer's colour at the area's centre and near its corners, the background just outside each edge. */
    static Result videoShown(BufferedImage shot, Rectangle area, TestPatternColour peer, int background) {
        for (int[] p : inside(area)) {
            int pixel = shot.getRGB(p[0], p[1]);
            if (!peer.matches(pixel)) {
                return new Result(false, String.format(Locale.ROOT, "%s at %d,%d inside the video area, expected %s",
                        ScreenColours.hex(pixel), p[0], p[1], peer.pattern()));
            }
        }
        for (int[] p : outside(area)) {
            int pixel = shot.getRGB(p[0], p[1]);
            if (!ScreenColours.near(pixel, background, BACKGROUND_TOLERANCE)) {
                return new Result(false, String.format(Locale.ROOT,
                        "%s at %d,%d outside the video area, expected the window's background %s",
                        ScreenColours.hex(pixel), p[0], p[1], ScreenColours.hex(background)));
            }
        }
        return new Result(true, "");
    }

    /** Nothing drawn in the area any more: the window's background at the centre and near the corners. */
    static Result videoGone(BufferedImage shot, Rectangle area, int background) {
        for (int[] p : inside(area)) {
            int pixel = shot.getRGB(p[0], p[1]);
            if (!ScreenColours.near(pixel, background, BACKGROUND_TOLERANCE)) {
                return new Result(false, String.format(Locale.ROOT, "%s at %d,%d, expected the background %s",
                        ScreenColours.hex(pixel), p[0], p[1], ScreenColours.hex(background)));
            }
        }
        return new Result(true, "");
    }

    private static int[][] inside(Rectangle a) {
        int x0 = a.x + MARGIN;
        int y0 = a.y + MARGIN;
        int x1 = a.x + a.width - 1 - MARGIN;
        int y1 = a.y + a.height - 1 - MARGIN;
        return new int[][] {{a.x + a.width / 2, a.y + a.height / 2}, {x0, y0}, {x1, y0}, {x0, y1}, {x1, y1}};
    }

    private static int[][] outside(Rectangle a) {
        int midX = a.x + a.width / 2;
        int midY = a.y + a.height / 2;
        return new int[][] {{a.x - MARGIN, midY}, {a.x + a.width - 1 + MARGIN, midY},
            {midX, a.y - MARGIN}, {midX, a.y + a.height - 1 + MARGIN}};
    }
}
