package io.vmc.stun;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Third-party programs used by interop tests: found on PATH, or the test fails (CI=true) or skips. */
final class ExternalTool {
    private ExternalTool() {
    }

    /** Absolute path of {@code name} on PATH. Missing: fails when CI=true, skips otherwise. */
    static Path require(String name, String debianPackage) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        String message = name + " not found on PATH; install the Debian package '" + debianPackage + "'";
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail(message + " (CI=true: tools are required)");
        }
        Assumptions.assumeTrue(false, message);
        return null;
    }

    record Result(int exitCode, String output) {
    }

    /** Runs a command to completion (stdout and stderr merged), killing it after {@code timeoutSeconds}. */
    static Result run(int timeoutSeconds, Path workDir, String... command) throws IOException, InterruptedException {
        Path log = Files.createTempFile(workDir, "out", ".log");
        Process p = new ProcessBuilder(List.of(command)).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                return new Result(-1, Files.readString(log, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
        }
    }

    static List<String> lines(String output, String containing) {
        List<String> out = new ArrayList<>();
        for (String l : output.split("\n")) {
            if (l.contains(containing)) {
                out.add(l.strip());
            }
        }
        return out;
    }
}
