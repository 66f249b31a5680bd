package io.vmc.it.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.agent.web.SecretFiles;
import io.vmc.engine.EngineConfig;
import io.vmc.engine.TestEngine;
import io.vmc.it.browser.BrowserDriver;
import io.vmc.it.lab.Ports;
import io.vmc.it.lab.SessionWindow;
import io.vmc.it.lab.VmcProcess;
import io.vmc.it.lab.WebApiAgentd;
import io.vmc.it.lab.Xvfb;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web SDK's video placement on a real screen: a page in Chromium (a visible window under Xvfb)
 * makes a VMC call that receives a red test pattern and maps its {@code <video>} element with
 * {@code mapVideoElement}; the engine (its own process, overlay parent: the X screen, which stands
 * for the guest desktop shown 1:1) must draw red exactly where the element is on the screenshot,
 * found from the page's pixels (the element is lime on a blue page), not from the SDK's arithmetic,
 * and follow it when the page moves it.
 */
@Timeout(240)
class VideoOverlayIT {
    private static Xvfb xvfb;
    @TempDir
    Path dir;
    private final List<AutoCloseable> running = new ArrayList<>();

    @BeforeAll
    static void prerequisites() throws Exception {
        String missing = Xvfb.missing("Xvfb", "import", "xwininfo", "chromium", "node").orElse(null);
        if (missing != null) {
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail(missing + " (CI=true: the overlay test must run)");
            }
            Assumptions.abort(missing);
        }
        xvfb = Xvfb.shared();
    }

    @AfterEach
    void stopAll() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
        // the logs of the last run, for a failure in CI: target/video-overlay-logs
        Path keep = Files.createDirectories(Path.of("target", "video-overlay-logs"));
        for (String log : List.of("engine.log", "agentd.log", "browser/browser.log")) {
            if (Files.exists(dir.resolve(log))) {
                Files.copy(dir.resolve(log), keep.resolve(log.replace('/', '-')), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @Test
    void theOverlayDrawsTheRemoteVideoExactlyOverThePagesVideoElementAndFollowsIt() throws Exception {
        long root = rootWindow();
        Path channel = dir.resolve("channel.sock");
        Path agentSocket = dir.resolve("agent.sock");
        List<String> engine = new ArrayList<>(List.of("engine", "--channel", "unix-listen:" + channel, "--ice-address", "127.0.0.1",
                "--tone", "440", "--speaker", "none", "--camera-policy", "deny", "--overlay-window", Long.toString(root)));
        engine.addAll(io.vmc.it.demo.LoopbackPolicy.engineOptions(dir));
        running.add(VmcProcess.start("engine", null, dir.resolve("engine.log"), l -> { }, engine, Map.of("DISPLAY", xvfb.display())));
        int httpPort = Ports.freeTcpPort();
        WebApiAgentd agentd = WebApiAgentd.start(dir, channel, agentSocket, "http://127.0.0.1:" + httpPort);
        running.add(agentd);
        SecretFiles.Connection web = agentd.web();

        TestEngine far = new TestEngine(880, Files.createDirectories(dir.resolve("far")),
                c -> c.videoSource(EngineConfig.VideoSource.testPattern("red")));
        running.add(far);
        BrowserDriver browser = new BrowserDriver(Files.createDirectories(dir.resolve("browser")), httpPort, null, null, xvfb.display());
        running.add(browser);
        browser.open("page", "video/");
        browser.await("page", "window.pageReady === true", 60);

        // Where the element is on the screen, from the pixels: the lime rectangle.
        Rectangle element = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> find(screen(), VideoOverlayIT::isLime), r -> r != null && r.width > 100);
        assertThat(element.getSize()).as("the element at devicePixelRatio 1").isEqualTo(new java.awt.Dimension(320, 240));

        // The call: the page offers to receive video, the far engine answers with its red pattern.
        try (io.vmc.agent.api.Vmc vmc = io.vmc.agent.api.Vmc.connect(agentSocket)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> vmc.mode() == io.vmc.agent.api.Mode.OPTIMIZED);
        }
        String offer = browser.eval("page", "overlayPage.call(" + js(web.url()) + ", " + js(web.secret()) + ")").getAsString();
        assertThat(offer).contains("m=video");
        String sid = far.createSession(SessionOptions.newBuilder().setAudio(true).setVideo(true));
        browser.eval("page", "overlayPage.accept(" + js(far.answer(sid, offer)) + ")");
        // The page only receives (recvonly), so the far end's call is send-only by design: CONNECTED,
        // not ON_HOLD (the page holds nothing).
        await().atMost(Duration.ofSeconds(30)).until(() -> far.lastState(sid) == SessionState.State.CONNECTED);

        assertRedExactlyAt(element);

        // The page moves the element: the overlay follows, and the old place shows the page again.
        browser.eval("page", "overlayPage.move(430, 300)");
        Rectangle moved = new Rectangle(element.x + 200, element.y + 130, element.width, element.height);
        assertRedExactlyAt(moved);
        BufferedImage after = screen();
        assertThat(isRed(after.getRGB(element.x + 5, element.y + 5))).as("the element's old top-left corner").isFalse();
    }

    /** Red inside {@code r} (a few pixels in from each edge) and nowhere just outside it. */
    private static void assertRedExactlyAt(Rectangle r) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            BufferedImage img = screen();
            Rectangle red = find(img, VideoOverlayIT::isRed);
            assertThat(red).as("the red picture on the screen").isNotNull();
            // the overlay's rectangle is the element's, within 2 px of rounding
            assertThat(Math.abs(red.x - r.x)).as("left edge: red %s, element %s", red, r).isLessThanOrEqualTo(2);
            assertThat(Math.abs(red.y - r.y)).as("top edge: red %s, element %s", red, r).isLessThanOrEqualTo(2);
            assertThat(Math.abs(red.width - r.width)).as("width: red %s, element %s", red, r).isLessThanOrEqualTo(2);
            assertThat(Math.abs(red.height - r.height)).as("height: red %s, element %s", red, r).isLessThanOrEqualTo(2);
        });
    }

    /** The bounding box of the pixels that match, or null; stray pixels elsewhere would widen it and fail the checks. */
    private static Rectangle find(BufferedImage img, java.util.function.IntPredicate colour) {
        int x0 = Integer.MAX_VALUE;
        int y0 = Integer.MAX_VALUE;
        int x1 = -1;
        int y1 = -1;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if (colour.test(img.getRGB(x, y))) {
                    x0 = Math.min(x0, x);
                    y0 = Math.min(y0, y);
                    x1 = Math.max(x1, x);
                    y1 = Math.max(y1, y);
                }
            }
        }
        return x1 < 0 ? null : new Rectangle(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
    }

    private static BufferedImage screen() throws Exception {
        return SessionWindow.screenshot(xvfb.display(), rootWindow());
    }

    private static long rootWindow() throws Exception {
        Matcher m = Pattern.compile("Window id: (0x[0-9a-f]+)").matcher(xvfb.run("xwininfo", "-root"));
        assertThat(m.find()).isTrue();
        return Long.decode(m.group(1));
    }

    private static boolean isRed(int argb) {
        return (argb >> 16 & 0xff) > 200 && (argb >> 8 & 0xff) < 60 && (argb & 0xff) < 60;
    }

    private static boolean isLime(int argb) {
        return (argb >> 16 & 0xff) < 40 && (argb >> 8 & 0xff) > 220 && (argb & 0xff) < 40;
    }

    private static String js(String s) {
        return new com.google.gson.Gson().toJson(s);
    }
}
