package io.vmc.engine;

import io.vmc.port.spice.ScreenPicture;
import java.awt.Rectangle;
import java.util.Optional;

/**
 * A known guest screen for screen-share tests without a VM: 1024x768, red top-left, green
 * top-right, blue bottom-left, yellow bottom-right.
 */
public final class QuadrantScreen implements ScreenSource {
    public static final int WIDTH = 1024;
    public static final int HEIGHT = 768;
    public static final int RED = 0xff0000;
    public static final int GREEN = 0x00ff00;
    public static final int BLUE = 0x0000ff;
    public static final int YELLOW = 0xffff00;

    @Override
    public Optional<ScreenPicture> capture(Rectangle area) {
        Rectangle r = area == null ? new Rectangle(0, 0, WIDTH, HEIGHT) : area.intersection(new Rectangle(0, 0, WIDTH, HEIGHT));
        if (r.isEmpty()) return Optional.empty();
        byte[] bgrx = new byte[r.width * r.height * 4];
        for (int y = 0; y < r.height; y++) {
            for (int x = 0; x < r.width; x++) {
                int rgb = colourAt(r.x + x, r.y + y);
                int i = (y * r.width + x) * 4;
                bgrx[i] = (byte) rgb;
                bgrx[i + 1] = (byte) (rgb >> 8);
                bgrx[i + 2] = (byte) (rgb >> 16);
            }
        }
        return Optional.of(new ScreenPicture(WIDTH, HEIGHT, r.x, r.y, r.width, r.height, bgrx));
    }

    /** The colour at {@code x, y} of the screen, 0xRRGGBB. */
    public static int colourAt(int x, int y) {
        boolean left = x < WIDTH / 2;
        if (y < HEIGHT / 2) return left ? RED : GREEN;
        return left ? BLUE : YELLOW;
    }
}
