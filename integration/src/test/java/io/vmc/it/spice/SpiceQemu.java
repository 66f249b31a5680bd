package io.vmc.it.spice;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * A QEMU without a guest OS (SeaBIOS only) that serves SPICE on 127.0.0.1 (stopped by a shell
 * wrapper when this JVM closes the wrapper's stdin or dies): enough for session,
 * password, takeover and display tests. Its virtio-serial port behind the {@code spiceport}
 * chardev exists but no guest program opens it. {@code withVmcPort(false)} leaves the port out.
 */
final class SpiceQemu implements AutoCloseable {
    private final Process process;
    private final Path dir;
    private final int port;

    private SpiceQemu(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static SpiceQemu start(boolean withVmcPort, String password) throws IOException {
        return start(withVmcPort, password, null);
    }

    /**
     * With {@code x509Dir} (ca-cert.pem, server-cert.pem, server-key.pem) the server speaks TLS
     * only, on {@link #port()}.
     */
    static SpiceQemu start(boolean withVmcPort, String password, Path x509Dir) throws IOException {
        return start(withVmcPort, password, x509Dir, List.of());
    }

    /** With {@code extraArgs} appended to QEMU's command line (more devices). */
    static SpiceQemu start(boolean withVmcPort, String password, Path x509Dir, List<String> extraArgs) throws IOException {
        Path dir = Files.createTempDirectory("vmc-spice-");
        int port = freePort();
        String listen = x509Dir != null ? "tls-port=" + port + ",x509-dir=" + x509Dir : "port=" + port;
        List<String> cmd = new ArrayList<>(List.of("qemu-system-x86_64", "-accel", "tcg", "-machine", "q35",
                "-m", "128", "-nodefaults", "-no-user-config", "-vga", "qxl", "-display", "none",
                "-qmp", "unix:" + dir.resolve("qmp.sock") + ",server=on,wait=off"));
        if (password != null) {
            Files.writeString(dir.resolve("pw"), password);
            cmd.addAll(List.of("-object", "secret,id=spicepw,file=" + dir.resolve("pw"),
                    "-spice", listen + ",addr=127.0.0.1,password-secret=spicepw"));
        } else {
            cmd.addAll(List.of("-spice", listen + ",addr=127.0.0.1,disable-ticketing=on"));
        }
        if (withVmcPort) {
            cmd.addAll(List.of("-device", "virtio-serial-pci,id=vser0",
                    "-chardev", "spiceport,id=vmc,name=org.spice-space.vmc.0",
                    "-device", "virtserialport,bus=vser0.0,chardev=vmc,id=vmcport,name=org.spice-space.vmc.0"));
        }
        cmd.addAll(extraArgs);
        // The wrapper stops QEMU when this JVM closes its stdin, or dies.
        List<String> wrapped = new ArrayList<>(List.of("sh", "-c", "\"$@\" </dev/null & q=$!; read _; kill $q; wait $q",
                "qemu-wrapper"));
        wrapped.addAll(cmd);
        Process p = new ProcessBuilder(wrapped).redirectErrorStream(true)
                .redirectOutput(dir.resolve("qemu.log").toFile()).start();
        SpiceQemu q = new SpiceQemu(p, dir, port);
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .until(() -> !p.isAlive() || q.listening());
            if (!p.isAlive()) {
                throw new IOException("QEMU exited: " + Files.readString(dir.resolve("qemu.log")));
            }
        } catch (IOException | RuntimeException e) {
            q.close();
            throw e;
        }
        return q;
    }

    /** Whether QEMU's SPICE server accepts connections (a plain TCP connect, closed at once). */
    boolean listening() {
        try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    String uri() {
        return "spice://127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    Path dir() {
        return dir;
    }

    /** The last lines QEMU wrote (its spice-server warnings), for a failure message. */
    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(dir.resolve("qemu.log"));
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no QEMU log: " + e.getMessage() + ")";
        }
    }

    /** QEMU's own picture of the guest screen ({@code screendump} over QMP), as a PPM file. */
    Path screendump() throws IOException {
        Path out = dir.resolve("screendump-" + System.nanoTime() + ".ppm");
        qmp(dir.resolve("qmp.sock"), "{\"execute\":\"screendump\",\"arguments\":{\"filename\":\"" + out + "\"}}");
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(out) && Files.size(out) > 0);
        return out;
    }

    /** Sends one QMP command after the handshake and returns the reply line. */
    static String qmp(Path socket, String command) throws IOException {
        return io.vmc.it.qemu.GuestVm.qmp(socket, command);
    }

    @Override
    public void close() {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            process.destroy();
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }
}
