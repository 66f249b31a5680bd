package io.vmc.it.browser;

import io.vmc.it.doctor.Setup;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/** Skips a browser test class when something it needs is missing, or fails it when {@code CI=true}. */
final class Prerequisites {
    private Prerequisites() {}

    static void require() {
        List<String> missing = new ArrayList<>();
        if (!PeerNetwork.isSupported()) missing.add("root with iproute2 (network namespaces)");
        for (String program : List.of("chromium", "node", "gst-launch-1.0")) {
            if (Setup.which(program) == null) missing.add(program);
        }
        if (!java.nio.file.Files.isExecutable(java.nio.file.Path.of(WebrtcbinPeer.PYTHON))) missing.add(WebrtcbinPeer.PYTHON);
        if (!missing.isEmpty()) {
            String why = "missing: " + String.join(", ", missing);
            if ("true".equals(System.getenv("CI"))) Assertions.fail(why + " (CI=true: the browser tests must run)");
            Assumptions.abort(why);
        }
    }
}
