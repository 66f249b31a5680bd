package io.vmc.agent.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where in the guest desktop the remote video (or the self view) of a call is shown. The engine
 * draws the video at the matching place of the thin client's session window.
 *
 * <pre>{@code
 * call.setVideoArea(VideoArea.builder()
 *         .area(Rect.of(100, 80, 640, 360))
 *         .screenSize(1920, 1080)
 *         .build());
 * // partly covered by another window:
 * call.setVideoArea(VideoArea.builder().area(pane).screenSize(1920, 1080)
 *         .visibleRegions(List.of(Rect.of(100, 80, 320, 360))).build());
 * call.setVideoArea(VideoArea.hidden(0)); // minimized
 * }</pre>
 */
public final class VideoArea {
    /** Most rectangles in a visible region. */
    public static final int MAX_VISIBLE_RECTS = 64;
    /** Largest {@link Builder#monitor(int)} the engine accepts. */
    public static final int MAX_MONITOR = 16;

    private final int mappingId;
    private final Rect area;
    private final List<Rect> visibleRegions;
    private final boolean fullyVisible;
    private final int screenWidth;
    private final int screenHeight;
    private final boolean selfView;
    private final int monitor;

    private VideoArea(Builder b) {
        this.mappingId = b.mappingId;
        this.area = b.area;
        this.visibleRegions = List.copyOf(b.visibleRegions);
        this.fullyVisible = b.visibleRegions.isEmpty() && !b.hidden;
        this.screenWidth = b.screenWidth;
        this.screenHeight = b.screenHeight;
        this.selfView = b.selfView;
        this.monitor = b.monitor;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** An area that is not shown (window minimized or covered). */
    public static VideoArea hidden(int mappingId) {
        Builder b = builder().mappingId(mappingId);
        b.area = Rect.of(0, 0, 0, 0);
        b.hidden = true;
        return b.build();
    }

    /** Distinguishes several areas of one call (remote video 0, self view 1...). */
    public int mappingId() {
        return mappingId;
    }

    public Rect area() {
        return area;
    }

    /** Visible parts when partly covered; empty when {@link #fullyVisible()} or hidden. */
    public List<Rect> visibleRegions() {
        return visibleRegions;
    }

    public boolean fullyVisible() {
        return fullyVisible;
    }

    /** Whether nothing of the area is visible. */
    public boolean isHidden() {
        return !fullyVisible && visibleRegions.isEmpty();
    }

    public int screenWidth() {
        return screenWidth;
    }

    public int screenHeight() {
        return screenHeight;
    }

    /** Whether this area shows the local camera instead of the remote video. */
    /** The monitor the area is relative to (1-based), or 0 for guest desktop coordinates. */
    public int monitor() {
        return monitor;
    }

    public boolean selfView() {
        return selfView;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VideoArea v && v.mappingId == mappingId && v.area.equals(area)
                && v.visibleRegions.equals(visibleRegions) && v.fullyVisible == fullyVisible
                && v.screenWidth == screenWidth && v.screenHeight == screenHeight && v.selfView == selfView
                && v.monitor == monitor;
    }

    @Override
    public int hashCode() {
        return Objects.hash(mappingId, area, visibleRegions, fullyVisible, screenWidth, screenHeight, selfView, monitor);
    }

    @Override
    public String toString() {
        return "VideoArea{#" + mappingId + " " + area + (isHidden() ? " hidden" : fullyVisible ? "" : " visible=" + visibleRegions)
                + " screen=" + screenWidth + "x" + screenHeight + (selfView ? " self-view" : "")
                + (monitor != 0 ? " monitor=" + monitor : "") + "}";
    }

    /** Builds a {@link VideoArea}; {@code area} is required. */
    public static final class Builder {
        private int mappingId;
        private Rect area;
        private List<Rect> visibleRegions = List.of();
        private boolean hidden;
        private int screenWidth;
        private int screenHeight;
        private boolean selfView;
        private int monitor;

        private Builder() {}

        public Builder mappingId(int mappingId) {
            if (mappingId < 0 || mappingId > 255) {
                throw new IllegalArgumentException("mappingId must be in 0..255, was " + mappingId);
            }
            this.mappingId = mappingId;
            return this;
        }

        public Builder area(Rect area) {
            this.area = Objects.requireNonNull(area, "area must not be null");
            return this;
        }

        /** The visible parts of {@code area}; an empty list means hidden. Unset means fully visible. */
        public Builder visibleRegions(List<Rect> regions) {
            Objects.requireNonNull(regions, "visibleRegions must not be null");
            if (regions.size() > MAX_VISIBLE_RECTS) {
                throw new IllegalArgumentException("visibleRegions must hold at most " + MAX_VISIBLE_RECTS
                        + " rectangles, had " + regions.size());
            }
            List<Rect> copy = new ArrayList<>();
            for (Rect r : regions) {
                copy.add(Objects.requireNonNull(r, "visibleRegions must not contain null"));
            }
            this.visibleRegions = copy;
            this.hidden = copy.isEmpty();
            return this;
        }

        /** Size of the guest desktop, so that the engine can scale to the session window. */
        public Builder screenSize(int width, int height) {
            if (width <= 0 || height <= 0 || width > Rect.MAX_COORDINATE || height > Rect.MAX_COORDINATE) {
                throw new IllegalArgumentException("screen size must be in 1.." + Rect.MAX_COORDINATE
                        + ", was " + width + "x" + height);
            }
            this.screenWidth = width;
            this.screenHeight = height;
            return this;
        }

        public Builder selfView(boolean selfView) {
            this.selfView = selfView;
            return this;
        }

        /**
         * The guest monitor the area is on, 1-based in the thin client's display order, with the
         * area, visible parts and screen size relative to it; 0 (default) = guest desktop
         * coordinates, the engine finds the monitor (developer guide, "Several monitors").
         */
        public Builder monitor(int monitor) {
            if (monitor < 0 || monitor > MAX_MONITOR) {
                throw new IllegalArgumentException("monitor must be in 0.." + MAX_MONITOR + ", was " + monitor);
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
