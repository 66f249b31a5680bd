package io.vmc.it.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.engine.media.ToneAnalyzer;
import io.vmc.it.lab.VmcProcess;
import io.vmc.it.lab.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A call between two VMC softphones over SIP survives Alice's media moving into her VM and back:
 * her thin client's engine dies mid-call (agentd moves the call to FALLBACK and her softphone
 * re-INVITEs Bob with a fresh offer: new ICE credentials, candidates and keys), then comes back
 * (OPTIMIZED again, another re-INVITE). Bob's softphone answers both in the same call; his engine
 * restarts ICE and takes the new keys. All processes are real, on 127.0.0.1.
 */
@Timeout(240)
class CallSurvivesMoveIT {
    private static final int FALLBACK_TONE_HZ = 660;

    @Test
    void bobKeepsTheCallWhileAlicesMediaMovesIntoHerVmAndBack(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
        Topology t = Topology.loopback();
        Party alice = new Party("alice", Demo.ALICE_TONE_HZ, TestPatternColour.RED, t.sipPortAlice(), dir);
        Party bob = new Party("bob", Demo.BOB_TONE_HZ, TestPatternColour.GREEN, t.sipPortBob(), dir);
        List<VmcProcess> processes = new ArrayList<>();
        try {
            for (Party p : List.of(alice, bob)) {
                Files.createDirectories(p.recordDir());
            }
            VmcProcess aliceEngine = startEngine(alice, t, dir, processes);
            startEngine(bob, t, dir, processes);
            processes.add(VmcProcess.start("alice-agentd", null, dir.resolve("alice-agentd.log"), line -> {},
                    List.of("agentd", "--channel", t.agentChannel(alice), "--api-socket", alice.agentSocket().toString(),
                            "--fallback-tone", Integer.toString(FALLBACK_TONE_HZ), "--fallback-no-speaker",
                            "--fallback-ice-address", "127.0.0.1")));
            processes.add(VmcProcess.start("bob-agentd", null, dir.resolve("bob-agentd.log"), line -> {},
                    List.of("agentd", "--channel", t.agentChannel(bob), "--api-socket", bob.agentSocket().toString(),
                            "--no-fallback")));
            for (Party p : List.of(alice, bob)) {
                Waits.awaitFile(p.agentSocket(), 60, dir.resolve(p.name() + "-agentd.log"));
            }
            VmcProcess bobPhone = startSoftphone(bob, dir, processes, List.of());
            startSoftphone(alice, dir, processes, List.of("--call", "sip:bob@127.0.0.1:" + bob.sipPort(), "--duration", "120"));
            assertThat(alice.observer().established().await(60, TimeUnit.SECONDS)).as("call established").isTrue();
            CallObserver b = bob.observer();
            await().atMost(Duration.ofSeconds(30)).until(() -> b.statLong("received") > 100);
            String optimizedRemote = b.stat("remote").orElseThrow();

            // Alice's thin client engine goes away: her media continues inside her VM
            aliceEngine.close();
            await().atMost(Duration.ofSeconds(30)).until(() -> alice.observer().mode().equals("FALLBACK"));
            await().atMost(Duration.ofSeconds(30)).until(() -> !b.stat("remote").orElse("").equals(optimizedRemote));
            String fallbackRemote = b.stat("remote").orElseThrow();
            awaitRising(b, 100);
            assertThat(b.ended().getCount()).as("Bob's call is still up").isEqualTo(1);

            // and comes back: the call moves to the thin client again
            startEngine(alice, t, dir, processes);
            await().atMost(Duration.ofSeconds(60)).until(() -> alice.observer().mode().equals("OPTIMIZED"));
            await().atMost(Duration.ofSeconds(30)).until(() -> !b.stat("remote").orElse("").equals(fallbackRemote));
            awaitRising(b, 150);
            assertThat(b.ended().getCount()).as("Bob's call is still up").isEqualTo(1);
            assertThat(b.stat("encrypted")).hasValue("true");
            // Bob's receiver restarted with the last keys: what he records now is Alice's engine again
            Path wav;
            try (var files = Files.list(bob.recordDir())) {
                wav = files.filter(f -> f.toString().endsWith(".wav")).findFirst().orElseThrow();
            }
            bobPhone.close(); // Bob's app goes away: agentd closes his session, the engine finishes the recording
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> Math.abs(ToneAnalyzer.dominantFrequency(wav) - Demo.ALICE_TONE_HZ) <= Demo.TONE_TOLERANCE_HZ);
        } finally {
            processes.forEach(VmcProcess::close);
        }
    }

    /** Bob's received-packet counter grows by {@code n} (it restarts at 0 when his receiver takes new keys). */
    private static void awaitRising(CallObserver b, long n) {
        long[] last = {b.statLong("received")};
        long[] gained = {0};
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
            long now = b.statLong("received");
            gained[0] += now >= last[0] ? now - last[0] : now;
            last[0] = now;
            return gained[0] >= n;
        });
    }

    private static VmcProcess startEngine(Party p, Topology t, Path dir, List<VmcProcess> processes) throws Exception {
        List<String> args = new ArrayList<>(List.of("engine", "--channel", t.engineChannel(p), "--ice-address", t.mediaAddress(p),
                "--tone", Integer.toString(p.toneHz()), "--speaker", "none", "--record-dir", p.recordDir().toString()));
        args.addAll(t.engineOptions(dir));
        VmcProcess e = VmcProcess.start(p.name() + "-engine", null, dir.resolve(p.name() + "-engine-" + processes.size() + ".log"),
                line -> {}, args);
        processes.add(e);
        return e;
    }

    private static VmcProcess startSoftphone(Party p, Path dir, List<VmcProcess> processes, List<String> extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("softphone", "--user", p.name(),
                "--sip", "127.0.0.1:" + p.sipPort(), "--agent-socket", p.agentSocket().toString(),
                "--codec", "opus", "--wait-optimized", "30", "--stats-interval", "1")); // the test follows live stats
        args.addAll(extra);
        VmcProcess phone = VmcProcess.start(p.name() + "-softphone", null, dir.resolve(p.name() + "-softphone.log"),
                p.observer()::accept, args);
        processes.add(phone);
        return phone;
    }
}
