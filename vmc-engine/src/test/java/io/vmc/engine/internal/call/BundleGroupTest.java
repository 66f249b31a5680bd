package io.vmc.engine.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.engine.sdp.SdpParser;
import io.vmc.engine.sdp.SessionDescription;
import org.junit.jupiter.api.Test;

class BundleGroupTest {
    private static SessionDescription sdp(String group) throws Exception {
        return SdpParser.parse("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n" + group
                + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 127.0.0.1\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\n"
                + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 127.0.0.1\r\na=mid:1\r\na=rtpmap:96 VP8/90000\r\n");
    }

    @Test
    void readsTheGroupInOrder() throws Exception {
        BundleGroup g = BundleGroup.of(sdp("a=group:BUNDLE 1 0\r\n")).orElseThrow();
        assertThat(g.mids()).containsExactly("1", "0");
        assertThat(g.unknownMids()).isEmpty();
        assertThat(g.contains("0")).isTrue();
        assertThat(g.contains(null)).isFalse();
    }

    @Test
    void unknownAndRepeatedMidsAreLeftOutAndReported() throws Exception {
        BundleGroup g = BundleGroup.of(sdp("a=group:BUNDLE 0 7 0 audio\r\n")).orElseThrow();
        assertThat(g.mids()).containsExactly("0");
        assertThat(g.unknownMids()).containsExactly("7", "0", "audio");
    }

    @Test
    void aGroupNamingNoSectionIsNoGroup() throws Exception {
        assertThat(BundleGroup.of(sdp("a=group:BUNDLE x y\r\n"))).isEmpty();
        assertThat(BundleGroup.of(sdp("a=group:BUNDLE\r\n"))).isEmpty();
        assertThat(BundleGroup.of(sdp("a=group:LS 0 1\r\n"))).isEmpty();
        assertThat(BundleGroup.of(sdp(""))).isEmpty();
    }

    @Test
    void aHugeGroupIsReadOnlyUpToTheLimit() throws Exception {
        StringBuilder tags = new StringBuilder("a=group:BUNDLE");
        for (int i = 0; i < 200; i++) tags.append(" m").append(i);
        BundleGroup g = BundleGroup.of(sdp(tags.append(" 0\r\n").toString())).orElse(null);
        assertThat(g).as("'0' is past the first %d tags", BundleGroup.MAX_TAGS).isNull();
        assertThat(BundleGroup.attributeValue(java.util.List.of("0", "1"))).isEqualTo("BUNDLE 0 1");
    }
}
