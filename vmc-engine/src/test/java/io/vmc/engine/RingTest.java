package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.vmc.engine.internal.media.RingSound;
import io.vmc.engine.media.ToneAnalyzer;
import io.vmc.transport.proto.Device;
import io.vmc.transport.proto.DeviceList;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.RingStopped;
import io.vmc.transport.proto.SelectDevice;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import io.vmc.transport.proto.StartRing;
import io.vmc.transport.proto.StopRing;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Ringing on the thin client: the ring reaches the device chosen for ringing, not the headset. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RingTest {
    static PulseServer pulse;
    @TempDir Path dirX;
    @TempDir Path dirY;

    @BeforeAll
    static void startPulse() throws Exception {
        Tools.require("parecord");
        pulse = new PulseServer(
                "module-null-sink sink_name=ringer sink_properties=device.description=DeskSpeaker",
                "module-null-sink sink_name=headset sink_properties=device.description=Headset",
                // two identical USB headsets: same description, PulseAudio tells them apart by name
                "module-null-sink sink_name=twin_a sink_properties=device.description=Twin",
                "module-null-sink sink_name=twin_b sink_properties=device.description=Twin",
                "module-null-source source_name=silence");
    }

    @AfterAll
    static void stopPulse() throws Exception {
        if (pulse != null) pulse.close();
    }

    private static TestEngine pulseEngine(double tone, Path dir) {
        return new TestEngine(tone, dir, c -> c.audioSink(EngineConfig.AudioSink.pulse(null)));
    }

    private static void select(TestEngine e, Device d, boolean ringer) {
        e.ok(Request.newBuilder().setSelectDevice(SelectDevice.newBuilder().setDeviceId(d.getId()).setRinger(ringer)));
    }

    private static long stopped(TestEngine e, RingStopped.Reason reason) {
        return e.count(ev -> ev.hasRingStopped() && ev.getRingStopped().getReason() == reason);
    }

    @Test
    void ringtoneAndAppSoundPlayOnTheRingerNotOnTheHeadset() throws Exception {
        try (TestEngine e = pulseEngine(440, dirX)) {
            DeviceList l = DeviceTest.devices(e);
            Device ringer = DeviceTest.find(l, Device.DeviceKind.SPEAKER, "DeskSpeaker");
            Device headset = DeviceTest.find(l, Device.DeviceKind.SPEAKER, "Headset");
            select(e, headset, false);
            select(e, ringer, true);

            e.ok(Request.newBuilder().setStartRing(StartRing.newBuilder().setSound(StartRing.RingSound.RINGTONE)));
            Path onRinger = pulse.recordSink("ringer", dirX.resolve("ringer.wav"), 3);
            Path onHeadset = pulse.recordSink("headset", dirX.resolve("headset.wav"), 3);
            assertThat(ToneAnalyzer.dominantFrequency(onRinger)).as("ringtone on the ringer").isCloseTo(RingSound.RINGTONE_HZ, within(3.0));
            assertThat(ToneAnalyzer.levelDbfs(ToneAnalyzer.readWav(onHeadset).samples())).as("headset level, dBFS").isLessThan(-60);

            // an app's own sound replaces the ringtone
            e.ok(Request.newBuilder().setStartRing(StartRing.newBuilder().setWav(ByteString.copyFrom(wav(600, 8000, 2, 1.0)))));
            await().atMost(Duration.ofSeconds(10)).until(() -> stopped(e, RingStopped.Reason.STOPPED) == 1);
            Path custom = pulse.recordSink("ringer", dirX.resolve("custom.wav"), 2);
            assertThat(ToneAnalyzer.dominantFrequency(custom)).as("the app's sound").isCloseTo(600, within(3.0));

            e.ok(Request.newBuilder().setStopRing(StopRing.getDefaultInstance()));
            await().atMost(Duration.ofSeconds(10)).until(() -> stopped(e, RingStopped.Reason.STOPPED) == 2);
            Path after = pulse.recordSink("ringer", dirX.resolve("after.wav"), 1.5);
            assertThat(ToneAnalyzer.levelDbfs(ToneAnalyzer.readWav(after).samples())).as("ringer after StopRing").isLessThan(-60);
        }
    }

    @Test
    void ringStopsWhenItsCallIsAnsweredAndWhenItEnds() throws Exception {
        try (TestEngine x = new TestEngine(660, dirX); TestEngine y = pulseEngine(440, dirY)) {
            select(y, DeviceTest.find(DeviceTest.devices(y), Device.DeviceKind.SPEAKER, "DeskSpeaker"), true);
            String sx = x.createSession(SessionOptions.newBuilder());
            String sy = y.createSession(SessionOptions.newBuilder());
            String offer = x.offer(sx);
            y.ok(Request.newBuilder().setStartRing(StartRing.newBuilder().setSessionId(sy)));
            Path ringing = pulse.recordSink("ringer", dirY.resolve("ringing.wav"), 2.5);
            assertThat(ToneAnalyzer.dominantFrequency(ringing)).isCloseTo(RingSound.RINGTONE_HZ, within(3.0));

            x.setAnswer(sx, y.answer(sy, offer)); // the user answered
            y.awaitState(sy, SessionState.State.CONNECTED);
            await().atMost(Duration.ofSeconds(10)).until(() -> stopped(y, RingStopped.Reason.ANSWERED) == 1);
            assertThat(y.events.stream().filter(Event::hasRingStopped).findFirst().orElseThrow().getRingStopped().getSessionId()).isEqualTo(sy);

            // ringback for a second call that the far end never answers: hanging up stops it
            String sy2 = y.createSession(SessionOptions.newBuilder());
            y.ok(Request.newBuilder().setStartRing(StartRing.newBuilder().setSessionId(sy2).setSound(StartRing.RingSound.RINGBACK)));
            Path back = pulse.recordSink("ringer", dirY.resolve("ringback.wav"), 2.5);
            assertThat(ToneAnalyzer.dominantFrequency(back)).isCloseTo(RingSound.RINGBACK_HZ, within(3.0));
            y.close(sy2);
            await().atMost(Duration.ofSeconds(10)).until(() -> stopped(y, RingStopped.Reason.CALL_ENDED) == 1);
        }
    }

    @Test
    void refusesHostileRingRequests() throws Exception {
        try (TestEngine e = pulseEngine(440, dirX)) {
            byte[] ok = wav(600, 8000, 1, 0.5);
            byte[] lying = ok.clone();
            ByteBuffer.wrap(lying).order(ByteOrder.LITTLE_ENDIAN).putInt(40, 0x7fffffff); // data size beyond the file
            for (byte[] bad : new byte[][] {"RIFF".getBytes(), "RIFF\0\0\0\0WAVE".getBytes(), lying,
                    new byte[RingSound.MAX_WAV_BYTES + 1], wav(600, 8000, 1, RingSound.MAX_SECONDS + 1)}) {
                assertThat(e.call(Request.newBuilder().setStartRing(StartRing.newBuilder().setWav(ByteString.copyFrom(bad))))
                        .getError().getCode()).isEqualTo(Error.Code.INVALID_ARGUMENT);
            }
            assertThat(e.call(Request.newBuilder().setStartRing(StartRing.newBuilder().setMaxDurationMs(-1))).getError().getCode())
                    .isEqualTo(Error.Code.INVALID_ARGUMENT);
            assertThat(e.call(Request.newBuilder().setStartRing(StartRing.newBuilder().setSessionId("s0000000000000000"))).getError().getCode())
                    .isEqualTo(Error.Code.NOT_FOUND);
            Device mic = DeviceTest.devices(e).getDevicesList().stream()
                    .filter(d -> d.getKind() == Device.DeviceKind.MICROPHONE).findFirst().orElseThrow();
            assertThat(e.call(Request.newBuilder().setSelectDevice(SelectDevice.newBuilder().setDeviceId(mic.getId()).setRinger(true)))
                    .getError().getCode()).isEqualTo(Error.Code.INVALID_ARGUMENT);
            assertThat(e.count(Event::hasRingStopped)).isZero();
        }
    }

    @Test
    void theChosenRingerAndIdsSurviveAnEngineRestart() throws Exception {
        Path choices = dirX.resolve("config/vmc/devices.conf");
        java.util.List<String> ids;
        try (TestEngine e = new TestEngine(440, dirX, c -> c.audioSink(EngineConfig.AudioSink.pulse(null)).deviceChoicesFile(choices))) {
            DeviceList l = DeviceTest.devices(e);
            ids = l.getDevicesList().stream().map(Device::getId).sorted().toList();
            assertThat(l.getDevicesList().stream().filter(d -> d.getName().equals("Twin")).map(Device::getId).distinct())
                    .as("two identical devices get two ids").hasSize(2);
            // not the server's default sink (DeskSpeaker, loaded first), so only the file can bring it back
            select(e, DeviceTest.find(l, Device.DeviceKind.SPEAKER, "Headset"), true);
        }
        assertThat(choices).exists();
        // a new engine (restart, or the next session of the user) rings there without being told
        try (TestEngine e = new TestEngine(440, dirX, c -> c.audioSink(EngineConfig.AudioSink.pulse(null)).deviceChoicesFile(choices))) {
            assertThat(DeviceTest.devices(e).getDevicesList().stream().map(Device::getId).sorted().toList())
                    .as("ids after the restart").isEqualTo(ids);
            e.ok(Request.newBuilder().setStartRing(StartRing.newBuilder()));
            Path onRinger = pulse.recordSink("headset", dirX.resolve("restored.wav"), 3);
            assertThat(ToneAnalyzer.dominantFrequency(onRinger)).isCloseTo(RingSound.RINGTONE_HZ, within(3.0));
        }
    }

    /** A 16-bit PCM WAV file of a sine tone (the whole file, header included). */
    static byte[] wav(double hz, int rate, int channels, double seconds) {
        int frames = (int) (rate * seconds);
        ByteBuffer b = ByteBuffer.allocate(44 + frames * 2 * channels).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x46464952).putInt(36 + frames * 2 * channels).putInt(0x45564157)
         .putInt(0x20746d66).putInt(16).putShort((short) 1).putShort((short) channels).putInt(rate)
         .putInt(rate * 2 * channels).putShort((short) (2 * channels)).putShort((short) 16)
         .putInt(0x61746164).putInt(frames * 2 * channels);
        for (int i = 0; i < frames; i++) {
            short v = (short) Math.round(8000 * Math.sin(2 * Math.PI * hz * i / rate));
            for (int c = 0; c < channels; c++) b.putShort(v);
        }
        return b.array();
    }
}
