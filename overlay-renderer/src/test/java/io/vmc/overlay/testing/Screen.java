package io.vmc.overlay.testing;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/** Screenshots with ImageMagick's {@code import} and colour checks on them. */
public final class Screen {
    private final String display;

    public Screen(String display) {
        this.display = display;
    }

    public Shot shot() {
        try {
            Process p = new ProcessBuilder("import", "-display", display, "-window", "root", "png:-")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] png = p.getInputStream().readAllBytes();
            if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("import failed with " + p.exitValue());
            }
            return new Shot(ImageIO.read(new ByteArrayInputStream(png)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** One screenshot. */
    public static final class Shot {
        private final BufferedImage image;

        Shot(BufferedImage image) {
            this.image = image;
        }

        public BufferedImage image() {
            return image;
        }

        public int rgb(int x, int y) {
            return image.getRGB(x, y) & 0xFFFFFF;
        }

        public static boolean isRed(int rgb) {
            return r(rgb) > 200 && g(rgb) < 60 && b(rgb) < 60;
        }

        public static int r(int rgb) {
            return rgb >> 16 & 0xff;
        }

        public static int g(int rgb) {
            return rgb >> 8 & 0xff;
        }

        public static int b(int rgb) {
            return rgb & 0xff;
        }

        /**
         * Counts pixels of the rectangle (shrunk by {@code inset} on each side, to ignore the 1-px
         * rounding at edges) that do not satisfy {@code test}.
         */
        public int countNot(int x, int y, int w, int h, int inset, java.util.function.IntPredicate test) {
            int bad = 0;
            for (int j = y + inset; j < y + h - inset; j++) {
                for (int i = x + inset; i < x + w - inset; i++) {
                    if (!test.test(rgb(i, j))) {
                        bad++;
                    }
                }
            }
            return bad;
        }

        /** Pixels in a ring of width {@code ring} just outside the rectangle, {@code gap} px away, failing {@code test}. */
        public int countRingNot(int x, int y, int w, int h, int gap, int ring, java.util.function.IntPredicate test) {
            int bad = 0;
            for (int j = y - gap - ring; j < y + h + gap + ring; j++) {
                for (int i = x - gap - ring; i < x + w + gap + ring; i++) {
                    boolean inside = i >= x - gap && i < x + w + gap && j >= y - gap && j < y + h + gap;
                    if (inside || i < 0 || j < 0 || i >= image.getWidth() || j >= image.getHeight()) {
                        continue;
                    }
                    if (!test.test(rgb(i, j))) {
                        bad++;
                    }
                }
            }
            return bad;
        }

        public void save(java.io.File f) {
            try {
                ImageIO.write(image, "png", f);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
