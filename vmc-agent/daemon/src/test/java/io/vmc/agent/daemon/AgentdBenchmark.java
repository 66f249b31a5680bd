package io.vmc.agent.daemon;

import static org.awaitility.Awaitility.await;

import io.vmc.agent.api.MediaSession;
import io.vmc.agent.api.MediaSessionListener;
import io.vmc.agent.api.Mode;
import io.vmc.agent.api.SdpType;
import io.vmc.agent.api.SessionOptions;
import io.vmc.agent.api.SessionState;
import io.vmc.agent.api.Vmc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * agentd's footprint, on demand only:
 * {@code mvn -B -ntp -o -pl vmc-agent/daemon -am test -Dtest=AgentdBenchmark -Dsurefire.failIfNoSpecifiedTests=false -Dvmc.bench=true}.
 * agentd and the engine run as separate processes (agentd with the unit file's JVM flags); one
 * call goes to a peer on 127.0.0.1, first OPTIMIZED, then the engine is killed and the same call
 * runs in FALLBACK; agentd's CPU time is read from /proc over equal windows.
 */
@EnabledIfSystemProperty(named = "vmc.bench", matches = "true")
@Timeout(300)
class AgentdBenchmark {
    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux
    @TempDir
    Path dir;
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void kill() {
        processes.forEach(Process::destroyForcibly);
    }

    private Process java(String name, String main, List<String> jvm, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")), main));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logs().resolve(name + ".log").toFile()).start();
        processes.add(p);
        return p;
    }

    private static Path logs() throws java.io.IOException {
        return Files.createDirectories(Path.of("target", "bench-logs"));
    }

    private static long rssKb(long pid) throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS");
    }

    private static long cpuTicks(long pid) throws Exception {
        String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime
    }

    private static double cpuPercent(long pid, Duration window) throws Exception {
        long t0 = cpuTicks(pid);
        long n0 = System.nanoTime();
        Thread.sleep(window.toMillis()); // measuring over a fixed window is the point here
        long t1 = cpuTicks(pid);
        double secs = (System.nanoTime() - n0) / 1e9;
        return 100.0 * (t1 - t0) / TICKS_PER_SECOND / secs;
    }

    @Test
    void footprint() throws Exception {
        // The unit's JVM options (packaging/agentd.jvm); -Dvmc.bench.agentd.jvm adds one to try.
        List<String> agentJvm = List.of("@" + Path.of("..", "packaging", "agentd.jvm").toAbsolutePath(),
                System.getProperty("vmc.bench.agentd.jvm", "-Dx=y"));
        Path policy = Files.writeString(dir.resolve("engine.conf"), "media.allow-local = loopback\n"); // the peer is on loopback
        Process engine = java("engine", "io.vmc.engine.EngineCommand", List.of("-XX:+UseSerialGC"), "--channel",
                "unix-listen:" + dir.resolve("engine.sock"), "--tone", "440", "--speaker", "none", "--ice-address", "127.0.0.1",
                "--policy", policy.toString());
        Process agentd = java("agentd", "io.vmc.agent.AgentdCommand", agentJvm, "--channel", "unix:" + dir.resolve("engine.sock"),
                "--api-socket", dir.resolve("agent.sock").toString(), "--fallback-tone", "600", "--fallback-no-speaker",
                "--fallback-ice-address", "127.0.0.1", "--engine-grace-ms", "300");
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(dir.resolve("agent.sock")));
        long pid = agentd.pid();
        try (Vmc vmc = Vmc.connect(dir.resolve("agent.sock")); Peer peer = new Peer(880)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> vmc.mode() == Mode.OPTIMIZED);
            Thread.sleep(5000);
            long idle = rssKb(pid);
            double idleCpu = cpuPercent(pid, Duration.ofSeconds(20));

            List<MediaSession> ten = new ArrayList<>();
            for (int i = 0; i < 8; i++) { // per-app limit is 8: use two apps
                ten.add(vmc.newSession(SessionOptions.audioOnly()));
            }
            try (Vmc second = Vmc.connect(dir.resolve("agent.sock"))) {
                ten.add(second.newSession(SessionOptions.audioOnly()));
                ten.add(second.newSession(SessionOptions.audioOnly()));
                for (MediaSession s : ten) {
                    s.createOffer();
                }
                Thread.sleep(3000);
                long tenRss = rssKb(pid);
                ten.forEach(MediaSession::close);

                MediaSession call = vmc.newSession(SessionOptions.audioOnly());
                java.util.concurrent.atomic.AtomicInteger moved = new java.util.concurrent.atomic.AtomicInteger();
                call.addListener(new MediaSessionListener() {
                    @Override
                    public void onRenegotiationNeeded(MediaSession s, String offer, String reason) {
                        try {
                            s.setRemoteDescription(SdpType.ANSWER, peer.answer(offer));
                            moved.incrementAndGet();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }
                });
                call.setRemoteDescription(SdpType.ANSWER, peer.answer(call.createOffer()));
                await().atMost(Duration.ofSeconds(20)).until(() -> call.state() == SessionState.CONNECTED);
                Thread.sleep(3000);
                double optimizedCpu = cpuPercent(pid, Duration.ofSeconds(30));
                long optimizedRss = rssKb(pid);

                engine.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(20)).until(() -> vmc.mode() == Mode.FALLBACK && moved.get() == 1);
                long before = peer.packetsReceived();
                try {
                    await().atMost(Duration.ofSeconds(20)).until(() -> peer.packetsReceived() > before + 100);
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    System.out.println("DIAG call " + call.state() + " " + call.stats() + " peer " + peer.sessionId + " "
                            + peer.engine.counters(peer.sessionId) + " events " + peer.events.stream().filter(ev -> ev.hasSessionState()).toList());
                    throw e;
                }
                Thread.sleep(3000);
                double fallbackCpu = cpuPercent(pid, Duration.ofSeconds(30));
                long fallbackRss = rssKb(pid);

                System.out.printf("%nAGENTD BENCH  idle RSS %.1f MB, idle CPU %.3f%% of a core%n", idle / 1024.0, idleCpu);
                System.out.printf("AGENTD BENCH  RSS with 10 sessions %.1f MB%n", tenRss / 1024.0);
                System.out.printf("AGENTD BENCH  one OPTIMIZED call: agentd CPU %.3f%% of a core, RSS %.1f MB%n", optimizedCpu, optimizedRss / 1024.0);
                System.out.printf("AGENTD BENCH  same call in FALLBACK: agentd CPU %.3f%% of a core, RSS %.1f MB%n%n", fallbackCpu, fallbackRss / 1024.0);
            }
        }
    }
}
