package io.vmc.it.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The fixture itself: the guest boots, runs commands and Java, writes, and sees the host's files. */
@Timeout(300)
class GuestVmIT {

    @RegisterExtension
    static final GuestVmExtension GUEST = new GuestVmExtension();

    @Test
    void runsCommandsAndReportsExitCodes() throws Exception {
        GuestProcess p = GUEST.vm().run(List.of("sh", "-c", "echo hi from $(hostname) $X; cat /sys/class/virtio-ports/*/name; exit 7"),
                Map.of("X", "x'y"));
        assertThat(p.waitFor(Duration.ofSeconds(60))).isEqualTo(7);
        assertThat(p.output()).contains("hi from vmc-guest x'y").contains(GuestVm.PORT_NAME);
    }

    @Test
    void guestCanWriteButTheHostRootStaysUntouched() throws Exception {
        GuestProcess p = GUEST.vm().run(List.of("sh", "-c",
                "echo scratch > /etc/vmc-it-probe && cat /etc/vmc-it-probe && echo shared > " + GuestVm.GUEST_SHARED_DIR + "/from-guest"),
                Map.of());
        assertThat(p.waitFor(Duration.ofSeconds(60))).as(p.output()).isZero();
        assertThat(java.nio.file.Files.exists(java.nio.file.Path.of("/etc/vmc-it-probe"))).isFalse();
        assertThat(GUEST.vm().sharedDir().resolve("from-guest")).hasContent("shared");
    }

    @Test
    void runsJavaFromTheTestClassPath() throws Exception {
        GuestProcess p = GUEST.vm().java(GuestPortTool.class.getName(), "open-once");
        assertThat(p.waitFor(Duration.ofSeconds(120))).as(p.output()).isZero();
        assertThat(p.output()).contains("OPENED virtio:" + GuestVm.PORT_NAME + " (/dev/vport");
    }

    /** What the agent tests do to start {@code vmc agentd}: the launcher's class path, in the guest. */
    @Test
    void runsTheVmcLauncher() throws Exception {
        GuestProcess p = GUEST.vm().vmc("--help");
        assertThat(p.waitFor(Duration.ofSeconds(180))).as(p.output()).isZero();
        assertThat(p.output()).containsIgnoringCase("usage");
    }

    @Test
    void stopsLongRunningCommands() throws Exception {
        GuestProcess p = GUEST.vm().run(List.of("sleep", "600"), Map.of());
        assertThat(p.isAlive()).isTrue();
        // A loaded host can starve the TCG guest for seconds: give SIGTERM time before SIGKILL.
        assertThat(p.stop(Duration.ofSeconds(60))).isEqualTo(128 + 15);
    }
}
