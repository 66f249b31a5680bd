package io.vmc.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.agent.StatusCommand;
import io.vmc.agent.api.MediaSession;
import io.vmc.agent.api.MediaSessionListener;
import io.vmc.agent.api.Mode;
import io.vmc.agent.api.ModeChange;
import io.vmc.agent.api.ModeReason;
import io.vmc.agent.api.SdpType;
import io.vmc.agent.api.SessionOptions;
import io.vmc.agent.api.SessionState;
import io.vmc.agent.api.Vmc;
import io.vmc.agent.internal.CrashingApp;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * agentd, the engine and a crashing app as separate processes; the engine is killed with SIGKILL
 * mid-call and restarted; the app process is killed with SIGKILL.
 */
@Timeout(120)
class RealProcessesTest {
    @TempDir
    Path dir;
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killAll() {
        processes.forEach(Process::destroyForcibly);
    }

    private Process java(String name, Class<?> main, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-cp",
                System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")), main.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
        processes.add(p);
        return p;
    }

    private Process engine() throws Exception {
        // The peer is on loopback: allowed by the client policy, as an admin would (media.allow-local).
        Path policy = dir.resolve("engine.conf");
        Files.writeString(policy, "media.allow-local = loopback\n");
        return java("engine-" + processes.size(), io.vmc.engine.EngineCommand.class, "--channel", "unix-listen:" + dir.resolve("engine.sock"),
                "--tone", "440", "--speaker", "none", "--ice-address", "127.0.0.1", "--policy", policy.toString());
    }

    private String status() {
        StringWriter sw = new StringWriter();
        CommandLine cl = new CommandLine(new StatusCommand());
        cl.setOut(new PrintWriter(sw));
        int rc = cl.execute("--api-socket", dir.resolve("agent.sock").toString());
        assertThat(rc).as(sw.toString()).isZero();
        return sw.toString();
    }

    @Test
    void engineKilledMidCallAndRestartedAppKilledWithItsSessions() throws Exception {
        Process engine = engine();
        java("agentd", io.vmc.agent.AgentdCommand.class, "--channel", "unix:" + dir.resolve("engine.sock"),
                "--api-socket", dir.resolve("agent.sock").toString(), "--fallback-tone", "600", "--fallback-no-speaker",
                "--fallback-ice-address", "127.0.0.1", "--engine-grace-ms", "300");
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(dir.resolve("agent.sock")));
        try (Vmc vmc = Vmc.connect(dir.resolve("agent.sock")); Peer peer = new Peer(880)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> vmc.mode() == Mode.OPTIMIZED);
            assertThat(status()).contains("mode:     OPTIMIZED").contains("ENGINE_CONNECTED").contains("vmc-engine/");

            List<ModeChange> modes = new CopyOnWriteArrayList<>();
            vmc.addModeListener(modes::add);
            List<String> reasons = new CopyOnWriteArrayList<>();
            MediaSession call = vmc.newSession(SessionOptions.audioOnly());
            call.addListener(new MediaSessionListener() {
                @Override
                public void onRenegotiationNeeded(MediaSession s, String newOffer, String reason) {
                    try {
                        s.setRemoteDescription(SdpType.ANSWER, peer.answer(newOffer));
                        reasons.add(reason);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            call.setRemoteDescription(SdpType.ANSWER, peer.answer(call.createOffer()));
            await().atMost(Duration.ofSeconds(15)).until(() -> call.state() == SessionState.CONNECTED);

            // The app process crashes: its sessions go on the engine side too.
            Process app = java("app", CrashingApp.class, dir.resolve("agent.sock").toString(), "3");
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(dir.resolve("app.log")).contains("ready"));
            assertThat(status()).contains("sessions: 4");
            app.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> status().contains("sessions: 1"));

            engine.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL
            await().atMost(Duration.ofSeconds(15)).until(() -> reasons.size() == 1);
            assertThat(modes).extracting(ModeChange::reason).containsExactly(ModeReason.ENGINE_LOST);
            assertThat(status()).contains("mode:     FALLBACK").contains("ENGINE_LOST");
            long before = peer.packetsReceived();
            await().atMost(Duration.ofSeconds(15)).until(() -> peer.packetsReceived() > before + 50);

            engine();
            await().atMost(Duration.ofSeconds(30)).until(() -> reasons.size() == 2);
            assertThat(modes.get(modes.size() - 1).reason()).isEqualTo(ModeReason.ENGINE_CONNECTED);
            long again = peer.packetsReceived();
            await().atMost(Duration.ofSeconds(15)).until(() -> peer.packetsReceived() > again + 50);
            assertThat(call.state()).isNotIn(SessionState.FAILED, SessionState.CLOSED);
        }
    }
}
