package io.vmc.overlay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.overlay.internal.GeometryMapper;
import io.vmc.overlay.internal.Placement;
import io.vmc.overlay.testing.Processes;
import io.vmc.overlay.testing.Screen;
import io.vmc.overlay.testing.Screen.Shot;
import io.vmc.overlay.testing.Tools;
import io.vmc.overlay.testing.Xvfb;
import java.io.File;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.State;
import org.freedesktop.gstreamer.Version;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Against a real SPICE session window: QEMU (SeaBIOS on QXL, text mode 720x400) shown by
 * remote-viewer under a private Xvfb, attached by window id as found by {@code xdotool}. The guest
 * image is black; remote-viewer's bars are grey; the overlay draws red. One test walks through
 * show, partial cover, hide, scaling and the session window closing, since it shares one viewer.
 */
@Timeout(180)
class SpiceSessionOverlayIT {

    /** SeaBIOS's VGA text mode. */
    static final int GUEST_W = 720;
    static final int GUEST_H = 400;

    static Xvfb xvfb;
    static Process qemu;
    static Process viewer;
    static Map<String, String> env;
    static File logDir;

    @BeforeAll
    static void start() throws Exception {
        Tools.require("qemu-system-x86_64", "remote-viewer", "xdotool");
        xvfb = Xvfb.start(1280, 800);
        assertThat(OverlaySupport.initialize()).isTrue();
        if (!Gst.isInitialized()) {
            Gst.init(Version.of(1, 16), "spice-it", "--gst-disable-segtrap") /* as the engine\'s GstSupport.init: no GStreamer SIGSEGV handler in a JVM */;
        }
        logDir = Files.createTempDirectory("vmc-overlay-spice").toFile();
        int port = Processes.freeLoopbackPort();
        qemu = Processes.start(List.of("qemu-system-x86_64", "-machine", "q35", "-accel", "tcg", "-m", "256",
                "-nodefaults", "-vga", "qxl", "-spice", "port=" + port + ",addr=127.0.0.1,disable-ticketing=on",
                "-display", "none"), Map.of(), new File(logDir, "qemu.log"));
        env = Map.of("DISPLAY", xvfb.display(), "GDK_BACKEND", "x11", "NO_AT_BRIDGE", "1");
        // QEMU listens shortly after start; remote-viewer retries on its own only when told, so wait for the port.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return s.isConnected();
            } catch (java.io.IOException e) {
                return false;
            }
        });
        viewer = Processes.start(List.of("remote-viewer", "spice://127.0.0.1:" + port), env,
                new File(logDir, "remote-viewer.log"));
    }

    @AfterAll
    static void stop() throws Exception {
        Processes.stop(viewer);
        Processes.stop(qemu);
        if (xvfb != null) {
            xvfb.close();
        }
    }

    static long findSessionWindow() {
        AtomicReference<Long> id = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
            String out = Processes.output(env, "xdotool", "search", "--name", "QEMU");
            if (out.isEmpty()) {
                return false;
            }
            String[] lines = out.split("\\s+");
            id.set(Long.parseLong(lines[lines.length - 1]));
            return true;
        });
        return id.get();
    }

    static boolean isBlack(int c) {
        return c == 0;
    }

    /** The guest image: the black rectangle, found along a column and a row clear of SeaBIOS's text. */
    static Rect guestImage(Shot s, int windowWidth, int windowHeight) {
        int x = windowWidth - 40;
        int top = -1;
        int bottom = -1;
        for (int y = 0; y < windowHeight; y++) {
            if (isBlack(s.rgb(x, y))) {
                if (top < 0) {
                    top = y;
                }
                bottom = y;
            }
        }
        if (top < 0) {
            return Rect.of(0, 0, 0, 0);
        }
        int y = bottom - 10;
        int left = -1;
        int right = -1;
        for (int i = 0; i < windowWidth; i++) {
            if (isBlack(s.rgb(i, y))) {
                if (left < 0) {
                    left = i;
                }
                right = i;
            }
        }
        return Rect.of(left, top, right - left + 1, bottom - top + 1);
    }

    static int[] windowSize(long id) {
        String out = Processes.output(env, "xdotool", "getwindowgeometry", "--shell", Long.toString(id));
        int w = 0;
        int h = 0;
        for (String line : out.split("\n")) {
            if (line.startsWith("WIDTH=")) {
                w = Integer.parseInt(line.substring(6));
            } else if (line.startsWith("HEIGHT=")) {
                h = Integer.parseInt(line.substring(7));
            }
        }
        return new int[] {w, h};
    }

    static void awaitOverlay(Screen screen, Shot baseline, Rect red, List<Rect> untouched) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            Shot s = screen.shot();
            s.save(new File("target/spice-last-shot.png"));
            if (red != null) {
                assertThat(s.countNot(red.x(), red.y(), red.width(), red.height(), 1, Shot::isRed))
                        .as("non-red pixels in %s", red).isZero();
                // a ring 2..8 px around the rectangle is exactly as before
                Rect outer = Rect.of(red.x() - 8, red.y() - 8, red.width() + 16, red.height() + 16);
                int bad = 0;
                for (int j = outer.y(); j < outer.y() + outer.height(); j++) {
                    for (int i = outer.x(); i < outer.x() + outer.width(); i++) {
                        boolean near = i >= red.x() - 2 && i < red.x() + red.width() + 2 && j >= red.y() - 2
                                && j < red.y() + red.height() + 2;
                        if (!near && s.rgb(i, j) != baseline.rgb(i, j)) {
                            bad++;
                        }
                    }
                }
                assertThat(bad).as("changed pixels around %s", red).isZero();
            }
            for (Rect u : untouched) {
                int bad = 0;
                for (int j = u.y() + 1; j < u.y() + u.height() - 1; j++) {
                    for (int i = u.x() + 1; i < u.x() + u.width() - 1; i++) {
                        if (s.rgb(i, j) != baseline.rgb(i, j)) {
                            bad++;
                        }
                    }
                }
                assertThat(bad).as("changed pixels in %s", u).isZero();
            }
        });
    }

    @Test
    void drawsIntoTheSessionWindowFollowsItAndSurvivesItsEnd() throws Exception {
        Screen screen = new Screen(xvfb.display());
        long session = findSessionWindow();
        int[] size = windowSize(session);
        // The display widget shows the guest 1:1 at first: find where, to learn the widget's insets.
        AtomicReference<Rect> image = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
            int[] sz = windowSize(session);
            size[0] = sz[0];
            size[1] = sz[1];
            image.set(guestImage(screen.shot(), sz[0], sz[1]));
            return image.get().width() == GUEST_W && image.get().height() == GUEST_H;
        });
        Rect img = image.get();
        int[] insets = {img.x(), img.y(), size[0] - img.x() - GUEST_W, size[1] - img.y() - GUEST_H};

        AtomicBoolean destroyed = new AtomicBoolean();
        VideoOverlay overlay = VideoOverlay.attach(OverlayOptions.builder().parentWindow(session)
                .displayName(xvfb.display()).displayInsets(insets[0], insets[1], insets[2], insets[3])
                .listener(new OverlayListener() {
                    @Override
                    public void parentDestroyed(VideoOverlay o) {
                        destroyed.set(true);
                    }
                }).build());
        Pipeline pipeline = new Pipeline("spice-it");
        try {
            Bin src = Gst.parseBinFromDescription("videotestsrc pattern=red is-live=true"
                    + " ! capsfilter caps=video/x-raw,width=640,height=320,framerate=30/1", true); // the pane's 2:1
            Bin sink = overlay.sink();
            pipeline.addMany(src, sink);
            assertThat(Element.linkMany(src, sink)).isTrue();
            pipeline.play();

            Shot baseline = screen.shot();
            VideoArea pane = VideoArea.builder().area(Rect.of(360, 200, 320, 160)).screenSize(GUEST_W, GUEST_H).build();
            Rect at = Rect.of(img.x() + 360, img.y() + 200, 320, 160);
            overlay.setVideoArea(pane);
            awaitOverlay(screen, baseline, at, List.of());

            // Partly covered in the guest: the right half belongs to another guest window again.
            overlay.setVideoArea(VideoArea.builder().area(Rect.of(360, 200, 320, 160)).screenSize(GUEST_W, GUEST_H)
                    .visibleRegions(List.of(Rect.of(360, 200, 160, 160))).build());
            awaitOverlay(screen, baseline, Rect.of(at.x(), at.y(), 160, 160),
                    List.of(Rect.of(at.x() + 160, at.y(), 160, 160)));

            overlay.clearVideoArea(); // minimised
            awaitOverlay(screen, baseline, null, List.of(at));
            overlay.setVideoArea(pane);
            awaitOverlay(screen, baseline, at, List.of());

            // The session window grows: remote-viewer scales the guest up with bars; the overlay follows.
            overlay.clearVideoArea();
            awaitOverlay(screen, baseline, null, List.of(at));
            Processes.output(env, "xdotool", "windowsize", Long.toString(session), "1010", "656");
            Rect display = Rect.of(insets[0], insets[1], 1010 - insets[0] - insets[2], 656 - insets[1] - insets[3]);
            Placement whole = GeometryMapper.map(VideoArea.builder().area(Rect.of(0, 0, GUEST_W, GUEST_H))
                    .screenSize(GUEST_W, GUEST_H).build(), display, ScalingMode.FIT);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> {
                        // Scaled edges are interpolated, not pure black: the image found may be 1 px smaller per side.
                        Rect found = guestImage(screen.shot(), 1010, 656);
                        Rect want = whole.window();
                        assertThat(found.x()).as("left of %s", found).isBetween(want.x(), want.x() + 1);
                        assertThat(found.y()).as("top of %s", found).isBetween(want.y(), want.y() + 1);
                        assertThat(found.x() + found.width()).as("right of %s", found)
                                .isBetween(want.x() + want.width() - 1, want.x() + want.width());
                        assertThat(found.y() + found.height()).as("bottom of %s", found)
                                .isBetween(want.y() + want.height() - 1, want.y() + want.height());
                    });
            Shot scaledBaseline = screen.shot();
            overlay.setVideoArea(pane);
            Rect scaled = GeometryMapper.map(pane, display, ScalingMode.FIT).window();
            assertThat(scaled.width()).isGreaterThan(320);
            awaitOverlay(screen, scaledBaseline, scaled, List.of());

            // The session window closes mid-call: the overlay closes itself, the JVM and the pipeline go on.
            Processes.stop(viewer);
            await().atMost(Duration.ofSeconds(10)).until(overlay::isClosed);
            assertThat(destroyed).isTrue();
            assertThat(pipeline.getState(0)).isEqualTo(State.PLAYING);
        } finally {
            pipeline.setState(State.NULL);
            pipeline.dispose();
            overlay.close();
        }
    }
}
