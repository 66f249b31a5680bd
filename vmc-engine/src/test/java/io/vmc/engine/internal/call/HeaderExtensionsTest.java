package io.vmc.engine.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.engine.sdp.Attribute;
import io.vmc.engine.sdp.MediaDescription;
import io.vmc.engine.sdp.SdpParser;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The MID header extension and rtcp-rsize in SDP, with SDP strings as peers send them. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class HeaderExtensionsTest {
    static final String MID = HeaderExtensions.MID_URI;

    static MediaDescription audio(String... lines) throws Exception {
        StringBuilder sdp = new StringBuilder("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
                + "m=audio 4000 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n");
        for (String l : lines) sdp.append("a=").append(l).append("\r\n");
        return SdpParser.parse(sdp.toString()).media().get(0);
    }

    static String render(Iterable<Attribute> attrs) {
        StringBuilder b = new StringBuilder();
        for (Attribute a : attrs) b.append(a.name()).append(a.value() == null ? "" : ":" + a.value()).append(';');
        return b.toString();
    }

    @Test
    void theAnswerTakesTheOfferersMidIdAndRtcpRsizeAndNothingElse() throws Exception {
        MediaDescription m = audio("extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
                "extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
                "extmap:9/sendrecv " + MID, "rtcp-rsize");
        assertThat(HeaderExtensions.midId(m)).isEqualTo(9);
        assertThat(render(HeaderExtensions.answer(m))).isEqualTo(
                HeaderExtensions.NEGOTIATE_MID ? "extmap:9 " + MID + ";rtcp-rsize;" : "rtcp-rsize;");
        assertThat(HeaderExtensions.answer(audio())).as("a SIP phone offers neither").isEmpty();
        assertThat(render(HeaderExtensions.offer())).isEqualTo(
                HeaderExtensions.NEGOTIATE_MID ? "extmap:4 " + MID + ";rtcp-rsize;" : "rtcp-rsize;");
    }

    @Test
    void malformedExtmapLinesAreNoMid() throws Exception {
        for (String bad : new String[] {"extmap:0 " + MID, "extmap:256 " + MID, "extmap:x " + MID, "extmap:-4 " + MID,
                "extmap:4", "extmap:", "extmap:4 urn:ietf:params:rtp-hdrext:sdes:midx", "extmap:/sendrecv " + MID,
                "extmap:99999999999999999999 " + MID}) {
            assertThat(HeaderExtensions.midId(audio(bad))).as(bad).isEqualTo(-1);
        }
        // two-byte ids are fine, and a later good line after a bad one is taken
        assertThat(HeaderExtensions.midId(audio("extmap:300 " + MID, "extmap:200 " + MID))).isEqualTo(200);
        String[] many = new String[HeaderExtensions.MAX_EXTMAPS + 1];
        for (int i = 0; i < many.length - 1; i++) many[i] = "extmap:" + (i % 14 + 1) + " urn:x:" + i;
        many[many.length - 1] = "extmap:5 " + MID;
        assertThat(HeaderExtensions.midId(audio(many))).as("beyond the lines read").isEqualTo(-1);
    }
}
