package io.vmc.engine.internal.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.transport.proto.QualityAlert;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class QualityWatchTest {
    private final QualityWatch watch = new QualityWatch();

    private List<QualityAlert.Kind> kinds(double mos, double loss, boolean relayed) {
        return watch.update("s1", mos, loss, relayed).stream().map(QualityAlert::getKind).toList();
    }

    @Test
    void aGoodCallRaisesNothing() {
        for (int i = 0; i < 10; i++) {
            assertThat(kinds(4.3, 0.0, false)).isEmpty();
        }
        assertThat(kinds(0, 0, false)).as("no estimate yet").isEmpty();
    }

    @Test
    void poorMosIsAlertedOnceAndClearsWithHysteresis() {
        assertThat(kinds(3.2, 0, false)).containsExactly(QualityAlert.Kind.MOS_LOW);
        assertThat(kinds(3.1, 0, false)).isEmpty();
        assertThat(kinds(3.6, 0, false)).as("above the line but inside the hysteresis").isEmpty();
        assertThat(kinds(3.4, 0, false)).as("dips again: still the same alert").isEmpty();
        assertThat(kinds(3.8, 0, false)).containsExactly(QualityAlert.Kind.RECOVERED);
        assertThat(kinds(3.2, 0, false)).containsExactly(QualityAlert.Kind.MOS_LOW);
    }

    @Test
    void lossSpikeAndRelayAreAlertedAndRecoveryWaitsForBoth() {
        List<QualityAlert> a = watch.update("s1", 4.2, 0.12, false);
        assertThat(a).singleElement().satisfies(x -> {
            assertThat(x.getKind()).isEqualTo(QualityAlert.Kind.LOSS_HIGH);
            assertThat(x.getSessionId()).isEqualTo("s1");
            assertThat(x.getValue()).isEqualTo(0.12);
            assertThat(x.getDetail()).contains("12.0 %");
        });
        assertThat(kinds(4.2, 0.12, true)).containsExactly(QualityAlert.Kind.RELAYED);
        assertThat(kinds(4.2, 0.0, true)).as("loss gone, still relayed").isEmpty();
        assertThat(kinds(4.2, 0.0, false)).containsExactly(QualityAlert.Kind.RECOVERED);
    }
}
