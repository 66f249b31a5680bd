package io.vmc.it.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A tshark capture on interfaces of a namespace, counted afterwards with a display filter. */
public final class PacketCapture implements AutoCloseable {
    private final Process tshark;
    private final Path file;

    private PacketCapture(Process tshark, Path file) {
        this.tshark = tshark;
        this.file = file;
    }

    /**
     * Starts capturing and returns once tshark says it is capturing.
     *
     * @param namespace network namespace of the interfaces, or null for this one
     */
    public static PacketCapture start(String namespace, List<String> interfaces, String captureFilter, Path file)
            throws IOException {
        // -f before the first -i applies to every interface; after one, only to that interface.
        List<String> command = new ArrayList<>(List.of("tshark", "-n", "-q", "-f", captureFilter));
        for (String i : interfaces) {
            command.addAll(List.of("-i", i));
        }
        command.addAll(List.of("-w", file.toString()));
        Process p = new ProcessBuilder(NetworkLab.inNamespace(namespace, command)).redirectErrorStream(true).start();
        p.getOutputStream().close();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            seen.append(line).append('\n');
            if (line.startsWith("Capturing on")) {
                Thread drain = new Thread(() -> drain(out), "tshark-output");
                drain.setDaemon(true);
                drain.start();
                return new PacketCapture(p, file);
            }
        }
        p.destroyForcibly();
        throw new IOException("tshark did not start capturing: " + seen.toString().trim());
    }

    private static void drain(BufferedReader out) {
        try {
            while (out.readLine() != null) {
                // tshark's statistics lines; the capture file is what counts
            }
        } catch (IOException ignored) {
            // tshark ended
        }
    }

    /** Packets in the capture matching {@code displayFilter} (all packets when null). */
    public long count(String displayFilter) throws IOException {
        return field("frame.number", displayFilter).size();
    }

    /** Bytes on the wire (frame lengths) of the packets matching {@code displayFilter} (all when null). */
    public long bytes(String displayFilter) throws IOException {
        return field("frame.len", displayFilter).stream().mapToLong(Long::parseLong).sum();
    }

    /** Seconds between the first and the last captured packet. */
    public double durationSeconds() throws IOException {
        List<String> times = field("frame.time_relative", null);
        return times.isEmpty() ? 0 : Double.parseDouble(times.get(times.size() - 1));
    }

    private List<String> field(String field, String displayFilter) throws IOException {
        List<String> command = new ArrayList<>(List.of("tshark", "-n", "-r", file.toString(), "-T", "fields",
                "-e", field));
        if (displayFilter != null) {
            command.addAll(List.of("-Y", displayFilter));
        }
        return Shell.run(command).lines().map(String::trim)
                .filter(l -> !l.isEmpty() && Character.isDigit(l.charAt(0))).toList();
    }

    /** Stops the capture and flushes the file. */
    @Override
    public void close() {
        tshark.destroy();
        try {
            if (!tshark.waitFor(10, TimeUnit.SECONDS)) {
                tshark.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            tshark.destroyForcibly();
        }
    }
}
