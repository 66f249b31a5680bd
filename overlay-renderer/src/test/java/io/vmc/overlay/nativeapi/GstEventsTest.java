package io.vmc.overlay.nativeapi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class GstEventsTest {

    @Test
    void typeFollowsTheMiniObjectHeader() {
        assertThat(GstEvents.typeOffset(8)).isEqualTo(64); // x86_64, aarch64
        assertThat(GstEvents.typeOffset(4)).isEqualTo(36); // armhf, i386
    }
}
