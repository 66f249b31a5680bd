package io.vmc.engine.internal.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SendHistoryTest {
    static final long MS = 1_000_000L;

    @Test
    void keepsRecentPacketsBySeq() {
        SendHistory h = new SendHistory(1000 * MS);
        byte[] a = {1};
        h.put(65535, a, 0);
        h.put(0, new byte[] {2}, 0);
        assertThat(h.forResend(65535, 10 * MS, 5 * MS)).isSameAs(a);
        assertThat(h.forResend(0, 10 * MS, 5 * MS)).containsExactly(2);
        assertThat(h.forResend(1, 10 * MS, 5 * MS)).as("never sent").isNull();
    }

    @Test
    void overwrittenTooOldOrJustResentIsNotResent() {
        SendHistory h = new SendHistory(1000 * MS);
        h.put(7, new byte[] {1}, 0);
        h.put(7 + SendHistory.CAPACITY, new byte[] {2}, 0);
        assertThat(h.forResend(7, 0, 0)).as("slot reused by a newer seq").isNull();
        h.put(9, new byte[] {3}, 0);
        assertThat(h.forResend(9, 1001 * MS, 0)).as("too old").isNull();
        h.put(10, new byte[] {4}, 0);
        assertThat(h.forResend(10, 1 * MS, 20 * MS)).isNotNull();
        assertThat(h.forResend(10, 10 * MS, 20 * MS)).as("resent 9 ms ago").isNull();
        assertThat(h.forResend(10, 22 * MS, 20 * MS)).isNotNull();
    }

    @Test
    void oversizedPacketsAreNotKept() {
        SendHistory h = new SendHistory(1000 * MS);
        h.put(1, new byte[RtpPackets.MAX_PACKET + 1], 0);
        assertThat(h.forResend(1, 0, 0)).isNull();
    }
}
