package io.vmc.engine;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A real coturn TURN server on 127.0.0.1 (long-term credentials, user {@code vmc}, password
 * {@link #PASSWORD}, realm {@code vmc.test}) with its config, database, pid file and log in a temp
 * dir. The password is only in the config file, never on a command line.
 */
final class Coturn implements AutoCloseable {
    static final String USER = "vmc";
    static final String PASSWORD = "secret";
    final int port;
    final int minRelayPort;
    final int maxRelayPort;
    final Path dir;
    private final Process process;

    Coturn(Path dir) throws IOException, InterruptedException {
        requireTurnserver();
        this.dir = dir;
        this.port = freeUdpPort();
        // coturn picks relay ports at random in this range and skips busy ones
        this.minRelayPort = 50000 + ThreadLocalRandom.current().nextInt(0, 50) * 200;
        this.maxRelayPort = minRelayPort + 199;
        Path conf = dir.resolve("turnserver.conf");
        Files.writeString(conf, String.join("\n",
                "listening-ip=127.0.0.1",
                "relay-ip=127.0.0.1",
                "listening-port=" + port,
                "min-port=" + minRelayPort,
                "max-port=" + maxRelayPort,
                "allow-loopback-peers",
                "no-tls",
                "no-dtls",
                "no-cli",
                "no-tcp-relay",
                "lt-cred-mech",
                "user=" + USER + ":" + PASSWORD,
                "realm=vmc.test",
                "userdb=" + dir.resolve("turndb"),
                "pidfile=" + dir.resolve("turnserver.pid"),
                "log-file=" + dir.resolve("turnserver.log"),
                "simple-log",
                "no-stdout-log",
                ""));
        process = new ProcessBuilder("turnserver", "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("turnserver.out").toFile()).start();
        try {
            awaitBindingResponse();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    EngineConfig.TurnServer server(String password) {
        return EngineConfig.TurnServer.udp(address(), USER, password);
    }

    /** The server answers STUN Binding requests once it is up. */
    private void awaitBindingResponse() throws IOException {
        byte[] req = new byte[20];
        req[1] = 0x01; // Binding request, no attributes
        req[4] = 0x21; req[5] = 0x12; req[6] = (byte) 0xa4; req[7] = 0x42; // magic cookie
        for (int i = 8; i < 20; i++) req[i] = (byte) ThreadLocalRandom.current().nextInt(256);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            s.setSoTimeout(200);
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) throw new IOException("turnserver exited with " + process.exitValue() + "; see " + dir);
                s.send(new DatagramPacket(req, req.length, address()));
                try {
                    s.receive(new DatagramPacket(new byte[512], 512));
                    return;
                } catch (SocketTimeoutException e) {
                    // not up yet
                }
            }
        }
        throw new IOException("turnserver did not answer on 127.0.0.1:" + port + " within 15 s; see " + dir);
    }

    static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static void requireTurnserver() {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, "turnserver"))) return;
        }
        if ("true".equals(System.getenv("CI"))) {
            fail("turnserver not found on PATH; install the Debian package 'coturn' (CI=true: tools are required)");
        }
        assumeTrue(false, "turnserver not found on PATH (Debian package coturn)");
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
