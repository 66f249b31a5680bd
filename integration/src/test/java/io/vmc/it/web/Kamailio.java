package io.vmc.it.web;

import io.vmc.it.lab.NetworkLab;
import io.vmc.it.lab.Ports;
import io.vmc.it.lab.Shell;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Kamailio (Debian kamailio + kamailio-websocket-modules) in the foreground, with the
 * tests' config (kamailio.cfg beside this class), its own run dir and free ports on 127.0.0.1:
 * UDP for baresip, WebSocket for the browser.
 */
final class Kamailio implements AutoCloseable {
    final int udpPort;
    final int wsPort;
    final Path log;
    private final Process process;

    Kamailio(Path dir, String namespace) throws IOException, InterruptedException {
        Path run = Files.createDirectories(dir.resolve("run"));
        Path cfg = dir.resolve("kamailio.cfg");
        try (var in = Kamailio.class.getResourceAsStream("kamailio.cfg")) {
            Files.write(cfg, in.readAllBytes());
        }
        udpPort = Ports.freeUdpPort();
        wsPort = Ports.freeTcpPort();
        log = dir.resolve("kamailio.log");
        // -DD: no daemon (its workers are its children and end with it); -E: log to stderr
        List<String> cmd = NetworkLab.inNamespace(namespace, List.of("kamailio", "-f", cfg.toString(), "-DD", "-E", "-m", "32", "-M", "8",
                "-Y", run.toString(), "-P", run.resolve("kamailio.pid").toString(), "-w", run.toString(),
                "-A", "WS_PORT=" + wsPort, "-A", "UDP_PORT=" + udpPort));
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!listening(namespace)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("Kamailio did not listen on 127.0.0.1:" + wsPort + ":\n" + Files.readString(log));
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }

    private boolean listening(String namespace) {
        try {
            return !Shell.run(NetworkLab.inNamespace(namespace, List.of("ss", "-Hltn", "sport = :" + wsPort))).isBlank();
        } catch (IOException e) {
            return false;
        }
    }

    String wsUrl() {
        return "ws://127.0.0.1:" + wsPort;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy(); // SIGTERM: the main process stops its workers
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
