package io.vmc.overlay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.overlay.testing.Screen;
import io.vmc.overlay.testing.Screen.Shot;
import io.vmc.overlay.testing.TestWindow;
import io.vmc.overlay.testing.Xvfb;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.State;
import org.freedesktop.gstreamer.Version;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real windows and real pixels under a private Xvfb: a plain X window stands in for the session
 * window (blue background); the overlay renders a red test pattern; screenshots must show red
 * exactly at the mapped rectangle and the untouched blue around it.
 */
@Timeout(120)
class X11OverlayIT {

    static final int BLUE = 0x0000FF;
    static Xvfb xvfb;
    static Screen screen;

    TestWindow parent;
    VideoOverlay overlay;
    Pipeline pipeline;

    @BeforeAll
    static void startX() throws Exception {
        xvfb = Xvfb.start(1280, 800);
        assertThat(OverlaySupport.initialize()).as("%s", OverlaySupport.unavailabilityCause()).isTrue();
        if (!Gst.isInitialized()) {
            Gst.init(Version.of(1, 16), "overlay-it", "--gst-disable-segtrap") /* as the engine\'s GstSupport.init: no GStreamer SIGSEGV handler in a JVM */;
        }
        screen = new Screen(xvfb.display());
    }

    @AfterAll
    static void stopX() throws Exception {
        if (xvfb != null) {
            xvfb.close();
        }
    }

    @AfterEach
    void tearDown() {
        if (pipeline != null) {
            pipeline.setState(State.NULL);
            pipeline.dispose();
        }
        if (overlay != null) {
            overlay.close();
        }
        if (parent != null) {
            parent.close();
        }
        List<String> errs = List.copyOf(busErrors);
        busErrors.clear();
        assertThat(errs).as("pipeline errors").isEmpty();
    }

    /** Parent 800x600 at 0,0; guest screen 1600x1200 fits at scale 0.5 with no bars. */
    void start(String pattern, OverlayOptions.Builder options) throws Exception {
        parent = new TestWindow(xvfb.display(), 0, 0, 800, 600, BLUE);
        overlay = VideoOverlay.attach(options.parentWindow(parent.id()).displayName(xvfb.display()).build());
        pipeline = new Pipeline("it");
        Bin src = Gst.parseBinFromDescription("videotestsrc pattern=" + pattern
                + " is-live=true ! capsfilter caps=video/x-raw,width=640,height=480,framerate=30/1", true);
        Bin sink = overlay.sink();
        pipeline.addMany(src, sink);
        assertThat(Element.linkMany(src, sink)).isTrue();
        pipeline.getBus().connect((org.freedesktop.gstreamer.Bus.ERROR) (o, code, msg) -> busErrors.add(o.getName() + ": " + msg));
        pipeline.getBus().connect((org.freedesktop.gstreamer.Bus.WARNING) (o, code, msg) -> busErrors.add("warning " + o.getName() + ": " + msg));
        pipeline.play();
    }

    static final List<String> busErrors = new java.util.concurrent.CopyOnWriteArrayList<>();

    static VideoArea area(int x, int y, int w, int h) {
        return VideoArea.builder().area(Rect.of(x, y, w, h)).screenSize(1600, 1200).build();
    }

