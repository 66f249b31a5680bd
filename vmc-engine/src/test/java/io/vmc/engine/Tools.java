package io.vmc.engine;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** External tools: a missing tool skips a test locally and fails it under CI=true. */
final class Tools {
    private Tools() {
    }

    static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) return true;
        }
        return false;
    }

    static void require(String tool) {
        boolean present = onPath(tool);
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new AssertionError(tool + " is required under CI=true but is not on PATH");
        }
        assumeTrue(present, tool + " is not installed");
    }
}
