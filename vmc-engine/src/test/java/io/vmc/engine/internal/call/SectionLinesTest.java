package io.vmc.engine.internal.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmc.engine.internal.EngineException;
import io.vmc.engine.sdp.SdpParser;
import io.vmc.engine.sdp.SessionDescription;
import io.vmc.transport.proto.MediaKind;
import org.junit.jupiter.api.Test;

class SectionLinesTest {
    private static final String OFFER = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
            + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 127.0.0.1\r\na=mid:data\r\n"
            + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 127.0.0.1\r\na=mid:a\r\na=rtpmap:111 opus/48000/2\r\n"
            + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 127.0.0.1\r\na=mid:v\r\na=rtpmap:96 VP8/90000\r\n";

    @Test
    void candidatesNameTheirSectionByMidOrIndexAndARejectedOneIsNobodys() throws Exception {
        SectionLines lines = new SectionLines();
        assertThat(lines.kindOf("", 5)).as("nothing exchanged yet").isEqualTo(MediaKind.AUDIO);
        SessionDescription sdp = SdpParser.parse(OFFER);
        lines.record(sdp, sdp.media().get(1), sdp.media().get(2));
        assertThat(lines.kindOf("v", 0)).as("the mid wins").isEqualTo(MediaKind.VIDEO);
        assertThat(lines.kindOf("", 1)).isEqualTo(MediaKind.AUDIO);
        assertThat(lines.kindOf("data", 0)).isNull();
        assertThatThrownBy(() -> lines.kindOf("x", 0)).isInstanceOf(EngineException.class).hasMessageContaining("no m= section has that mid");
        assertThatThrownBy(() -> lines.kindOf("", 3)).isInstanceOf(EngineException.class).hasMessageContaining("has 3 m= sections");
    }

    @Test
    void ourCandidatesAreAnnouncedWithTheirLine() throws Exception {
        SectionLines lines = new SectionLines();
        assertThat(lines.placeOf(false, "0", "1")).isEqualTo(new SectionLines.Place("0", 0));
        assertThat(lines.placeOf(true, "0", "1")).isEqualTo(new SectionLines.Place("1", 1));
        SessionDescription sdp = SdpParser.parse(OFFER);
        lines.record(sdp, sdp.media().get(1), sdp.media().get(2));
        assertThat(lines.placeOf(false, "0", "1")).isEqualTo(new SectionLines.Place("a", 1));
        assertThat(lines.placeOf(true, "0", "1")).isEqualTo(new SectionLines.Place("v", 2));
        lines.record(sdp, null, sdp.media().get(2)); // a video-only call: the lead transport is video's
        assertThat(lines.placeOf(false, "0", "1")).isEqualTo(new SectionLines.Place("v", 2));
    }

    @Test
    void onlyTokenMidsAreKept() throws Exception {
        SessionDescription sdp = SdpParser.parse(OFFER.replace("a=mid:v", "a=mid:has space"));
        assertThat(SectionLines.usableMid(sdp.media().get(1))).isEqualTo("a");
        assertThat(SectionLines.usableMid(sdp.media().get(2))).isNull();
    }
}
