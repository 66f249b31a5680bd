package io.vmc.engine;

import static io.vmc.engine.CameraPromptTest.call;
import static io.vmc.engine.CameraPromptTest.close;
import static io.vmc.engine.CameraPromptTest.connect;
import static io.vmc.engine.CameraPromptTest.xdotool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.engine.internal.ui.SwingScreenShareConsent;
import io.vmc.transport.VmcEndpoint;
import io.vmc.transport.proto.CreateSession;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.GetStats;
import io.vmc.transport.proto.MediaKind;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.ScreenShareEnded;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.StartScreenShare;
import io.vmc.transport.proto.StreamStats;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real screen-share prompt and capture indicator, as the thin-client user meets them: {@code vmc
 * engine} in its own JVM on a private Xvfb (with a known four-colour guest screen in place of a
 * SPICE display, {@link EngineWithScreenMain}), an agent over a unix socket, a video call to an
 * in-process engine. The test plays the user with xdotool. Denied (Alt+D): the prompt showed a
 * preview of the guest's screen, the app gets PERMISSION_DENIED and not one video packet leaves.
 * Allowed (Alt+S): the peer decodes the share and the capture indicator lists the screen next to
 * the microphone. The user clicks the screen row's Stop: the app hears USER_STOPPED, the row goes,
 * no more video is sent, the microphone stays live. The pixels the
 * peer gets from a real QEMU guest are checked in the integration module's ScreenShareIT.
 */
class ScreenSharePromptTest {
    private static final String INDICATOR = "VMC: in use: ";

