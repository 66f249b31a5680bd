package io.vmc.overlay;

/**
 * An axis-aligned rectangle in pixels: {@code x, y} is the top-left corner, {@code width} and
 * {@code height} may be zero or, from a hostile or buggy source, negative; such a rectangle is
 * {@link #isEmpty() empty}. Nothing is rejected here: the overlay clamps when it maps.
 */
public final class Rect {
    private final int x;
    private final int y;
    private final int width;
    private final int height;

    private Rect(int x, int y, int width, int height) {
        this.x = x;
        this.y = y;
        this.width = width;
        this.height = height;
    }

    public static Rect of(int x, int y, int width, int height) {
        return new Rect(x, y, width, height);
    }

    public int x() {
        return x;
    }

    public int y() {
        return y;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public boolean isEmpty() {
        return width <= 0 || height <= 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rect r && r.x == x && r.y == y && r.width == width && r.height == height;
    }

    @Override
    public int hashCode() {
        return ((x * 31 + y) * 31 + width) * 31 + height;
    }

    @Override
    public String toString() {
        return width + "x" + height + "+" + x + "+" + y;
    }
}
