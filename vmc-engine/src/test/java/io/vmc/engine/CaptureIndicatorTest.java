package io.vmc.engine;

import static io.vmc.engine.CameraPromptTest.close;
import static io.vmc.engine.CameraPromptTest.connect;
import static io.vmc.engine.CameraPromptTest.xdotool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.transport.VmcEndpoint;
import io.vmc.transport.proto.CaptureKind;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SetMute;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The capture indicator as the user meets it: {@code vmc engine} in its own JVM on a private Xvfb,
 * an agent over a unix socket, a real call to an in-process engine that hears our 440 Hz tone (the
 * engine's microphone here). The indicator appears when the call's microphone goes live, its title
 * names the app and the device; the test clicks Stop with xdotool: the far side then hears silence
 * (packets keep coming, level below -70 dBov), the app gets CaptureStopped, and the guest's
 * SetMute(false) is refused with a reason. A second call's indicator goes away when the call ends.
 */
class CaptureIndicatorTest {
    private static final String TITLE = "VMC: in use";

    @TempDir Path dir;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void theUserSeesAndStopsTheMicrophone() throws Exception {
        try (EngineOnX e = EngineOnX.start(dir, "capture-indicator-test");
             TestEngine b = new TestEngine(880, Files.createDirectories(dir.resolve("b")))) {
            VmcEndpoint agent = e.agent;
            String x = e.x.display;
            e.check(() -> {
                assertThat(indicators(x)).as("no capture before a call").isEmpty();

                // 1. a call: the indicator names the app and the microphone; the far side hears the tone
                String s1 = e.create("Softphone", false, "call");
                String sb1 = b.createSession(SessionOptions.newBuilder());
                connect(agent, s1, b, sb1);
                String window = awaitIndicator(x);
                assertThat(xdotool(x, "getwindowname", window).strip())
                        .isEqualTo(TITLE + ": microphone \"tone 440.0 Hz\" live for app \"Softphone\"");
                await().atMost(Duration.ofSeconds(30)).until(() -> b.stats(sb1).getAudioLevelDbov() > -30);
                await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(e.log)
                        .contains("vmc engine: status: microphone \"tone 440.0 Hz\" live for app \"Softphone\""));
                assertThat(xdotool(x, "search", "--onlyvisible", "--name", "^VMC engine$")).as("status window").isNotBlank();

                // 2. the user clicks Stop: the app is told, the far side hears silence, the window goes
                // a loaded machine may map the window before it takes clicks: click until the stop arrives
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                    if (!micStopped(e.events, s1) && !indicators(x).isEmpty()) clickStop(x, window);
                    return micStopped(e.events, s1);
                });
                await().atMost(Duration.ofSeconds(30)).until(() -> indicators(x).isEmpty());
                await().atMost(Duration.ofSeconds(30)).until(() -> b.stats(sb1).getAudioLevelDbov() < -70);
                long before = b.stats(sb1).getPacketsReceived();
                await().atMost(Duration.ofSeconds(30)).until(() -> b.stats(sb1).getPacketsReceived() > before + 20);

                // 3. the guest cannot undo it
                Response unmute = agent.call(Request.newBuilder().setSetMute(SetMute.newBuilder().setSessionId(s1).setMuted(false))
                        .build()).get(15, TimeUnit.SECONDS);
                assertThat(unmute.getError().getCode()).isEqualTo(Error.Code.PERMISSION_DENIED);
                assertThat(unmute.getError().getMessage()).contains("the user stopped the microphone on the thin client");
                long after = b.stats(sb1).getPacketsReceived();
                await().atMost(Duration.ofSeconds(30)).until(() -> b.stats(sb1).getPacketsReceived() > after + 50);
                assertThat(b.stats(sb1).getAudioLevelDbov()).as("still silent after the guest tried to unmute").isLessThan(-70);
                assertThat(indicators(x)).isEmpty();
                close(agent, s1);
                b.close(sb1);

                // 4. a new call starts with its microphone (and the indicator); ending the call takes it down
                String s2 = e.create("Other app", false, "call");
                String sb2 = b.createSession(SessionOptions.newBuilder());
                connect(agent, s2, b, sb2);
                String w2 = awaitIndicator(x);
                assertThat(xdotool(x, "getwindowname", w2)).contains("live for app \"Other app\"");
                await().atMost(Duration.ofSeconds(30)).until(() -> b.stats(sb2).getAudioLevelDbov() > -30);
                close(agent, s2);
                await().atMost(Duration.ofSeconds(30)).until(() -> indicators(x).isEmpty());
                b.close(sb2);
                assertThat(e.engine.isAlive()).isTrue();
            });
        }
    }

    private static boolean micStopped(List<Event> events, String sid) {
        return events.stream().anyMatch(ev -> ev.hasCaptureStopped() && ev.getCaptureStopped().getSessionId().equals(sid)
                && ev.getCaptureStopped().getKind() == CaptureKind.CAPTURE_MICROPHONE
                && ev.getCaptureStopped().getReason().contains("stopped by the user on the thin client"));
    }

    private static String awaitIndicator(String display) {
        String[] found = new String[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            List<String> w = indicators(display);
            if (w.size() != 1) return false;
            found[0] = w.get(0);
            return true;
        });
        return found[0];
    }

    /** Ids of visible windows titled like the indicator. */
    private static List<String> indicators(String display) throws IOException, InterruptedException {
        return xdotool(display, "search", "--onlyvisible", "--name", "^" + TITLE).lines().filter(l -> !l.isBlank()).toList();
    }

    /** Clicks the indicator's Stop button: the right end of its only row. */
    private static void clickStop(String display, String window) throws IOException, InterruptedException {
        String g = xdotool(display, "getwindowgeometry", window);
        Matcher m = Pattern.compile("Geometry: (\\d+)x(\\d+)").matcher(g);
        assertThat(m.find()).as("geometry of the indicator: %s", g).isTrue();
        int w = Integer.parseInt(m.group(1));
        int h = Integer.parseInt(m.group(2));
        xdotool(display, "mousemove", "--window", window, String.valueOf(w - 30), String.valueOf(h / 2), "click", "1");
    }
}
