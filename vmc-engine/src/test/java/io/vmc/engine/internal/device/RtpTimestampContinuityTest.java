package io.vmc.engine.internal.device;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RtpTimestampContinuityTest {
    private static final long MS = 1_000_000L;

    @Test
    void keepsTheFirstSourcesTimestampsAndContinuesANewOneByTheWallClockGap() {
        RtpTimestampContinuity c = new RtpTimestampContinuity(48000);
        assertThat(c.next(1000, 0)).isEqualTo(1000);
        assertThat(c.next(1960, 20 * MS)).isEqualTo(1960);
        c.newSource();
        // the new encoder starts at a random timestamp, 80 ms after the last packet
        assertThat(c.next(0xfffffff0L, 100 * MS)).isEqualTo(1960 + 80 * 48);
        assertThat(c.next(0xfffffff0L + 960 & 0xffffffffL, 120 * MS)).isEqualTo(1960 + 80 * 48 + 960);
    }

    @Test
    void wrapsAround32BitsAndNeverGoesBackForAClockThatDid() {
        RtpTimestampContinuity c = new RtpTimestampContinuity(8000);
        assertThat(c.next(0xffffff00L, 50 * MS)).isEqualTo(0xffffff00L);
        c.newSource();
        assertThat(c.next(5, 40 * MS)).as("a clock that went back counts as no time").isEqualTo(0xffffff00L);
        c.newSource();
        assertThat(c.next(7, 90 * MS)).isEqualTo((0xffffff00L + 50 * 8) & 0xffffffffL);
    }

    @Test
    void aNewSourceBeforeAnyPacketChangesNothing() {
        RtpTimestampContinuity c = new RtpTimestampContinuity(48000);
        c.newSource();
        assertThat(c.next(1234, 0)).isEqualTo(1234);
    }
}
