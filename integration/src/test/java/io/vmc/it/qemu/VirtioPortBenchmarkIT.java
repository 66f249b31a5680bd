package io.vmc.it.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Round trip and bulk echo through the real virtio port (guest JVM under TCG), side by side with
 * the same echo program on a plain unix socket on the host, in the same run. The figures go to
 * stdout and {@code target/benchmarks/virtio-port.txt}; {@code virtio-port/README.md} quotes them.
 */
@Timeout(600)
class VirtioPortBenchmarkIT {

    @RegisterExtension
    static final GuestVmExtension GUEST = new GuestVmExtension();

    static final int MESSAGE_BYTES = 64;
    static final int WARMUP = 300;
    static final int ROUND_TRIPS = 3000;
    static final int BULK_BYTES = 4 << 20;

    record Result(String path, double p50Micros, double p99Micros, double maxMicros, double bulkMiBps) {
        String line() {
            return String.format(Locale.ROOT, "%-32s rtt p50 %8.1f us  p99 %8.1f us  max %8.1f us  bulk echo %7.2f MiB/s",
                    path, p50Micros, p99Micros, maxMicros, bulkMiBps);
        }
    }

    @Test
    void virtioPortVersusUnixSocket() throws Exception {
        List<Result> results = new ArrayList<>();

        results.add(measureGuest("virtio port (guest -Xint, TCG)", GuestVm.FAST_JVM_FLAGS));
        results.add(measureGuest("virtio port (guest JIT, TCG)", List.of("-XX:+UseSerialGC", "-XX:-UsePerfData")));

        Path dir = Files.createTempDirectory("vmc-bench-");
        Path sock = dir.resolve("echo.sock");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(GuestVm.FAST_JVM_FLAGS);
        cmd.addAll(List.of("-cp", String.join(":", GuestVm.testClasspath()), GuestPortTool.class.getName(),
                "echo-unix", sock.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(sock) || !p.isAlive());
            try (SocketChannel host = SocketChannel.open(java.net.UnixDomainSocketAddress.of(sock))) {
                results.add(measure("unix socket (host, same flags)", host));
            }
        } finally {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            Files.deleteIfExists(sock);
            Files.deleteIfExists(dir.resolve("out.txt"));
            Files.deleteIfExists(dir);
        }

        StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
                "# %d-byte round trips (after %d warm-up), bulk echo of %d MiB, guest boot %d ms%n",
                MESSAGE_BYTES, WARMUP, BULK_BYTES >> 20, GUEST.vm().bootTime().toMillis()));
        results.forEach(r -> report.append(r.line()).append('\n'));
        System.out.print(report);
        Path out = Path.of("target", "benchmarks");
        Files.createDirectories(out);
        Files.writeString(out.resolve("virtio-port.txt"), report);
        assertThat(results).allSatisfy(r -> assertThat(r.bulkMiBps()).isPositive());
    }

    private static Result measureGuest(String label, List<String> jvmFlags) throws IOException {
        GuestProcess echo = GUEST.vm().java(GuestVm.testClasspath(), jvmFlags, GuestPortTool.class.getName(), "echo");
        try (SocketChannel host = GUEST.vm().connectPort()) {
            assertThat(VirtioPortIT.readLine(host)).startsWith("GUEST-READY");
            return measure(label, host);
        } finally {
            echo.stop(Duration.ofSeconds(10));
        }
    }

    private static Result measure(String path, SocketChannel ch) throws IOException {
        ByteBuffer msg = ByteBuffer.allocate(MESSAGE_BYTES);
        ByteBuffer back = ByteBuffer.allocate(MESSAGE_BYTES);
        long[] nanos = new long[ROUND_TRIPS];
        for (int i = 0; i < WARMUP + ROUND_TRIPS; i++) {
            msg.clear();
            msg.putInt(0, i);
            back.clear();
            long t0 = System.nanoTime();
            while (msg.hasRemaining()) {
                ch.write(msg);
            }
            while (back.hasRemaining()) {
                if (ch.read(back) < 0) {
                    throw new IOException("echo closed");
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
        byte[] got = VirtioPortIT.echoThrough(ch, blob);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(got).isEqualTo(blob);
        return new Result(path, nanos[ROUND_TRIPS / 2] / 1e3, nanos[(int) (ROUND_TRIPS * 0.99)] / 1e3,
                nanos[ROUND_TRIPS - 1] / 1e3, (BULK_BYTES / (1024.0 * 1024.0)) / seconds);
    }
}
