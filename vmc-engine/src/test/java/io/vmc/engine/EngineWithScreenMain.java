package io.vmc.engine;

import io.vmc.port.spice.ScreenPicture;
import java.awt.Rectangle;
import java.util.Optional;

/**
 * {@code vmc engine} with a known guest screen in place of a SPICE display, for the screen-share
 * prompt test: a 1024x768 desktop of four quadrants, red top-left, green top-right, blue
 * bottom-left, yellow bottom-right (the colours of ScreenShareIT's QEMU guest).
 */
final class EngineWithScreenMain {
    static final int WIDTH = 1024;
    static final int HEIGHT = 768;
    static final int RED = 0xff0000;
    static final int GREEN = 0x00ff00;
    static final int BLUE = 0x0000ff;
    static final int YELLOW = 0xffff00;

    private EngineWithScreenMain() {
    }

    public static void main(String[] args) {
        EngineCommand cmd = new EngineCommand();
        cmd.spiceScreen = EngineWithScreenMain::capture;
        System.exit(new picocli.CommandLine(cmd).execute(args));
    }

    static Optional<ScreenPicture> capture(Rectangle area) {
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

    static int colourAt(int x, int y) {
        boolean left = x < WIDTH / 2;
        if (y < HEIGHT / 2) return left ? RED : GREEN;
        return left ? BLUE : YELLOW;
    }
}
