package io.vmc.it.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The client policy a thin client's admin would write for engines whose peers are on loopback: the
 * engine refuses media to 127.0.0.0/8 otherwise (docs/admin-guide.md, {@code media.allow-local}).
 */
public final class LoopbackPolicy {
    /** The policy's one line. */
    public static final String TEXT = "# every party of this run is on 127.0.0.1\nmedia.allow-local = loopback\n";

    private LoopbackPolicy() {
    }

    /** Writes {@code dir/engine.conf} (once) and returns the {@code vmc engine} options that read it. */
    public static List<String> engineOptions(Path dir) throws IOException {
        Path file = dir.resolve("engine.conf");
        Files.createDirectories(dir);
        Files.writeString(file, TEXT, StandardCharsets.UTF_8);
        return List.of("--policy", file.toString());
    }
}
