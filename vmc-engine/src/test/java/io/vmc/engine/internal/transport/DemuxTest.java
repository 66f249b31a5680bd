package io.vmc.engine.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.engine.internal.transport.Demux.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(5)
class DemuxTest {
    private static Kind first(int b) {
        return Demux.classify(new byte[] {(byte) b, 0, 0, 0}, 0, 4);
    }

    @Test
    void everyFirstByteFallsInItsRfc7983Range() {
        for (int b = 0; b < 256; b++) {
            Kind expected;
            if (b <= 3) expected = Kind.STUN;
            else if (b >= 16 && b <= 19) expected = Kind.ZRTP;
            else if (b >= 20 && b <= 63) expected = Kind.DTLS;
            else if (b >= 64 && b <= 79) expected = Kind.TURN_CHANNEL;
            else if (b >= 128 && b <= 191) expected = Kind.RTP_RTCP;
            else expected = Kind.UNKNOWN;
            assertThat(first(b)).as("first byte %d", b).isEqualTo(expected);
        }
    }

    @Test
    void rangeEdges() {
        assertThat(first(0)).isEqualTo(Kind.STUN);
        assertThat(first(3)).isEqualTo(Kind.STUN);
        assertThat(first(4)).isEqualTo(Kind.UNKNOWN);
        assertThat(first(15)).isEqualTo(Kind.UNKNOWN);
        assertThat(first(19)).isEqualTo(Kind.ZRTP);
        assertThat(first(20)).isEqualTo(Kind.DTLS); // change_cipher_spec
        assertThat(first(22)).isEqualTo(Kind.DTLS); // handshake
        assertThat(first(63)).isEqualTo(Kind.DTLS);
        assertThat(first(64)).isEqualTo(Kind.TURN_CHANNEL);
        assertThat(first(79)).isEqualTo(Kind.TURN_CHANNEL);
        assertThat(first(80)).isEqualTo(Kind.UNKNOWN);
        assertThat(first(127)).isEqualTo(Kind.UNKNOWN);
        assertThat(first(0x80)).isEqualTo(Kind.RTP_RTCP); // RTP version 2
        assertThat(first(191)).isEqualTo(Kind.RTP_RTCP);
        assertThat(first(192)).isEqualTo(Kind.UNKNOWN);
        assertThat(first(255)).isEqualTo(Kind.UNKNOWN);
    }

    @Test
    void emptyAndOffsetPackets() {
        assertThat(Demux.classify(new byte[0], 0, 0)).isEqualTo(Kind.UNKNOWN);
        assertThat(Demux.classify(new byte[] {22}, 1, 0)).isEqualTo(Kind.UNKNOWN);
        assertThat(Demux.classify(new byte[] {(byte) 0x80, 22}, 1, 1)).isEqualTo(Kind.DTLS);
        assertThat(Demux.classify(new byte[] {22, 1}, 0, -1)).isEqualTo(Kind.UNKNOWN);
    }
}
