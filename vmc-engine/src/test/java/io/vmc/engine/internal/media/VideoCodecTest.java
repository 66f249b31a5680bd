package io.vmc.engine.internal.media;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.engine.sdp.MediaDescription;
import io.vmc.engine.sdp.SdpParser;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Video codec negotiation (RFC 3264 with RFC 7741 VP8 and RFC 6184 H.264) on parsed SDP. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class VideoCodecTest {
    static final List<VideoCodec> BOTH = List.of(VideoCodec.VP8, VideoCodec.H264);
    static final String H264_FMTP = "profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1";

    /** A video section with the given formats; each entry is "pt name" or "pt name fmtp". */
    static MediaDescription video(String... formats) throws Exception {
        StringBuilder pts = new StringBuilder();
        StringBuilder attrs = new StringBuilder();
        for (String f : formats) {
            String[] p = f.split(" ", 3);
            pts.append(' ').append(p[0]);
            attrs.append("a=rtpmap:").append(p[0]).append(' ').append(p[1]).append("/90000\r\n");
            if (p.length == 3) attrs.append("a=fmtp:").append(p[0]).append(' ').append(p[2]).append("\r\n");
        }
        String sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=video 5000 RTP/AVP" + pts + "\r\n" + attrs;
        return SdpParser.parse(sdp).media().get(0);
    }

    @Test
    void onlyH264OfferedGivesH264() throws Exception {
        VideoCodec.Match m = VideoCodec.choose(video("102 H264 " + H264_FMTP), BOTH, false);
        assertThat(m.codec()).isEqualTo(VideoCodec.H264);
        assertThat(m.payloadType()).isEqualTo(102);
        assertThat(m.codec().answerFmtp(m.remoteFmtp()))
                .isEqualTo("profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1");
    }

    @Test
    void vp8IsPreferredWhateverTheOfferOrder() throws Exception {
        VideoCodec.Match m = VideoCodec.choose(video("102 H264 " + H264_FMTP, "100 VP8"), BOTH, false);
        assertThat(m.codec()).isEqualTo(VideoCodec.VP8);
        assertThat(m.payloadType()).isEqualTo(100);
        // ... unless this side allows only H.264 (SessionOptions.video_codecs)
        assertThat(VideoCodec.choose(video("100 VP8", "102 H264 " + H264_FMTP), List.of(VideoCodec.H264), false).codec())
                .isEqualTo(VideoCodec.H264);
    }

    @Test
    void anAnswerIsReadInTheAnswerersOrder() throws Exception {
        VideoCodec.Match m = VideoCodec.choose(video("97 H264 " + H264_FMTP, "96 VP8"), BOTH, true);
        assertThat(m.codec()).isEqualTo(VideoCodec.H264);
        assertThat(m.payloadType()).isEqualTo(97);
    }

    @Test
    void neitherCodecRejectsVideoAndSaysWhatWasOffered() throws Exception {
        VideoCodec.Match m = VideoCodec.choose(video("98 H265", "99 AV1"), BOTH, false);
        assertThat(m.found()).isFalse();
        assertThat(m.reason()).contains("no supported video codec").contains("offered H265/90000, AV1/90000")
                .contains("usable here [VP8, H264]");
        // a codec this side cannot use counts as not offered
        assertThat(VideoCodec.choose(video("100 VP8"), List.of(VideoCodec.H264), false).reason())
                .contains("offered VP8/90000").contains("usable here [H264]");
    }

    @Test
    void h264NeedsPacketizationMode1() throws Exception {
        VideoCodec.Match none = VideoCodec.choose(video("102 H264 profile-level-id=42e01f"), BOTH, false);
        assertThat(none.found()).isFalse();
        assertThat(none.reason()).contains("payload type 102 H264: packetization-mode 0 (only 1, non-interleaved, is supported)");
        assertThat(VideoCodec.choose(video("102 H264 profile-level-id=42e01f;packetization-mode=2"), BOTH, false).found()).isFalse();
        // browsers offer both modes: the mode 1 payload type is taken
        VideoCodec.Match m = VideoCodec.choose(video("102 H264 profile-level-id=42e01f;packetization-mode=0",
                "104 H264 profile-level-id=42e01f;packetization-mode=1"), BOTH, false);
        assertThat(m.payloadType()).isEqualTo(104);
    }

    @ParameterizedTest
    @ValueSource(strings = {"42e01f", "42001f", "42c01e", "4d401f" /* main, set1 only: no */, "4d801f", "58c01f", "640c1f", "f4001f"})
    void h264ProfilesMustBeBaselineCompatible(String plid) throws Exception {
        boolean ok = VideoCodec.choose(video("102 H264 packetization-mode=1;profile-level-id=" + plid), BOTH, false).found();
        assertThat(ok).as(plid).isEqualTo(Set.of("42e01f", "42001f", "42c01e", "4d801f", "58c01f").contains(plid));
    }

    @Test
    void absentProfileMeansBaselineLevel1AndTheAnswerSaysSo() throws Exception {
        VideoCodec.Match m = VideoCodec.choose(video("102 H264 packetization-mode=1"), BOTH, false);
        assertThat(m.codec()).isEqualTo(VideoCodec.H264);
        assertThat(m.codec().answerFmtp(m.remoteFmtp())).isEqualTo("profile-level-id=42000a;packetization-mode=1");
    }

    /** Hostile fmtp values refuse the format with a printable reason; nothing throws, nothing is guessed. */
    @ParameterizedTest
    @ValueSource(strings = {
        "packetization-mode=99999999999999999999;profile-level-id=42e01f",
        "packetization-mode=;profile-level-id=42e01f",
        "packetization-mode=1;packetization-mode=0;profile-level-id=42e01f",
        "packetization-mode=1;profile-level-id=zzzzzz",
        "packetization-mode=1;profile-level-id=42e01f42e01f",
        "packetization-mode=1;profile-level-id=",
        "packetization-mode=+1;profile-level-id=42e01f",
        "packetization-mode=01;profile-level-id=42e01f",
        "packetization-mode=1\u00a0;profile-level-id=42e01f",
        "packetization-mode=\u0661;profile-level-id=42e01f",
        "packetization-mode=1;profile-level-id=\u0664\u0662e01f",
        "=;=;=;=",
        ";;;;;;;;",
        "p0=1;p1=1;p2=1;p3=1;p4=1;p5=1;p6=1;p7=1;p8=1;p9=1;p10=1;p11=1;p12=1;p13=1;p14=1;p15=1;p16=1;p17=1;p18=1;"
                + "p19=1;p20=1;p21=1;p22=1;p23=1;p24=1;p25=1;p26=1;p27=1;p28=1;p29=1;p30=1;p31=1;packetization-mode=1"})
    void hostileH264FmtpIsRefusedWithAReason(String fmtp) throws Exception {
        VideoCodec.Match m = VideoCodec.choose(video("102 H264 " + fmtp), BOTH, false);
        assertThat(m.found()).as(fmtp).isFalse();
        assertThat(m.reason()).contains("payload type 102 H264:").matches("[\\x20-\\x7e]+");
    }

    @Test
    void randomFmtpNeverThrows() throws Exception {
        Random r = new Random(11);
        String alphabet = "=;; -0123456789abcdefpkrtion-mode\u00e9\u0000";
        for (int i = 0; i < 3000; i++) {
            StringBuilder sb = new StringBuilder("packetization-mode=1;");
            int n = 1 + r.nextInt(60);
            for (int k = 0; k < n; k++) sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
            String f = sb.toString().replace("\u0000", "").strip();
            MediaDescription m;
            try {
                m = video("102 H264 " + f);
            } catch (io.vmc.engine.sdp.SdpParseException e) {
                continue; // the SDP parser already refuses it
            }
            VideoCodec.Match match = VideoCodec.choose(m, BOTH, false);
            assertThat(match.found() || match.reason() != null).isTrue();
        }
    }

    @Test
    void aCodecIsOfferedOnlyWithItsEncoderAndADecoder() {
        assertThat(VideoCodec.usable(BOTH, n -> !n.equals("openh264enc"))).containsExactly(VideoCodec.VP8);
        assertThat(VideoCodec.usable(BOTH, n -> !n.equals("avdec_h264") && !n.equals("openh264dec"))).containsExactly(VideoCodec.VP8);
        assertThat(VideoCodec.usable(BOTH, n -> !n.equals("avdec_h264"))).containsExactly(VideoCodec.VP8, VideoCodec.H264);
        assertThat(VideoCodec.H264.unavailability(n -> !n.equals("avdec_h264") && !n.equals("openh264dec")))
                .contains("H264: no decoder (avdec_h264 or openh264dec)");
        assertThat(VideoCodec.H264.unavailability(n -> false)).contains("H264: no encoder (openh264enc)");
        assertThat(VideoCodec.hasElement("no-such-element-here")).isFalse();
        assertThat(VideoCodec.hasElement("vp8enc")).isTrue();
    }
}
