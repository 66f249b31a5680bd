package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.transport.VmcEndpoint;
import io.vmc.transport.proto.CloseSession;
import io.vmc.transport.proto.CreateOffer;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.GetStats;
import io.vmc.transport.proto.MediaKind;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.SdpType;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import io.vmc.transport.proto.SetRemoteDescription;
import io.vmc.transport.proto.StreamStats;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real camera prompt: {@code vmc engine --camera-policy ask} runs in its own JVM on a private
 * Xvfb (AWT takes its display from $DISPLAY), driven by an agent over a unix socket, calling an
 * in-process engine. The test plays the user with xdotool: Allow (Alt+A) → the peer decodes our
 * video; Deny (Alt+D) → nothing sent, the peer's video still shown, the reason in a SessionState
 * event; no answer → the dialog disappears after the timeout and the call goes on without our video.
 * No V4L2 device exists here: the engine's {@code --simulated-camera} pattern stands in for it.
 */
class CameraPromptTest {
    private static final String TITLE = "VMC: camera request";
    private static final int PROMPT_TIMEOUT_S = 8;

    @TempDir Path dir;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void theUserAllowsDeniesOrIgnoresTheCameraPrompt() throws Exception {
        try (EngineOnX e = EngineOnX.start(dir, "camera-prompt-test", "--camera-policy", "ask", "--simulated-camera", "ball",
                "--camera-prompt-timeout", "" + PROMPT_TIMEOUT_S);
             TestEngine b = new TestEngine(880, Files.createDirectories(dir.resolve("b")),
                     c -> c.videoSource(EngineConfig.VideoSource.testPattern("red")))) {
            VmcEndpoint agent = e.agent;
            String x = e.x.display;
            e.check(() -> {
                // 1. Allow: the prompt names the app and the camera; after Alt+A the peer sees our video
                String s1 = e.create("Softphone", true, "video call");
                assertThat(awaitPrompt(x)).isNotEmpty();
                // Allow is armed after a short delay: press until the dialog goes
                await().atMost(Duration.ofSeconds(PROMPT_TIMEOUT_S)).pollInterval(Duration.ofMillis(300)).until(() -> {
                    xdotool(x, "key", "alt+a");
                    return prompts(x).isEmpty();
                });
                await().atMost(Duration.ofSeconds(5)).until(() -> reason(e.events, s1, "camera allowed by the user"));
                String sb1 = b.createSession(SessionOptions.newBuilder().setVideo(true));
                connect(agent, s1, b, sb1);
                await().atMost(Duration.ofSeconds(30)).until(() -> VideoCallTest.video(b, sb1).getFramesDecoded() > 10);
                assertThat(video(agent, s1).getPacketsSent()).isPositive();
                close(agent, s1);
                b.close(sb1);

                // 2. Deny: nothing leaves the camera, the call shows the peer's video, the app is told why
                String s2 = e.create("Softphone", true, "video call");
                assertThat(awaitPrompt(x)).isNotEmpty();
                xdotool(x, "key", "alt+d");
                await().atMost(Duration.ofSeconds(5)).until(() -> reason(e.events, s2, "camera use denied by the user"));
                assertThat(prompts(x)).isEmpty();
                String sb2 = b.createSession(SessionOptions.newBuilder().setVideo(true));
                connect(agent, s2, b, sb2);
                await().atMost(Duration.ofSeconds(30)).until(() -> video(agent, s2).getFramesDecoded() > 10);
                assertThat(video(agent, s2).getPacketsSent()).isZero();
                assertThat(VideoCallTest.video(b, sb2).getPacketsReceived()).isZero();
                close(agent, s2);
                b.close(sb2);

                // 3. No answer: the dialog goes away by itself and the camera stays off
                String s3 = e.create("Softphone", true, "video call");
                assertThat(awaitPrompt(x)).isNotEmpty();
                await().atMost(Duration.ofSeconds(PROMPT_TIMEOUT_S + 10)).pollInterval(Duration.ofMillis(300))
                        .until(() -> prompts(x).isEmpty());
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> reason(e.events, s3, "camera use denied: no answer within " + PROMPT_TIMEOUT_S + " s"));
                assertThat(e.engine.isAlive()).isTrue();
                close(agent, s3);
            });
        }
    }

    static void connect(VmcEndpoint agent, String sa, TestEngine b, String sb) throws Exception {
        String offer = call(agent, Request.newBuilder().setCreateOffer(CreateOffer.newBuilder().setSessionId(sa)))
                .getDescription().getSdp();
        call(agent, Request.newBuilder().setSetRemoteDescription(SetRemoteDescription.newBuilder()
                .setSessionId(sa).setType(SdpType.ANSWER).setSdp(b.answer(sb, offer))));
        b.awaitState(sb, SessionState.State.CONNECTED);
    }

    static void close(VmcEndpoint agent, String sid) throws Exception {
        call(agent, Request.newBuilder().setCloseSession(CloseSession.newBuilder().setSessionId(sid)));
    }

    private static StreamStats video(VmcEndpoint agent, String sid) throws Exception {
        return call(agent, Request.newBuilder().setGetStats(GetStats.newBuilder().setSessionId(sid))).getStats()
                .getStreamsList().stream().filter(s -> s.getKind() == MediaKind.VIDEO).findFirst()
                .orElse(StreamStats.getDefaultInstance());
    }

    static Response call(VmcEndpoint ep, Request.Builder r) throws Exception {
        Response resp = ep.call(r.build()).get(15, TimeUnit.SECONDS);
        assertThat(resp.hasError()).as("%s", resp.getError().getMessage()).isFalse();
        return resp;
    }

    private static boolean reason(List<Event> events, String sid, String text) {
        return events.stream().anyMatch(e -> e.hasSessionState() && e.getSessionState().getSessionId().equals(sid)
                && e.getSessionState().getReason().contains(text));
    }

    private static List<String> awaitPrompt(String display) {
        List<List<String>> found = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            List<String> w = prompts(display);
            found.add(w);
            return !w.isEmpty();
        });
        return found.get(found.size() - 1);
    }

    /** Ids of visible windows titled like the prompt. */
    private static List<String> prompts(String display) throws IOException, InterruptedException {
        String out = xdotool(display, "search", "--onlyvisible", "--name", TITLE);
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    static String xdotool(String display, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("xdotool"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("DISPLAY", display);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("xdotool " + String.join(" ", args) + " hung");
        }
        return out;
    }

    static String tail(Path log) {
        try {
            List<String> l = Files.readAllLines(log);
            return String.join("\n", l.subList(Math.max(0, l.size() - 30), l.size()));
        } catch (IOException e) {
            return e.toString();
        }
    }
}
