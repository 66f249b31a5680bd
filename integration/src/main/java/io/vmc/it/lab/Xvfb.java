package io.vmc.it.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A private X server: {@code Xvfb -displayfd} picks a free display number. The demo starts one
 * for its session windows when there is no {@code $DISPLAY}. The SPICE display
 * tests share one per test JVM ({@link #shared()}), which lives as long as the JVM: the engine
 * keeps its GDK display open for the life of the process (GTK 3 crashed when it was closed) and
 * GDK exits the process when that X server dies. A shell wrapper kills Xvfb when the JVM ends,
 * however it ends (its stdin, a pipe from this JVM, closes). {@link #close()} kills it at once.
 */
public final class Xvfb implements AutoCloseable {
    private static Xvfb shared;
    private final Process process;
    private final String display;

    private Xvfb(Process process, String display) {
        this.process = process;
        this.display = display;
    }

    /** Which of the programs the SPICE tests need are missing, if any. */
    public static Optional<String> missing(String... programs) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        List<String> absent = Arrays.stream(programs)
                .filter(p -> Arrays.stream(path.split(":")).noneMatch(d -> Files.isExecutable(Path.of(d, p))))
                .toList();
        return absent.isEmpty() ? Optional.empty() : Optional.of("missing programs: " + String.join(", ", absent));
    }

    /** The X server of this test JVM, started on first use. */
    public static synchronized Xvfb shared() throws IOException {
        if (shared == null) {
            shared = start();
        }
        return shared;
    }

    /** A new X server with a 1280x800 screen. */
    public static Xvfb start() throws IOException {
        return start(1280, 800);
    }

    /** A new X server with a screen of this size (24-bit colour). */
    public static Xvfb start(int width, int height) throws IOException {
        Process p = new ProcessBuilder("sh", "-c", "Xvfb -displayfd 1 -screen 0 " + width + "x" + height
                + "x24 -nolisten tcp 2>/dev/null & x=$!; read _; kill $x; wait $x")
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                return null;
            }
        });
        String n;
        try {
            n = line.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            p.destroyForcibly();
            throw new IOException("Xvfb did not report its display within 30 s", e);
        }
        if (n == null || !n.strip().matches("\\d+")) {
            p.destroyForcibly();
            throw new IOException("Xvfb did not start (said '" + n + "')");
        }
        return new Xvfb(p, ":" + n.strip());
    }

    /** The display name, e.g. {@code :5}, for {@code $DISPLAY}. */
    public String display() {
        return display;
    }

    /** Runs an X client on this display and returns its standard output (fails on a non-zero exit). */
    public String run(String... argv) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.environment().put("DISPLAY", display);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(argv[0] + " did not finish");
        }
        String s = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", argv) + " exited with " + p.exitValue() + ": " + s);
        }
        return s;
    }

    @Override
    public void close() {
        try {
            process.getOutputStream().close(); // the wrapper kills Xvfb
        } catch (IOException e) {
            process.destroy();
        }
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
