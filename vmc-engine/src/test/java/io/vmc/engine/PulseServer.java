package io.vmc.engine;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real PulseAudio server with null devices, private to the test run, at the socket that
 * PULSE_SERVER (set by the build for the test JVM) names, or at a socket of the caller's (the
 * integration tests give it to the processes they start).
 */
public final class PulseServer implements AutoCloseable {
    public final Path socket;
    private final Process process;

    PulseServer(String... modules) throws IOException {
        this(socketFromEnvironment(), modules);
    }

    private static Path socketFromEnvironment() {
        String server = System.getenv("PULSE_SERVER");
        if (server == null || !server.startsWith("unix:")) {
            throw new IllegalStateException("PULSE_SERVER=unix:PATH must be set for the test JVM (see pom.xml)");
        }
        return Path.of(server.substring("unix:".length()));
    }

    /** A server at {@code socket} (its folder holds the server's runtime files and log). */
    public PulseServer(Path socket, String... modules) throws IOException {
        Tools.require("pulseaudio");
        Tools.require("pactl");
        this.socket = socket;
        Path dir = socket.getParent();
        Path runtime = dir.resolve("runtime");
        Files.createDirectories(runtime);
        Files.deleteIfExists(socket);
        List<String> cmd = new ArrayList<>(List.of("pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1",
                "--use-pid-file=no", "--disable-shm=yes", "--log-target=stderr",
                "--load=module-native-protocol-unix socket=" + socket + " auth-anonymous=1"));
        for (String m : modules) cmd.add("--load=" + m);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("pulseaudio.log").toFile());
        pb.environment().put("XDG_RUNTIME_DIR", runtime.toString());
        pb.environment().put("HOME", runtime.toString());
        process = pb.start();
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!process.isAlive()) throw new IllegalStateException("pulseaudio exited: see " + dir.resolve("pulseaudio.log"));
            return Files.exists(socket) && run("pactl", "info") == 0;
        });
    }

    /** Runs a PulseAudio client tool against this server; returns its exit code. */
    int run(String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("PULSE_SERVER", "unix:" + socket);
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    Process start(String... cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("PULSE_SERVER", "unix:" + socket);
        return pb.start();
    }

    /** {@code unix:SOCKET}, for PULSE_SERVER. */
    public String address() {
        return "unix:" + socket;
    }

    /** Records {@code seconds} of what plays on {@code sink} (its monitor) as 48 kHz mono WAV. */
    public Path recordSink(String sink, Path wav, double seconds) throws IOException, InterruptedException {
        Process rec = start("parecord", "--device=" + sink + ".monitor", "--file-format=wav", "--channels=1",
                "--rate=48000", "--format=s16le", wav.toString());
        long bytes = 44 + Math.round(48000 * 2 * seconds);
        try {
            await().atMost(Duration.ofSeconds(20 + Math.round(seconds))).pollInterval(Duration.ofMillis(50))
                    .until(() -> Files.exists(wav) && Files.size(wav) > bytes);
        } finally {
            rec.destroy();
            rec.waitFor(5, TimeUnit.SECONDS);
        }
        return wav;
    }

    /** Index of the module whose arguments contain {@code argument}, for pactl unload-module. */
    String moduleWith(String argument) throws IOException, InterruptedException {
        return output("pactl", "list", "short", "modules").lines()
                .filter(x -> x.contains(argument)).map(x -> x.split("\\s+")[0]).findFirst()
                .orElseThrow(() -> new AssertionError("no module with " + argument));
    }

    public String output(String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PULSE_SERVER", "unix:" + socket);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
}
