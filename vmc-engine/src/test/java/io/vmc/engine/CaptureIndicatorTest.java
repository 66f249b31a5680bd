package io.vmc.engine;

import static io.vmc.engine.CameraPromptTest.call;
import static io.vmc.engine.CameraPromptTest.close;
import static io.vmc.engine.CameraPromptTest.connect;
import static io.vmc.engine.CameraPromptTest.tail;
import static io.vmc.engine.CameraPromptTest.xdotool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.engine.VideoOverlayCallTest.XServer;
import io.vmc.transport.VmcEndpoint;
import io.vmc.transport.proto.CaptureKind;
import io.vmc.transport.proto.CreateSession;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.Hello;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SetMute;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
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
        Tools.require("Xvfb");
        Tools.require("xdotool");
        Path sock = dir.resolve("engine.sock");
        Path log = dir.resolve("engine.log");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<Event> events = new CopyOnWriteArrayList<>();
        Process child = null;
        Path policy = Files.writeString(dir.resolve("engine.conf"), TestEngine.LOOPBACK_POLICY);
        try (XServer x = XServer.start()) {
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", cp, "io.vmc.engine.EngineCommand", "--channel", "unix-listen:" + sock, "--policy", policy.toString(),
                    "--ice-address", "127.0.0.1", "--tone", "440", "--speaker", "none")
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("DISPLAY", x.display);
            child = pb.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(sock));
            try (TestEngine b = new TestEngine(880, Files.createDirectories(dir.resolve("b")));
                 VmcEndpoint agent = VmcEndpoint.builder().channel("unix:" + sock).role(Hello.Role.ROLE_AGENTD)
                         .software("capture-indicator-test").eventSink(events::add)
                         .requestHandler(r -> CompletableFuture.completedFuture(Response.newBuilder()
                                 .setEmpty(io.vmc.transport.proto.Empty.getDefaultInstance()).build()))
                         .build()) {
                agent.start().get(30, TimeUnit.SECONDS);
                assertThat(indicators(x.display)).as("no capture before a call").isEmpty();

                // 1. a call: the indicator names the app and the microphone; the far side hears the tone
                String s1 = create(agent, "Softphone");
                String sb1 = b.createSession(SessionOptions.newBuilder());
                connect(agent, s1, b, sb1);
                String window = awaitIndicator(x.display);
                assertThat(xdotool(x.display, "getwindowname", window).strip())
                        .isEqualTo(TITLE + ": microphone \"tone 440.0 Hz\" live for app \"Softphone\"");
                await().atMost(Duration.ofSeconds(10)).until(() -> b.stats(sb1).getAudioLevelDbov() > -30);
                await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(log)
                        .contains("vmc engine: status: microphone \"tone 440.0 Hz\" live for app \"Softphone\""));
                assertThat(xdotool(x.display, "search", "--onlyvisible", "--name", "^VMC engine$")).as("status window").isNotBlank();

                // 2. the user clicks Stop: the app is told, the far side hears silence, the window goes
                clickStop(x.display, window);
                await().atMost(Duration.ofSeconds(10)).until(() -> events.stream().anyMatch(e -> e.hasCaptureStopped()
                        && e.getCaptureStopped().getSessionId().equals(s1)
                        && e.getCaptureStopped().getKind() == CaptureKind.CAPTURE_MICROPHONE
                        && e.getCaptureStopped().getReason().contains("stopped by the user on the thin client")));
                await().atMost(Duration.ofSeconds(10)).until(() -> indicators(x.display).isEmpty());
                await().atMost(Duration.ofSeconds(10)).until(() -> b.stats(sb1).getAudioLevelDbov() < -70);
                long before = b.stats(sb1).getPacketsReceived();
                await().atMost(Duration.ofSeconds(10)).until(() -> b.stats(sb1).getPacketsReceived() > before + 20);

                // 3. the guest cannot undo it
                Response unmute = agent.call(Request.newBuilder().setSetMute(SetMute.newBuilder().setSessionId(s1).setMuted(false))
                        .build()).get(15, TimeUnit.SECONDS);
                assertThat(unmute.getError().getCode()).isEqualTo(Error.Code.PERMISSION_DENIED);
                assertThat(unmute.getError().getMessage()).contains("the user stopped the microphone on the thin client");
                long after = b.stats(sb1).getPacketsReceived();
                await().atMost(Duration.ofSeconds(10)).until(() -> b.stats(sb1).getPacketsReceived() > after + 50);
                assertThat(b.stats(sb1).getAudioLevelDbov()).as("still silent after the guest tried to unmute").isLessThan(-70);
                assertThat(indicators(x.display)).isEmpty();
                close(agent, s1);
                b.close(sb1);

                // 4. a new call starts with its microphone (and the indicator); ending the call takes it down
                String s2 = create(agent, "Other app");
                String sb2 = b.createSession(SessionOptions.newBuilder());
                connect(agent, s2, b, sb2);
                String w2 = awaitIndicator(x.display);
                assertThat(xdotool(x.display, "getwindowname", w2)).contains("live for app \"Other app\"");
                await().atMost(Duration.ofSeconds(10)).until(() -> b.stats(sb2).getAudioLevelDbov() > -30);
                close(agent, s2);
                await().atMost(Duration.ofSeconds(10)).until(() -> indicators(x.display).isEmpty());
                b.close(sb2);
                assertThat(child.isAlive()).isTrue();
            }
        } catch (AssertionError | org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "\nengine log:\n" + tail(log), e);
        } finally {
            if (child != null) {
                child.destroy();
                if (!child.waitFor(10, TimeUnit.SECONDS)) child.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    private static String create(VmcEndpoint agent, String app) throws Exception {
        return call(agent, Request.newBuilder().setCreateSession(CreateSession.newBuilder().setAppId(app)
                .setOptions(SessionOptions.newBuilder().setAudio(true).setLabel("call"))))
                .getSessionCreated().getSessionId();
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
