package io.vmc.engine.internal.rtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** RFC 3550 A.1, A.3 and A.8 on a fake clock. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ReceiveStatisticsTest {
    static final long MS = 1_000_000L;

    @Test
    void inOrderStreamHasNoLossAndNoJitter() {
        ReceiveStatistics s = new ReceiveStatistics(90000);
        for (int i = 0; i < 100; i++) {
            long ext = s.onSequence(1000 + i);
            assertThat(ext).isEqualTo(1000 + i);
            s.onReceived(3000L * i, 33_333_333L * i + 5 * MS, true); // 30 fps, constant delay
        }
        var r = s.report(7, 3300 * MS);
        assertThat(r.fractionLost()).isZero();
        assertThat(r.cumulativeLost()).isZero();
        assertThat(r.extHighestSeq()).isEqualTo(1099);
        assertThat(s.jitterMs()).isLessThan(0.1);
        assertThat(r.lsr()).isZero();
        assertThat(r.dlsr()).isZero();
    }

    @Test
    void lossPerIntervalAndCumulativeAcrossTheWrap() {
        ReceiveStatistics s = new ReceiveStatistics(90000);
        int seq = 65500;
        for (int i = 0; i < 100; i++, seq = (seq + 1) & 0xffff) {
            if (i % 10 == 3) continue; // 10% lost
            s.onSequence(seq);
            s.onReceived(i * 3000L, i * 33 * MS, true);
        }
        var r = s.report(7, 0);
        assertThat(r.extHighestSeq()).isEqualTo(65536 + 63);
        assertThat(r.cumulativeLost()).isEqualTo(10);
        assertThat(r.fractionLost()).isEqualTo(10 * 256 / 100);
        // next interval without loss: fraction 0, cumulative stays
        for (int i = 0; i < 50; i++, seq++) {
            s.onSequence(seq);
            s.onReceived(0, 0, false);
        }
        var r2 = s.report(7, 0);
        assertThat(r2.fractionLost()).isZero();
        assertThat(r2.cumulativeLost()).isEqualTo(10);
    }

    @Test
    void varyingDelayGivesJitter() {
        ReceiveStatistics s = new ReceiveStatistics(90000);
        for (int i = 0; i < 200; i++) {
            s.onSequence(i);
            long delay = (i % 2 == 0) ? 0 : 10 * MS; // alternating 10 ms
            s.onReceived(3000L * i, 33_333_333L * i + delay, true);
        }
        assertThat(s.jitterMs()).isCloseTo(10, within(1.0));
    }

    @Test
    void aHugeJumpIsARestartOnlyWhenTheNextPacketConfirmsIt() {
        ReceiveStatistics s = new ReceiveStatistics(90000);
        for (int i = 0; i < 10; i++) s.onSequence(i);
        assertThat(s.onSequence(30000)).isEqualTo(-1);
        assertThat(s.onSequence(10)).as("the old stream goes on").isEqualTo(10);
        assertThat(s.restarts()).isZero();
        assertThat(s.onSequence(40000)).isEqualTo(-1);
        assertThat(s.onSequence(40001)).isEqualTo(40001);
        assertThat(s.restarts()).isEqualTo(1);
        assertThat(s.expected()).isEqualTo(1);
    }

    @Test
    void consecutiveLateRetransmissionsAreNotARestart() {
        ReceiveStatistics s = new ReceiveStatistics(90000);
        for (int i = 0; i < 1000; i++) if (i != 300 && i != 301) s.onSequence(i);
        assertThat(s.onSequence(300)).isEqualTo(300);
        assertThat(s.onSequence(301)).isEqualTo(301);
        assertThat(s.restarts()).isZero();
        assertThat(s.extendedHighest()).isEqualTo(999);
    }

    @Test
    void reorderedPacketsGetTheirExtendedNumberAcrossTheWrap() {
        ReceiveStatistics s = new ReceiveStatistics(90000);
        s.onSequence(65534);
        s.onSequence(1); // wraps, 65535 and 0 missing
        assertThat(s.onSequence(65535)).isEqualTo(65535);
        assertThat(s.onSequence(0)).isEqualTo(65536);
        assertThat(s.extendedHighest()).isEqualTo(65537);
    }

    @Test
    void lsrAndDlsrEchoTheLastSenderReport() {
        ReceiveStatistics s = new ReceiveStatistics(90000);
        s.onSequence(1);
        s.onReceived(0, 0, true);
        s.onSenderReport(0xabcd1234L, 1000 * MS);
        var r = s.report(7, 1500 * MS);
        assertThat(r.lsr()).isEqualTo(0xabcd1234L);
        assertThat(r.dlsr()).isEqualTo(65536 / 2);
    }

    @Test
    void duplicatesNeverMakeTheFractionNegativeAndAbsurdLossIsClamped() {
        ReceiveStatistics s = new ReceiveStatistics(90000);
        s.onSequence(5);
        for (int i = 0; i < 10; i++) s.onReceived(0, 0, false); // counted 10 times
        var r = s.report(7, 0);
        assertThat(r.fractionLost()).isZero();
        assertThat(r.cumulativeLost()).isEqualTo(-9);
    }
}
