package io.vmc.port.spice;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class SpiceClientTest {

    @Test
    void theProbeNeverThrowsAndExplainsItself() {
        // Works with or without libspice-client-glib installed.
        boolean available = SpiceClient.isAvailable();
        if (available) {
            assertThat(SpiceClient.unavailabilityCause()).isNull();
            assertThat(SpiceClient.version()).hasValueSatisfying(v -> assertThat(v).matches("\\d+\\.\\d+.*"));
        } else {
            assertThat(SpiceClient.unavailabilityCause()).hasMessageContaining("libspice-client-glib-2.0");
            assertThat(SpiceClient.version()).isEmpty();
        }
    }
}
