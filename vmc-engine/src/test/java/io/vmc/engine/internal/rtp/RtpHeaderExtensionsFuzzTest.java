package io.vmc.engine.internal.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzing of the RTP header extension walk (one-byte and two-byte forms) that demultiplexes bundled
 * packets by MID before anything else looks at them: no input throws, and a found element lies
 * within the packet; the writer that adds our MID keeps a packet valid RTP with its payload. The
 * first byte picks the id; the rest is the packet. Seeds (in
 * {@code src/test/resources/io/vmc/engine/internal/rtp/RtpHeaderExtensionsFuzzTestInputs/headerExtensionsSurviveAnything/})
 * are packets as Chromium sends them (one-byte form: audio level, MID) and a two-byte one.
 */
class RtpHeaderExtensionsFuzzTest {
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "10s")
    void headerExtensionsSurviveAnything(byte[] data) {
        if (data.length < 1) return;
        int id = data[0] & 0xff;
        int len = data.length - 1;
        long f = RtpHeaderExtensions.find(data, 1, len, id);
        if (f >= 0) {
            assertThat(f >>> 16).isGreaterThanOrEqualTo(1);
            assertThat((f >>> 16) + (f & 0xffff)).isLessThanOrEqualTo(data.length);
        }
        String mid = RtpHeaderExtensions.mid(data, 1, len, id);
        if (mid != null) assertThat(mid).isNotBlank().hasSizeLessThanOrEqualTo(RtpHeaderExtensions.MAX_MID_BYTES);
        // the writer: a packet it extends is still RTP, with the element readable and the payload unchanged
        byte[] pkt = java.util.Arrays.copyOfRange(data, 1, data.length);
        byte[] out = RtpHeaderExtensions.withElement(pkt, pkt.length, id, new byte[] {'1'});
        if (out != pkt) {
            int h = RtpPackets.headerLength(out, 0, out.length);
            assertThat(h).isPositive();
            assertThat(RtpHeaderExtensions.mid(out, 0, out.length, id)).isEqualTo("1");
            int oldH = RtpPackets.headerLength(pkt, 0, pkt.length);
            assertThat(java.util.Arrays.copyOfRange(out, h, out.length)).isEqualTo(java.util.Arrays.copyOfRange(pkt, oldH, pkt.length));
        }
    }
}
