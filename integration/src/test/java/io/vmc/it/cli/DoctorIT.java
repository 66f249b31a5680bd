package io.vmc.it.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class DoctorIT {

    @Test
    void devRoleIsReadyOnTheTestMachine() throws Exception {
        // .ci/run installs every package the dev role needs, so a miss here is a broken CI script.
        VmcCommandLine.Outcome outcome = VmcCommandLine.run(Map.of(), "doctor", "--role", "dev");

        assertThat(outcome.output()).contains("STATUS", "gst element opusenc", "tool qemu-system-x86_64");
        assertThat(outcome.output()).doesNotContain("MISSING");
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

        VmcCommandLine.Outcome outcome = VmcCommandLine.run(env, "doctor", "--role", "client");

        assertThat(outcome.exitCode()).as(outcome.output()).isEqualTo(1);
        assertThat(outcome.output())
                .containsPattern("MISSING +gst element opusenc +element 'opusenc' not found -> gstreamer1.0-plugins-base")
                .containsPattern("MISSING +gst element avenc_g722 .*gstreamer1.0-libav")
                .contains("Not ready for role 'client'");
    }

    @Test
    void guestRoleWithoutAPortSaysWhatTheAdminMustDo() throws Exception {
        VmcCommandLine.Outcome outcome = VmcCommandLine.run(Map.of(), "doctor", "--role", "guest");

        // This machine is not a VMC guest: the port is missing and the fix points to the admin guide.
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.output()).containsPattern(
                "MISSING +virtio port org.spice-space.vmc.0 +no virtio port named .* -> the admin adds the VMC channel");
    }

    @Test
    void badArgumentsPrintUsageAndExitTwo() throws Exception {
        VmcCommandLine.Outcome outcome = VmcCommandLine.run(Map.of(), "doctor", "--role", "toaster");

        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.output()).contains("Invalid value for option '--role'", "Usage: vmc doctor");
    }
}
