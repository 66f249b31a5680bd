package io.vmc.it.spice;

import io.vmc.it.lab.Xvfb;
import io.vmc.port.spice.SpiceClient;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/** Skips a SPICE test class when something it needs is missing, or fails it when {@code CI=true}. */
final class Prerequisites {

    private Prerequisites() {
    }

    static void require(boolean display, String... programs) {
        String missing;
        if (!SpiceClient.isAvailable()) {
            missing = "spice-glib: " + SpiceClient.unavailabilityCause().getMessage();
        } else if (display && !SpiceClient.isDisplayAvailable()) {
            missing = "spice-gtk/GTK 3 are not available";
        } else {
            missing = Xvfb.missing(programs).orElse(null);
        }
        if (missing != null) {
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail(missing + " (CI=true: the SPICE tests must run)");
            }
            Assumptions.abort(missing);
        }
    }
}
