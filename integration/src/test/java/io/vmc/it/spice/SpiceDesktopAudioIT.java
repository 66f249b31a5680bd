package io.vmc.it.spice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vmc.engine.PulseServer;
import io.vmc.engine.media.ToneAnalyzer;
import io.vmc.it.lab.VmcProcess;
import io.vmc.it.qemu.GuestProcess;
import io.vmc.it.qemu.GuestVm;
import io.vmc.it.qemu.GuestVmExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The desktop's sound with {@code vmc engine --spice} in place of remote-viewer (issue 19 part 1):
 * the guest plays a tone into its virtual sound card (QEMU's AC97 with the SPICE audiodev; intel-hda's
 * codec probe times out under TCG here: "snd_hda_intel: Cannot probe codecs, giving up"),
 * and the tone comes out of the client's PulseAudio (a private server with a null sink, recorded
 * from its monitor). With {@code --no-desktop-audio} the same guest sound stays off the client.
 */
@Timeout(900)
class SpiceDesktopAudioIT {
    static final int SPICE_PORT = freePort();
    static final double GUEST_TONE_HZ = 660;
    static final double CLIENT_MIC_HZ = 520;

    @RegisterExtension
    static final GuestVmExtension GUEST = new GuestVmExtension(GuestVm.builder()
            .portChardev("spiceport,name=" + GuestVm.PORT_NAME)
            .qemuArgs("-spice", "port=" + SPICE_PORT + ",addr=127.0.0.1,disable-ticketing=on",
                    "-audiodev", "spice,id=snd0", "-device", "AC97,audiodev=snd0"));

    @TempDir Path dir;
    private String diagnostics = "";

