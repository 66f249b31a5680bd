package io.vmc.engine.internal.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vmc.engine.internal.transport.SrtpContext;
import io.vmc.engine.sdp.Crypto;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of what the engine reads from a media datagram before it knows the
 * sender: the RTP header (CSRCs, extension, padding), the rtcp-mux demultiplexing, the RTCP compound
 * walk (SR/RR blocks, NACK, PLI/FIR) and SRTP/SRTCP authentication in place. None of them may throw;
 * lengths stay inside the datagram, lists inside their named limits, and a packet that is not
 * authenticated is refused ({@code null}) and leaves the context able to take the next one.
 *
 * <p>The normal test run fuzzes for a few seconds (the pom's {@code fuzz} execution sets
 * {@code JAZZER_FUZZ=1}); without it the seeds alone run as regression inputs. Seeds, in
 * {@code src/test/resources/io/vmc/engine/internal/rtp/RtpRtcpFuzzTestInputs/datagramSurvivesAnything/}:
 * a PCMU packet with a one-byte header extension and padding, an SR with a report block, a
 * compound of RR + NACK + PLI.
 */
class RtpRtcpFuzzTest {
    private static final byte[] KEY = new byte[30];
    private static final SrtpContext SRTP = new SrtpContext(Crypto.AES_CM_128_HMAC_SHA1_80, KEY, KEY);

    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "8s")
    void datagramSurvivesAnything(byte[] data) {
        int len = Math.min(data.length, RtpPackets.MAX_PACKET);
        byte[] b = Arrays.copyOf(data, len);
        int h = RtpPackets.headerLength(b, 0, len);
        assertThat(h).isBetween(-1, len);
        if (h >= 0) {
            assertThat(h).isGreaterThanOrEqualTo(12);
            RtpPackets.seq(b, 0);
            RtpPackets.ssrc(b, 0);
        }
        boolean rtcp = RtpPackets.looksLikeRtcp(b, 0, len);
        RtcpPackets.Parsed p = RtcpPackets.parse(b, 0, len, 0x11223344L);
        assertThat(p.blocks()).hasSizeLessThanOrEqualTo(RtcpPackets.MAX_REPORT_BLOCKS);
        assertThat(p.nackSeqs()).hasSizeLessThanOrEqualTo(RtcpPackets.MAX_NACK_SEQS)
                .allSatisfy(s -> assertThat(s).isBetween(0, 0xffff));
        assertThat(p.keyframeRequests()).isBetween(0, len / 12);

        long ssrc = len >= 12 ? RtpPackets.ssrc(b, 0) : 0;
        SrtpContext.Buf plain = SrtpContext.receive(SRTP, rtcp, b.clone(), 0, len, ssrc);
        if (plain != null) {
            assertThat(plain.getOffset()).isZero();
            assertThat(plain.getLength()).isBetween(0, len);
        }
    }
}
