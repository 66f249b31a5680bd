package io.vmc.port.spice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class SpiceOptionsTest {

    @Test
    void acceptsSpiceUrisAndKeepsTheOptions() {
        SpiceOptions o = SpiceOptions.builder("spice://vdi.example:5900").password("pw").caFile(Path.of("ca.pem"))
                .hostSubject("C=XX,O=Example,CN=vdi").showDisplay(false).x11Display(":3").build();
        assertThat(o.uri()).isEqualTo("spice://vdi.example:5900");
        assertThat(o.password()).contains("pw");
        assertThat(o.caFile()).contains(Path.of("ca.pem"));
        assertThat(o.hostSubject()).contains("C=XX,O=Example,CN=vdi");
        assertThat(o.showDisplay()).isFalse();
        assertThat(o.x11Display()).contains(":3");
        assertThat(o.title()).isEqualTo("VMC - spice://vdi.example:5900");
        assertThat(o.toString()).doesNotContain("pw").contains("password=***");
        assertThat(SpiceOptions.builder("spice+tls://h:5901").build().uri()).isEqualTo("spice+tls://h:5901");
        assertThat(o.reconnectAfterLoss()).as("off unless asked for").isFalse();
        SpiceOptions r = SpiceOptions.builder("spice://h:1").reconnectAfterLoss(true).build();
        assertThat(r.reconnectAfterLoss()).isTrue();
        assertThat(r.toString()).contains("reconnectAfterLoss");
    }

    @Test
    void rejectsWhatSpiceGtkWouldNotTake() {
        assertThatThrownBy(() -> SpiceOptions.builder("tcp:h:5900")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("uri must start with spice:// or spice+tls://, was 'tcp:h:5900'");
        assertThatThrownBy(() -> SpiceOptions.builder("spice://")).hasMessageContaining("uri must name a host");
        assertThatThrownBy(() -> SpiceOptions.builder(null)).hasMessage("uri must not be null");
        assertThatThrownBy(() -> SpiceOptions.builder("spice://h:1").hostSubject(" "))
                .hasMessage("hostSubject must not be blank");
        assertThatThrownBy(() -> SpiceOptions.builder("spice://h:1").x11Display(""))
                .hasMessage("x11Display must not be blank");
    }

    @Test
    void findsTheAddressToProbe() {
        assertThat(SpiceOptions.builder("spice://127.0.0.1:5930").build().serverAddress())
                .satisfies(a -> assertThat(a.getHostString() + ":" + a.getPort()).isEqualTo("127.0.0.1:5930"));
        assertThat(SpiceOptions.builder("spice://vdi?port=5901&tls-port=5902").build().serverAddress().getPort())
                .isEqualTo(5901);
        assertThat(SpiceOptions.builder("spice://vdi?tls-port=5902").build().serverAddress().getPort()).isEqualTo(5902);
        assertThat(SpiceOptions.builder("spice://vdi").build().serverAddress().getPort()).isEqualTo(5900);
    }
}
