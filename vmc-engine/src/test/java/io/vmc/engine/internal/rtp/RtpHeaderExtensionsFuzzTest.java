package io.vmc.engine.internal.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzing of the RTP header extension walk (one-byte and two-byte forms) that demultiplexes bundled
 * packets by MID before anything else looks at them: no input throws, and a found element lies
 * within the packet. The first byte picks the id; the rest is the packet. Seeds (in
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
    }
}