    private static int freePort() {
        try {
            return SpiceQemu.freePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void theGuestsSoundPlaysOnTheClientsSpeakerAndStaysOffWithNoDesktopAudio() throws Exception {
        Prerequisites.require(false, "pulseaudio", "parecord", "speaker-test", "amixer");
        Path pulseDir = Files.createDirectories(dir.resolve("pulse"));
        try (PulseServer pulse = new PulseServer(pulseDir.resolve("native"),
                "module-null-sink sink_name=speaker sink_properties=device.description=Speaker")) {
            GuestProcess tone = startGuestTone();
            try {
                Path played = listen(pulse, List.of(), "with-audio");
                assertThat(ToneAnalyzer.dominantFrequency(played)).as("the client's speaker plays the guest's tone; %s; guest: %s",
                                diagnostics, tone.output())
                        .isCloseTo(GUEST_TONE_HZ, within(10.0));
                assertThat(level(played)).isGreaterThan(-40);

                Path silent = listen(pulse, List.of("--no-desktop-audio"), "no-audio");
                System.out.printf("desktop audio: client speaker %.1f Hz at %.1f dBFS; with --no-desktop-audio %.1f dBFS%n",
                        ToneAnalyzer.dominantFrequency(played), level(played), level(silent));
                assertThat(level(silent)).as("--no-desktop-audio: nothing plays").isLessThan(-60);
            } finally {
                tone.stop(Duration.ofSeconds(10));
            }
        }
    }

    /** The other way: the VM's virtual microphone records what the client's microphone hears. */
    @Test
    void theGuestRecordsTheClientsMicrophone() throws Exception {
        Prerequisites.require(false, "pulseaudio", "arecord", "amixer");
        Path pulseDir = Files.createDirectories(dir.resolve("pulse-mic"));
        try (PulseServer pulse = new PulseServer(pulseDir.resolve("native"),
                "module-null-sink sink_name=speaker sink_properties=device.description=Speaker",
                "module-sine-source source_name=mic frequency=" + (int) CLIENT_MIC_HZ)) {
            List<String> args = List.of("engine", "--spice", "spice://127.0.0.1:" + SPICE_PORT,
                    "--no-display", "--ice-address", "127.0.0.1", "--speaker", "none");
            Path log = dir.resolve("engine-mic.log");
            CountDownLatch connected = new CountDownLatch(1);
            try (VmcProcess engine = VmcProcess.start("engine-mic", null, log, line -> {
                if (line.contains("SPICE session connected")) connected.countDown();
            }, args, Map.of("PULSE_SERVER", pulse.address(), "PULSE_SINK", "speaker", "PULSE_SOURCE", "mic"))) {
                assertThat(connected.await(180, TimeUnit.SECONDS)).as("engine log:%n%s", Files.readString(log)).isTrue();
                String wav = GuestVm.GUEST_SHARED_DIR + "/mic.wav";
                GuestProcess rec = GUEST.vm().run(List.of("sh", "-c", loadCard()
                        + " arecord -q -D plughw:0,0 -f S16_LE -r 48000 -c 1 -d 10 " + wav + " && echo RECORDED"), Map.of());
                rec.awaitOutput("RECORDED", Duration.ofSeconds(180));
                Path recorded = GUEST.vm().sharedDir().resolve("mic.wav");
                // the record stream starts a moment after the guest opens the device: its loudest second
                ToneAnalyzer.Pcm last = ToneAnalyzer.loudestSecond(ToneAnalyzer.readWav(recorded));
                double hz = ToneAnalyzer.dominantFrequency(last.samples(), last.sampleRate());
                System.out.printf("desktop microphone: the guest recorded %.1f Hz at %.1f dBFS%n", hz,
                        ToneAnalyzer.levelDbfs(last.samples()));
                assertThat(hz).as("the guest records the client's microphone; guest: %s; engine log:%n%s", rec.output(),
                        Files.readString(log)).isCloseTo(CLIENT_MIC_HZ, within(10.0));
            }
        }
    }

    /** Loads the guest's sound card driver and waits for its device nodes (shell, ends with a space). */
    private static String loadCard() {
        return "modprobe snd-intel8x0;"
                + " for i in $(seq 300); do grep -q . /proc/asound/cards 2>/dev/null && [ -e /dev/snd/pcmC0D0p ] && break; sleep 0.2; done;"
                // a fresh AC97 mixer is muted at 0 %, and SPICE gives the client's streams the guest's
                // volume and mute: unmuted both ways, as a user's guest would have it
                + " amixer -c 0 -q sset Master 100% unmute; amixer -c 0 -q sset PCM 100% unmute;"
                + " amixer -c 0 -q sset Capture 100% cap; amixer -c 0 -q sset Mic 100% unmute cap; ";
    }

    /** The guest's sound card driver and an endless sine on it, at the card's own rate. */
    private static GuestProcess startGuestTone() throws IOException {
        GuestProcess tone = GUEST.vm().run(List.of("sh", "-c",
                loadCard() + "cat /proc/asound/cards; ls /dev/snd; dmesg | grep -i -E 'hda|snd' | tail -5;"
                        + " amixer -c 0 sget Master | tail -2;"
                        + " echo CARD-READY; exec speaker-test -D plughw:0,0 -t sine -f " + (int) GUEST_TONE_HZ
                        + " -c 2 -r 48000 -l 0"), Map.of());
        tone.awaitOutput("CARD-READY", Duration.ofSeconds(120));
        return tone;
    }

    /** Runs the engine as a thin-client user does and records what its session plays on the speaker. */
    private Path listen(PulseServer pulse, List<String> extraArgs, String name) throws Exception {
        List<String> args = new ArrayList<>(List.of("engine", "--spice", "spice://127.0.0.1:" + SPICE_PORT,
                "--no-display", "--ice-address", "127.0.0.1", "--speaker", "none"));
        args.addAll(extraArgs);
        Path log = dir.resolve("engine-" + name + ".log");
        CountDownLatch connected = new CountDownLatch(1);
        try (VmcProcess engine = VmcProcess.start("engine-" + name, null, log, line -> {
            if (line.contains("SPICE session connected")) connected.countDown();
        }, args, Map.of("PULSE_SERVER", pulse.address(), "PULSE_SINK", "speaker"))) {
            assertThat(connected.await(180, TimeUnit.SECONDS)).as("engine log:%n%s", Files.readString(log)).isTrue();
            // The playback stream starts once the playback channel is up: record until the tone is
            // there (or, with no desktop audio, for as long as it takes to come with audio on).
            Path wav = dir.resolve(name + ".wav");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(extraArgs.isEmpty() ? 90 : 15);
            do {
                pulse.recordSink("speaker", wav, 2);
                if (extraArgs.isEmpty() && Math.abs(ToneAnalyzer.dominantFrequency(wav) - GUEST_TONE_HZ) < 10) break;
                Files.delete(wav);
            } while (System.nanoTime() < deadline);
            if (!Files.exists(wav)) pulse.recordSink("speaker", wav, 2);
            diagnostics = "streams on the client: " + pulse.output("pactl", "list", "sink-inputs")
                    + "; engine log:\n" + Files.readString(log);
            return wav;
        }
    }

    private static double level(Path wav) throws IOException {
        return ToneAnalyzer.levelDbfs(ToneAnalyzer.readWav(wav).samples());
    }
}
