package io.vmc.it.spice;

import static org.awaitility.Awaitility.await;

import io.vmc.port.spice.SpiceClient;
import io.vmc.port.spice.SpiceOptions;
import io.vmc.port.spice.SpiceSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPICE through an HTTP proxy that allows CONNECT (issue 19 part 2), as Proxmox VE's spiceproxy
 * works and as a {@code .vv} file's {@code proxy=http://HOST:PORT} asks: a real tinyproxy on
 * loopback, started with its own config, in front of QEMU's SPICE server.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SpiceProxyIT {
    @TempDir Path dir;

    @Test
    void theSessionGoesThroughTheProxy() throws Exception {
        Prerequisites.require(false, "tinyproxy", "qemu-system-x86_64");
        int proxyPort = SpiceQemu.freePort();
        Path log = dir.resolve("tinyproxy.log");
        Path conf = Files.writeString(dir.resolve("tinyproxy.conf"), String.join("\n",
                "Port " + proxyPort, "Listen 127.0.0.1", "Timeout 600", "LogFile \"" + log + "\"", "LogLevel Connect",
                "MaxClients 20", "Allow 127.0.0.1", ""));
        Process proxy = new ProcessBuilder("tinyproxy", "-d", "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("tinyproxy.out").toFile()).start();
        try (SpiceQemu qemu = SpiceQemu.start(true, null)) {
            SpiceOptions options = SpiceOptions.builder("spice://127.0.0.1:" + qemu.port()).showDisplay(false)
                    .proxy("http://127.0.0.1:" + proxyPort).build();
            try (SpiceSession session = SpiceClient.open(options, new RecordingListener())) {
                await().atMost(Duration.ofSeconds(60)).until(session::isConnected);
                await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(log)
                        && Files.readString(log).contains("CONNECT") && Files.readString(log).contains("127.0.0.1:" + qemu.port()));
            }
        } finally {
            proxy.destroy();
            proxy.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
