package io.vmc.agent.api;

import java.util.Objects;

/**
 * What a {@link MediaSession#startScreenShare} shares: the whole guest screen, or the rectangle of
 * one window in guest desktop coordinates (as {@link VideoArea} uses them), at a low frame rate
 * suited to slides and documents. The thin client's user confirms it first.
 *
 * <p>Immutable. The builder validates every parameter when it is set.
 */
public final class ScreenShare {
    /** Highest frame rate a share may ask for. */
    public static final int MAX_FPS = 15;
    /** Longest {@link Builder#title(String)}. */
    public static final int MAX_TITLE_LENGTH = 128;

    private final Rect area;
    private final int screenWidth;
    private final int screenHeight;
    private final int maxFps;
    private final String title;

    private ScreenShare(Builder b) {
        this.area = b.area;
        this.screenWidth = b.screenWidth;
        this.screenHeight = b.screenHeight;
        this.maxFps = b.maxFps;
        this.title = b.title;
    }

    /** The whole screen at 5 fps. */
    public static ScreenShare wholeScreen() {
        return builder().build();
    }

    /** One window's rectangle on a {@code screenWidth x screenHeight} guest screen, at 5 fps. */
    public static ScreenShare window(Rect area, int screenWidth, int screenHeight) {
        return builder().area(area, screenWidth, screenHeight).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The window's rectangle, or null for the whole screen. */
    public Rect area() {
        return area;
    }

    public int screenWidth() {
        return screenWidth;
    }

    public int screenHeight() {
        return screenHeight;
    }

    public int maxFps() {
        return maxFps;
    }

    /** Shown to the user in the prompt; may be empty. */
    public String title() {
        return title;
    }

    public static final class Builder {
        private Rect area;
        private int screenWidth;
        private int screenHeight;
        private int maxFps = 5;
        private String title = "";

        private Builder() {
        }

        /** Shares only {@code area} of a {@code screenWidth x screenHeight} guest screen. */
        public Builder area(Rect area, int screenWidth, int screenHeight) {
            Objects.requireNonNull(area, "area must not be null");
            if (area.isEmpty()) throw new IllegalArgumentException("area must not be empty");
            if (screenWidth <= 0 || screenHeight <= 0 || screenWidth > Rect.MAX_COORDINATE || screenHeight > Rect.MAX_COORDINATE) {
                throw new IllegalArgumentException("screenWidth and screenHeight must be 1.." + Rect.MAX_COORDINATE
                        + ", got " + screenWidth + "x" + screenHeight);
            }
            this.area = area;
            this.screenWidth = screenWidth;
            this.screenHeight = screenHeight;
            return this;
        }

        /** Frames per second, 1..{@link #MAX_FPS}; 5 by default. */
        public Builder maxFps(int fps) {
            if (fps < 1 || fps > MAX_FPS) throw new IllegalArgumentException("maxFps must be 1.." + MAX_FPS + ", got " + fps);
            this.maxFps = fps;
            return this;
        }

        /** What the user sees named in the prompt, e.g. the document's name. */
        public Builder title(String title) {
            Objects.requireNonNull(title, "title must not be null");
            if (title.length() > MAX_TITLE_LENGTH) throw new IllegalArgumentException("title longer than " + MAX_TITLE_LENGTH);
            this.title = title;
            return this;
        }

        public ScreenShare build() {
            return new ScreenShare(this);
        }
    }
}
