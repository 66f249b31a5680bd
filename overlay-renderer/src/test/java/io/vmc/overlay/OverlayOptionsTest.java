package io.vmc.overlay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class OverlayOptionsTest {

    @Test
    void validatesEagerlyNamingTheParameter() {
        assertThatThrownBy(() -> OverlayOptions.builder().parentWindow(0))
                .hasMessageContaining("parentWindow must be an X11 window id");
        assertThatThrownBy(() -> OverlayOptions.builder().parentWindow(1L << 33))
                .hasMessageContaining("parentWindow");
        assertThatThrownBy(() -> OverlayOptions.builder().build()).hasMessage("parentWindow must be set");
        assertThatThrownBy(() -> OverlayOptions.builder().displayInsets(0, -1, 0, 0))
                .hasMessageContaining("displayInsets must not be negative");
        assertThatThrownBy(() -> OverlayOptions.builder().displayArea(Rect.of(0, 0, 0, 10)))
                .hasMessageContaining("displayArea must not be empty");
        assertThatThrownBy(() -> OverlayOptions.builder().minUpdateInterval(Duration.ofSeconds(2)))
                .hasMessageContaining("minUpdateInterval must be in");
    }

    @Test
    void defaults() {
        OverlayOptions o = OverlayOptions.builder().parentWindow(0x200007).build();
        assertThat(o.scaling()).isEqualTo(ScalingMode.FIT);
        assertThat(o.displayArea()).isNull();
        assertThat(o.displayInsets()).containsExactly(0, 0, 0, 0);
        assertThat(o.minUpdateInterval()).isEqualTo(Duration.ofMillis(16));
    }

    @Test
    void probeAnswersWithoutThrowing() {
        // On this machine libX11 is there; elsewhere the cause must be non-null instead of a throw.
        assertThat(OverlaySupport.isAvailable() || OverlaySupport.unavailabilityCause() != null).isTrue();
    }

    @Test
    void attachToAMissingDisplayFailsWithAClearMessage() {
        assertThatThrownBy(() -> VideoOverlay.attach(OverlayOptions.builder().parentWindow(0x200007)
                .displayName(":31999").build())).isInstanceOf(OverlayException.class)
                .hasMessageContaining(":31999");
    }
}
