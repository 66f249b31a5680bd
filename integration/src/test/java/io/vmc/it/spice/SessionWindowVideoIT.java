package io.vmc.it.spice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.engine.EngineConfig;
import io.vmc.engine.TestEngine;
import io.vmc.it.lab.SessionWindow;
import io.vmc.it.lab.Xvfb;
import io.vmc.overlay.OverlaySupport;
import io.vmc.port.spice.SpiceClient;
import io.vmc.port.spice.SpiceOptions;
import io.vmc.port.spice.SpiceSession;
import io.vmc.transport.proto.GetStats;
import io.vmc.transport.proto.MediaKind;
import io.vmc.transport.proto.Rect;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import io.vmc.transport.proto.SetVideoGeometry;
import io.vmc.transport.proto.StreamStats;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Remote video drawn into real SPICE session windows under Xvfb: the engine's own display window
 * (spice-gtk scales the guest screen to fit, with bars) and remote-viewer's window given by its X11
 * id (a header bar above the picture: insets). Engine B sends a red test pattern; the screenshots
 * must show red exactly where the guest's video area is shown and the guest screen around it.
 * Closing remote-viewer mid-call must leave engine A and its audio running.
 */
@Timeout(300)
class SessionWindowVideoIT {
    private static Xvfb xvfb;

    @BeforeAll
    static void start() throws Exception {
        Prerequisites.require(true, "qemu-system-x86_64", "Xvfb", "import", "xdotool", "xwininfo", "remote-viewer");
        xvfb = Xvfb.shared();
    }

