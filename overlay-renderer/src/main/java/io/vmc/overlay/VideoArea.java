package io.vmc.overlay;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where the video is inside the guest desktop: the area, the parts of it that other windows leave
 * visible, and the guest screen size, all in guest desktop pixels (visible rectangles are absolute
 * desktop coordinates like the area, not relative to it). Values come from the guest and are not
 * trusted: the overlay clamps them when it maps them (see {@code README.md}, "Limits").
 *
 * <pre>{@code
 * overlay.setVideoArea(VideoArea.builder()
 *         .area(Rect.of(100, 80, 640, 360)).screenSize(1920, 1080)
 *         .visibleRegions(List.of(Rect.of(100, 80, 320, 360))) // right half covered
 *         .build());
 * overlay.setVideoArea(VideoArea.HIDDEN); // minimised
 * }</pre>
 */
public final class VideoArea {

    /** Nothing shown. */
    public static final VideoArea HIDDEN = builder().area(Rect.of(0, 0, 0, 0)).screenSize(1, 1)
            .visibleRegions(List.of()).build();

    private final Rect area;
    private final List<Rect> visibleRegions;
    private final int screenWidth;
    private final int screenHeight;
    private final int monitor;

    private VideoArea(Builder b) {
        this.area = b.area;
        this.visibleRegions = b.visibleRegions == null ? null : List.copyOf(b.visibleRegions);
        this.screenWidth = b.screenWidth;
        this.screenHeight = b.screenHeight;
        this.monitor = b.monitor;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Rect area() {
        return area;
    }

    /** The visible parts, or null when the whole area is visible; an empty list means hidden. */
    public List<Rect> visibleRegions() {
        return visibleRegions;
    }

    public boolean fullyVisible() {
        return visibleRegions == null;
    }

    public int screenWidth() {
        return screenWidth;
    }

    public int screenHeight() {
        return screenHeight;
    }

    /**
     * The guest monitor the area is on, 1-based in (display channel, head) order, with the area relative to
     * that monitor and the screen size its own; 0 (the default) when the area is in guest desktop
     * coordinates and the overlay finds the monitor.
     */
    public int monitor() {
        return monitor;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VideoArea v && v.area.equals(area) && Objects.equals(v.visibleRegions, visibleRegions)
                && v.screenWidth == screenWidth && v.screenHeight == screenHeight && v.monitor == monitor;
    }

    @Override
    public int hashCode() {
        return Objects.hash(area, visibleRegions, screenWidth, screenHeight, monitor);
    }

    @Override
    public String toString() {
        String vis = visibleRegions == null ? "" : visibleRegions.size() > 8
                ? " visible=" + visibleRegions.size() + " rects" : " visible=" + visibleRegions;
        return "VideoArea{" + area + vis + " screen=" + screenWidth + "x" + screenHeight
                + (monitor != 0 ? " monitor=" + monitor : "") + "}";
    }

    /** Builds a {@link VideoArea}; {@code area} and {@code screenSize} are required. */
    public static final class Builder {
        private Rect area;
        private List<Rect> visibleRegions;
        private int screenWidth;
        private int screenHeight;
        private int monitor;

        private Builder() {
        }

        public Builder area(Rect area) {
            this.area = Objects.requireNonNull(area, "area must not be null");
            return this;
        }

        /** The visible parts of the area; an empty list hides it. Unset: fully visible. */
        public Builder visibleRegions(List<Rect> regions) {
            Objects.requireNonNull(regions, "visibleRegions must not be null");
            List<Rect> copy = new ArrayList<>(regions.size());
            for (Rect r : regions) {
                copy.add(Objects.requireNonNull(r, "visibleRegions must not contain null"));
            }
            this.visibleRegions = copy;
            return this;
        }

        /** Size of the guest desktop; values below 1 make the area hidden. */
        public Builder screenSize(int width, int height) {
            this.screenWidth = width;
            this.screenHeight = height;
            return this;
        }

        /**
         * On a multi-monitor guest: the area (and the visible parts and screen size) is relative to
         * this monitor, 1-based in (display channel, head) order, the session's windows' order;
         * 0 (default) = guest desktop coordinates.
         * A number the guest does not have hides the video.
         */
        public Builder monitor(int monitor) {
            if (monitor < 0) {
                throw new IllegalArgumentException("monitor must be >= 0, got " + monitor);
            }
            this.monitor = monitor;
            return this;
        }

        public VideoArea build() {
            if (area == null) {
                throw new IllegalStateException("area must be set");
            }
            return new VideoArea(this);
        }
    }
}
