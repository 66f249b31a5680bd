package io.vmc.overlay.testing;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;

/** Tools a test needs: missing means skip on a developer machine, fail when {@code CI=true}. */
public final class Tools {
    private Tools() {
    }

    public static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (new File(dir, command).canExecute()) {
                return true;
            }
        }
        return false;
    }

    public static void require(String... commands) {
        for (String c : commands) {
            if (!onPath(c)) {
                String msg = c + " is not installed (see overlay-renderer/README.md for the Debian packages)";
                if ("true".equals(System.getenv("CI"))) {
                    fail(msg);
                }
                assumeTrue(false, msg);
            }
        }
    }
}
