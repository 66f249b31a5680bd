package io.vmc.it.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vmc.engine.interop.Baresip;
import io.vmc.engine.media.ToneAnalyzer;
import io.vmc.it.demo.CallObserver;
import io.vmc.it.lab.Ports;
import io.vmc.it.lab.VmcProcess;
import io.vmc.it.lab.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Alice's VM softphone, optimized through her engine, calls an ordinary SIP phone nobody here
 * wrote (baresip, Debian's package) as Bob: SDES-SRTP both ways, tones recognised on both ends.
 */
@Timeout(120)
class BaresipCallIT {
    private static final int ALICE_HZ = 440;
    /** baresip's ausine generator comes out at 883 Hz when asked for 880. */
    private static final int BARESIP_HZ = 880;

    private final List<VmcProcess> processes = new ArrayList<>();

    @AfterEach
    void stopAll() {
        processes.forEach(VmcProcess::close);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"PCMU, PCMU/8000/1", "opus, opus/48000/2"})
    void optimizedSoftphoneCallsBaresip(String codec, String baresipCodec, @TempDir Path dir) throws Exception {
        Path channel = dir.resolve("alice-channel.sock");
        Path agentSocket = dir.resolve("alice-agent.sock");
        Path received = Files.createDirectories(dir.resolve("alice-received"));
        List<String> engine = new java.util.ArrayList<>(List.of("engine",
                "--channel", "unix-listen:" + channel, "--ice-address", "127.0.0.1", "--tone", "" + ALICE_HZ,
                "--speaker", "none", "--record-dir", received.toString()));
        engine.addAll(io.vmc.it.demo.LoopbackPolicy.engineOptions(dir));
        processes.add(VmcProcess.start("alice-engine", null, dir.resolve("engine.log"), l -> {}, engine));
        processes.add(VmcProcess.start("alice-agentd", null, dir.resolve("agentd.log"), l -> {}, List.of("agentd",
                "--channel", "unix:" + channel, "--api-socket", agentSocket.toString(), "--no-fallback")));

        Waits.awaitFile(agentSocket, 60, dir.resolve("agentd.log"));
        try (Baresip bob = new Baresip(dir.resolve("bob"), BARESIP_HZ,
                ";audio_codecs=" + baresipCodec + ";mediaenc=srtp-mand", 60)) {
            CallObserver alice = new CallObserver("alice");
            VmcProcess phone = VmcProcess.start("alice-softphone", null, dir.resolve("softphone.log"), alice::accept,
                    List.of("softphone", "--user", "alice", "--sip", "127.0.0.1:" + Ports.freeUdpPort(),
                            "--agent-socket", agentSocket.toString(), "--codec", codec, "--wait-optimized", "30",
                            "--call", "sip:bob@127.0.0.1:" + bob.sipPort, "--duration", "6"));
            processes.add(phone);

            assertThat(alice.established().await(60, TimeUnit.SECONDS))
                    .as("call established; softphone log:%n%s%nbaresip:%n%s", log(dir, "softphone.log"), bob.log())
                    .isTrue();
            assertThat(phone.waitFor(30, TimeUnit.SECONDS)).as(log(dir, "softphone.log")).isZero();

            assertThat(alice.mode()).isEqualTo("OPTIMIZED");
            assertThat(alice.stat("codec")).hasValueSatisfying(c -> assertThat(c).isEqualToIgnoringCase(codec));
            assertThat(alice.stat("encrypted")).hasValue("true");
            assertThat(alice.statLong("received")).isGreaterThan(100);
            bob.close(); // flushes baresip's WAV dump
            assertThat(ToneAnalyzer.dominantFrequency(bob.decodedWav())).isCloseTo(ALICE_HZ, within(5.0));
            assertThat(ToneAnalyzer.dominantFrequency(newest(received))).isCloseTo(BARESIP_HZ, within(10.0));
        }
    }

    private static Path newest(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".wav")).max(Comparator.comparingLong(p -> p.toFile().length()))
                    .orElseThrow(() -> new AssertionError("the engine recorded nothing in " + dir));
        }
    }

    private static String log(Path dir, String name) throws Exception {
        Path f = dir.resolve(name);
        return Files.exists(f) ? Files.readString(f) : "(no " + name + ")";
    }
}
