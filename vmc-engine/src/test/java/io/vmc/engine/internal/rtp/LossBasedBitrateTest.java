package io.vmc.engine.internal.rtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The controller on a fake clock: reports every 500 ms. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class LossBasedBitrateTest {
    static final long MS = 1_000_000L;

    static int loss(double fraction) {
        return (int) Math.round(fraction * 256);
    }

    @Test
    void lowLossGrowsEightPercentPerSecondUpToTheCeiling() {
        LossBasedBitrate c = new LossBasedBitrate(150, 2000, 500, 0);
        int r = 0;
        for (int i = 1; i <= 2; i++) r = c.onReport(loss(0.01), i * 500 * MS);
        assertThat((double) r).isCloseTo(500 * 1.08, within(1.0));
        for (int i = 3; i <= 200; i++) r = c.onReport(0, i * 500 * MS);
        assertThat(r).isEqualTo(2000);
    }

    @Test
    void moderateLossHolds() {
        LossBasedBitrate c = new LossBasedBitrate(150, 2000, 800, 0);
        for (int i = 1; i <= 20; i++) assertThat(c.onReport(loss(0.05), i * 500 * MS)).isEqualTo(800);
    }

    @Test
    void highLossCutsByHalfTheLossDownToTheFloor() {
        LossBasedBitrate c = new LossBasedBitrate(150, 2000, 1000, 0);
        assertThat((double) c.onReport(loss(0.20), 500 * MS)).isCloseTo(1000 * (1 - 0.5 * loss(0.20) / 256.0), within(1.0));
        int r = 0;
        for (int i = 2; i <= 100; i++) r = c.onReport(255, i * 500 * MS);
        assertThat(r).isEqualTo(150);
    }

    @Test
    void burstsOfReportsCutOncePerInterval() {
        LossBasedBitrate c = new LossBasedBitrate(150, 2000, 1000, 0);
        int first = c.onReport(loss(0.5), 1000 * MS);
        assertThat(c.onReport(loss(0.5), 1001 * MS)).isEqualTo(first);
        assertThat(c.onReport(loss(0.5), 1299 * MS)).isEqualTo(first);
        assertThat(c.onReport(loss(0.5), 1300 * MS)).isLessThan(first);
    }

    @Test
    void aLongSilenceOrAClockStepEarnsAtMostOneSecondOfGrowth() {
        LossBasedBitrate c = new LossBasedBitrate(150, 2000, 500, 0);
        assertThat((double) c.onReport(0, 3_600_000 * MS)).isCloseTo(540, within(1.0));
        assertThat(c.onReport(0, 0)).as("time going backwards").isEqualTo(540);
    }

    @Test
    void hostileFractionsAreClampedAndBoundsValidated() {
        LossBasedBitrate c = new LossBasedBitrate(150, 2000, 5000, 0);
        assertThat(c.targetKbps()).isEqualTo(2000);
        assertThat(c.onReport(-5, 500 * MS)).isBetween(150, 2000);
        assertThat(c.onReport(100_000, 1000 * MS)).isBetween(150, 2000);
        assertThatThrownBy(() -> new LossBasedBitrate(300, 200, 250, 0)).hasMessageContaining("floor");
    }
}
