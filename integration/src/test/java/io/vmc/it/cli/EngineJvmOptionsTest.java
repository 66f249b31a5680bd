package io.vmc.it.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The launcher starts {@code vmc engine} and {@code vmc bench engine} (which measures it) with the engine's
 * own JVM options (vmc-engine/packaging/engine.jvm), every other command without them; and that file is
 * one this JDK accepts.
 */
class EngineJvmOptionsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path OPTIONS = ROOT.resolve("vmc-engine/packaging/engine.jvm");

    @Test
    void theJdkAcceptsTheEngineOptions() throws Exception {
        Process p = new ProcessBuilder("java", "@" + OPTIONS, "-version").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).doesNotContain("Unrecognized", "Error", "warning");
    }

    @Test
    void theLauncherStartsTheEngineWithThemAndNothingElse(@TempDir Path tmp) throws Exception {
        Path clone = builtClone(tmp);
        String options = "@" + clone.resolve("vmc-engine/packaging/engine.jvm");
        assertThat(javaArguments(clone, tmp, "engine", "--help")).startsWith(options);
        assertThat(javaArguments(clone, tmp, "bench", "engine", "--calls", "1")).startsWith(options);
        assertThat(javaArguments(clone, tmp, "bench", "transport")).doesNotContain(options);
        assertThat(javaArguments(clone, tmp, "status")).doesNotContain(options);
    }

    /** The launcher and a build stamp newer than every source, so that it runs java at once. */
    private static Path builtClone(Path tmp) throws IOException {
        Path clone = tmp.resolve("clone");
        Files.createDirectories(clone.resolve("integration/target"));
        Files.copy(ROOT.resolve("vmc"), clone.resolve("vmc"));
        Files.createDirectories(clone.resolve("vmc-engine/packaging"));
        Files.copy(OPTIONS, clone.resolve("vmc-engine/packaging/engine.jvm"));
        Files.writeString(clone.resolve("integration/target/classpath.txt"), "none.jar");
        Files.writeString(clone.resolve("integration/target/.vmc-built"), "");
        return clone;
    }

    /** Runs {@code clone/vmc ARGS} with a {@code java} on PATH that prints its arguments, one a line. */
    private static List<String> javaArguments(Path clone, Path tmp, String... args) throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\nprintf '%s\\n' \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> command = new ArrayList<>(List.of("bash", clone.resolve("vmc").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).directory(clone.toFile());
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().remove("VMC_JAVA_OPTS");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.lines().toList();
    }
}
