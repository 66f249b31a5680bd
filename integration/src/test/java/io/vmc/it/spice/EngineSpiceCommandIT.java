package io.vmc.it.spice;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.it.lab.VmcProcess;
import io.vmc.it.qemu.GuestProcess;
import io.vmc.it.qemu.GuestVm;
import io.vmc.it.qemu.GuestVmExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a thin-client user runs: {@code vmc engine --spice spice://HOST:PORT} opens the VM's SPICE
 * session and serves vmc-agentd in the guest over the session's VMC port channel; in the guest,
 * {@code vmc status} then reports OPTIMIZED with this engine.
 */
@Timeout(400)
class EngineSpiceCommandIT {
    static final int SPICE_PORT = freePort();

    @RegisterExtension
    static final GuestVmExtension GUEST = new GuestVmExtension(GuestVm.builder()
            .portChardev("spiceport,name=" + GuestVm.PORT_NAME)
            .qemuArgs("-spice", "port=" + SPICE_PORT + ",addr=127.0.0.1,disable-ticketing=on"));

    private static int freePort() {
        try {
            return SpiceQemu.freePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void engineOwnsTheSpiceSessionAndServesAgentdOverItsPortChannel(@TempDir Path dir) throws Exception {
        Prerequisites.require(false);
        CountDownLatch agentConnected = new CountDownLatch(1);
        try (VmcProcess engine = VmcProcess.start("engine", null, dir.resolve("engine.log"), line -> {
            if (line.contains("agent connected (vmc-agentd")) {
                agentConnected.countDown();
            }
        }, List.of("engine", "--spice", "spice://127.0.0.1:" + SPICE_PORT, "--no-display",
                "--ice-address", "127.0.0.1", "--tone", "440", "--speaker", "none"))) {
            GuestProcess agentd = GUEST.vm().vmc("agentd", "--channel", "virtio:" + GuestVm.PORT_NAME,
                    "--api-socket", "/run/vmc-spice.sock", "--no-fallback");
            try {
                assertThat(agentConnected.await(240, TimeUnit.SECONDS))
                        .as("engine log:%n%s%nagentd:%n%s", Files.readString(dir.resolve("engine.log")), agentd.output())
                        .isTrue();
                GuestProcess status = GUEST.vm().vmc("status", "--api-socket", "/run/vmc-spice.sock");
                assertThat(status.waitFor(Duration.ofSeconds(120))).as(status.output()).isZero();
                assertThat(status.output()).contains("mode:     OPTIMIZED", "engine:   vmc-engine/");
            } finally {
                agentd.stop(Duration.ofSeconds(10));
            }
        }
    }
}
