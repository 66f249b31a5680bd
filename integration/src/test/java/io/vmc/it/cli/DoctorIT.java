package io.vmc.it.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.it.doctor.Setup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class DoctorIT {

    @Test
    void devRoleIsReadyOnTheTestMachine() throws Exception {
        // .ci/run installs every package of the list, so a miss here is a broken CI script.
        VmcCommandLine.Outcome outcome = VmcCommandLine.run(Map.of(), "doctor", "--role", "dev", "--all");

        assertThat(outcome.output()).contains("STATUS", "gst element opusenc", "tool qemu-system-x86_64",
                "Ready for role 'dev'");
        assertThat(outcome.output()).doesNotContain("MISSING").doesNotContain("Missing:");
        assertThat(outcome.exitCode()).as(outcome.output()).isZero();
    }

    @Test
    void hiddenGStreamerPluginsAreReportedWithTheirPackage(@TempDir Path tmp) throws Exception {
        // An empty plugin path and a fresh registry make every plugin invisible to GStreamer.
        Path noPlugins = Files.createDirectory(tmp.resolve("no-plugins"));
        Map<String, String> env = Map.of(
                "GST_PLUGIN_SYSTEM_PATH_1_0", noPlugins.toString(),
                "GST_PLUGIN_PATH_1_0", noPlugins.toString(),
                "GST_REGISTRY_1_0", tmp.resolve("registry.bin").toString());

        VmcCommandLine.Outcome plan = VmcCommandLine.run(env, "doctor", "--role", "client");
        VmcCommandLine.Outcome all = VmcCommandLine.run(env, "doctor", "--role", "client", "--all");

        assertThat(plan.exitCode()).as(plan.output()).isEqualTo(1);
        // One line per package, not one per element.
        assertThat(plan.output())
                .containsPattern("(?m)^  gstreamer1.0-plugins-base +for gst elements appsrc, appsink, audiotestsrc, "
                        + "audioconvert and \\d+ more: ")
                .containsPattern("(?m)^  gstreamer1.0-libav +for gst elements avenc_g722, avdec_g722: G.722 audio$")
                .containsPattern("(?m)^  apt-get install -y --no-install-recommends .*gstreamer1.0-libav .*"
                        + "gstreamer1.0-plugins-base")
                .doesNotContain("gst element opusenc")
                .contains("Not ready for role 'client'");
        assertThat(plan.output().lines().count()).as(plan.output()).isLessThan(20);
        // --all keeps the table with every check.
        assertThat(all.output())
                .containsPattern("MISSING +gst element opusenc +element 'opusenc' not found -> gstreamer1.0-plugins-base");
    }

    @Test
    void demoRoleNamesTheHiddenToolAndElementAndTheirPackages(@TempDir Path tmp) throws Exception {
        Map<String, String> env = new MachineWithout(tmp.resolve("machine")).programs(Set.of("tshark", "Xvfb"))
                .gstPlugins(Set.of("libgstlibav.so")).environment();

        VmcCommandLine.Outcome outcome = VmcCommandLine.run(env, "doctor", "--role", "demo");

        boolean root = Setup.isRoot(); // the demo needs tshark only in namespaces, which need root
        assertThat(outcome.exitCode()).as(outcome.output()).isEqualTo(1);
        assertThat(outcome.output())
                .contains("Missing: " + (root ? "2 Debian packages" : "1 Debian package") + ":")
                .containsPattern("(?m)^  gstreamer1.0-libav +for gst elements avenc_g722, avdec_g722: G.722 audio$")
                // Xvfb is for --video without $DISPLAY only: named, not required
                .containsPattern("(?m)^Optional: 1 Debian package:\\n  xvfb +for tool Xvfb: .*"
                        + "\\(only for ./vmc demo --video without \\$DISPLAY\\)$");
        assertThat(outcome.output().lines()).contains("  " + (root ? "" : "sudo ") + Setup.APT_INSTALL
                + " gstreamer1.0-libav" + (root ? " tshark" : ""));
        if (root) {
            assertThat(outcome.output()).containsPattern(
                    "(?m)^  tshark +for tool tshark: captures the VDI side's links \\(the no-hairpin proof\\)$");
        }
    }

    @Test
    void guestRoleWithoutAPortSaysWhatTheAdminMustDo() throws Exception {
        VmcCommandLine.Outcome outcome = VmcCommandLine.run(Map.of(), "doctor", "--role", "guest");

        // This machine is not a VMC guest: the port is missing and the fix points to the admin guide.
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.output()).containsPattern(
                "MISSING +virtio port org.spice-space.vmc.0: no virtio port named .* -> the admin adds the VMC channel");
    }

    @Test
    void badArgumentsPrintUsageAndExitTwo() throws Exception {
        VmcCommandLine.Outcome outcome = VmcCommandLine.run(Map.of(), "doctor", "--role", "toaster");

        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.output()).contains("Invalid value for option '--role'", "Usage: vmc doctor");
    }
}
