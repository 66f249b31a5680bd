package io.vmc.it.demo;

import java.util.Locale;

/** Comparing screenshot pixels. */
final class ScreenColours {
    private ScreenColours() {}

    /** Whether every channel of {@code pixel} is within {@code tolerance} of {@code rgb}'s. */
    static boolean near(int pixel, int rgb, int tolerance) {
        for (int shift = 0; shift <= 16; shift += 8) {
            if (Math.abs((pixel >> shift & 0xff) - (rgb >> shift & 0xff)) > tolerance) {
                return false;
            }
        }
        return true;
    }

    static String hex(int pixel) {
        return String.format(Locale.ROOT, "#%06x", pixel & 0xffffff);
    }
}
