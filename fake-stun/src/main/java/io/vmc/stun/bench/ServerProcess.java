package io.vmc.stun.bench;

import io.vmc.stun.internal.StunMessage;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A STUN server under test in its own process: start, wait until it answers, sample RSS and CPU, stop. */
final class ServerProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("fake-stun listening on udp 127\\.0\\.0\\.1:(\\d+)");
    private static final long CLOCK_TICKS = 100; // USER_HZ on Linux

    final String name;
    final Process process;
    final InetSocketAddress address;

    private ServerProcess(String name, Process process, InetSocketAddress address) {
        this.name = name;
        this.process = process;
        this.address = address;
    }

    /**
     * fake-stun exactly as {@code ./vmc stun} starts it (packaging/stun.jvm, fake-stun's own class path
     * from target/), plus {@code extraJvmOptions} after the shipped ones.
     */
    static ServerProcess fakeStun(List<String> extraJvmOptions, int threads) throws IOException, InterruptedException {
        Path module = moduleDirectory();
        Path target = module.resolve("target");
        Path classpathFile = target.resolve("stun-classpath.txt");
        if (!Files.isRegularFile(classpathFile)) {
            throw new IOException(classpathFile + " is missing: build fake-stun first (mvn package)");
        }
        String classpath = target.resolve("classes") + java.io.File.pathSeparator
                + Files.readString(classpathFile).trim() + java.io.File.pathSeparator + target.resolve("stun-lib") + "/*";
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(java.toString());
        cmd.add("@" + module.resolve("packaging").resolve("stun.jvm"));
        cmd.addAll(extraJvmOptions);
        cmd.addAll(List.of("-cp", classpath, "io.vmc.stun.StunCommand",
                "--udp", "127.0.0.1:0", "--threads", String.valueOf(threads)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread drain = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException e) {
                port.completeExceptionally(e);
            }
            port.completeExceptionally(new IOException("fake-stun exited before listening"));
        }, "fake-stun-output");
        drain.setDaemon(true);
        drain.start();
        try {
            int udp = port.get(30, TimeUnit.SECONDS);
            ServerProcess s = new ServerProcess("fake-stun", p, new InetSocketAddress("127.0.0.1", udp));
            s.awaitAnswering();
            return s;
        } catch (Exception e) {
            p.destroyForcibly();
            throw new IOException("fake-stun did not start: " + e.getMessage(), e);
        }
    }

    /** The fake-stun module of the checkout the benchmark runs in (the working directory or above it). */
    private static Path moduleDirectory() throws IOException {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            for (Path m : List.of(d, d.resolve("fake-stun"))) {
                if (Files.isRegularFile(m.resolve("packaging").resolve("stun.jvm"))) {
                    return m;
                }
            }
        }
        throw new IOException("cannot find fake-stun/packaging/stun.jvm above " + Path.of("").toAbsolutePath());
    }

    static ServerProcess coturn(Path turnserver, Path workDir, int threads) throws IOException, InterruptedException {
        int port;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            port = probe.getLocalPort();
        }
        Files.createDirectories(workDir);
        List<String> cmd = List.of(turnserver.toString(), "-n", "--listening-ip=127.0.0.1",
                "--listening-port=" + port, "--stun-only", "--no-tls", "--no-dtls", "--no-cli",
                "--relay-threads=" + threads, "--pidfile=" + workDir.resolve("turnserver.pid"),
                "--log-file=" + workDir.resolve("turnserver.log"), "--simple-log", "--no-stdout-log");
        Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(workDir.resolve("turnserver.out").toFile()).start();
        ServerProcess s = new ServerProcess("coturn", p, new InetSocketAddress("127.0.0.1", port));
        try {
            s.awaitAnswering();
            return s;
        } catch (IOException e) {
            p.destroyForcibly();
            throw new IOException("coturn did not start (see " + workDir + "): " + e.getMessage(), e);
        }
    }

    private void awaitAnswering() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            s.setSoTimeout(200);
            byte[] req = StunMessage.bindingRequest(new byte[12]).toBytes();
            byte[] buf = new byte[2048];
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IOException(name + " exited with " + process.exitValue());
                }
                s.send(new DatagramPacket(req, req.length, address));
                try {
                    s.receive(new DatagramPacket(buf, buf.length));
                    return;
                } catch (SocketTimeoutException e) {
                    // not yet
                }
            }
        }
        throw new IOException(name + " did not answer a Binding request within 30 s");
    }

    /** Resident set size in KiB, from /proc (0 if unavailable). */
    long rssKiB() {
        return procStatus("VmRSS:");
    }

    private long procStatus(String key) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
                if (l.startsWith(key)) {
                    return Long.parseLong(l.substring(key.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }

    /** User + system CPU time in seconds, from /proc/PID/stat. */
    double cpuSeconds() {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) CLOCK_TICKS;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
