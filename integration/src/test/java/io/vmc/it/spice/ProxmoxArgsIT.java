package io.vmc.it.spice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin guide's Proxmox VE {@code args:} line, taken from the guide itself, boots QEMU and
 * gives the VM the VMC port (QEMU's device tree shows it on the guide's controller).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProxmoxArgsIT {
    @TempDir Path dir;

    @Test
    void theGuidesArgsLineGivesTheVmTheVmcPort() throws Exception {
        Prerequisites.require(false, "qemu-system-x86_64");
        Matcher m = Pattern.compile("(?m)^args: (.+)$").matcher(Files.readString(Path.of("../docs/admin-guide.md")));
        assertThat(m.find()).as("the admin guide shows an args: line").isTrue();
        List<String> cmd = new ArrayList<>(List.of("qemu-system-x86_64", "-accel", "tcg", "-machine", "q35", "-m", "64",
                "-nodefaults", "-no-user-config", "-vga", "qxl", "-display", "none",
                "-spice", "port=" + SpiceQemu.freePort() + ",addr=127.0.0.1,disable-ticketing=on",
                "-qmp", "unix:" + dir.resolve("qmp.sock") + ",server=on,wait=off"));
        cmd.addAll(Arrays.asList(m.group(1).trim().split(" +")));
        Process qemu = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("qemu.log").toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> !qemu.isAlive() || Files.exists(dir.resolve("qmp.sock")));
            assertThat(qemu.isAlive()).as("QEMU accepts the options: %s", Files.readString(dir.resolve("qemu.log"))).isTrue();
            String tree = SpiceQemu.qmp(dir.resolve("qmp.sock"), "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"info qtree\"}}");
            assertThat(tree).contains("bus: vmcser.0").contains("dev: virtserialport").contains("chardev = \\\"vmc\\\"")
                    .contains("name = \\\"org.spice-space.vmc.0\\\"");
            String chardevs = SpiceQemu.qmp(dir.resolve("qmp.sock"), "{\"execute\":\"query-chardev\"}");
            assertThat(chardevs).contains("\"label\": \"vmc\"").contains("spiceport");
        } finally {
            qemu.destroy();
            qemu.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
