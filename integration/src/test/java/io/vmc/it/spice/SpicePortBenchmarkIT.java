package io.vmc.it.spice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.it.qemu.GuestPortTool;
import io.vmc.it.qemu.GuestProcess;
import io.vmc.it.qemu.GuestVm;
import io.vmc.it.qemu.GuestVmExtension;
import io.vmc.port.StreamPort;
import io.vmc.port.spice.SpiceClient;
import io.vmc.port.spice.SpiceOptions;
import io.vmc.port.spice.SpiceSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Round trips through the SPICE port channel side by side with a QEMU socket chardev to the same
 * guest in the same run: the guest has the VMC port behind a {@code spiceport} chardev and a
 * second port ({@value #BENCH_PORT}) behind a unix socket; the same echo program serves each in
 * turn. Figures go to stdout and {@code target/benchmarks/spice-port.txt}.
 */
@Timeout(900)
class SpicePortBenchmarkIT {
    static final String BENCH_PORT = "org.spice-space.vmc.bench";
    static final int SPICE_PORT = freePort();
    static final Path SOCKET_DIR = tempDir();
    static final Path SOCKET = SOCKET_DIR.resolve("bench.sock");
    static final int MESSAGE_BYTES = 64;
    static final int WARMUP = 200;
    static final int ROUND_TRIPS = 2000;
    static final int BULK_BYTES = 4 << 20;

    @RegisterExtension
    static final GuestVmExtension GUEST = new GuestVmExtension(GuestVm.builder()
            .portChardev("spiceport,name=" + GuestVm.PORT_NAME)
            .qemuArgs("-spice", "port=" + SPICE_PORT + ",addr=127.0.0.1,disable-ticketing=on",
                    "-chardev", "socket,id=bench,path=" + SOCKET + ",server=on,wait=off",
                    "-device", "virtserialport,bus=vser0.0,chardev=bench,id=benchport,name=" + BENCH_PORT));

    record Result(String path, double p50Micros, double p99Micros, double maxMicros, double bulkMiBps) {
        String line() {
            return String.format(Locale.ROOT, "%-28s rtt p50 %8.1f us  p99 %8.1f us  max %8.1f us  bulk echo %7.2f MiB/s",
                    path, p50Micros, p99Micros, maxMicros, bulkMiBps);
        }
    }

    interface Pipe {
        void write(ByteBuffer b) throws IOException;

        int read(ByteBuffer b) throws IOException;
    }

    private static int freePort() {
        try {
            return SpiceQemu.freePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("vmc-spice-bench-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void cleanUp() throws IOException {
        Files.deleteIfExists(SOCKET);
        Files.deleteIfExists(SOCKET_DIR);
    }

    @Test
    void spicePortChannelVersusSocketChardev() throws Exception {
        Prerequisites.require(false);
        List<Result> results = new ArrayList<>();
        List<String> jit = List.of("-XX:+UseSerialGC", "-XX:-UsePerfData");

        try (SpiceSession session = SpiceClient.open(
                SpiceOptions.builder("spice://127.0.0.1:" + SPICE_PORT).showDisplay(false).build())) {
            StreamPort port = session.portChannel(SpiceClient.VMC_PORT_NAME);
            GuestProcess echo = GUEST.vm().java(GuestVm.testClasspath(), jit, GuestPortTool.class.getName(), "echo");
            try {
                await().atMost(Duration.ofSeconds(120)).until(port::isPeerConnected);
                assertThat(SpicePortIT.readLine(port)).startsWith("GUEST-READY");
                results.add(measure("SPICE port channel", new Pipe() {
                    @Override
                    public void write(ByteBuffer b) throws IOException {
                        while (b.hasRemaining()) {
                            if (port.write(b) == 0) {
                                port.awaitWritable(1000);
                            }
                        }
                    }

                    @Override
                    public int read(ByteBuffer b) throws IOException {
                        return port.read(b, 1000);
                    }
                }, data -> SpicePortIT.echoThrough(port, data)));
            } finally {
                echo.stop(Duration.ofSeconds(10));
            }
        }

        GuestProcess echo = GUEST.vm().java(GuestVm.testClasspath(), jit, GuestPortTool.class.getName(), "echo", BENCH_PORT);
        try (SocketChannel host = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            host.connect(UnixDomainSocketAddress.of(SOCKET));
            StringBuilder banner = new StringBuilder();
            ByteBuffer one = ByteBuffer.allocate(1);
            while (banner.indexOf("\n") < 0) {
                one.clear();
                if (host.read(one) < 0) {
                    throw new IOException("socket closed");
                }
                banner.append((char) one.get(0));
            }
            assertThat(banner.toString()).startsWith("GUEST-READY");
            results.add(measure("socket chardev (unix)", new Pipe() {
                @Override
                public void write(ByteBuffer b) throws IOException {
                    while (b.hasRemaining()) {
                        host.write(b);
                    }
                }

                @Override
                public int read(ByteBuffer b) throws IOException {
                    return host.read(b);
                }
            }, data -> socketEcho(host, data)));
        } finally {
            echo.stop(Duration.ofSeconds(10));
        }

        StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
                "# %d-byte round trips (after %d warm-up), bulk echo of %d MiB; same guest (TCG, JIT JVM), same run%n",
                MESSAGE_BYTES, WARMUP, BULK_BYTES >> 20));
        results.forEach(r -> report.append(r.line()).append('\n'));
        System.out.print(report);
        Path out = Path.of("target", "benchmarks");
        Files.createDirectories(out);
        Files.writeString(out.resolve("spice-port.txt"), report);
        assertThat(results).hasSize(2).allSatisfy(r -> assertThat(r.bulkMiBps()).isPositive());
    }

    /** Writes from one thread while this one reads the echo back. */
    private static byte[] socketEcho(SocketChannel ch, byte[] data) throws Exception {
        java.util.concurrent.CompletableFuture<Void> writer = java.util.concurrent.CompletableFuture.runAsync(() -> {
            ByteBuffer b = ByteBuffer.wrap(data);
            try {
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        ByteBuffer got = ByteBuffer.allocate(data.length);
        while (got.hasRemaining()) {
            if (ch.read(got) < 0) {
                throw new IOException("echo closed after " + got.position() + " bytes");
            }
        }
        writer.get();
        return got.array();
    }

    interface Bulk {
        byte[] echo(byte[] data) throws Exception;
    }

    private static Result measure(String path, Pipe pipe, Bulk bulk) throws Exception {
        ByteBuffer msg = ByteBuffer.allocate(MESSAGE_BYTES);
        ByteBuffer back = ByteBuffer.allocate(MESSAGE_BYTES);
        long[] nanos = new long[ROUND_TRIPS];
        for (int i = 0; i < WARMUP + ROUND_TRIPS; i++) {
            msg.clear();
            msg.putInt(0, i);
            back.clear();
            long t0 = System.nanoTime();
            pipe.write(msg);
            while (back.hasRemaining()) {
                if (pipe.read(back) < 0) {
                    throw new IOException("echo went away");
                }
            }
            long t = System.nanoTime() - t0;
            assertThat(back.getInt(0)).isEqualTo(i);
            if (i >= WARMUP) {
                nanos[i - WARMUP] = t;
            }
        }
        Arrays.sort(nanos);
        byte[] blob = new byte[BULK_BYTES];
        new java.util.Random(1).nextBytes(blob);
        long t0 = System.nanoTime();
        byte[] got = bulk.echo(blob);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(got).isEqualTo(blob);
        return new Result(path, nanos[ROUND_TRIPS / 2] / 1e3, nanos[(int) (ROUND_TRIPS * 0.99)] / 1e3,
                nanos[ROUND_TRIPS - 1] / 1e3, (BULK_BYTES / (1024.0 * 1024.0)) / seconds);
    }
}
