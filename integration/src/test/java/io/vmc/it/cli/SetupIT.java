package io.vmc.it.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vmc.it.doctor.Setup;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./vmc demo} and {@code ./vmc test} on a machine that lacks something: tshark hidden from
 * PATH and GStreamer's libav plugin (avenc_g722, avdec_g722) hidden from the registry. They run
 * in a fresh clone (the launcher, the package list and Setup.java, nothing built), so the check
 * runs as on a fresh machine, in source-file mode, before any build. No test runs the real
 * apt-get: the installing path runs against a stand-in that only records its arguments.
 */
@Timeout(180)
class SetupIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final int NOBODY = 65534;
    private static final String LIBAV_LINE = "(?m)^  gstreamer1\\.0-libav +for gst elements avenc_g722, avdec_g722\\b.*G\\.722 audio";
    private static final String TSHARK_LINE = "(?m)^  tshark +for tool tshark: captures the VDI side's links";

    @Test
    void demoWithNoInstallPrintsThePlanAndTheAptGetLineBeforeItBuilds(@TempDir Path tmp) throws Exception {
        Path clone = freshClone(tmp);
        Map<String, String> env = hidingTsharkAndLibav(tmp);

        long start = System.nanoTime();
        Outcome outcome = run(clone, env, false, "demo", "--no-install");
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);

        boolean root = Setup.isRoot(); // as root the demo uses namespaces, and so tshark
        assertThat(outcome.exitCode()).as(outcome.output()).isEqualTo(Setup.EXIT_MISSING);
        assertThat(outcome.output())
                .contains("vmc demo: this machine lacks " + (root ? "2 Debian packages" : "1 Debian package")
                        + " that the demo needs:")
                .containsPattern(LIBAV_LINE)
                .doesNotContain("building the project");
        assertThat(lines(outcome)).contains("  " + (root ? "" : "sudo ") + Setup.APT_INSTALL + " gstreamer1.0-libav"
                + (root ? " tshark" : ""));
        if (root) {
            assertThat(outcome.output()).containsPattern(TSHARK_LINE);
        }
        assertThat(seconds).as("seconds until the user learns what is missing").isLessThan(30);
    }

    @Test
    void notRootTheLinesStartWithSudoAndTheLoopbackDemoNeedsNoTshark(@TempDir Path tmp) throws Exception {
        Path clone = freshClone(tmp);
        Map<String, String> env = hidingTsharkAndLibav(tmp);

        Outcome demo = run(clone, env, true, "demo");
        Outcome test = run(clone, env, true, "test");

        assertThat(demo.exitCode()).as(demo.output()).isEqualTo(Setup.EXIT_MISSING);
        assertThat(demo.output()).containsPattern(LIBAV_LINE).doesNotContain("tshark").doesNotContain("installing");
        assertThat(lines(demo)).contains("Install it (as root), then run ./vmc demo again:",
                "  sudo " + Setup.APT_INSTALL + " gstreamer1.0-libav");

        assertThat(test.exitCode()).as(test.output()).isEqualTo(Setup.EXIT_MISSING);
        assertThat(test.output()).contains("vmc test: this machine lacks 2 Debian packages that the test suite needs:")
                .containsPattern(TSHARK_LINE)
                .containsPattern("(?m)^  gstreamer1\\.0-libav +for gst elements avenc_g722, avdec_g722, avdec_h264:")
                .doesNotContain("[INFO]"); // Maven never started
        assertThat(lines(test)).contains("  sudo " + Setup.APT_INSTALL + " gstreamer1.0-libav tshark");
    }

    @Test
    void asRootOnDebianItInstallsWithAptGetUpdateOnceThenInstall(@TempDir Path tmp) throws Exception {
        assumeTrue(Setup.isRoot(), "installing is what root does; CI runs as root");
        Path clone = freshClone(tmp);
        Path calls = tmp.resolve("apt-get.calls");
        Map<String, String> env = new MachineWithout(tmp.resolve("machine"))
                .programs(Set.of("tshark"))
                .program("apt-get", "#!/bin/sh\necho \"$*\" >> '" + calls + "'\n")
                .gstPlugins(Set.of("libgstlibav.so"))
                .environment();

        Outcome outcome = run(clone, env, false, "demo");

        assertThat(outcome.output()).contains("vmc demo: installing 2 Debian packages that the demo needs:")
                .containsPattern(LIBAV_LINE).containsPattern(TSHARK_LINE)
                .contains("vmc demo: apt-get update && " + Setup.APT_INSTALL + " gstreamer1.0-libav tshark");
        assertThat(Files.readAllLines(calls)).containsExactly(
                "update -q", "install -y -q --no-install-recommends gstreamer1.0-libav tshark");
        // The stand-in installed nothing: the check after it says so, and the demo does not start.
        assertThat(outcome.output()).contains("vmc demo: still missing after apt-get install:").containsPattern(TSHARK_LINE);
        assertThat(outcome.exitCode()).isEqualTo(1);
    }

    @Test
    void theDemoCommandItselfChecksWhenStartedWithoutTheLauncher(@TempDir Path tmp) throws Exception {
        Map<String, String> env = hidingTsharkAndLibav(tmp);

        VmcCommandLine.Outcome outcome = VmcCommandLine.run(env, "demo", "--no-install", "--duration", "5");

        boolean root = Setup.isRoot();
        assertThat(outcome.exitCode()).as(outcome.output()).isEqualTo(Setup.EXIT_MISSING);
        assertThat(outcome.output()).containsPattern(LIBAV_LINE).doesNotContain("Starting the thin clients")
                .doesNotContain("Exception");
        assertThat(outcome.output().lines()).contains("  " + (root ? "" : "sudo ") + Setup.APT_INSTALL
                + " gstreamer1.0-libav" + (root ? " tshark" : ""));
    }

    // ---------------------------------------------------------------- helpers

    record Outcome(int exitCode, String output) {}

    private static Map<String, String> hidingTsharkAndLibav(Path tmp) throws IOException, InterruptedException {
        open(tmp);
        return new MachineWithout(tmp.resolve("machine")).programs(Set.of("tshark"))
                .gstPlugins(Set.of("libgstlibav.so")).environment();
    }

    /** What a fresh clone has of the set-up: the launcher, the list, Setup.java; nothing built. */
    private static Path freshClone(Path tmp) throws IOException {
        open(tmp);
        Path clone = tmp.resolve("clone");
        for (String file : List.of("vmc", "packages/debian.txt", "integration/src/main/java/io/vmc/it/doctor/Setup.java")) {
            Path to = clone.resolve(file);
            Files.createDirectories(to.getParent());
            Files.copy(ROOT.resolve(file), to);
        }
        try (var paths = Files.walk(clone)) {
            for (Path p : paths.toList()) {
                open(p);
            }
        }
        return clone;
    }

    /** Runs {@code clone/vmc ARGS}; {@code asNobody}: as an ordinary user (via setpriv when we are root). */
    private static Outcome run(Path clone, Map<String, String> env, boolean asNobody, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (asNobody && Setup.isRoot()) {
            command.addAll(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"));
        }
        command.addAll(List.of("bash", clone.resolve("vmc").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).directory(clone.toFile());
        pb.environment().putAll(env);
        pb.environment().remove("DISPLAY");
        pb.environment().put("HOME", clone.toString());
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("vmc " + String.join(" ", args) + " did not finish:\n" + out);
        }
        return new Outcome(p.exitValue(), out);
    }

    private static List<String> lines(Outcome outcome) {
        return outcome.output().lines().toList();
    }

    private static void open(Path p) throws IOException {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
    }
}
