package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.engine.internal.LiveCaptures;
import io.vmc.transport.proto.CaptureKind;
import io.vmc.transport.proto.CreateSession;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import io.vmc.transport.proto.SetMute;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's Stop without a display (the indicator's button calls {@link LiveCaptures#stop}), between
 * two in-process engines: a video call shows its microphone and camera; stopping the camera ends
 * the video the peer receives while the sound goes on; stopping the microphone silences it and
 * SetMute(false) is refused; the app gets CaptureStopped for each, and the status shows it.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CaptureStopCallTest {
    @TempDir Path dirA;
    @TempDir Path dirB;

    @Test
    void theUserStopsTheCameraThenTheMicrophone() {
        try (TestEngine a = new TestEngine(440, dirA, c -> c.videoSource(EngineConfig.VideoSource.simulatedCamera("ball"))
                .cameraPolicy(EngineConfig.CameraPolicy.ALLOW));
             TestEngine b = new TestEngine(880, dirB, c -> c.videoSource(EngineConfig.VideoSource.testPattern("red")))) {
            String sa = a.ok(Request.newBuilder().setCreateSession(CreateSession.newBuilder().setAppId("Softphone")
                    .setOptions(SessionOptions.newBuilder().setAudio(true).setVideo(true)))).getSessionCreated().getSessionId();
            String sb = b.createSession(SessionOptions.newBuilder().setVideo(true));
            a.setAnswer(sa, b.answer(sb, a.offer(sa)));
            a.awaitState(sa, SessionState.State.CONNECTED);
            await().atMost(Duration.ofSeconds(20)).until(() -> VideoCallTest.video(b, sb).getFramesDecoded() > 10);
            await().atMost(Duration.ofSeconds(10)).until(() -> b.stats(sb).getAudioLevelDbov() > -30);
            LiveCaptures captures = a.engine.captures();
            await().atMost(Duration.ofSeconds(10)).until(() -> captures.live().size() == 2);
            assertThat(captures.live()).extracting(LiveCaptures.Shown::describe).containsExactlyInAnyOrder(
                    "microphone \"tone 440.0 Hz\" live for app \"Softphone\"",
                    "camera \"simulated camera (test pattern ball)\" live for app \"Softphone\"");
            assertThat(a.engine.status().lines()).contains("devices in use: 2", "  call " + sa + " app \"Softphone\": CONNECTED");

            // the camera: the peer gets no more video, the sound goes on
            assertThat(captures.stop(shown(captures, LiveCaptures.Kind.CAMERA))).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> stopped(a, sa, CaptureKind.CAPTURE_CAMERA));
            long frames = VideoCallTest.video(b, sb).getPacketsReceived();
            long audio = b.stats(sb).getPacketsReceived();
            await().atMost(Duration.ofSeconds(10)).until(() -> b.stats(sb).getPacketsReceived() > audio + 100);
            assertThat(VideoCallTest.video(b, sb).getPacketsReceived()).as("video packets after the stop").isLessThanOrEqualTo(frames + 5);
            assertThat(b.stats(sb).getAudioLevelDbov()).isGreaterThan(-30);
            assertThat(captures.live()).extracting(LiveCaptures.Shown::kind).containsExactly(LiveCaptures.Kind.MICROPHONE);

            // the microphone: silence on the far side, and the guest cannot unmute
            assertThat(captures.stop(shown(captures, LiveCaptures.Kind.MICROPHONE))).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> stopped(a, sa, CaptureKind.CAPTURE_MICROPHONE));
            await().atMost(Duration.ofSeconds(10)).until(() -> b.stats(sb).getAudioLevelDbov() < -70);
            var refused = a.call(Request.newBuilder().setSetMute(SetMute.newBuilder().setSessionId(sa).setMuted(false)));
            assertThat(refused.getError().getCode()).isEqualTo(Error.Code.PERMISSION_DENIED);
            a.ok(Request.newBuilder().setSetMute(SetMute.newBuilder().setSessionId(sa).setMuted(true))); // muting is still fine
            assertThat(captures.live()).isEmpty();
            assertThat(a.engine.status().lines()).contains("devices in use: none");
            a.close(sa);
            b.close(sb);
            assertThat(a.engine.status().lines()).contains("calls: none");
        }
    }

    private static long shown(LiveCaptures captures, LiveCaptures.Kind kind) {
        return captures.live().stream().filter(s -> s.kind() == kind).findFirst().orElseThrow().id();
    }

    private static boolean stopped(TestEngine e, String sid, CaptureKind kind) {
        return e.count(ev -> ev.hasCaptureStopped() && ev.getCaptureStopped().getSessionId().equals(sid)
                && ev.getCaptureStopped().getKind() == kind) == 1;
    }
}
