package io.vmc.it.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.vmc.engine.media.ToneAnalyzer;
import io.vmc.it.demo.CallObserver;
import io.vmc.it.lab.VmcProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A real optimized SIP call whose VM side runs inside a real QEMU guest. The guest has two
 * virtio-serial ports, one per party ({@value GuestVm#PORT_NAME} for Alice, {@value #PORT_B} for
 * Bob); in the guest, one {@code vmc agentd} owns each port and one sample softphone talks to each
 * agentd; on the host, one {@code vmc engine} per party sits on the host end of its port. Alice
 * calls Bob over the guest's loopback (SIP); the media flows engine to engine on the host's
 * loopback, and only control crosses the virtio ports. The guest has no network card, so media
 * could not have gone through it anyway; the test also checks that the guest's processes own no
 * UDP socket besides SIP while the call is up.
 */
@Timeout(300)
class RealGuestCallIT {

    static final String PORT_B = "org.spice-space.vmc.1";
    private static final int ALICE_HZ = 440;
    private static final int BOB_HZ = 880;
    /**
     * Explicit, because {@code vmc softphone} without {@code --codec} currently fails
     * ("audioCodecs must not be empty").
     */
    private static final String CODEC = "opus";
    private static final int ALICE_SIP = 5060;
    private static final int BOB_SIP = 5062;
    /**
     * API sockets on the guest's own tmpfs, not on the 9p share (/run/vmc-it, mounted without
     * cache): a unix socket there cannot be relied on to connect. agentd's output says when it is bound.
     */
    private static final String SOCKET_A = "/run/vmc-a.sock";
    private static final String SOCKET_B = "/run/vmc-b.sock";
    /** Under TCG on a loaded host a guest JVM takes tens of seconds to get going. */
    private static final Duration SLOW = Duration.ofSeconds(150);

    @RegisterExtension
    static final GuestVmExtension GUEST = new GuestVmExtension(GuestVm.builder().memoryMb(1024).extraPort(PORT_B)
            // Four JVMs in the guest: a second vCPU (its own TCG thread) keeps them from starving each other.
            .qemuArgs("-smp", "2"));

    private static final List<VmcProcess> HOST = new ArrayList<>();
    private static final List<GuestProcess> GUEST_PROCESSES = new ArrayList<>();
    private static Path work;

    @BeforeAll
    static void workDir() throws IOException {
        work = Files.createTempDirectory("vmc-realguest-");
    }

    /** Runs before the extension stops the VM: guest processes first, then the host's engines. */
    @AfterAll
    static void stopEverything() {
        for (GuestProcess p : GUEST_PROCESSES) {
            try {
                if (p.isAlive()) {
                    p.stop(Duration.ofSeconds(20));
                }
            } catch (IOException | RuntimeException | AssertionError e) {
                System.err.println("cannot stop " + p + ": " + e);
            }
        }
        HOST.forEach(VmcProcess::close);
        if (work != null) {
            try (Stream<Path> s = Files.walk(work)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                System.err.println("cannot delete " + work + ": " + e);
            }
        }
    }

    @Test
    void optimizedCallBetweenTwoSoftphonesInARealGuest_mediaStaysOnTheHost() throws Exception {
        try {
            call(GUEST.vm());
        } catch (Throwable t) {
            System.out.println(diagnostics());
            throw t;
        }
    }

    private static void call(GuestVm vm) throws Exception {
        long start = System.nanoTime();
        Path recA = Files.createDirectories(work.resolve("a-received"));
        Path recB = Files.createDirectories(work.resolve("b-received"));
        HOST.add(engine("a-engine", vm.portSocket(), ALICE_HZ, recA));
        HOST.add(engine("b-engine", vm.extraPortSocket(PORT_B), BOB_HZ, recB));

        GuestProcess agentA = guest(vm.vmc("agentd", "--channel", "virtio:" + GuestVm.PORT_NAME,
                "--api-socket", SOCKET_A, "--no-fallback"));
        GuestProcess agentB = guest(vm.vmc("agentd", "--channel", "virtio:" + PORT_B,
                "--api-socket", SOCKET_B, "--no-fallback"));
        // agentd prints this line once its API socket is bound.
        agentA.awaitOutput("vmc agentd: apps on", SLOW);
        agentB.awaitOutput("vmc agentd: apps on", SLOW);
        assertGuestSocket(vm, SOCKET_A);
        assertGuestSocket(vm, SOCKET_B);
        phase(start, "both agentds serve apps");
        // Each agentd serves apps and is OPTIMIZED (its engine connected over its own port). The
        // probe also warms agentd's app path up: the sample softphone gives an agent only 5 s to
        // answer, which a cold interpreted agentd under TCG may miss.
        GuestProcess probeA = guest(vm.java(AgentProbe.class.getName(), SOCKET_A));
        GuestProcess probeB = guest(vm.java(AgentProbe.class.getName(), SOCKET_B));
        assertThat(probeA.waitFor(SLOW)).as("agent probe A:%n%s", probeA.output()).isZero();
        assertThat(probeB.waitFor(SLOW)).as("agent probe B:%n%s", probeB.output()).isZero();
        phase(start, "both agentds OPTIMIZED (engines connected over the two virtio ports)");

        GuestProcess bob = guest(vm.vmc("softphone", "--user", "bob", "--sip", "127.0.0.1:" + BOB_SIP,
                "--agent-socket", SOCKET_B, "--codec", CODEC));
        // Bob listens once his SIP stack is up and he knows his mode; only then may Alice dial.
        bob.awaitOutput("SIP listening", SLOW);
        bob.awaitOutput("MODE OPTIMIZED", SLOW);
        phase(start, "bob listens");
        // The probe has shown agentd A OPTIMIZED already. Keep --wait-optimized short: the sample
        // softphone only notices mode *changes*, so when the agent is OPTIMIZED before it connects
        // it waits the whole time (Softphone.awaitOptimized) before dialing.
        GuestProcess alice = guest(vm.vmc("softphone", "--user", "alice", "--sip", "127.0.0.1:" + ALICE_SIP,
                "--agent-socket", SOCKET_A, "--codec", CODEC, "--wait-optimized", "15", "--stats-interval", "1",
                "--call", "sip:bob@127.0.0.1:" + BOB_SIP, "--duration", "8"));
        alice.awaitOutput("SIP listening", SLOW);
        phase(start, "alice's softphone up");
        alice.awaitOutput("CALL dialing", SLOW);
        phase(start, "alice dials");
        alice.awaitOutput("CALL established", SLOW);
        phase(start, "call established");
        alice.awaitOutput("STATS ", Duration.ofSeconds(60)); // pushed every second (--stats-interval 1): the call is up

        // Mid-call: which UDP ports are bound inside the guest (its processes are all VM side).
        Set<Integer> udp = guestUdpPorts(vm);
        assertThat(alice.isAlive()).as("the call was still up during the socket check; alice:%n%s", alice.output())
                .isTrue();
        assertThat(udp).as("UDP ports bound in the guest mid-call (media inside the VM?)")
                .containsExactlyInAnyOrder(ALICE_SIP, BOB_SIP);

        assertThat(alice.waitFor(Duration.ofSeconds(90))).as("alice's exit status; output:%n%s", alice.output())
                .isZero();
        CallObserver observer = new CallObserver("alice");
        alice.output().lines().forEach(observer::accept);
        String context = "alice:\n" + alice.output() + "\nbob:\n" + bob.output();
        assertThat(alice.output()).as(context).contains("MODE OPTIMIZED").contains("CALL established");
        assertThat(observer.mode()).as(context).isEqualTo("OPTIMIZED");
        assertThat(observer.stat("encrypted")).as(context).hasValue("true");
        assertThat(observer.statLong("received")).as(context).isGreaterThan(0);
        assertThat(bob.output()).as(context).contains("CALL established");
        phase(start, "call ended: " + alice.output().lines().filter(l -> l.startsWith("STATS ")).reduce((a, b) -> b)
                .orElse(""));

        // Each engine recorded what the other one sent: Bob's 880 Hz at Alice's, and vice versa.
        double atAlice = dominantFrequency(recA);
        double atBob = dominantFrequency(recB);
        phase(start, String.format("tones: %.1f Hz at Alice's engine, %.1f Hz at Bob's", atAlice, atBob));
        assertThat(atAlice).as("tone received by Alice's engine").isCloseTo(BOB_HZ, within(15.0));
        assertThat(atBob).as("tone received by Bob's engine").isCloseTo(ALICE_HZ, within(15.0));
    }

    private static void phase(long start, String what) {
        System.out.printf("[%5.1f s] %s%n", (System.nanoTime() - start) / 1e9, what);
    }

    /** Everything a failure needs: each guest process's output and the engines' logs. */
    private static String diagnostics() {
        StringBuilder b = new StringBuilder("--- RealGuestCallIT diagnostics ---\n");
        for (GuestProcess p : GUEST_PROCESSES) {
            String cmd = p.toString();
            int cp = cmd.indexOf(" -cp ");
            String shortCmd = cp < 0 ? cmd : cmd.substring(cmd.indexOf(' ', cp + 5) + 1); // without the class path
            b.append("== ").append(shortCmd).append(" (exit ")
                    .append(p.exitCode().isPresent() ? Integer.toString(p.exitCode().getAsInt()) : "-")
                    .append(")\n").append(p.output()).append('\n');
        }
        for (VmcProcess p : HOST) {
            try {
                b.append("== host ").append(p.name()).append('\n')
                        .append(Files.readString(work.resolve(p.name() + ".log"))).append('\n');
            } catch (IOException e) {
                b.append("(no log: ").append(e).append(")\n");
            }
        }
        return b.toString();
    }

    /**
     * Runs in the guest: connects to an agentd like a softphone would, waits until its media mode
     * is OPTIMIZED, creates and closes one session, and exits 0.
     */
    public static final class AgentProbe {
        public static void main(String[] args) throws Exception {
            Duration patience = Duration.ofSeconds(120);
            try (io.vmc.agent.api.Vmc vmc = io.vmc.agent.api.Vmc.builder().socket(Path.of(args[0]))
                    .appName("vmc-it-probe").connectTimeout(patience).requestTimeout(patience).connect()) {
                java.util.concurrent.CountDownLatch optimized = new java.util.concurrent.CountDownLatch(1);
                vmc.addModeListener(change -> {
                    if (change.mode() == io.vmc.agent.api.Mode.OPTIMIZED) {
                        optimized.countDown();
                    }
                });
                if (vmc.mode() != io.vmc.agent.api.Mode.OPTIMIZED) {
                    optimized.await(patience.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
                }
                System.out.println("PROBE mode=" + vmc.mode() + " reason=" + vmc.modeReason());
                if (vmc.mode() != io.vmc.agent.api.Mode.OPTIMIZED) {
                    System.exit(2);
                }
                io.vmc.agent.api.MediaSession s = vmc.newSession(io.vmc.agent.api.SessionOptions.builder().audio(true)
                        .audioCodecs(List.of(CODEC)).label("probe").build());
                System.out.println("PROBE offer " + s.createOffer().length() + " bytes");
                s.close();
            }
            System.out.println("PROBE OK");
            System.exit(0);
        }
    }

    private static VmcProcess engine(String name, Path portSocket, int toneHz, Path recordDir) throws IOException {
        List<String> args = new java.util.ArrayList<>(List.of("engine",
                "--channel", "unix:" + portSocket, "--ice-address", "127.0.0.1", "--tone", Integer.toString(toneHz),
                "--speaker", "none", "--record-dir", recordDir.toString()));
        args.addAll(io.vmc.it.demo.LoopbackPolicy.engineOptions(work.resolve(name + "-policy")));
        return VmcProcess.start(name, null, work.resolve(name + ".log"), line -> {}, args);
    }

    private static GuestProcess guest(GuestProcess p) {
        GUEST_PROCESSES.add(p);
        return p;
    }

    private static void assertGuestSocket(GuestVm vm, String path) throws IOException {
        GuestProcess test = vm.run(List.of("test", "-S", path), Map.of());
        assertThat(test.waitFor(Duration.ofSeconds(60))).as("%s is a socket in the guest", path).isZero();
    }

    /** Local ports of all UDP sockets in the guest, from /proc/net/udp and udp6 (ports in hex). */
    private static Set<Integer> guestUdpPorts(GuestVm vm) throws IOException {
        GuestProcess cat = vm.run(List.of("cat", "/proc/net/udp", "/proc/net/udp6"), Map.of());
        assertThat(cat.waitFor(Duration.ofSeconds(60))).as(cat.output()).isZero();
        Set<Integer> ports = new TreeSet<>();
        for (String line : cat.output().lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 2 && f[0].endsWith(":") && f[1].contains(":")) {
                ports.add(Integer.parseInt(f[1].substring(f[1].lastIndexOf(':') + 1), 16));
            }
        }
        System.out.println("guest /proc/net/udp{,6} mid-call:\n" + cat.output());
        return ports;
    }

    /** The dominant frequency of the engine's newest recording, once it has been written out. */
    private static double dominantFrequency(Path recordDir) {
        double[] hz = new double[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .untilAsserted(() -> {
                    Path wav = newestWav(recordDir).orElseThrow(() -> new AssertionError("no recording in " + recordDir));
                    hz[0] = ToneAnalyzer.dominantFrequency(wav);
                });
        return hz[0];
    }

    private static Optional<Path> newestWav(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".wav"))
                    .max(Comparator.comparingLong(p -> p.toFile().lastModified()));
        }
    }
}
