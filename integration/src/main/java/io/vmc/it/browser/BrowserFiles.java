package io.vmc.it.browser;

import io.vmc.it.doctor.Setup;
import io.vmc.it.lab.VmcProcess;
import java.io.IOException;
import java.nio.file.Path;

/** Where the peers' scripts are (integration/browser in the checkout) and the programs they need. */
final class BrowserFiles {
    private BrowserFiles() {}

    static Path directory() throws IOException {
        return VmcProcess.repositoryRoot().resolve("integration/browser");
    }

    /** The full path of {@code program} on PATH (the namespace's exec would search the same PATH). */
    static String onPath(String program) throws IOException {
        Path p = Setup.which(program);
        if (p == null) {
            throw new IOException(program + " is not on PATH (see packages/debian.txt)");
        }
        return p.toString();
    }
}
