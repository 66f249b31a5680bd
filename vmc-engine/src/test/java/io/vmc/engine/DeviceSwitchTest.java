package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.vmc.engine.internal.rtp.RtpPackets;
import io.vmc.engine.media.ToneAnalyzer;
import io.vmc.transport.proto.ActiveDevice;
import io.vmc.transport.proto.Device;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.SelectDevice;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Devices that change during a call, with a private PulseAudio: a headset (null source and sink)
 * unloaded mid-call moves the call to the default devices and the app is told; a switch mid-call
 * keeps the RTP stream continuous on the wire (captured with tshark) with a short gap.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DeviceSwitchTest {
    static PulseServer pulse;
    @TempDir Path dirX;
    @TempDir Path dirY;

    @BeforeAll
    static void startPulse() throws Exception {
        pulse = new PulseServer(
                "module-null-source source_name=deskmic description=DeskMic",
                "module-null-sink sink_name=deskspk sink_properties=device.description=DeskSpeaker");
        assertThat(pulse.run("pactl", "set-default-source", "deskmic")).isZero();
        assertThat(pulse.run("pactl", "set-default-sink", "deskspk")).isZero();
    }

    @AfterAll
    static void stopPulse() throws Exception {
        if (pulse != null) pulse.close();
    }

    /** Plugs in a headset: a null source and a null sink named {@code name}mic / {@code name}spk. */
    static void plugHeadset(String name) throws Exception {
        assertThat(pulse.run("pactl", "load-module", "module-null-source", "source_name=" + name + "mic",
                "description=" + name + "Mic")).isZero();
        assertThat(pulse.run("pactl", "load-module", "module-null-sink", "sink_name=" + name + "spk",
                "sink_properties=device.description=" + name + "Speaker")).isZero();
    }

    static void unplug(String sourceOrSinkName) throws Exception {
        assertThat(pulse.run("pactl", "unload-module", pulse.moduleWith("_name=" + sourceOrSinkName + " "))).isZero();
    }

    private static TestEngine pulseEngine(Path dir) {
        return new TestEngine(440, dir, c -> c.audioSource(EngineConfig.AudioSource.pulse(null))
                .audioSink(EngineConfig.AudioSink.pulse(null)).echoCancellation(false));
    }

    private static void select(TestEngine e, String session, Device d) {
        e.ok(Request.newBuilder().setSelectDevice(SelectDevice.newBuilder().setSessionId(session).setDeviceId(d.getId())));
    }

    private static List<ActiveDevice> activeDevices(TestEngine e) {
        return e.events.stream().filter(Event::hasActiveDevice).map(Event::getActiveDevice).toList();
    }

    private static long received(TestEngine e, String sid) {
        return e.stats(sid).getPacketsReceived();
    }

    @Test
    void unpluggingTheHeadsetMidCallMovesTheCallToTheDefaultDevicesAndTellsTheApp() throws Exception {
        plugHeadset("usbheadset");
        try (TestEngine x = new TestEngine(660, dirX); TestEngine y = pulseEngine(dirY)) {
            var l = DeviceTest.devices(y);
            Device mic = DeviceTest.find(l, Device.DeviceKind.MICROPHONE, "usbheadsetMic");
            Device spk = DeviceTest.find(l, Device.DeviceKind.SPEAKER, "usbheadsetSpeaker");
            select(y, "", mic);
            select(y, "", spk);
            String sx = x.createSession(SessionOptions.newBuilder());
            String sy = y.createSession(SessionOptions.newBuilder());
            x.setAnswer(sx, y.answer(sy, x.offer(sx)));
            y.awaitState(sy, SessionState.State.CONNECTED);
            x.awaitReceived(sx, 50);

            unplug("usbheadsetmic");
            await().atMost(Duration.ofSeconds(20)).until(() -> activeDevices(y).size() == 1);
            ActiveDevice moved = activeDevices(y).get(0);
            assertThat(moved.getSessionId()).isEqualTo(sy);
            assertThat(moved.getReason()).isEqualTo(ActiveDevice.Reason.DEVICE_REMOVED);
            assertThat(moved.getReplaced().getName()).isEqualTo("usbheadsetMic");
            assertThat(moved.getDevice().getName()).isEqualTo("DeskMic");
            long atX = received(x, sx);
            await().atMost(Duration.ofSeconds(20)).until(() -> received(x, sx) > atX + 100);

            unplug("usbheadsetspk");
            await().atMost(Duration.ofSeconds(20)).until(() -> activeDevices(y).size() == 2);
            assertThat(activeDevices(y).get(1).getDevice().getName()).isEqualTo("DeskSpeaker");
            assertThat(activeDevices(y).get(1).getReplaced().getName()).isEqualTo("usbheadsetSpeaker");
            // a null sink renders in 2 s blocks while nothing plays, so a new stream may start up to 2 s late
            Path onDesk = pulse.recordSink("deskspk", dirY.resolve("desk.wav"), 4);
            assertThat(ToneAnalyzer.dominantFrequency(onDesk)).as("the far end on the default speaker").isCloseTo(660, within(3.0));
            long atY = received(y, sy);
            await().atMost(Duration.ofSeconds(20)).until(() -> received(y, sy) > atY + 100);
            assertThat(y.hasState(sy, SessionState.State.FAILED)).isFalse();
            assertThat(y.lastState(sy)).isEqualTo(SessionState.State.CONNECTED);
        }
    }

    @Test
    void switchingTheSpeakerMidCallPlaysTheFarEndOnTheNewSpeakerOnly() throws Exception {
        Tools.require("parecord");
        plugHeadset("spkswitch");
        try (TestEngine x = new TestEngine(660, dirX); TestEngine y = pulseEngine(dirY)) {
            var l = DeviceTest.devices(y);
            Device head = DeviceTest.find(l, Device.DeviceKind.SPEAKER, "spkswitchSpeaker");
            Device desk = DeviceTest.find(l, Device.DeviceKind.SPEAKER, "DeskSpeaker");
            select(y, "", head);
            String sx = x.createSession(SessionOptions.newBuilder());
            String sy = y.createSession(SessionOptions.newBuilder());
            x.setAnswer(sx, y.answer(sy, x.offer(sx)));
            y.awaitState(sy, SessionState.State.CONNECTED);
            y.awaitReceived(sy, 50);
            Path before = pulse.recordSink("spkswitchspk", dirY.resolve("head-before.wav"), 1.5);
            assertThat(ToneAnalyzer.dominantFrequency(before)).as("the far end on the headset").isCloseTo(660, within(3.0));

            select(y, sy, desk);
            long at = received(y, sy);
            await().atMost(Duration.ofSeconds(20)).until(() -> received(y, sy) > at + 50);
            // a null sink renders in 2 s blocks while nothing plays on it, so a new stream may start up
            // to 2 s late there (hardware sinks rewind): record long enough and judge the loudest second
            Path onDesk = pulse.recordSink("deskspk", dirY.resolve("desk.wav"), 4);
            Path onHead = pulse.recordSink("spkswitchspk", dirY.resolve("head-after.wav"), 1.5);
            assertThat(ToneAnalyzer.dominantFrequency(onDesk)).as("the far end on the new speaker").isCloseTo(660, within(3.0));
            assertThat(ToneAnalyzer.levelDbfs(ToneAnalyzer.loudestSecond(ToneAnalyzer.readWav(onDesk)).samples()))
                    .as("new speaker level, dBFS").isGreaterThan(-40);
            assertThat(ToneAnalyzer.levelDbfs(ToneAnalyzer.readWav(onHead).samples())).as("old speaker level, dBFS").isLessThan(-60);

            // and back: a second switch in the same call
            select(y, sy, head);
            Path back = pulse.recordSink("spkswitchspk", dirY.resolve("head-back.wav"), 4);
            assertThat(ToneAnalyzer.dominantFrequency(back)).as("the far end back on the headset").isCloseTo(660, within(3.0));
            assertThat(y.lastState(sy)).isEqualTo(SessionState.State.CONNECTED);
        } finally {
            unplug("spkswitchspk");
            unplug("spkswitchmic");
        }
    }

    /** The index of the one stream in {@code pactl list short KIND} (sink-inputs or source-outputs). */
    private static String onlyStream(String kind) throws Exception {
        List<String> idx = pulse.output("pactl", "list", "short", kind).lines().filter(x -> !x.isBlank())
                .map(x -> x.split("\\s+")[0]).toList();
        assertThat(idx).as("%s", kind).hasSize(1);
        return idx.get(0);
    }

    /** Ends a stream from the server's side, as pacmd would (pactl cannot), on a CLI socket loaded for it. */
    private void kill(String what, String index) throws Exception {
        Path cli = dirY.resolve("pulse.cli");
        if (!java.nio.file.Files.exists(cli)) {
            assertThat(pulse.run("pactl", "load-module", "module-cli-protocol-unix", "socket=" + cli)).isZero();
        }
        try (var ch = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(cli))) {
            ch.write(java.nio.ByteBuffer.wrap(("kill-" + what + " " + index + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            ch.shutdownOutput(); // ("exit" would end the daemon)
            java.nio.ByteBuffer in = java.nio.ByteBuffer.allocate(4096);
            while (ch.read(in) >= 0 && in.hasRemaining()) {
                // the server closes its end after the input's end
            }
            String said = new String(in.array(), 0, in.position(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(said).as("kill-%s %s", what, index).doesNotContain("No").doesNotContain("rror");
        }
    }

    @Test
    void aFailingSpeakerStreamMovesTheCallToTheDefaultSpeakerInsteadOfFailingIt() throws Exception {
        Tools.require("parecord");
        plugHeadset("failing");
        try (TestEngine x = new TestEngine(660, dirX); TestEngine y = pulseEngine(dirY)) {
            var l = DeviceTest.devices(y);
            select(y, "", DeviceTest.find(l, Device.DeviceKind.MICROPHONE, "failingMic"));
            select(y, "", DeviceTest.find(l, Device.DeviceKind.SPEAKER, "failingSpeaker"));
            String sx = x.createSession(SessionOptions.newBuilder());
            String sy = y.createSession(SessionOptions.newBuilder());
            x.setAnswer(sx, y.answer(sy, x.offer(sx)));
            y.awaitState(sy, SessionState.State.CONNECTED);
            x.awaitReceived(sx, 50);
            await().atMost(Duration.ofSeconds(10)).until(() -> !pulse.output("pactl", "list", "short", "sink-inputs").isBlank());

            // PulseAudio ends the stream (as when a device dies under it): pulsesink posts an ERROR
            kill("sink-input", onlyStream("sink-inputs"));
            await().atMost(Duration.ofSeconds(20)).until(() -> activeDevices(y).size() == 1);
            ActiveDevice spk = activeDevices(y).get(0);
            assertThat(spk.getSessionId()).isEqualTo(sy);
            assertThat(spk.getReplaced().getName()).isEqualTo("failingSpeaker");
            assertThat(spk.getDevice().getName()).isEqualTo("DeskSpeaker");
            Path onDesk = pulse.recordSink("deskspk", dirY.resolve("desk.wav"), 4);
            assertThat(ToneAnalyzer.dominantFrequency(onDesk)).as("the far end on the default speaker").isCloseTo(660, within(3.0));

            // not covered: a killed microphone stream (pulsesrc posts no ERROR then; see the branch report)
            long atX = received(x, sx);
            await().atMost(Duration.ofSeconds(20)).until(() -> received(x, sx) > atX + 100);
            assertThat(y.hasState(sy, SessionState.State.FAILED)).isFalse();
            assertThat(y.lastState(sy)).isEqualTo(SessionState.State.CONNECTED);
        } finally {
            unplug("failingspk");
            unplug("failingmic");
        }
    }

    /** One switch as seen on the wire: the longest silence between packets and what RTP time says. */
    record Gap(double wireMs, double rtpMs, int seqJump) {
    }

    /** The switch among the packets of {@code ssrc} captured in [from, to] (epoch seconds): the largest RTP-time step. */
    static Gap largestGap(WireCapture cap, long ssrc, double from, double to, int clockRate) {
        List<double[]> pk = packets(cap, ssrc, from, to);
        // the switch is where RTP time jumps most: a longer wire gap elsewhere is the loaded sender's
        // scheduling (packets late but stamped 20 ms apart), not silence in the audio
        Gap worst = new Gap(0, 0, 1);
        for (int i = 1; i < pk.size(); i++) {
            double wire = (pk.get(i)[0] - pk.get(i - 1)[0]) * 1000;
            double rtp = (((long) pk.get(i)[2] - (long) pk.get(i - 1)[2]) & 0xffffffffL) * 1000.0 / clockRate;
            if (rtp > worst.rtpMs()) worst = new Gap(wire, rtp, ((int) pk.get(i)[1] - (int) pk.get(i - 1)[1]) & 0xffff);
        }
        return worst;
    }

    /** The longest time between two captured packets of {@code ssrc} in [from, to] (epoch seconds), in ms. */
    static double largestWireGap(WireCapture cap, long ssrc, double from, double to) {
        List<double[]> pk = packets(cap, ssrc, from, to);
        double worst = 0;
        for (int i = 1; i < pk.size(); i++) worst = Math.max(worst, (pk.get(i)[0] - pk.get(i - 1)[0]) * 1000);
        return worst;
    }

    /** The RTP packets of {@code ssrc} captured in [from, to] (epoch seconds): {time, sequence number, timestamp}. */
    static List<double[]> packets(WireCapture cap, long ssrc, double from, double to) {
        List<double[]> pk = new ArrayList<>();
        synchronized (cap) {
            for (int i = 0; i < cap.payloads.size(); i++) {
                byte[] p = cap.payloads.get(i);
                double t = cap.times.get(i);
                if (t < from || t > to || p.length < 12 || (p[0] & 0xc0) != 0x80) continue;
                if (RtpPackets.looksLikeRtcp(p, 0, p.length) || RtpPackets.ssrc(p, 0) != ssrc) continue;
                pk.add(new double[] {t, RtpPackets.seq(p, 0), RtpPackets.timestamp(p, 0)});
            }
        }
        return pk;
    }

    static List<String> rounded(List<Double> ms) {
        return ms.stream().map(v -> String.format(java.util.Locale.ROOT, "%.1f", v)).toList();
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** The SSRC of the first RTP packet captured, -1 before one came. */
    static long ssrcOf(WireCapture cap) {
        for (byte[] p : cap.payloads) {
            if (p.length >= 12 && (p[0] & 0xc0) == 0x80 && !RtpPackets.looksLikeRtcp(p, 0, p.length)) return RtpPackets.ssrc(p, 0);
        }
        return -1;
    }

    @Test
    void switchingTheMicrophoneMidCallKeepsTheStreamContinuousOnTheWire() throws Exception {
        Tools.require("tshark");
        plugHeadset("switchheadset");
        try (TestEngine x = new TestEngine(660, dirX); TestEngine y = pulseEngine(dirY)) {
            var l = DeviceTest.devices(y);
            Device head = DeviceTest.find(l, Device.DeviceKind.MICROPHONE, "switchheadsetMic");
            Device desk = DeviceTest.find(l, Device.DeviceKind.MICROPHONE, "DeskMic");
            String sx = x.createSession(SessionOptions.newBuilder());
            String sy = y.createSession(SessionOptions.newBuilder());
            x.setAnswer(sx, y.answer(sy, x.offer(sx)));
            y.awaitState(sy, SessionState.State.CONNECTED);
            x.awaitReceived(sx, 50);
            int port = y.engine.localMediaAddress(sy).getPort();
            List<Gap> gaps = new ArrayList<>();
            List<Double> switchWorst = new ArrayList<>();
            List<Double> baselineWorst = new ArrayList<>();
            try (WireCapture cap = new WireCapture("udp src port " + port)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> ssrcOf(cap) >= 0);
                long ssrc = ssrcOf(cap);
                // alternating rounds: a switch, then the same window of the same call without one (the baseline)
                for (int round = 0; round < 12; round++) {
                    boolean switching = round % 2 == 0;
                    long before = received(x, sx);
                    await().atMost(Duration.ofSeconds(20)).until(() -> received(x, sx) > before + 25);
                    double from = System.currentTimeMillis() / 1000.0;
                    if (switching) select(y, sy, (round / 2) % 2 == 0 ? head : desk);
                    long at = received(x, sx);
                    await().atMost(Duration.ofSeconds(20)).until(() -> received(x, sx) > at + 25);
                    await().atMost(Duration.ofSeconds(10)).until(() -> !cap.times.isEmpty()
                            && cap.times.get(cap.times.size() - 1) > from + 0.3);
                    double to = System.currentTimeMillis() / 1000.0;
                    if (switching) gaps.add(largestGap(cap, ssrc, from - 0.1, to, 48000));
                    (switching ? switchWorst : baselineWorst).add(largestWireGap(cap, ssrc, from - 0.1, to));
                }
            } finally {
                y.close(sy);
            }
            double sw = median(switchWorst);
            double base = median(baselineWorst);
            System.out.printf(java.util.Locale.ROOT, "DEVICE-SWITCH-GAPS wire/RTP ms at each switch %s; largest wire gap per window,"
                    + " ms: switch %s, baseline %s; medians %.1f vs %.1f, ratio %.2f%n",
                    gaps.stream().map(g -> String.format(java.util.Locale.ROOT, "%.1f/%.1f", g.wireMs(), g.rtpMs())).toList(),
                    rounded(switchWorst), rounded(baselineWorst), sw, base, sw / base);
            for (Gap g : gaps) {
                assertThat(g.seqJump()).as("no packet lost or repeated across a switch: %s", g).isEqualTo(1);
                assertThat(g.wireMs()).as("silence on the wire, ms").isLessThan(1000);
                assertThat(g.rtpMs()).as("RTP time follows wall-clock time across the switch: %s", g).isCloseTo(g.wireMs(), within(60.0));
            }
            assertThat(y.hasState(sy, SessionState.State.FAILED)).isFalse();
        }
    }
}
