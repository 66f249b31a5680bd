package io.vmc.agent.api;

import java.util.Objects;

/**
 * A rectangle in guest desktop pixels.
 *
 * <pre>{@code
 * Rect videoPane = Rect.of(100, 80, 640, 360);
 * }</pre>
 */
public final class Rect {
    /** Largest accepted coordinate or size (beyond any real desktop). */
    public static final int MAX_COORDINATE = 65535;

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

    /**
     * @throws IllegalArgumentException if a size is negative or a value exceeds {@value #MAX_COORDINATE}
     */
    public static Rect of(int x, int y, int width, int height) {
        if (Math.abs(x) > MAX_COORDINATE || Math.abs(y) > MAX_COORDINATE) {
            throw new IllegalArgumentException("x and y must be within ±" + MAX_COORDINATE + ", were " + x + "," + y);
        }
        if (width < 0 || width > MAX_COORDINATE || height < 0 || height > MAX_COORDINATE) {
            throw new IllegalArgumentException("width and height must be in 0.." + MAX_COORDINATE
                    + ", were " + width + "x" + height);
        }
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
        return width == 0 || height == 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rect r && r.x == x && r.y == y && r.width == width && r.height == height;
    }

    @Override
    public int hashCode() {
        return Objects.hash(x, y, width, height);
    }

    @Override
    public String toString() {
        return width + "x" + height + "+" + x + "+" + y;
    }
}