    /** Red inside (x, y, w, h) of the screen, blue in a ring around it. */
    static void awaitRedAt(int x, int y, int w, int h) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            Shot s = screen.shot();
            s.save(new java.io.File("target/last-shot.png"));
            assertThat(s.countNot(x, y, w, h, 1, Shot::isRed)).as("non-red pixels inside; bus %s", busErrors).isZero();
            assertThat(s.countRingNot(x, y, w, h, 1, 6, c -> c == BLUE)).as("non-blue pixels around").isZero();
        });
    }

    static void awaitBlue(int x, int y, int w, int h) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                assertThat(screen.shot().countNot(x, y, w, h, 0, c -> c == BLUE)).as("non-blue pixels").isZero());
    }

    @Test
    void rendersThePatternExactlyAtTheMappedRectangle() throws Exception {
        start("red", OverlayOptions.builder());
        awaitBlue(0, 0, 800, 600); // nothing before the first geometry
        overlay.setVideoArea(area(200, 100, 640, 480));
        awaitRedAt(100, 50, 320, 240);
        assertThat(overlay.isVisible()).isTrue();
        awaitBlue(500, 350, 300, 250);
    }

    @Test
    void keepsItsWindowWhenThePipelineRestarts() throws Exception {
        start("red", OverlayOptions.builder());
        overlay.setVideoArea(area(200, 100, 640, 480));
        awaitRedAt(100, 50, 320, 240);
        pipeline.setState(State.NULL); // ximagesink forgets its window handle here
        pipeline.play();
        awaitRedAt(100, 50, 320, 240);
        // No top-level window of ximagesink's own appeared (it would show at the root's origin, over
        // the parent, or beside it): the root right of the parent stays black, the parent blue.
        Shot s = screen.shot();
        assertThat(s.countNot(800, 0, 480, 800, 0, c -> c == 0)).isZero();
        assertThat(s.countNot(0, 0, 100, 50, 0, c -> c == BLUE)).isZero();
    }

    @Test
    void followsMovesAndResizes() throws Exception {
        start("red", OverlayOptions.builder());
        overlay.setVideoArea(area(200, 100, 640, 480));
        awaitRedAt(100, 50, 320, 240);
        overlay.setVideoArea(area(800, 600, 400, 300)); // move and shrink
        awaitRedAt(400, 300, 200, 150);
        awaitBlue(100, 50, 300, 240);
        overlay.setVideoArea(area(0, 0, 1600, 1200)); // the whole guest screen
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                assertThat(screen.shot().countNot(0, 0, 800, 600, 0, Shot::isRed)).isZero());
    }

    @Test
    void followsTheAreaToTheWindowOfTheMonitorItIsOnAndBack() throws Exception {
        // a second session window, right of the first, showing an 800x600 guest monitor at half size
        try (TestWindow second = new TestWindow(xvfb.display(), 820, 0, 400, 300, BLUE)) {
            start("red", OverlayOptions.builder().monitors(() -> List.of(
                    new GuestMonitor(parent.id(), 0, Rect.of(0, 0, 1600, 1200)),
                    new GuestMonitor(second.id(), 1, Rect.of(0, 0, 800, 600)))));
            // side by side: the second monitor starts at desktop x = 1600
            overlay.setVideoArea(VideoArea.builder().area(Rect.of(1600 + 200, 100, 400, 300)).screenSize(2400, 1200).build());
            awaitRedAt(820 + 100, 50, 200, 150);
            awaitBlue(0, 0, 800, 600); // nothing in the first window
            assertThat(overlay.hostWindowId()).isEqualTo(second.id());
            // back on the first monitor
            overlay.setVideoArea(VideoArea.builder().area(Rect.of(200, 100, 640, 480)).screenSize(2400, 1200).build());
            awaitRedAt(100, 50, 320, 240);
            awaitBlue(820, 0, 400, 300);
            // named monitor, relative coordinates
            overlay.setVideoArea(VideoArea.builder().area(Rect.of(100, 100, 400, 300)).screenSize(800, 600).monitor(2).build());
            awaitRedAt(820 + 50, 50, 200, 150);
            awaitBlue(0, 0, 800, 600);
            // a monitor that does not exist: hidden everywhere
            overlay.setVideoArea(VideoArea.builder().area(Rect.of(0, 0, 400, 300)).screenSize(800, 600).monitor(3).build());
            awaitBlue(820, 0, 400, 300);
            awaitBlue(0, 0, 800, 600);
            assertThat(overlay.isVisible()).isFalse();
            assertThat(overlay.xErrors()).isZero();
        }
    }

    /**
     * The user closes the other monitor's window the video is in (X destroys our window with it):
     * the overlay stays open, the video is hidden, and it shows again once the area is on a monitor
     * whose window lives.
     */
    @Test
    void aClosedMonitorWindowHidesTheVideoWithoutEndingIt() throws Exception {
        TestWindow second = new TestWindow(xvfb.display(), 820, 0, 400, 300, BLUE);
        java.util.concurrent.atomic.AtomicLong secondId = new java.util.concurrent.atomic.AtomicLong(second.id());
        java.util.concurrent.atomic.AtomicInteger parentDeaths = new java.util.concurrent.atomic.AtomicInteger();
        try {
            start("red", OverlayOptions.builder().monitors(() -> List.of(
                    new GuestMonitor(parent.id(), 0, Rect.of(0, 0, 1600, 1200)),
                    new GuestMonitor(secondId.get(), 1, Rect.of(0, 0, 800, 600))))
                    .listener(new OverlayListener() {
                        @Override
                        public void parentDestroyed(VideoOverlay o) {
                            parentDeaths.incrementAndGet();
                        }
                    }));
            VideoArea onSecond = VideoArea.builder().area(Rect.of(1600 + 200, 100, 400, 300)).screenSize(2400, 1200).build();
            overlay.setVideoArea(onSecond);
            awaitRedAt(820 + 100, 50, 200, 150);
            long firstChild = overlay.windowId();
            second.destroy();
            await().atMost(Duration.ofSeconds(10)).until(() -> overlay.hostWindowId() == parent.id());
            assertThat(overlay.isClosed()).isFalse();
            assertThat(overlay.isVisible()).isFalse();
            assertThat(overlay.windowId()).isNotEqualTo(firstChild);
            assertThat(parentDeaths).hasValue(0);
            // the session has not dropped the gone window yet: a geometry for it stays hidden
            overlay.setVideoArea(VideoArea.builder().area(Rect.of(1600 + 220, 100, 400, 300)).screenSize(2400, 1200).build());
            awaitBlue(0, 0, 800, 600);
            // the guest moves the video to the first monitor: drawn there, by the same pipeline
            overlay.setVideoArea(VideoArea.builder().area(Rect.of(200, 100, 640, 480)).screenSize(2400, 1200).build());
            awaitRedAt(100, 50, 320, 240);
            assertThat(overlay.isVisible()).isTrue();
            // the monitor comes back as a new window: the video follows it there
            second = new TestWindow(xvfb.display(), 820, 0, 400, 300, BLUE);
            secondId.set(second.id());
            overlay.setVideoArea(onSecond);
            awaitRedAt(820 + 100, 50, 200, 150);
            awaitBlue(0, 0, 800, 600);
        } finally {
            second.close();
        }
    }

    @Test
    void visibleRegionCutsOutCoveringWindows() throws Exception {
        start("red", OverlayOptions.builder());
        // Guest window covers the right half and a notch in the top-left corner.
        overlay.setVideoArea(VideoArea.builder().area(Rect.of(200, 100, 640, 480)).screenSize(1600, 1200)
                .visibleRegions(List.of(Rect.of(300, 100, 220, 100), Rect.of(200, 200, 320, 380))).build());
        // window 100,50 320x240; visible: 150,50 110x50 and 100,100 160x190
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            Shot s = screen.shot();
            assertThat(s.countNot(150, 50, 110, 50, 1, Shot::isRed)).isZero();
            assertThat(s.countNot(100, 100, 160, 190, 1, Shot::isRed)).isZero();
            assertThat(s.countNot(100, 50, 50, 50, 1, c -> c == BLUE)).as("notch").isZero();
            assertThat(s.countNot(260, 50, 160, 240, 1, c -> c == BLUE)).as("right half").isZero();
        });
        overlay.setVideoArea(area(200, 100, 640, 480)); // uncovered again
        awaitRedAt(100, 50, 320, 240);
    }

    @Test
    void hidesAndShowsAgain() throws Exception {
        AtomicReference<Boolean> lastVisibility = new AtomicReference<>();
        start("red", OverlayOptions.builder().listener(new OverlayListener() {
            @Override
            public void visibilityChanged(VideoOverlay o, boolean visible) {
                lastVisibility.set(visible);
            }
        }));
        overlay.setVideoArea(area(200, 100, 640, 480));
        awaitRedAt(100, 50, 320, 240);
        overlay.clearVideoArea(); // minimised
        awaitBlue(0, 0, 800, 600);
        assertThat(lastVisibility.get()).isFalse();
        overlay.setVideoArea(VideoArea.builder().area(Rect.of(200, 100, 640, 480)).screenSize(1600, 1200)
                .visibleRegions(List.of()).build()); // fully covered
        awaitBlue(0, 0, 800, 600);
        overlay.setVideoArea(area(200, 100, 640, 480));
        awaitRedAt(100, 50, 320, 240);
        assertThat(lastVisibility.get()).isTrue();
    }

    @Test
    void followsTheSessionWindowsScalingAndLetterbox() throws Exception {
        start("red", OverlayOptions.builder().displayInsets(0, 40, 0, 0));
        // display 800x560: guest 1600x1200 fits at 0.4667 -> 747x560, bars of 26 px left and right.
        overlay.setVideoArea(area(0, 0, 800, 600));
        awaitRedAt(26, 40, 374, 280);
        parent.resize(1000, 440); // display 1000x400 -> 533x400 at 233,40
        awaitRedAt(233, 40, 267, 200);
        overlay.setScaling(ScalingMode.ONE_TO_ONE); // top-left 1000x400 of the guest, no scaling
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            Shot s = screen.shot();
            assertThat(s.countNot(0, 40, 800, 400, 0, Shot::isRed)).isZero(); // clipped at the window's bottom
            assertThat(s.countNot(800, 0, 200, 440, 0, c -> c == BLUE)).isZero();
            assertThat(s.countNot(0, 0, 800, 40, 0, c -> c == BLUE)).isZero();
        });
    }

    @Test
    void areaPartlyOffScreenShowsTheRightPartOfThePicture() throws Exception {
        start("smpte", OverlayOptions.builder());
        // Area 640 wide starting 320 left of the screen: the right half of the picture shows at 0..160.
        overlay.setVideoArea(area(-320, 200, 640, 480));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            Shot s = screen.shot();
            // SMPTE bars, left to right: white, yellow, cyan, green, magenta, red, blue. The visible right
            // half starts inside green and ends in blue.
            int left = s.rgb(4, 130);
            int right = s.rgb(155, 130);
            assertThat(Shot.g(left)).as("green at the left edge, was %06x", left).isGreaterThan(150);
            assertThat(Shot.r(left) + Shot.b(left)).as("green at the left edge, was %06x", left).isLessThan(80);
            assertThat(Shot.b(right)).as("blue at the right edge, was %06x", right).isGreaterThan(150);
            assertThat(Shot.r(right) + Shot.g(right)).as("blue at the right edge, was %06x", right).isLessThan(80);
            assertThat(s.rgb(162, 130)).isEqualTo(BLUE);
        });
    }

    @Test
    void selfViewIsASecondOverlayOnTheSameWindow() throws Exception {
        start("red", OverlayOptions.builder().name("remote"));
        VideoOverlay self = VideoOverlay.attach(OverlayOptions.builder().name("self-view").parentWindow(parent.id())
                .displayName(xvfb.display()).build());
        Pipeline selfPipeline = new Pipeline("self");
        try {
            Bin src = Gst.parseBinFromDescription("videotestsrc pattern=green is-live=true"
                    + " ! capsfilter caps=video/x-raw,width=320,height=240,framerate=30/1", true);
            Bin sink = self.sink();
            selfPipeline.addMany(src, sink);
            assertThat(Element.linkMany(src, sink)).isTrue();
            selfPipeline.play();
            overlay.setVideoArea(area(200, 100, 640, 480));
            self.setVideoArea(area(1200, 800, 320, 240)); // bottom right, 160x120 on screen
            awaitRedAt(100, 50, 320, 240);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                    assertThat(screen.shot().countNot(601, 401, 158, 118, 0,
                            c -> Shot.g(c) > 200 && Shot.r(c) < 60 && Shot.b(c) < 60)).as("non-green self view").isZero());
            self.close();
            awaitBlue(600, 400, 160, 120);
            awaitRedAt(100, 50, 320, 240); // the remote video is untouched
        } finally {
            selfPipeline.setState(State.NULL);
            selfPipeline.dispose();
            self.close();
        }
    }

    @Test
    void survivesTheSessionWindowBeingDestroyedMidRender() throws Exception {
        AtomicBoolean destroyed = new AtomicBoolean();
        start("red", OverlayOptions.builder().listener(new OverlayListener() {
            @Override
            public void parentDestroyed(VideoOverlay o) {
                destroyed.set(true);
            }
        }));
        overlay.setVideoArea(area(200, 100, 640, 480));
        awaitRedAt(100, 50, 320, 240);
        parent.destroy();
        await().atMost(Duration.ofSeconds(10)).until(overlay::isClosed);
        assertThat(destroyed).isTrue();
        assertThat(overlay.parentDestroyed()).isTrue();
        // The pipeline keeps running (the call goes on); the sink drops frames and nothing exits.
        long until = System.nanoTime() + Duration.ofMillis(500).toNanos();
        await().atMost(Duration.ofSeconds(5)).until(() -> System.nanoTime() > until);
        assertThat(pipeline.getState(0)).isEqualTo(State.PLAYING);
        overlay.setVideoArea(area(0, 0, 10, 10)); // ignored, no crash
        overlay.close();
        pipeline.setState(State.NULL);
        await().atMost(Duration.ofSeconds(10)).until(() -> screen.shot().countNot(0, 0, 800, 600, 0, c -> c == 0) == 0);
    }

    @Test
    void hostileGeometryIsClampedAndRateLimited() throws Exception {
        start("red", OverlayOptions.builder());
        List<Rect> many = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            many.add(Rect.of(200 + (i % 64) * 10, 100 + (i / 64) * 6, 10, 6));
        }
        VideoArea[] hostile = {
            area(Integer.MIN_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE),
            area(-5000, -5000, 100000, 100000),
            area(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE),
            area(100, 100, -50, -50),
            VideoArea.builder().area(Rect.of(0, 0, 800, 600)).screenSize(0, -1).build(),
            VideoArea.builder().area(Rect.of(0, 0, 800, 600)).screenSize(Integer.MAX_VALUE, 1).build(),
            VideoArea.builder().area(Rect.of(200, 100, 640, 480)).screenSize(1600, 1200).visibleRegions(many).build(),
        };
        // 1 kHz for one second
        long start = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            overlay.setVideoArea(hostile[i % hostile.length]);
            long next = start + (i + 1) * 1_000_000L;
            while (System.nanoTime() < next) {
                Thread.onSpinWait();
            }
        }
        overlay.setVideoArea(area(200, 100, 640, 480));
        awaitRedAt(100, 50, 320, 240);
        assertThat(overlay.isClosed()).isFalse();
        assertThat(overlay.offeredUpdates()).isGreaterThanOrEqualTo(1001);
        // 16 ms interval: about 65 in the second, never one per offer.
        assertThat(overlay.appliedUpdates()).isLessThan(150);
    }
}
