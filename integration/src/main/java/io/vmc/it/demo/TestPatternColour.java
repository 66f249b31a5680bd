package io.vmc.it.demo;

/**
 * A solid {@code videotestsrc} pattern an engine sends in the video demo, and how to recognise it
 * on screen after VP8 and colour conversion.
 */
enum TestPatternColour {
    RED("red", 0xff0000),
    GREEN("green", 0x00ff00);

    /** How far each channel may drift through encoding and colour conversion. */
    private static final int TOLERANCE = 70;

    private final String pattern;
    private final int rgb;

    TestPatternColour(String pattern, int rgb) {
        this.pattern = pattern;
        this.rgb = rgb;
    }

    /** The {@code vmc engine --video-pattern} name. */
    String pattern() {
        return pattern;
    }

    boolean matches(int pixel) {
        return ScreenColours.near(pixel, rgb, TOLERANCE);
    }
}
