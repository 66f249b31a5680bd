package io.vmc.it.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import io.vmc.it.lab.VmcProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code vmc} as the launcher does (own JVM, the packaged class path), for tests that need a
 * separate process: environment variables such as GStreamer's registry only act at process start.
 */
public final class VmcCommandLine {

    /** Exit code and everything the process printed (stdout and stderr merged). */
    public record Outcome(int exitCode, String output) {}

    private VmcCommandLine() {}

    public static ProcessBuilder processBuilder(List<String> args) throws IOException {
        List<String> command = new ArrayList<>(VmcProcess.javaCommand());
        command.addAll(args);
        return new ProcessBuilder(command).redirectErrorStream(true);
    }

    public static Outcome run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        ProcessBuilder pb = processBuilder(List.of(args));
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("vmc " + String.join(" ", args) + " did not finish:\n" + out);
        }
        return new Outcome(p.exitValue(), out);
    }
}
