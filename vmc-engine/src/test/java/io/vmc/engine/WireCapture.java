package io.vmc.engine;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** UDP payloads seen on the loopback interface by tshark (a real capture of the wire). */
final class WireCapture implements AutoCloseable {
    private final Process process;
    final List<byte[]> payloads = new CopyOnWriteArrayList<>();
    /** Capture time of each payload (seconds since the epoch), in the same order. */
    final List<Double> times = new CopyOnWriteArrayList<>();

    WireCapture(String captureFilter) throws IOException, InterruptedException {
        process = new ProcessBuilder("tshark", "-i", "lo", "-f", captureFilter, "-l", "-n", "-T", "fields", "-e", "frame.time_epoch", "-e", "udp.payload")
                .redirectErrorStream(false).start();
        CountDownLatch started = new CountDownLatch(1);
        Thread err = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.contains("Capturing on")) started.countDown();
                }
            } catch (IOException ignored) {
                // process ended
            }
        });
        err.setDaemon(true);
        err.start();
        Thread out = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    String[] f = line.trim().split("\t");
                    if (f.length == 2 && !f[1].isEmpty()) {
                        byte[] payload = HexFormat.of().parseHex(f[1].replace(":", ""));
                        synchronized (this) {
                            times.add(Double.parseDouble(f[0]));
                            payloads.add(payload);
                        }
                    }
                }
            } catch (IOException | IllegalArgumentException ignored) {
                // process ended
            }
        });
        out.setDaemon(true);
        out.start();
        if (!started.await(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("tshark did not start capturing");
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly();
    }
}
