package io.vmc.overlay;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * How a {@link VideoOverlay} attaches: the parent window (the SPICE session window, or any X11
 * window by id), where in it the guest screen is drawn, and how.
 *
 * <pre>{@code
 * OverlayOptions.builder()
 *         .parentWindow(0x2000007L)          // e.g. from GDK_WINDOW_XID or xdotool
 *         .displayInsets(0, 48, 0, 0)        // a tool bar above the display widget
 *         .scaling(ScalingMode.FIT)
 *         .build();
 * }</pre>
 */
public final class OverlayOptions {

    /** Default for {@link Builder#minUpdateInterval}: a 60 Hz frame, below one frame at 30 fps. */
    public static final Duration DEFAULT_MIN_UPDATE_INTERVAL = Duration.ofMillis(16);
    /** Largest accepted {@link Builder#minUpdateInterval}. */
    public static final Duration MAX_MIN_UPDATE_INTERVAL = Duration.ofSeconds(1);

    private final long parentWindow;
    private final String displayName;
    private final Rect displayArea;
    private final int[] insets;
    private final ScalingMode scaling;
    private final Duration minUpdateInterval;
    private final OverlayListener listener;
    private final String name;
    private final Supplier<List<GuestMonitor>> monitors;

    private OverlayOptions(Builder b) {
        this.parentWindow = b.parentWindow;
        this.displayName = b.displayName;
        this.displayArea = b.displayArea;
        this.insets = b.insets.clone();
        this.scaling = b.scaling;
        this.minUpdateInterval = b.minUpdateInterval;
        this.listener = b.listener;
        this.name = b.name;
        this.monitors = b.monitors;
    }

    public static Builder builder() {
        return new Builder();
    }

    public long parentWindow() {
        return parentWindow;
    }

    /** X display name such as {@code ":0"}; null means {@code $DISPLAY}. */
    public String displayName() {
        return displayName;
    }

    /** A fixed display area in parent window coordinates, or null to follow the parent's size. */
    public Rect displayArea() {
        return displayArea;
    }

    /** Left, top, right, bottom insets of the display area when it follows the parent's size. */
    public int[] displayInsets() {
        return insets.clone();
    }

    public ScalingMode scaling() {
        return scaling;
    }

    public Duration minUpdateInterval() {
        return minUpdateInterval;
    }

    public OverlayListener listener() {
        return listener;
    }

    public String name() {
        return name;
    }

    /** The session's windows and what each shows, asked on every update; null = one window, the parent. */
    public Supplier<List<GuestMonitor>> monitors() {
        return monitors;
    }

    /** Builds {@link OverlayOptions}; {@code parentWindow} is required. */
    public static final class Builder {
        private long parentWindow;
        private String displayName;
        private Rect displayArea;
        private int[] insets = new int[4];
        private ScalingMode scaling = ScalingMode.FIT;
        private Duration minUpdateInterval = DEFAULT_MIN_UPDATE_INTERVAL;
        private OverlayListener listener = OverlayListener.NONE;
        private String name = "video";
        private Supplier<List<GuestMonitor>> monitors;

        private Builder() {
        }

        /** The X11 window id to draw into (the session window or its display widget's window). */
        public Builder parentWindow(long windowId) {
            if (windowId <= 0 || windowId > 0xFFFFFFFFL) {
                throw new IllegalArgumentException("parentWindow must be an X11 window id in 1..0xFFFFFFFF, was "
                        + windowId);
            }
            this.parentWindow = windowId;
            return this;
        }

        public Builder displayName(String displayName) {
            this.displayName = displayName;
            return this;
        }

        /** The guest screen is drawn into this part of the parent window; fixed until changed. */
        public Builder displayArea(Rect area) {
            Objects.requireNonNull(area, "displayArea must not be null");
            if (area.isEmpty()) {
                throw new IllegalArgumentException("displayArea must not be empty, was " + area);
            }
            this.displayArea = area;
            return this;
        }

        /** The guest screen fills the parent window minus these margins, following its size. */
        public Builder displayInsets(int left, int top, int right, int bottom) {
            if (left < 0 || top < 0 || right < 0 || bottom < 0) {
                throw new IllegalArgumentException("displayInsets must not be negative, were " + left + "," + top
                        + "," + right + "," + bottom);
            }
            this.insets = new int[] {left, top, right, bottom};
            this.displayArea = null;
            return this;
        }

        public Builder scaling(ScalingMode scaling) {
            this.scaling = Objects.requireNonNull(scaling, "scaling must not be null");
            return this;
        }

        /** At most one geometry update is applied per interval; the latest wins. */
        public Builder minUpdateInterval(Duration interval) {
            Objects.requireNonNull(interval, "minUpdateInterval must not be null");
            if (interval.isNegative() || interval.compareTo(MAX_MIN_UPDATE_INTERVAL) > 0) {
                throw new IllegalArgumentException("minUpdateInterval must be in 0.." + MAX_MIN_UPDATE_INTERVAL
                        + ", was " + interval);
            }
            this.minUpdateInterval = interval;
            return this;
        }

        public Builder listener(OverlayListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener must not be null");
            return this;
        }

        /** Names the window and the thread, for diagnostics ("remote", "self-view"). */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name must not be null");
            return this;
        }

        /**
         * A multi-monitor session: its windows in (display channel, head) order (the parent among them),
         * asked on the overlay's thread on every update, so it must answer quickly (a wait
         * of its own must be bounded; what it answers then is used until the next update). With
         * two or more, the video goes to the window showing the monitor it is on.
         */
        public Builder monitors(Supplier<List<GuestMonitor>> monitors) {
            this.monitors = Objects.requireNonNull(monitors, "monitors must not be null");
            return this;
        }

        public OverlayOptions build() {
            if (parentWindow == 0) {
                throw new IllegalStateException("parentWindow must be set");
            }
            return new OverlayOptions(this);
        }
    }
}
