package io.vmc.engine.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.engine.internal.transport.SendGate.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SendGateTest {
    private static final long MS = 1_000_000L;
    private static final long CONSENT = 30_000 * MS;

    /** Probe times (ms) over {@code durationMs} when a packet is offered every 20 ms. */
    private static List<Long> probes(SendGate g, long fromMs, long durationMs) {
        List<Long> out = new ArrayList<>();
        for (long t = fromMs; t < fromMs + durationMs; t += 20) {
            Verdict v = g.check(t * MS);
            assertThat(v).isNotEqualTo(Verdict.SEND);
            if (v == Verdict.PROBE) out.add(t);
        }
        return out;
    }

    @Test
    void aSilentDestinationGetsProbesAtGrowingIntervalsOnly() {
        SendGate g = new SendGate(false, CONSENT);
        // 0, +1 s, +2 s, +4 s, then every 8 s: 50 packets a second offered, 8 sent in 40 s
        assertThat(probes(g, 0, 40_000)).containsExactly(0L, 1000L, 3000L, 7000L, 15000L, 23000L, 31000L, 39000L);
    }

    @Test
    void aValidPacketFromTheDestinationOpensTheGateUntilConsentExpires() {
        SendGate g = new SendGate(false, CONSENT);
        assertThat(g.check(0)).isEqualTo(Verdict.PROBE);
        assertThat(g.check(20 * MS)).isEqualTo(Verdict.HOLD);
        g.verified(25 * MS);
        assertThat(g.check(40 * MS)).isEqualTo(Verdict.SEND);
        assertThat(g.check(25 * MS + CONSENT)).isEqualTo(Verdict.SEND);
        // silent for longer than the consent timeout: back to probing, from the short interval
        assertThat(g.check(26 * MS + CONSENT)).isEqualTo(Verdict.PROBE);
        assertThat(g.check(500 * MS + CONSENT)).isEqualTo(Verdict.HOLD);
        assertThat(g.check(1026 * MS + CONSENT)).isEqualTo(Verdict.PROBE);
        g.verified(1100 * MS + CONSENT);
        assertThat(g.isVerified(1100 * MS + CONSENT)).isTrue();
        assertThat(g.check(1120 * MS + CONSENT)).isEqualTo(Verdict.SEND);
    }

    @Test
    void verificationResetsTheProbeBackOff() {
        SendGate g = new SendGate(false, 100 * MS);
        probes(g, 0, 10_000); // interval grown to 8 s
        g.verified(10_000 * MS);
        assertThat(probes(g, 10_120, 2_000)).containsExactly(10_120L, 11_120L);
    }

    @Test
    void aTrustedPeerIsNeverHeld() {
        SendGate g = new SendGate(true, CONSENT);
        assertThat(g.check(0)).isEqualTo(Verdict.SEND);
        assertThat(g.check(Long.MAX_VALUE / 2)).isEqualTo(Verdict.SEND);
    }

    @Test
    void worksAcrossTheWrapOfNanoTime() {
        SendGate g = new SendGate(false, CONSENT);
        long t = Long.MAX_VALUE - 500 * MS;
        assertThat(g.check(t)).isEqualTo(Verdict.PROBE);
        assertThat(g.check(t + 999 * MS)).isEqualTo(Verdict.HOLD);
        assertThat(g.check(t + 1000 * MS)).isEqualTo(Verdict.PROBE);
        g.verified(t + 1001 * MS);
        assertThat(g.check(t + 2000 * MS)).isEqualTo(Verdict.SEND);
    }
}
