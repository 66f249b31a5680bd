package io.vmc.overlay.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A private Xvfb server on a free display number; {@code -displayfd} tells when it is ready.
 */
public final class Xvfb implements AutoCloseable {
    private final Process process;
    private final String display;

    private Xvfb(Process process, String display) {
        this.process = process;
        this.display = display;
    }

    public static Xvfb start(int width, int height) throws IOException {
        Tools.require("Xvfb", "import");
        // Own number range, random start: low numbers (:0, :1...) are what other tools and tests pick.
        int first = 200 + java.util.concurrent.ThreadLocalRandom.current().nextInt(700);
        for (int n = first; n < first + 50; n++) {
            if (new java.io.File("/tmp/.X" + n + "-lock").exists()
                    || new java.io.File("/tmp/.X11-unix/X" + n).exists()) {
                continue;
            }
            Process p = new ProcessBuilder("Xvfb", ":" + n, "-displayfd", "1", "-screen", "0",
                    width + "x" + height + "x24", "-nolisten", "tcp")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
            String line = r.readLine(); // written once the server accepts connections; null if it exits
            if (line != null && !line.isBlank() && p.isAlive()) {
                return new Xvfb(p, ":" + line.trim());
            }
            p.destroyForcibly();
        }
        throw new IOException("no free X display number from :" + first);
    }

    /** Like {@code ":93"}. */
    public String display() {
        return display;
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
