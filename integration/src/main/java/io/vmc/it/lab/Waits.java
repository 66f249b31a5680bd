package io.vmc.it.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Waiting for daemons started as separate processes. */
public final class Waits {
    private Waits() {}

    /** Waits for a daemon's socket to appear (a JVM takes a second or more to start). */
    public static void awaitFile(Path file, long timeoutSeconds, Path logToCite) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (!Files.exists(file)) {
            if (System.nanoTime() > deadline) {
                throw new IOException(file + " did not appear within " + timeoutSeconds + " s; see " + logToCite);
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }
}
