package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.vmc.engine.media.ToneAnalyzer;
import io.vmc.transport.proto.Device;
import io.vmc.transport.proto.DeviceChanged;
import io.vmc.transport.proto.DeviceList;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.ListDevices;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.SelectDevice;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real capture and playout through a private PulseAudio server with null and sine devices. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DeviceTest {
    static PulseServer pulse;
    @TempDir Path dirX;
    @TempDir Path dirY;

    @BeforeAll
    static void startPulse() throws Exception {
        pulse = new PulseServer(
                "module-null-sink sink_name=spk sink_properties=device.description=Speaker",
                "module-null-source source_name=silence",
                "module-null-sink sink_name=feed",
                // a microphone whose sound a test controls: a tone played into "feed" comes out here
                "module-remap-source master=feed.monitor source_name=feedmic source_properties=device.description=FeedMic");
    }

    @AfterAll
    static void stopPulse() throws Exception {
        if (pulse != null) pulse.close();
    }

    static DeviceList devices(TestEngine e) {
        return e.ok(Request.newBuilder().setListDevices(ListDevices.getDefaultInstance())).getDevices();
    }

    static Device find(DeviceList l, Device.DeviceKind kind, String nameContains) {
        return l.getDevicesList().stream().filter(d -> d.getKind() == kind && d.getName().contains(nameContains))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " '" + nameContains + "' in " + l));
    }

    @Test
    void listsDevicesAndReportsHotPlug() throws Exception {
        try (TestEngine e = new TestEngine(440, dirX, c -> c.audioSource(EngineConfig.AudioSource.pulse(null))
                .audioSink(EngineConfig.AudioSink.pulse(null)))) {
            DeviceList l = devices(e);
            find(l, Device.DeviceKind.SPEAKER, "Speaker");
            find(l, Device.DeviceKind.MICROPHONE, "FeedMic");
            assertThat(l.getDevicesList()).noneMatch(d -> d.getName().startsWith("Monitor of"));
            assertThat(l.getDevicesList()).allMatch(d -> d.getId().matches("(mic|spk)-[0-9a-f]{12}"));

            assertThat(pulse.run("pactl", "load-module", "module-null-sink", "sink_name=hot",
                    "sink_properties=device.description=Headset")).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> e.count(ev -> ev.hasDeviceChanged()
                    && ev.getDeviceChanged().getChange() == DeviceChanged.Change.ADDED
                    && ev.getDeviceChanged().getDevice().getName().equals("Headset")) == 1);
            String module = pulse.output("pactl", "list", "short", "modules").lines()
                    .filter(x -> x.contains("sink_name=hot")).map(x -> x.split("\\s+")[0]).findFirst().orElseThrow();
            assertThat(pulse.run("pactl", "unload-module", module)).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> e.count(ev -> ev.hasDeviceChanged()
                    && ev.getDeviceChanged().getChange() == DeviceChanged.Change.REMOVED
                    && ev.getDeviceChanged().getDevice().getName().equals("Headset")) == 1);

            assertThat(e.call(Request.newBuilder().setSelectDevice(SelectDevice.newBuilder().setDeviceId("spk-000000000000")))
                    .getError().getCode()).isEqualTo(Error.Code.NOT_FOUND);
            assertThat(e.call(Request.newBuilder().setSelectDevice(SelectDevice.newBuilder().setDeviceId("null; rm -rf /")))
                    .getError().getCode()).isEqualTo(Error.Code.NOT_FOUND);
        }
    }

    @Test
    void capturesFromTheSelectedMicrophoneAndPlaysToTheSelectedSpeaker() throws Exception {
        Tools.require("parecord");
        try (TestEngine x = new TestEngine(660, dirX);
             TestEngine y = new TestEngine(440, dirY, c -> c.audioSource(EngineConfig.AudioSource.pulse(null))
                     .audioSink(EngineConfig.AudioSink.pulse(null)).echoCancellation(true))) {
            DeviceList l = devices(y);
            Device mic = find(l, Device.DeviceKind.MICROPHONE, "FeedMic");
            Tools.require("gst-launch-1.0");
            Process talker = pulse.start("gst-launch-1.0", "-q", "audiotestsrc", "is-live=true", "freq=500", "volume=0.3",
                    "!", "pulsesink", "device=feed");
            Device spk = find(l, Device.DeviceKind.SPEAKER, "Speaker");
            y.ok(Request.newBuilder().setSelectDevice(SelectDevice.newBuilder().setDeviceId(mic.getId())));
            y.ok(Request.newBuilder().setSelectDevice(SelectDevice.newBuilder().setDeviceId(spk.getId())));
            String sx = x.createSession(SessionOptions.newBuilder());
            String sy = y.createSession(SessionOptions.newBuilder());
            x.setAnswer(sx, y.answer(sy, x.offer(sx)));
            x.awaitState(sx, SessionState.State.CONNECTED);
            y.awaitReceived(sy, 100);
            x.awaitReceived(sx, 150);

            Path played = dirY.resolve("played.wav");
            Process rec = pulse.start("parecord", "--device=spk.monitor", "--file-format=wav", "--channels=1",
                    "--rate=48000", "--format=s16le", played.toString());
            // 1.5 s of audio (parecord writes as it records)
            await().atMost(Duration.ofSeconds(10)).until(() -> java.nio.file.Files.exists(played)
                    && java.nio.file.Files.size(played) > 44 + 48000 * 2 * 3 / 2);
            rec.destroy();
            rec.waitFor(5, TimeUnit.SECONDS);
            x.close(sx);
            talker.destroy();
            assertThat(ToneAnalyzer.dominantFrequency(x.recording(sx))).as("Y's microphone (FeedMic) heard at X")
                    .isCloseTo(500, within(3.0));
            assertThat(ToneAnalyzer.dominantFrequency(played)).as("X's tone played on Y's speaker")
                    .isCloseTo(660, within(3.0));
            assertThat(y.events.stream().filter(Event::hasSessionState)
                    .noneMatch(ev -> ev.getSessionState().getState() == SessionState.State.FAILED)).isTrue();
        }
    }
}
