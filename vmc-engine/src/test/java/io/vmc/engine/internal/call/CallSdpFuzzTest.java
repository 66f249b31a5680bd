package io.vmc.engine.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vmc.engine.internal.transport.DtlsNegotiationException;
import io.vmc.engine.sdp.MediaDescription;
import io.vmc.engine.sdp.SdpParseException;
import io.vmc.engine.sdp.SdpParser;
import io.vmc.engine.sdp.SessionDescription;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzing of what the call layer reads from a peer's SDP: the parser, the BUNDLE group, the MID
 * extension and rtcp-rsize ({@link HeaderExtensions}) and the DTLS terms of every section. Only typed refusals may come out ({@link SdpParseException},
 * {@link DtlsNegotiationException}), and a group never names a section that is not there. Seeds (in
 * {@code src/test/resources/io/vmc/engine/internal/call/CallSdpFuzzTestInputs/sdpSurvivesAnything/})
 * are real offers: Chromium 156 audio + video and audio only.
 */
class CallSdpFuzzTest {
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "10s")
    void sdpSurvivesAnything(byte[] data) {
        SessionDescription sdp;
        try {
            sdp = SdpParser.parse(new String(data, StandardCharsets.UTF_8));
        } catch (SdpParseException expected) {
            assertThat(expected.getMessage()).isNotBlank();
            return;
        }
        BundleGroup.of(sdp).ifPresent(g -> {
            assertThat(g.mids()).isNotEmpty().doesNotHaveDuplicates();
            assertThat(g.mids().size() + g.unknownMids().size()).isLessThanOrEqualTo(BundleGroup.MAX_TAGS);
            for (String mid : g.mids()) {
                assertThat(sdp.media()).anySatisfy(m -> assertThat(m.attribute("mid")).hasValue(mid));
            }
        });
        for (MediaDescription m : sdp.media()) {
            m.rtpMaps();
            int mid = HeaderExtensions.midId(m);
            assertThat(mid == -1 || (mid >= 1 && mid <= HeaderExtensions.MAX_ID)).isTrue();
            assertThat(HeaderExtensions.answer(m)).hasSizeLessThanOrEqualTo(2);
            for (boolean offer : new boolean[] {true, false}) {
                try {
                    assertThat(DtlsTerms.of(sdp, m, offer).fingerprint()).isNotNull();
                } catch (DtlsNegotiationException expected) {
                    assertThat(expected.getMessage()).isNotBlank();
                }
            }
        }
    }
}
