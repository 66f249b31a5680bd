package io.vmc.engine.internal.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vmc.engine.CameraConsent;
import io.vmc.engine.EngineConfig;
import io.vmc.engine.internal.EngineException;
import io.vmc.engine.internal.LiveCaptures;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.SessionOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A call's camera chosen mid-call ({@link Call#selectCamera}): the calls that have no camera to
 * switch say why. No device is opened here (this machine has no camera; the switch itself is
 * tested on vivid cameras in the test guest, CameraSwitchGuestIT).
 */
@Timeout(30)
class CallCameraSwitchTest {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private Call call;

    @AfterEach
    void close() {
        if (call != null) call.close("test over");
        timer.shutdownNow();
    }

    private Call call(boolean video, Consumer<EngineConfig.Builder> tweak) {
        EngineConfig.Builder b = EngineConfig.builder().audioSource(EngineConfig.AudioSource.tone(440))
                .audioSink(EngineConfig.AudioSink.none());
        tweak.accept(b);
        call = new Call("s0123456789abcdef", SessionOptions.newBuilder().setAudio(true).setVideo(video).build(), b.build(),
                events::add, timer, c -> { }, f -> { }, () -> null);
        return call;
    }

    private static Consumer<EngineConfig.Builder> camera(EngineConfig.CameraPolicy policy) {
        return b -> b.videoSource(EngineConfig.VideoSource.camera(null)).cameraPolicy(policy);
    }

    private static void failsPrecondition(Runnable r, String why) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(EngineException.class, e -> {
            assertThat(e.code()).isEqualTo(Error.Code.FAILED_PRECONDITION);
            assertThat(e.getMessage()).contains(why);
        });
    }

    @Test
    void aCallThatSendsATestPatternHasNoCameraToSwitch() {
        Call c = call(true, b -> b.videoSource(EngineConfig.VideoSource.testPattern("ball")));
        failsPrecondition(() -> c.selectCamera("/dev/video1"), "test pattern ball, not a camera");
        Call s = call(true, b -> b.videoSource(EngineConfig.VideoSource.simulatedCamera("red")).cameraPolicy(EngineConfig.CameraPolicy.ALLOW));
        failsPrecondition(() -> s.selectCamera("/dev/video1"), "simulated camera (test pattern red), not a camera");
    }

    @Test
    void aCallWithoutVideoHasNoCameraToSwitch() {
        Call c = call(false, camera(EngineConfig.CameraPolicy.ALLOW));
        failsPrecondition(() -> c.selectCamera("/dev/video1"), "this call has no video");
    }

    @Test
    void aCallWhoseCameraThePolicyDeniesHasNoCameraToSwitch() {
        Call c = call(true, camera(EngineConfig.CameraPolicy.DENY));
        failsPrecondition(() -> c.selectCamera("/dev/video1"), "camera use denied by policy");
    }

    @Test
    void aCallWhoseCameraTheUserDeniedHasNoCameraToSwitch() {
        Call c = call(true, camera(EngineConfig.CameraPolicy.ASK));
        CameraConsent deny = q -> CompletableFuture.completedFuture(CameraConsent.Answer.DENY);
        c.announce("softphone", deny, new LiveCaptures());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                failsPrecondition(() -> c.selectCamera("/dev/video1"), "the camera is off for this call: camera use denied"));
    }

    @Test
    void beforeTheVideoIsNegotiatedTheChoiceIsKeptForTheCall() {
        Call c = call(true, camera(EngineConfig.CameraPolicy.ALLOW));
        c.selectCamera("/dev/video2"); // nothing opened yet: the video flow will open this camera
        c.selectCamera(null);          // back to the default
    }

    @Test
    void aClosedCallRefuses() {
        Call c = call(true, camera(EngineConfig.CameraPolicy.ALLOW));
        c.close("closed");
        assertThatThrownBy(() -> c.selectCamera("/dev/video2")).isInstanceOf(EngineException.class);
    }
}