    @TempDir Path dir;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void theUserSeesWhatIsSharedDeniesAllowsAndStopsIt() throws Exception {
        try (EngineOnX e = EngineOnX.start(EngineWithScreenMain.class, dir, "screen-share-prompt-test");
             TestEngine b = new TestEngine(880, Files.createDirectories(dir.resolve("b")))) {
            VmcEndpoint agent = e.agent;
            String x = e.x.display;
            e.check(() -> {
                String sa = call(agent, Request.newBuilder().setCreateSession(CreateSession.newBuilder().setAppId("Softphone")
                        .setOptions(SessionOptions.newBuilder().setAudio(true).setVideo(true).setScreenShare(true)
                                .setLabel("weekly review")))).getSessionCreated().getSessionId();
                String sb = b.createSession(SessionOptions.newBuilder().setVideo(true));
                connect(agent, sa, b, sb);

                // 1. the prompt names the app and shows the guest's screen; the user denies
                CompletableFuture<Response> denied = agent.call(share(sa).build());
                awaitWindow(x, SwingScreenShareConsent.TITLE);
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
                    Map<Integer, Long> colours = colours(VideoOverlayCallTest.shot(x));
                    // the preview is the 1024x768 screen scaled into 480x300: each quadrant about 200x150
                    for (int c : List.of(QuadrantScreen.RED, QuadrantScreen.GREEN,
                            QuadrantScreen.BLUE, QuadrantScreen.YELLOW)) {
                        assertThat(colours.getOrDefault(c, 0L)).as("pixels of %06x in the preview", c).isGreaterThan(5000);
                    }
                });
                xdotool(x, "key", "alt+d");
                Response r1 = denied.get(15, TimeUnit.SECONDS);
                assertThat(r1.getError().getCode()).isEqualTo(Error.Code.PERMISSION_DENIED);
                assertThat(r1.getError().getMessage()).contains("the user denied it");
                assertThat(windows(x, SwingScreenShareConsent.TITLE)).isEmpty();
                Thread.sleep(2000); // nothing may come: there is no event to await
                assertThat(video(agent, sa).getPacketsSent()).isZero();
                assertThat(VideoCallTest.video(b, sb).getPacketsReceived()).isZero();

                // 2. asked again, the user shares: the peer decodes the screen, a bar says it is shared
                CompletableFuture<Response> allowed = agent.call(share(sa).build());
                awaitWindow(x, SwingScreenShareConsent.TITLE);
                // Share is armed after a short delay: press until the dialog goes
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(300)).until(() -> {
                    xdotool(x, "key", "alt+s");
                    return windows(x, SwingScreenShareConsent.TITLE).isEmpty();
                });
                Response r2 = allowed.get(15, TimeUnit.SECONDS);
                assertThat(r2.hasError()).as("%s", r2.getError().getMessage()).isFalse();
                await().atMost(Duration.ofSeconds(30)).until(() -> VideoCallTest.video(b, sb).getFramesDecoded() > 5);
                String indicator = awaitWindow(x, INDICATOR + "microphone.*; screen.*");
                assertThat(xdotool(x, "getwindowname", indicator).strip()).isEqualTo(INDICATOR + "microphone \"tone 440.0 Hz\" live"
                        + " for app \"Softphone\"; screen \"the whole screen (1024x768)\" live for app \"Softphone\"");

                // 3. the user clicks Stop on the indicator's second row, the screen (the window takes no keyboard
                // focus); a loaded machine may map it before it takes clicks: click until the stop arrives
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                    if (!userStopped(e.events, sa)) {
                        String geometry = xdotool(x, "getwindowgeometry", "--shell", indicator);
                        int w = shellValue(geometry, "WIDTH");
                        int h = shellValue(geometry, "HEIGHT");
                        // two rows of a grid between 4-pixel borders, 4 pixels apart; Stop at the right end
                        int row = (h - 12) / 2;
                        xdotool(x, "mousemove", "--window", indicator, "" + (w - 30), "" + (8 + row + row / 2), "click", "1");
                    }
                    return userStopped(e.events, sa);
                });
                await().atMost(Duration.ofSeconds(10)).until(() -> windows(x, INDICATOR + "microphone \"tone 440.0 Hz\" live"
                        + " for app \"Softphone\"").size() == 1);
                assertThat(e.events.stream().anyMatch(Event::hasCaptureStopped)).as("the microphone was not stopped").isFalse();
                Thread.sleep(1000);
                long sent = video(agent, sa).getPacketsSent();
                Thread.sleep(2000);
                assertThat(video(agent, sa).getPacketsSent()).as("video packets after Stop").isEqualTo(sent);
                assertThat(e.events.stream().filter(Event::hasScreenShareEnded).count()).isEqualTo(1);
                close(agent, sa);
                b.close(sb);
            });
        }
    }

    private static boolean userStopped(List<Event> events, String sid) {
        return events.stream().anyMatch(ev -> ev.hasScreenShareEnded() && ev.getScreenShareEnded().getSessionId().equals(sid)
                && ev.getScreenShareEnded().getReason() == ScreenShareEnded.Reason.USER_STOPPED);
    }

    private static Request.Builder share(String sid) {
        return Request.newBuilder().setStartScreenShare(StartScreenShare.newBuilder().setSessionId(sid).setMaxFps(5)
                .setTitle("Slides.odp"));
    }

    private static StreamStats video(VmcEndpoint agent, String sid) throws Exception {
        return call(agent, Request.newBuilder().setGetStats(GetStats.newBuilder().setSessionId(sid))).getStats()
                .getStreamsList().stream().filter(s -> s.getKind() == MediaKind.VIDEO).findFirst()
                .orElse(StreamStats.getDefaultInstance());
    }

    /** How many pixels of each of the test screen's four colours the display shows. */
    private static Map<Integer, Long> colours(BufferedImage img) {
        List<Integer> wanted = List.of(QuadrantScreen.RED, QuadrantScreen.GREEN, QuadrantScreen.BLUE,
                QuadrantScreen.YELLOW);
        java.util.List<Integer> seen = new java.util.ArrayList<>();
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y) & 0xffffff;
                if (wanted.contains(rgb)) seen.add(rgb);
            }
        }
        return seen.stream().collect(Collectors.groupingBy(c -> c, Collectors.counting()));
    }

    private static int shellValue(String shell, String key) {
        return shell.lines().filter(l -> l.startsWith(key + "=")).map(l -> Integer.parseInt(l.substring(key.length() + 1).strip()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + key + " in " + shell));
    }

    private static String awaitWindow(String display, String title) {
        String[] found = new String[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            List<String> w = windows(display, title);
            if (w.isEmpty()) return false;
            found[0] = w.get(0);
            return true;
        });
        return found[0];
    }

    /** Ids of visible windows whose whole title matches {@code title}, an extended regular expression. */
    private static List<String> windows(String display, String title) throws IOException, InterruptedException {
        String out = xdotool(display, "search", "--onlyvisible", "--name", "^" + title + "$");
        return out.lines().filter(l -> !l.isBlank()).toList();
    }
}
