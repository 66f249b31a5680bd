package io.vmc.engine.internal.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.vmc.engine.internal.EngineException;
import io.vmc.engine.internal.Failure;
import io.vmc.engine.internal.media.AudioCodec;
import io.vmc.engine.internal.media.VideoCodec;
import io.vmc.engine.internal.transport.DtlsRole;
import io.vmc.engine.sdp.Direction;
import io.vmc.engine.sdp.MediaDescription;
import io.vmc.engine.sdp.SessionDescription;
import io.vmc.transport.proto.MediaKind;
import io.vmc.transport.proto.SessionOptions.SrtpPolicy;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The negotiator with SDP strings only: real Chromium offers, SIP-like SDES offers, hold re-offers, bundled and unbundled answers. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NegotiatorTest {
    private static final String FP = DtlsTermsTest.FP;
    private static final byte[] A80 = filled(1);
    private static final byte[] A32 = filled(2);
    private static final byte[] V80 = filled(3);
    private static final byte[] V32 = filled(4);
    private static final Negotiator.LocalIce AUDIO_ICE = new Negotiator.LocalIce("aUfr", "aPassword0123456789012", List.of(),
            new InetSocketAddress("127.0.0.1", 40000));
    private static final Negotiator.LocalIce VIDEO_ICE = new Negotiator.LocalIce("vUfr", "vPassword0123456789012", List.of(),
            new InetSocketAddress("127.0.0.1", 40002));
    private static final Negotiator.Wants SENDRECV = new Negotiator.Wants(Direction.SENDRECV, Direction.SENDRECV, null, -1, null);

    private final List<Failure> failures = new ArrayList<>();

    private static byte[] filled(int v) {
        byte[] b = new byte[30];
        Arrays.fill(b, (byte) v);
        return b;
    }

    private Negotiator negotiator(SrtpPolicy srtp, boolean dtls) {
        return new Negotiator(new Negotiator.Capabilities(List.of(AudioCodec.OPUS, AudioCodec.PCMU), List.of(VideoCodec.VP8), true,
                false, srtp, dtls, false), new Negotiator.Keys(A80, A32, V80, V32, () -> FP, "vmc-msid"), 42, failures::add);
    }

    private static String resource(String name) throws Exception {
        try (InputStream in = NegotiatorTest.class.getResourceAsStream("/sdp/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static MediaDescription section(SessionDescription sdp, String kind) {
        return sdp.media().stream().filter(m -> m.media().equals(kind)).findFirst().orElseThrow();
    }

    @Test
    void answersARealChromiumOfferBundledWithDtls() throws Exception {
        Negotiator n = negotiator(SrtpPolicy.SRTP_OPTIONAL, false);
        Negotiator.Answering a = n.readOffer(Negotiator.parse(resource("chromium-156-audio-video-offer.sdp")), SENDRECV);
        assertThat(a.audio().audioCodec()).isEqualTo(AudioCodec.OPUS);
        assertThat(a.audio().recvPt()).isEqualTo(111);
        assertThat(a.audio().sendDtmfPt()).as("telephone-event/48000").isEqualTo(110);
        assertThat(a.audio().mid()).isEqualTo("0");
        assertThat(a.audio().dtls().localRole()).as("we answer actpass with active").isEqualTo(DtlsRole.CLIENT);
        assertThat(a.audio().sdes()).isNull();
        assertThat(a.audio().iceUfrag()).isEqualTo("qhWn");
        assertThat(a.video().videoCodec()).isEqualTo(VideoCodec.VP8);
        assertThat(a.video().recvPt()).isEqualTo(96);
        assertThat(a.videoBundled()).isTrue();
        assertThat(a.video().dtls()).as("bundled video rides on the audio association").isNull();
        assertThat(a.bundleMids()).containsExactly("0", "1");

        SessionDescription answer = Negotiator.parse(n.writeAnswer(a, AUDIO_ICE, null).toString());
        assertThat(answer.attribute("group")).hasValue("BUNDLE 0 1");
        MediaDescription audio = section(answer, "audio");
        MediaDescription video = section(answer, "video");
        assertThat(audio.proto()).isEqualTo(Negotiator.DTLS_PROTO);
        assertThat(audio.formats()).containsExactly("111", "110");
        assertThat(audio.attribute("setup")).hasValue("active");
        assertThat(audio.attribute("fingerprint")).hasValue(FP);
        assertThat(audio.hasAttribute("rtcp-mux")).isTrue();
        assertThat(audio.hasAttribute("crypto")).isFalse();
        assertThat(video.port()).as("bundled: the audio transport's port").isEqualTo(40000);
        assertThat(video.formats()).containsExactly("96");
        assertThat(video.attribute("ice-ufrag")).hasValue("aUfr");
        assertThat(video.attribute("mid")).hasValue("1");
        assertThat(answer.direction(video)).isEqualTo(Direction.SENDRECV);
        assertThat(failures).isEmpty();
    }

    private static final String SIP_OFFER = "v=0\r\no=baresip 1 2 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
            + "m=audio 10000 RTP/SAVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
            + "a=fmtp:101 0-15\r\na=crypto:7 AES_CM_128_HMAC_SHA1_32 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\r\n"
            + "a=crypto:8 AES_CM_128_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\r\n"
            + "a=sendrecv\r\n";

    @Test
    void answersASipSdesOfferWithTheFirstSupportedLineAndItsTag() {
        Negotiator n = negotiator(SrtpPolicy.SRTP_OPTIONAL, false);
        Negotiator.Answering a = n.readOffer(Negotiator.parse(SIP_OFFER), SENDRECV);
        assertThat(a.audio().audioCodec()).isEqualTo(AudioCodec.PCMU);
        assertThat(a.audio().usesIce()).isFalse();
        assertThat(a.audio().sdes().suite()).isEqualTo("AES_CM_128_HMAC_SHA1_32");
        assertThat(a.audio().sdes().localKey()).as("our _32 key").isEqualTo(A32);
        assertThat(a.audio().dtls()).isNull();
        assertThat(a.bundleMids()).isNull();
        SessionDescription answer = Negotiator.parse(n.writeAnswer(a, AUDIO_ICE, null).toString());
        MediaDescription audio = answer.media().get(0);
        assertThat(audio.proto()).isEqualTo("RTP/SAVP");
        assertThat(audio.formats()).containsExactly("0", "101");
        assertThat(audio.attributes("crypto")).hasSize(1).first().asString().startsWith("7 AES_CM_128_HMAC_SHA1_32 inline:");
        assertThat(audio.hasAttribute("ice-ufrag")).as("the peer does not use ICE").isFalse();
        assertThat(answer.attribute("group")).isEmpty();
    }

    @Test
    void aHoldReOfferIsAnsweredRecvonlyAndAHeldCallAnswersSendonly() {
        Negotiator n = negotiator(SrtpPolicy.SRTP_OPTIONAL, false);
        String hold = SIP_OFFER.replace("a=sendrecv", "a=sendonly");
        assertThat(n.readOffer(Negotiator.parse(hold), SENDRECV).audio().direction()).isEqualTo(Direction.RECVONLY);
        Negotiator.Wants held = new Negotiator.Wants(Direction.SENDONLY, Direction.SENDONLY, null, -1, null);
        assertThat(n.readOffer(Negotiator.parse(SIP_OFFER), held).audio().direction()).isEqualTo(Direction.SENDONLY);
        assertThat(n.readOffer(Negotiator.parse(SIP_OFFER.replace("a=sendrecv", "a=inactive")), SENDRECV).audio().direction())
                .isEqualTo(Direction.INACTIVE);
    }

    @Test
    void refusalsSayWhyAndCountKeyFailures() {
        Negotiator required = negotiator(SrtpPolicy.SRTP_REQUIRED, false);
        String plain = SIP_OFFER.replace("RTP/SAVP", "RTP/AVP").replaceAll("a=crypto:[^\r]*\r\n", "");
        assertThatThrownBy(() -> required.readOffer(Negotiator.parse(plain), SENDRECV))
                .isInstanceOf(EngineException.class).hasMessageContaining("requires SRTP");
        assertThat(failures).containsExactly(Failure.DTLS_SRTP);
        Negotiator n = negotiator(SrtpPolicy.SRTP_OPTIONAL, false);
        assertThatThrownBy(() -> n.readOffer(Negotiator.parse(plain.replace("0 8 101", "9").replace("a=rtpmap:0 PCMU/8000\r\n", "a=rtpmap:9 G722/8000\r\n")), SENDRECV))
                .hasMessageContaining("no common audio codec");
        assertThatThrownBy(() -> n.readOffer(Negotiator.parse(plain + "a=ice-ufrag:abcd\r\n"), SENDRECV))
                .hasMessageContaining("ice-ufrag without a=ice-pwd");
        assertThatThrownBy(() -> n.readOffer(Negotiator.parse(plain.replace("m=audio", "m=text")), SENDRECV))
                .hasMessageContaining("no usable audio section");
    }

    @Test
    void aFirstDtlsOfferMarksVideoBundleOnlyAndReadsABundledAnswer() {
        Negotiator n = negotiator(SrtpPolicy.SRTP_OPTIONAL, true);
        SessionDescription offer = n.offer(new Negotiator.Offer(true, "0", "1", AUDIO_ICE, Negotiator.VideoTransport.BUNDLE_ONLY, null, SENDRECV));
        assertThat(offer.attribute("group")).hasValue("BUNDLE 0 1");
        MediaDescription v = section(offer, "video");
        assertThat(v.port()).isZero();
        assertThat(v.hasAttribute("bundle-only")).isTrue();
        assertThat(v.attribute("ice-ufrag")).as("the audio transport's credentials").hasValue("aUfr");
        assertThat(v.attributes("candidate")).isEmpty();
        assertThat(section(offer, "audio").attribute("setup")).hasValue("actpass");
        assertThat(offer.sessionVersion()).isEqualTo(1);

        String answer = "v=0\r\no=- 5 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
                + "m=audio 50000 UDP/TLS/RTP/SAVPF 111 101\r\nc=IN IP4 127.0.0.1\r\na=mid:0\r\na=ice-ufrag:peer\r\na=ice-pwd:peerpassword0123456789\r\n"
                + "a=fingerprint:" + FP + "\r\na=setup:active\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:101 telephone-event/48000\r\na=sendrecv\r\n"
                + "m=video 50000 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 127.0.0.1\r\na=mid:1\r\na=ice-ufrag:peer\r\na=ice-pwd:peerpassword0123456789\r\n"
                + "a=fingerprint:" + FP + "\r\na=setup:active\r\na=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\na=recvonly\r\n";
        Negotiator.Answered r = n.readAnswer(Negotiator.parse(answer), offer, SENDRECV);
        assertThat(r.bundled()).isTrue();
        assertThat(r.audio().dtls().localRole()).as("the peer is active: we are the DTLS server").isEqualTo(DtlsRole.SERVER);
        assertThat(r.audio().sendDtmfPt()).isEqualTo(101);
        assertThat(r.video().direction()).as("the peer only receives").isEqualTo(Direction.SENDONLY);
        assertThat(r.videoError()).isNull();
    }

    @Test
    void anSdesOfferGivesVideoItsOwnTransportAndAnUnbundledAnswerKeepsIt() {
        Negotiator n = negotiator(SrtpPolicy.SRTP_OPTIONAL, false);
        SessionDescription offer = n.offer(new Negotiator.Offer(false, "0", "1", AUDIO_ICE, Negotiator.VideoTransport.OWN, VIDEO_ICE, SENDRECV));
        assertThat(offer.attribute("group")).isEmpty();
        assertThat(section(offer, "audio").proto()).isEqualTo("RTP/AVP");
        assertThat(section(offer, "audio").attributes("crypto")).hasSize(2);
        MediaDescription v = section(offer, "video");
        assertThat(v.port()).isEqualTo(40002);
        assertThat(v.attribute("ice-ufrag")).hasValue("vUfr");
        assertThat(v.attributes("crypto")).hasSize(1);

        String answer = "v=0\r\no=- 5 2 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
                + "m=audio 10000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\r\n"
                + "m=video 10002 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\r\n";
        Negotiator.Answered r = n.readAnswer(Negotiator.parse(answer), offer, SENDRECV);
        assertThat(r.bundled()).isFalse();
        assertThat(r.audio().sdes().localKey()).as("the tag-2 key we offered").isEqualTo(A32);
        assertThat(r.audio().sendDtmfPt()).isEqualTo(-1);
        assertThat(r.video().sdes().localKey()).isEqualTo(V80);
        assertThat(r.video().usesIce()).isFalse();

        String wrongTag = answer.replace("a=crypto:1 AES_CM_128_HMAC_SHA1_80", "a=crypto:5 AES_CM_128_HMAC_SHA1_80");
        assertThat(n.readAnswer(Negotiator.parse(wrongTag), offer, SENDRECV).videoError()).contains("no a=crypto line matching");
        assertThatThrownBy(() -> n.readAnswer(Negotiator.parse(answer.replace("a=crypto:2", "a=crypto:9")), offer, SENDRECV))
                .hasMessageContaining("no a=crypto line matching an offered tag");
    }

    @Test
    void aDtlsOfferAnsweredPlainIsRefused() {
        Negotiator n = negotiator(SrtpPolicy.SRTP_OPTIONAL, true);
        SessionDescription offer = n.offer(new Negotiator.Offer(true, "0", "1", AUDIO_ICE, null, null, SENDRECV));
        assertThat(offer.media()).hasSize(1);
        String plain = "v=0\r\no=- 5 2 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 10000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
        assertThatThrownBy(() -> n.readAnswer(Negotiator.parse(plain), offer, SENDRECV)).hasMessageContaining("to a DTLS-SRTP offer");
        assertThat(failures).containsExactly(Failure.DTLS_SRTP);
    }

    @Test
    void aPeerThatDoesNotBundleGetsItsVideoOnItsOwnTransport() throws Exception {
        Negotiator n = negotiator(SrtpPolicy.SRTP_OPTIONAL, false);
        String offer = resource("chromium-156-audio-video-offer.sdp").replace("a=group:BUNDLE 0 1\r\n", "").replace("a=group:BUNDLE 0 1\n", "");
        Negotiator.Answering a = n.readOffer(Negotiator.parse(offer), SENDRECV);
        assertThat(a.videoBundled()).isFalse();
        assertThat(a.bundleMids()).isNull();
        assertThat(a.video().dtls()).as("its own DTLS association").isNotNull();
        SessionDescription answer = n.writeAnswer(a, AUDIO_ICE, VIDEO_ICE);
        assertThat(section(answer, "video").port()).isEqualTo(40002);
        assertThat(section(answer, "video").attribute("ice-ufrag")).hasValue("vUfr");
        assertThat(answer.attribute("group")).isEmpty();
    }

    /** A real offer's session part and sections, split where each m= line starts. */
    static List<String> parts(String sdp) {
        return List.of(sdp.split("(?<=\n)(?=m=)"));
    }

    /** Chromium's audio + video offer cut to what its video-only RTCPeerConnection sends: the video section, BUNDLE of one. */
    static String videoOnly(String audioVideo) {
        List<String> p = parts(audioVideo);
        return p.get(0).replace("a=group:BUNDLE 0 1", "a=group:BUNDLE 1") + p.get(2);
    }

    private static final String SIP_VIDEO_OFFER = "v=0\r\no=baresip 1 2 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
            + "m=video 10002 RTP/SAVP 100\r\na=rtpmap:100 VP8/90000\r\n"
            + "a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\r\na=sendrecv\r\n";

    @Test
    void aVideoOnlyChromiumOfferIsAnsweredWithItsVideoSectionLeadingTheTransport() throws Exception {
        Negotiator n = negotiator(SrtpPolicy.SRTP_OPTIONAL, false);
        Negotiator.Answering a = n.readOffer(Negotiator.parse(videoOnly(resource("chromium-156-audio-video-offer.sdp"))), SENDRECV);
        assertThat(a.videoOnly()).isTrue();
        assertThat(a.audio()).isNull();
        assertThat(a.lead()).isSameAs(a.video());
        assertThat(a.video().videoCodec()).isEqualTo(VideoCodec.VP8);
        assertThat(a.video().dtls()).as("video keys the one transport").isNotNull();
        assertThat(a.video().dtls().localRole()).as("we answer actpass with active").isEqualTo(DtlsRole.CLIENT);
        assertThat(a.video().iceUfrag()).as("the video section's ICE credentials").isNotNull();
        assertThat(a.videoBundled()).isTrue();
        assertThat(a.bundleMids()).containsExactly("1");

        SessionDescription answer = Negotiator.parse(n.writeAnswer(a, AUDIO_ICE, null).toString());
        assertThat(answer.media()).extracting(MediaDescription::media).containsExactly("video");
        MediaDescription video = answer.media().get(0);
        assertThat(answer.attribute("group")).hasValue("BUNDLE 1");
        assertThat(video.port()).isEqualTo(40000);
        assertThat(video.proto()).isEqualTo(Negotiator.DTLS_PROTO);
        assertThat(video.formats()).containsExactly("96");
        assertThat(video.attribute("mid")).hasValue("1");
        assertThat(video.attribute("setup")).hasValue("active");
        assertThat(video.attribute("fingerprint")).hasValue(FP);
        assertThat(video.attribute("ice-ufrag")).hasValue("aUfr");
        assertThat(video.attributes("candidate")).as("none given here, but the section ends them").isEmpty();
        assertThat(video.hasAttribute("end-of-candidates")).isTrue();
        assertThat(video.hasAttribute("rtcp-mux")).isTrue();
        assertThat(video.hasAttribute("ptime")).isFalse();
        assertThat(answer.direction(video)).isEqualTo(Direction.SENDRECV);
        assertThat(failures).isEmpty();
    }

    @Test
    void answersKeepTheOffersLinesInItsOrderWithRejectedLinesAtPortZero() throws Exception {
        Negotiator n = negotiator(SrtpPolicy.SRTP_OPTIONAL, false);
        List<String> p = parts(resource("chromium-156-audio-video-offer.sdp"));
        // video before audio (a page that added its camera first)
        SessionDescription answer = n.writeAnswer(n.readOffer(Negotiator.parse(p.get(0) + p.get(2) + p.get(1)), SENDRECV), AUDIO_ICE, null);
        assertThat(answer.media()).extracting(MediaDescription::media).containsExactly("video", "audio");
        assertThat(answer.media()).extracting(m -> m.attribute("mid").orElse("")).containsExactly("1", "0");
        assertThat(answer.media()).allSatisfy(m -> assertThat(m.port()).isEqualTo(40000));
        assertThat(answer.attribute("group")).hasValue("BUNDLE 0 1");

        // a rejected audio line (port 0) and a data channel line: video leads, the others stay, refused
        String audioOff = p.get(1).replaceFirst("m=audio \\d+", "m=audio 0");
        String data = "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:2\r\na=sctp-port:5000\r\n";
        Negotiator.Answering a = n.readOffer(Negotiator.parse(p.get(0) + audioOff + p.get(2) + data), SENDRECV);
        assertThat(a.videoOnly()).isTrue();
        answer = n.writeAnswer(a, AUDIO_ICE, null);
        assertThat(answer.media()).extracting(MediaDescription::media).containsExactly("audio", "video", "application");
        assertThat(answer.media()).extracting(MediaDescription::port).containsExactly(0, 40000, 0);
        assertThat(answer.media().get(2).proto()).isEqualTo("UDP/DTLS/SCTP");
        assertThat(answer.media()).as("rejected lines keep their mids (JSEP 5.3.1)")
                .extracting(m -> m.attribute("mid").orElse("")).containsExactly("0", "1", "2");
        assertThat(answer.attribute("group")).as("only the accepted section").hasValue("BUNDLE 1");
        assertThat(Negotiator.parse(answer.toString()).media()).hasSize(3);
    }

    @Test
    void aVideoOnlySdesOfferIsKeyedWithTheVideoKeyAndNeedsNoIce() {
        Negotiator n = negotiator(SrtpPolicy.SRTP_OPTIONAL, false);
        Negotiator.Answering a = n.readOffer(Negotiator.parse(SIP_VIDEO_OFFER), SENDRECV);
        assertThat(a.videoOnly()).isTrue();
        assertThat(a.video().recvPt()).isEqualTo(100);
        assertThat(a.video().sdes().localKey()).as("our video key").isEqualTo(V80);
        assertThat(a.video().usesIce()).isFalse();
        assertThat(a.bundleMids()).isNull();
        SessionDescription answer = n.writeAnswer(a, AUDIO_ICE, null);
        assertThat(answer.media()).hasSize(1);
        MediaDescription v = answer.media().get(0);
        assertThat(v.proto()).isEqualTo("RTP/SAVP");
        assertThat(v.attributes("crypto")).hasSize(1).first().asString().startsWith("3 AES_CM_128_HMAC_SHA1_80 inline:");
        assertThat(v.hasAttribute("ice-ufrag")).isFalse();
        assertThat(v.hasAttribute("rtcp-mux")).as("not offered").isFalse();
        assertThat(answer.attribute("group")).isEmpty();
    }

    @Test
    void videoOnlyOffersThatCannotBeAnsweredSayWhy() throws Exception {
        Negotiator n = negotiator(SrtpPolicy.SRTP_OPTIONAL, false);
        assertThatThrownBy(() -> n.readOffer(Negotiator.parse(SIP_VIDEO_OFFER.replace("m=video 10002", "m=video 0")), SENDRECV))
                .isInstanceOf(EngineException.class)
                .hasMessageContaining("no usable audio section and no usable video section");
        assertThatThrownBy(() -> n.readOffer(Negotiator.parse(SIP_VIDEO_OFFER.replace("VP8", "H263")), SENDRECV))
                .hasMessageContaining("video only and no common video codec");
        Negotiator audioOnly = new Negotiator(new Negotiator.Capabilities(List.of(AudioCodec.OPUS), List.of(), false, false,
                SrtpPolicy.SRTP_OPTIONAL, false, false), new Negotiator.Keys(A80, A32, V80, V32, () -> FP, "m"), 1, failures::add);
        assertThatThrownBy(() -> audioOnly.readOffer(Negotiator.parse(SIP_VIDEO_OFFER), SENDRECV))
                .hasMessageContaining("video only (no usable audio section) and this session takes no video");
        String noMid = videoOnly(resource("chromium-156-audio-video-offer.sdp")).replaceAll("a=mid:1\r?\n", "");
        assertThatThrownBy(() -> n.readOffer(Negotiator.parse(noMid), SENDRECV))
                .hasMessageContaining("has no a=mid, but the offer has a=group:BUNDLE");
        assertThatThrownBy(() -> n.readOffer(Negotiator.parse(SIP_VIDEO_OFFER.replaceAll("a=crypto:[^\r]*\r\n", "")), SENDRECV))
                .as("the video section's keys are checked as audio's are").hasMessageContaining("without a usable a=crypto line");
        assertThat(failures).containsExactly(Failure.DTLS_SRTP);
    }

    @Test
    void aReOfferAfterAVideoFirstExchangeKeepsVideoFirstAndReadsTheAnswer() {
        Negotiator n = negotiator(SrtpPolicy.SRTP_OPTIONAL, true);
        SessionDescription offer = n.offer(new Negotiator.Offer(true, "1", "0", AUDIO_ICE, Negotiator.VideoTransport.SHARED, null, SENDRECV,
                List.of(new Negotiator.Line(MediaKind.VIDEO, "video", "UDP/TLS/RTP/SAVPF", "96", "0"),
                        new Negotiator.Line(MediaKind.AUDIO, "audio", "UDP/TLS/RTP/SAVPF", "111", "1"))));
        assertThat(offer.media()).extracting(MediaDescription::media).containsExactly("video", "audio");
        assertThat(offer.attribute("group")).hasValue("BUNDLE 1 0");
        String answer = "v=0\r\no=- 5 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 1 0\r\n"
                + "m=video 50000 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 127.0.0.1\r\na=mid:0\r\na=ice-ufrag:peer\r\na=ice-pwd:peerpassword0123456789\r\n"
                + "a=fingerprint:" + FP + "\r\na=setup:active\r\na=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\na=sendrecv\r\n"
                + "m=audio 50000 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 127.0.0.1\r\na=mid:1\r\na=ice-ufrag:peer\r\na=ice-pwd:peerpassword0123456789\r\n"
                + "a=fingerprint:" + FP + "\r\na=setup:active\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\na=sendrecv\r\n";
        Negotiator.Answered r = n.readAnswer(Negotiator.parse(answer), offer, SENDRECV);
        assertThat(r.audio().audioCodec()).isEqualTo(AudioCodec.OPUS);
        assertThat(r.audio().dtls().localRole()).isEqualTo(DtlsRole.SERVER);
        assertThat(r.bundled()).isTrue();
        assertThat(r.video().videoCodec()).isEqualTo(VideoCodec.VP8);
    }

    @Test
    void aReOfferKeepsEveryLineOfTheLastExchangeWhereItWas() {
        Negotiator n = negotiator(SrtpPolicy.SRTP_OPTIONAL, true);
        List<Negotiator.Line> previous = List.of(new Negotiator.Line(MediaKind.VIDEO, "video", "UDP/TLS/RTP/SAVPF", "96", "0"),
                new Negotiator.Line(MediaKind.AUDIO, "audio", "UDP/TLS/RTP/SAVPF", "111", "1"),
                new Negotiator.Line(null, "application", "UDP/DTLS/SCTP", "webrtc-datachannel", "2"));
        SessionDescription offer = Negotiator.parse(n.offer(new Negotiator.Offer(true, "1", "0", AUDIO_ICE, Negotiator.VideoTransport.SHARED, null,
                SENDRECV, previous)).toString());
        assertThat(offer.media()).extracting(MediaDescription::media).containsExactly("video", "audio", "application");
        MediaDescription dc = offer.media().get(2);
        assertThat(dc.port()).as("the data channel this call rejected stays rejected").isZero();
        assertThat(dc.attribute("mid")).hasValue("2");
        assertThat(dc.formats()).containsExactly("webrtc-datachannel");
        assertThat(offer.attribute("group")).as("a rejected line is in no BUNDLE group").hasValue("BUNDLE 1 0");

        // video no longer offered: its line stays where it was, with port 0
        SessionDescription audioOnly = n.offer(new Negotiator.Offer(true, "1", "0", AUDIO_ICE, null, null, SENDRECV, previous));
        assertThat(audioOnly.media()).extracting(MediaDescription::media, MediaDescription::port)
                .containsExactly(tuple("video", 0), tuple("audio", AUDIO_ICE.defaultAddress().getPort()), tuple("application", 0));
        // video added to an audio call: appended after the lines it had
        SessionDescription added = n.offer(new Negotiator.Offer(true, "0", "1", AUDIO_ICE, Negotiator.VideoTransport.BUNDLE_ONLY, null, SENDRECV,
                List.of(new Negotiator.Line(MediaKind.AUDIO, "audio", "RTP/SAVP", "0", "0"), new Negotiator.Line(null, "audio", "RTP/AVP", "8", null))));
        assertThat(added.media()).extracting(MediaDescription::media, MediaDescription::port)
                .containsExactly(tuple("audio", AUDIO_ICE.defaultAddress().getPort()), tuple("audio", 0), tuple("video", 0));
        assertThat(added.media().get(1).attribute("mid")).as("a line without a mid stays without").isEmpty();
    }
}
