package io.vmc.engine.internal.rtp;

import io.vmc.engine.internal.transport.SrtpContext;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.engine.sdp.Crypto;
import java.util.concurrent.TimeUnit;
import org.jitsi.srtp.SrtpErrorStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Plain retransmission under jitsi-srtp: the sender protects a sequence number a second time, the
 * receiver takes a retransmission of a packet it never got, and its replay protection still
 * refuses a second copy and anything older than its window: jitsi-srtp's fixed 64 packets, or the
 * wider window SrtpContext keeps itself (video: 1024).
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SrtpRetransmissionTest {
    static final long SSRC = 0x0badf00dL;

    static byte[] rtp(int seq) {
        return MediaFlowInputTest.rtp(96, seq, seq * 3000L, SSRC, 100);
    }

    static SrtpErrorStatus receive(SrtpContext rx, SrtpContext tx, int seq) throws Exception {
        byte[] wire = MediaFlowInputTest.protect(tx, rtp(seq));
        SrtpContext.Buf b = new SrtpContext.Buf(wire, 0, wire.length, 0);
        SrtpErrorStatus s = rx.unprotectRtp(b, SSRC);
        if (s == SrtpErrorStatus.OK) {
            assertThat(b.getLength()).isEqualTo(112);
            assertThat(RtpPackets.seq(b.getBuffer(), b.getOffset())).isEqualTo(seq);
        }
        return s;
    }

    @Test
    void aWideReplayWindowTakesLateRetransmissionsOnceAndOnlyAuthenticPacketsMoveIt() throws Exception {
        byte[] a = MediaFlowInputTest.key();
        byte[] b = MediaFlowInputTest.key();
        try (SrtpContext tx = new SrtpContext(Crypto.AES_CM_128_HMAC_SHA1_80, a, b);
             SrtpContext rx = new SrtpContext(Crypto.AES_CM_128_HMAC_SHA1_80, b, a, 1024)) {
            for (int seq = 64000; seq < 64000 + 3000; seq++) {
                if (seq == 66000 || seq == 66001 || seq == 65000) continue; // lost; 66000 is 1536 after the wrap
                assertThat(receive(rx, tx, seq & 0xffff)).as("seq %d", seq).isEqualTo(SrtpErrorStatus.OK);
            }
            // highest is 66999: 999 behind is inside the window, 1999 behind is not
            assertThat(receive(rx, tx, 66000 & 0xffff)).isEqualTo(SrtpErrorStatus.OK);
            assertThat(receive(rx, tx, 66000 & 0xffff)).isEqualTo(SrtpErrorStatus.REPLAY_FAIL);
            assertThat(receive(rx, tx, 66001 & 0xffff)).isEqualTo(SrtpErrorStatus.OK);
            assertThat(receive(rx, tx, 65000)).isEqualTo(SrtpErrorStatus.REPLAY_OLD);
            assertThat(receive(rx, tx, 66999 & 0xffff)).isEqualTo(SrtpErrorStatus.REPLAY_FAIL);
            // a forged packet far ahead must not move the window: the next real one still passes
            byte[] forged = MediaFlowInputTest.protect(tx, rtp(30000));
            forged[forged.length - 1] ^= 1;
            assertThat(rx.unprotectRtp(new SrtpContext.Buf(forged, 0, forged.length, 0), SSRC)).isNotEqualTo(SrtpErrorStatus.OK);
            assertThat(receive(rx, tx, 67000 & 0xffff)).isEqualTo(SrtpErrorStatus.OK);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new SrtpContext(Crypto.AES_CM_128_HMAC_SHA1_80, a, b, 100))
                .hasMessageContaining("replayWindow must be a multiple of 64");
    }

    @Test
    void aRetransmissionIsProtectedAgainAndAcceptedOnce() throws Exception {
        byte[] a = MediaFlowInputTest.key();
        byte[] b = MediaFlowInputTest.key();
        for (String suite : new String[] {Crypto.AES_CM_128_HMAC_SHA1_80, Crypto.AES_CM_128_HMAC_SHA1_32}) {
            try (SrtpContext tx = new SrtpContext(suite, a, b); SrtpContext rx = new SrtpContext(suite, b, a)) {
                for (int seq = 65500; seq < 65500 + 100; seq++) {
                    byte[] wire = MediaFlowInputTest.protect(tx, rtp(seq & 0xffff));
                    if (seq == 65530 || seq == 65540 || seq == 65550) continue; // lost on the way
                    SrtpContext.Buf buf = new SrtpContext.Buf(wire, 0, wire.length, 0);
                    assertThat(rx.unprotectRtp(buf, SSRC)).isEqualTo(SrtpErrorStatus.OK);
                }
                // highest sent and received: 65599 & 0xffff = 63 (after the wrap)
                assertThat(receive(rx, tx, 65540 & 0xffff)).as("%s: retransmission across the wrap", suite).isEqualTo(SrtpErrorStatus.OK);
                assertThat(receive(rx, tx, 65540 & 0xffff)).as("second copy").isNotEqualTo(SrtpErrorStatus.OK);
                assertThat(receive(rx, tx, 65550 & 0xffff)).isEqualTo(SrtpErrorStatus.OK);
                assertThat(receive(rx, tx, 65530 & 0xffff)).as("69 behind the highest: outside the replay window")
                        .isNotEqualTo(SrtpErrorStatus.OK);
            }
        }
    }
}