    @Test
    void theEnginesOwnSpiceWindowShowsTheVideoOnTheGuestAreaAndFollowsItsScaling(@TempDir Path a, @TempDir Path b)
            throws Exception {
        try (SpiceQemu qemu = SpiceQemu.start(false, null)) {
            SpiceSession session = SpiceClient.open(SpiceOptions.builder(qemu.uri()).x11Display(xvfb.display())
                    .title("VMC own window video").build(), new RecordingListener());
            try {
                await().atMost(Duration.ofSeconds(60)).until(session::isConnected);
                long xid = session.displayWindowId().orElseThrow();
                OverlaySupport.reclaimErrorHandler(); // as vmc engine --spice does after GTK opened its display
                BufferedImage guest = SpiceDisplayIT.readPpm(qemu.screendump());
                int gw = guest.getWidth();
                int gh = guest.getHeight();
                try (TestEngine ea = new TestEngine(440, a, c -> c.overlayParentWindow(xid).overlayDisplay(xvfb.display()));
                     TestEngine eb = new TestEngine(880, b, c -> c.videoSource(EngineConfig.VideoSource.testPattern("red")))) {
                    String sa = videoCall(ea, eb);
                    // 4:3 like the video: the overlay keeps the picture's aspect ratio inside the area (bars otherwise)
                    Rect area = Rect.newBuilder().setX(gw / 4).setY(gh / 4).setWidth(240).setHeight(180).build();
                    ea.ok(geometry(sa, area, gw, gh));
                    assertVideoAt(xid, new int[4], gw, gh, area);

                    // The user makes the window smaller: spice-gtk scales the guest down, the video follows.
                    xvfb.run("xdotool", "windowsize", Long.toString(xid), "800", "500");
                    await().atMost(Duration.ofSeconds(30)).until(() -> SpiceDisplayIT.geometry(xvfb, xid)[0] == 800);
                    assertVideoAt(xid, new int[4], gw, gh, area);

                    // The softphone window moves, and another guest window covers the right half of
                    // its video area: video only in the left half, the covering window stays on top.
                    Rect moved = area.toBuilder().setX(area.getX() + 100).setY(area.getY() + 40).build();
                    Rect leftHalf = moved.toBuilder().setWidth(moved.getWidth() / 2).build();
                    ea.ok(Request.newBuilder().setSetVideoGeometry(SetVideoGeometry.newBuilder().setSessionId(sa)
                            .setMappingId(1).setArea(moved).addVisible(leftHalf).setScreenWidth(gw).setScreenHeight(gh)));
                    assertVideoAt(xid, new int[4], gw, gh, leftHalf);

                    // Minimised: no visible part, no video anywhere in the area.
                    ea.ok(Request.newBuilder().setSetVideoGeometry(SetVideoGeometry.newBuilder().setSessionId(sa)
                            .setMappingId(1).setArea(moved).setVisibleAll(false).setScreenWidth(gw).setScreenHeight(gh)));
                    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300))
                            .until(() -> window(xid), img -> countRed(img) == 0);
                }
            } finally {
                session.close();
            }
        }
    }

    /**
     * Two monitors, two windows (display channel 0: -vga qxl; channel 1: a secondary-vga, whose
     * "not initialized" picture is a real 640x480 surface, unlike a second QXL without a guest
     * driver, which has none). Without a guest layout the monitors are side by side: an area at
     * x >= the first monitor's width is on the second, drawn in the second window at its place;
     * the first window has no video then. Moved back, the video follows; an explicit monitor works too.
     */
    @Test
    void aVideoAreaOnTheSecondMonitorIsDrawnInTheSecondWindowAndFollowsTheArea(@TempDir Path a, @TempDir Path b)
            throws Exception {
        try (SpiceQemu qemu = SpiceQemu.start(false, null, null, List.of("-device", "secondary-vga,id=vga2"))) {
            SpiceSession session = SpiceClient.open(SpiceOptions.builder(qemu.uri()).x11Display(xvfb.display())
                    .title("VMC two monitors video").build(), new RecordingListener());
            try {
                await().atMost(Duration.ofSeconds(60)).until(session::isConnected);
                await().atMost(Duration.ofSeconds(60)).until(() -> session.displayWindowIds().size() == 2);
                long w1 = session.displayWindowIds().get(0);
                long w2 = session.displayWindowIds().get(1);
                OverlaySupport.reclaimErrorHandler();
                await().atMost(Duration.ofSeconds(60)).until(() -> session.displayMonitors().size() == 2
                        && session.displayMonitors().stream().allMatch(m -> m.width() > 0));
                // side by side on the thin client's screen (no window manager here places them; GTK
                // may size a window again when its display's first picture comes: ask until it holds)
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                    xvfb.run("xdotool", "windowsize", Long.toString(w1), "620", "420");
                    xvfb.run("xdotool", "windowsize", Long.toString(w2), "620", "420");
                    xvfb.run("xdotool", "windowmove", Long.toString(w2), "650", "0");
                    Thread.sleep(500);
                    int[] g1 = SpiceDisplayIT.geometry(xvfb, w1);
                    int[] g2 = SpiceDisplayIT.geometry(xvfb, w2);
                    System.out.println("MONITORS-VIDEO window sizes " + g1[0] + "x" + g1[1] + ", " + g2[0] + "x" + g2[1]);
                    return g1[0] == 620 && g1[1] == 420 && g2[0] == 620 && g2[1] == 420
                            && xvfb.run("xwininfo", "-id", Long.toString(w2)).matches("(?s).*Absolute upper-left X: +650\\s.*");
                });
                // each monitor's size from QEMU itself, not from what the engine reports
                BufferedImage first = SpiceDisplayIT.readPpm(qemu.screendump());
                BufferedImage second = SpiceDisplayIT.readPpm(screendump(qemu, "vga2"));
                int w1w = first.getWidth();
                int w1h = first.getHeight();
                int w2w = second.getWidth();
                int w2h = second.getHeight();
                System.out.println("MONITORS-VIDEO monitors=" + session.displayMonitors() + " qemu=" + w1w + "x" + w1h
                        + "," + w2w + "x" + w2h);
                int deskW = w1w + w2w;
                int deskH = Math.max(w1h, w2h);
                try (TestEngine ea = new TestEngine(440, a, c -> c.overlayParentWindow(w1).overlayDisplay(xvfb.display())
                        .overlayMonitors(session));
                     TestEngine eb = new TestEngine(880, b, c -> c.videoSource(EngineConfig.VideoSource.testPattern("red")))) {
                    String sa = videoCall(ea, eb);
                    // on the second monitor, in desktop coordinates
                    Rect onSecond = Rect.newBuilder().setX(w1w + 160).setY(120).setWidth(240).setHeight(180).build();
                    ea.ok(geometry(sa, onSecond, deskW, deskH));
                    Rect local = onSecond.toBuilder().setX(160).build();
                    assertVideoAt(w2, new int[4], w2w, w2h, local);
                    assertThat(countRed(window(w1))).as("no video in the first monitor's window").isZero();

                    // the softphone moves to the first monitor: the video follows into the first window
                    Rect onFirst = Rect.newBuilder().setX(100).setY(80).setWidth(240).setHeight(180).build();
                    ea.ok(geometry(sa, onFirst, deskW, deskH));
                    assertVideoAt(w1, new int[4], w1w, w1h, onFirst);
                    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300))
                            .until(() -> window(w2), img -> countRed(img) == 0);

                    // an app that names the monitor gives coordinates relative to it
                    Rect relative = Rect.newBuilder().setX(300).setY(200).setWidth(240).setHeight(180).build();
                    ea.ok(onMonitor(geometry(sa, relative, w2w, w2h), 2));
                    assertVideoAt(w2, new int[4], w2w, w2h, relative);
                    assertThat(countRed(window(w1))).as("no video in the first window").isZero();

                    // a monitor the guest does not have: no video anywhere, the call goes on
                    ea.ok(onMonitor(geometry(sa, relative, w2w, w2h), 3));
                    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300))
                            .until(() -> countRed(window(w1)) + countRed(window(w2)) == 0);
                    assertThat(ea.lastState(sa)).isEqualTo(SessionState.State.CONNECTED);
                }
            } finally {
                session.close();
            }
        }
    }

    private static Request.Builder onMonitor(Request.Builder r, int monitor) {
        r.getSetVideoGeometryBuilder().setMonitor(monitor);
        return r;
    }

    /** QEMU's picture of one display device (QMP screendump with device). */
    private static Path screendump(SpiceQemu qemu, String device) throws IOException {
        Path out = qemu.dir().resolve("screendump-" + device + "-" + System.nanoTime() + ".ppm");
        SpiceQemu.qmp(qemu.dir().resolve("qmp.sock"), "{\"execute\":\"screendump\",\"arguments\":{\"filename\":\""
                + out + "\",\"device\":\"" + device + "\"}}");
        await().atMost(Duration.ofSeconds(20)).until(() -> java.nio.file.Files.exists(out) && java.nio.file.Files.size(out) > 0);
        return out;
    }

    @Test
    void remoteViewerGivenByWindowIdHostsTheVideoAndClosingItLeavesTheCallRunning(@TempDir Path a, @TempDir Path b)
            throws Exception {
        try (SpiceQemu qemu = SpiceQemu.start(false, null)) {
            ProcessBuilder pb = new ProcessBuilder("remote-viewer", qemu.uri()).redirectErrorStream(true)
                    .redirectOutput(qemu.dir().resolve("remote-viewer.log").toFile());
            pb.environment().put("DISPLAY", xvfb.display());
            Process viewer = pb.start();
            try {
                long xid = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                        .until(() -> viewerWindow(viewer.pid()), id -> id != 0);
                BufferedImage guest = SpiceDisplayIT.readPpm(qemu.screendump());
                int gw = guest.getWidth();
                int gh = guest.getHeight();
                // Where remote-viewer draws the guest inside its window: what a user passes as --overlay-insets.
                int[] insets = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                        .until(() -> pictureInsets(window(xid), gw, gh), i -> i != null);
                try (TestEngine ea = new TestEngine(440, a, c -> c.overlayParentWindow(xid).overlayDisplay(xvfb.display())
                        .overlayInsets(insets[0], insets[1], insets[2], insets[3]));
                     TestEngine eb = new TestEngine(880, b, c -> c.videoSource(EngineConfig.VideoSource.testPattern("red")))) {
                    String sa = videoCall(ea, eb);
                    Rect area = Rect.newBuilder().setX(gw / 2).setY(gh / 3).setWidth(200).setHeight(150).build();
                    ea.ok(geometry(sa, area, gw, gh));
                    assertVideoAt(xid, insets, gw, gh, area);

                    // The user closes the viewer mid-call: the engine stays, the call goes on with audio.
                    viewer.destroy();
                    assertThat(viewer.waitFor(20, TimeUnit.SECONDS)).isTrue();
                    long before = stream(ea, sa, MediaKind.AUDIO).getPacketsReceived();
                    Thread.sleep(3000);
                    assertThat(ea.lastState(sa)).isEqualTo(SessionState.State.CONNECTED);
                    assertThat(stream(ea, sa, MediaKind.AUDIO).getPacketsReceived()).as("audio still arrives")
                            .isGreaterThan(before + 50);
                    // and a geometry update for the vanished window is answered, not fatal
                    ea.call(geometry(sa, area, gw, gh));
                    assertThat(stream(ea, sa, MediaKind.AUDIO).getPacketsReceived()).isGreaterThan(before + 50);
                }
            } finally {
                viewer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** A connected video call from A to B; returns A's session id once A decodes B's video. */
    static String videoCall(TestEngine ea, TestEngine eb) {
        String sa = ea.createSession(SessionOptions.newBuilder().setVideo(true));
        String sb = eb.createSession(SessionOptions.newBuilder().setVideo(true));
        ea.setAnswer(sa, eb.answer(sb, ea.offer(sa)));
        ea.awaitState(sa, SessionState.State.CONNECTED);
        await().atMost(Duration.ofSeconds(30)).until(() -> stream(ea, sa, MediaKind.VIDEO).getFramesDecoded() > 10);
        return sa;
    }

    private static StreamStats stream(TestEngine e, String sid, MediaKind kind) {
        return e.ok(Request.newBuilder().setGetStats(GetStats.newBuilder().setSessionId(sid))).getStats()
                .getStreamsList().stream().filter(s -> s.getKind() == kind).findFirst().orElse(StreamStats.getDefaultInstance());
    }

    static Request.Builder geometry(String sid, Rect area, int gw, int gh) {
        return Request.newBuilder().setSetVideoGeometry(SetVideoGeometry.newBuilder().setSessionId(sid).setMappingId(1)
                .setArea(area).setVisibleAll(true).setScreenWidth(gw).setScreenHeight(gh));
    }

    /**
     * Red inside the guest area as the window shows it (fit with bars inside the insets), and not red
     * just outside it; a few pixels of margin absorb scaling's rounding.
     */
    static void assertVideoAt(long xid, int[] insets, int gw, int gh, Rect area) throws Exception {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            BufferedImage img = window(xid);
            double dw = img.getWidth() - insets[0] - insets[2];
            double dh = img.getHeight() - insets[1] - insets[3];
            double s = Math.min(dw / gw, dh / gh);
            double ox = insets[0] + (dw - gw * s) / 2;
            double oy = insets[1] + (dh - gh * s) / 2;
            int x0 = (int) Math.round(ox + area.getX() * s);
            int y0 = (int) Math.round(oy + area.getY() * s);
            int x1 = (int) Math.round(ox + (area.getX() + area.getWidth()) * s) - 1;
            int y1 = (int) Math.round(oy + (area.getY() + area.getHeight()) * s) - 1;
            int m = 3;
            for (int[] p : new int[][] {{x0 + m, y0 + m}, {x1 - m, y0 + m}, {x0 + m, y1 - m}, {x1 - m, y1 - m},
                    {(x0 + x1) / 2, (y0 + y1) / 2}}) {
                assertThat(isRed(img.getRGB(p[0], p[1]))).as("red at %d,%d in %dx%d window (area %d,%d-%d,%d)",
                        p[0], p[1], img.getWidth(), img.getHeight(), x0, y0, x1, y1).isTrue();
            }
            for (int[] p : new int[][] {{x0 - m - 1, (y0 + y1) / 2}, {x1 + m + 1, (y0 + y1) / 2},
                    {(x0 + x1) / 2, y0 - m - 1}, {(x0 + x1) / 2, y1 + m + 1}}) {
                assertThat(isRed(img.getRGB(p[0], p[1]))).as("guest screen, not video, at %d,%d", p[0], p[1]).isFalse();
            }
        });
    }

    /**
     * Left, top, right, bottom insets of the guest picture in the viewer's window: the guest shows
     * SeaBIOS on black, the viewer's header bar and borders are not black. Null until the picture is there.
     */
    private static int[] pictureInsets(BufferedImage img, int gw, int gh) {
        int midY = img.getHeight() - 20;
        int right = img.getWidth() - 20;
        int top = -1;
        for (int y = 0; y < img.getHeight() && top < 0; y++) {
            if ((img.getRGB(right, y) & 0xffffff) == 0) top = y;
        }
        int left = -1;
        for (int x = 0; x < img.getWidth() && left < 0; x++) {
            if ((img.getRGB(x, midY) & 0xffffff) == 0) left = x;
        }
        int bottom = -1;
        for (int y = img.getHeight() - 1; y >= 0 && bottom < 0; y--) {
            if ((img.getRGB(right, y) & 0xffffff) == 0) bottom = img.getHeight() - 1 - y;
        }
        int rightInset = -1;
        for (int x = img.getWidth() - 1; x >= 0 && rightInset < 0; x--) {
            if ((img.getRGB(x, midY) & 0xffffff) == 0) rightInset = img.getWidth() - 1 - x;
        }
        if (top < 0 || left < 0 || bottom < 0 || rightInset < 0) return null;
        // the picture found must have the guest's shape (fit may add bars, which are black too)
        double w = img.getWidth() - left - rightInset;
        double h = img.getHeight() - top - bottom;
        return Math.abs(w / h - (double) gw / gh) < 0.05 || w >= gw ? new int[] {left, top, rightInset, bottom} : null;
    }

    private static long viewerWindow(long pid) {
        try {
            long best = 0;
            int bestArea = 0;
            for (String id : xvfb.run("xdotool", "search", "--onlyvisible", "--pid", Long.toString(pid)).split("\\s+")) {
                if (id.isBlank()) continue;
                long xid = Long.parseLong(id.trim());
                int[] s = SpiceDisplayIT.geometry(xvfb, xid);
                if (s[0] * s[1] > bestArea) {
                    bestArea = s[0] * s[1];
                    best = xid;
                }
            }
            return bestArea > 100 * 100 ? best : 0;
        } catch (Exception notYet) {
            return 0;
        }
    }

    static BufferedImage window(long xid) throws IOException, InterruptedException {
        return SessionWindow.screenshot(Xvfb.shared().display(), xid);
    }

    static int countRed(BufferedImage img) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                if (isRed(img.getRGB(x, y))) n++;
            }
        }
        return n;
    }

    private static boolean isRed(int argb) {
        int rgb = argb & 0xffffff;
        return (rgb >> 16 & 0xff) > 200 && (rgb >> 8 & 0xff) < 60 && (rgb & 0xff) < 60;
    }
}
