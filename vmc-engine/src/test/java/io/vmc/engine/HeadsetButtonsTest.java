package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.engine.internal.device.HeadsetKeys;
import io.vmc.engine.internal.device.InputEvent;
import io.vmc.engine.internal.device.InputEventDecoder;
import io.vmc.transport.proto.CallControl;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import io.vmc.transport.proto.StartRing;
import io.vmc.transport.proto.StopRing;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Headset buttons through vmc.v1: key events on the configured input node (a FIFO fed with
 * {@code struct input_event}s here; {@code HeadsetButtonsGuestIT} uses a real uinput device) become
 * CallControl events for the ringing or connected call.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HeadsetButtonsTest {
    static PulseServer pulse;
    @TempDir Path dirX;
    @TempDir Path dirY;

    @BeforeAll
    static void startPulse() throws Exception {
        pulse = new PulseServer("module-null-sink sink_name=ringer sink_properties=device.description=DeskSpeaker");
    }

    @AfterAll
    static void stopPulse() throws Exception {
        if (pulse != null) pulse.close();
    }

    static void press(FileChannel node, int key) throws Exception {
        for (int value : new int[] {InputEvent.PRESSED, InputEvent.RELEASED}) {
            ByteBuffer b = ByteBuffer.allocate(2 * InputEvent.BYTES);
            b.put(InputEventDecoder.encode(InputEvent.of(InputEvent.EV_KEY, key, value)));
            b.put(InputEventDecoder.encode(InputEvent.of(InputEvent.EV_SYN, InputEvent.SYN_REPORT, 0)));
            b.flip();
            while (b.hasRemaining()) node.write(b);
        }
    }

    static List<CallControl> controls(TestEngine e) {
        return e.events.stream().filter(Event::hasCallControl).map(Event::getCallControl).toList();
    }

    static CallControl awaitControl(TestEngine e, int n) {
        await().atMost(Duration.ofSeconds(20)).until(() -> controls(e).size() >= n);
        assertThat(controls(e)).hasSize(n);
        return controls(e).get(n - 1);
    }

    @Test
    void hookMuteAndVolumeButtonsReachTheAppAsCallControl() throws Exception {
        Path fifo = dirY.resolve("event-headset");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        try (FileChannel node = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE);
             TestEngine x = new TestEngine(660, dirX);
             TestEngine y = new TestEngine(440, dirY, c -> c.audioSink(EngineConfig.AudioSink.pulse(null)).headsetInputDevice(fifo))) {
            // a ring without a call yet (incoming INVITE): the hook button answers it
            y.ok(Request.newBuilder().setStartRing(StartRing.newBuilder()));
            press(node, HeadsetKeys.KEY_PHONE);
            CallControl answer = awaitControl(y, 1);
            assertThat(answer.getAction()).isEqualTo(CallControl.Action.ANSWER);
            assertThat(answer.getKey()).isEqualTo("KEY_PHONE");
            assertThat(answer.getSessionId()).isEmpty();
            y.ok(Request.newBuilder().setStopRing(StopRing.getDefaultInstance()));

            // nothing rings and no call is up: the mute button means nothing (the next event proves it was read)
            press(node, HeadsetKeys.KEY_MICMUTE);
            String sx = x.createSession(SessionOptions.newBuilder());
            String sy = y.createSession(SessionOptions.newBuilder());
            x.setAnswer(sx, y.answer(sy, x.offer(sx)));
            y.awaitState(sy, SessionState.State.CONNECTED);
            press(node, HeadsetKeys.KEY_MICMUTE);
            CallControl mute = awaitControl(y, 2);
            assertThat(mute.getAction()).isEqualTo(CallControl.Action.TOGGLE_MUTE);
            assertThat(mute.getSessionId()).isEqualTo(sy);

            press(node, HeadsetKeys.KEY_VOLUMEUP);
            assertThat(awaitControl(y, 3).getAction()).isEqualTo(CallControl.Action.VOLUME_UP);
            press(node, HeadsetKeys.KEY_PHONE);
            CallControl hangUp = awaitControl(y, 4);
            assertThat(hangUp.getAction()).isEqualTo(CallControl.Action.HANG_UP);
            assertThat(hangUp.getSessionId()).isEqualTo(sy);
            assertThat(y.lastState(sy)).as("the engine hangs up nothing itself").isEqualTo(SessionState.State.CONNECTED);
        }
    }
}
