package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.engine.sdp.MediaDescription;
import io.vmc.engine.sdp.SdpParser;
import io.vmc.engine.sdp.SessionDescription;
import io.vmc.transport.proto.CreateAnswer;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import io.vmc.transport.proto.SetHold;
import io.vmc.transport.proto.StreamStats;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * DTLS-SRTP (RFC 5763/5764) and BUNDLE (RFC 8843) through vmc.v1: what a real Chromium offer
 * gets back, and calls between two engines keyed by DTLS, audio only and audio + video bundled.
 */
class DtlsSrtpCallTest {
    @TempDir Path dirA;
    @TempDir Path dirB;

    static String fixture(String name) throws IOException {
        try (InputStream in = DtlsSrtpCallTest.class.getResourceAsStream("/sdp/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void chromiumOfferIsAnsweredWithDtlsBundleAndOneCodecPerSection() throws Exception {
        try (TestEngine b = new TestEngine(880, dirB, x -> x.videoSource(EngineConfig.VideoSource.testPattern("ball")))) {
            String sb = b.createSession(SessionOptions.newBuilder().setVideo(true));
            // as Chromium 156 made it, plus the trailing empty line some stacks add
            String answer = b.answer(sb, fixture("chromium-156-audio-video-offer.sdp") + "\r\n");
            SessionDescription sdp = SdpParser.parse(answer);
            assertThat(sdp.attribute("group")).hasValue("BUNDLE 0 1");
            assertThat(sdp.media()).hasSize(2);
            MediaDescription audio = sdp.media().get(0);
            MediaDescription video = sdp.media().get(1);
            for (MediaDescription m : sdp.media()) {
                assertThat(m.proto()).isEqualTo("UDP/TLS/RTP/SAVPF");
                assertThat(m.attribute("fingerprint")).hasValueSatisfying(f -> assertThat(f).startsWith("sha-256 "));
                assertThat(m.attribute("setup")).hasValue("active");
                assertThat(m.hasAttribute("rtcp-mux")).isTrue();
                assertThat(m.hasAttribute("crypto")).isFalse();
                assertThat(m.attribute("ice-ufrag")).isPresent();
            }
            assertThat(audio.attribute("mid")).hasValue("0");
            assertThat(video.attribute("mid")).hasValue("1");
            assertThat(audio.formats()).containsExactly("111", "110"); // opus and its telephone-event
            assertThat(video.formats()).containsExactly("96");         // VP8; rtx, red, ulpfec declined
            // RTX (RFC 4588) declined cleanly: no rtx format, no FID group; reduced-size RTCP taken;
            // of the header extensions only the MID (RFC 8843 section 15), with the offer's id
            assertThat(answer).doesNotContain("rtx/", "ssrc-group", "transport-wide-cc", "abs-send-time", "audio-level");
            for (MediaDescription m : sdp.media()) {
                assertThat(m.attributes("extmap")).containsExactly("4 urn:ietf:params:rtp-hdrext:sdes:mid");
                assertThat(m.hasAttribute("rtcp-rsize")).isTrue();
            }
            assertThat(video.port()).as("one transport for the group").isEqualTo(audio.port());
            assertThat(b.lastState(sb)).isNotEqualTo(SessionState.State.FAILED);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void chromiumAudioOnlyOfferIsAnswered() throws Exception {
        try (TestEngine b = new TestEngine(880, dirB)) {
            String sb = b.createSession(SessionOptions.newBuilder());
            SessionDescription sdp = SdpParser.parse(b.answer(sb, fixture("chromium-156-audio-offer.sdp")));
            assertThat(sdp.attribute("group")).hasValue("BUNDLE 0");
            assertThat(sdp.media().get(0).proto()).isEqualTo("UDP/TLS/RTP/SAVPF");
            assertThat(sdp.media().get(0).attribute("setup")).hasValue("active");
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void dtlsOfferWithoutFingerprintIsRefusedWithAReason() throws Exception {
        try (TestEngine b = new TestEngine(880, dirB)) {
            String sb = b.createSession(SessionOptions.newBuilder());
            String offer = fixture("chromium-156-audio-offer.sdp").replaceAll("a=fingerprint:[^\r\n]*\r\n", "");
            var r = b.call(Request.newBuilder().setCreateAnswer(CreateAnswer.newBuilder().setSessionId(sb).setRemoteSdp(offer)));
            assertThat(r.hasError()).isTrue();
            assertThat(r.getError().getMessage()).contains("without a=fingerprint");
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void audioCallBetweenEnginesIsKeyedByDtlsAndSurvivesHold() {
        try (TestEngine a = new TestEngine(440, dirA); TestEngine b = new TestEngine(880, dirB)) {
            String sa = a.createSession(SessionOptions.newBuilder().setDtlsSrtp(true));
            String sb = b.createSession(SessionOptions.newBuilder());
            String offer = a.offer(sa);
            assertThat(offer).contains("m=audio ").contains(" UDP/TLS/RTP/SAVPF ").contains("a=setup:actpass")
                    .contains("a=fingerprint:sha-256 ").doesNotContain("a=crypto");
            String answer = b.answer(sb, offer);
            assertThat(answer).contains("a=setup:active").doesNotContain("a=crypto");
            a.setAnswer(sa, answer);
            a.awaitState(sa, SessionState.State.CONNECTED);
            b.awaitState(sb, SessionState.State.CONNECTED);
            a.awaitReceived(sa, 50);
            b.awaitReceived(sb, 50);
            assertThat(a.stats(sa).getEncrypted()).isTrue();
            assertThat(b.stats(sb).getEncrypted()).isTrue();
            assertThat(a.counters(sa)).containsEntry("authFailed", 0L);

            // a re-offer keeps the association: same keys, the flow goes on
            String hold = a.ok(Request.newBuilder().setSetHold(SetHold.newBuilder().setSessionId(sa).setHold(true)))
                    .getDescription().getSdp();
            a.setAnswer(sa, b.answer(sb, hold));
            a.awaitState(sa, SessionState.State.ON_HOLD);
            long before = a.stats(sa).getPacketsSent();
            await().atMost(Duration.ofSeconds(10)).until(() -> b.stats(sb).getPacketsReceived() > 0 && a.stats(sa).getPacketsSent() > before + 20);
            assertThat(b.counters(sb)).containsEntry("authFailed", 0L);
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void audioAndVideoShareOneBundledDtlsTransport() throws Exception {
        try (TestEngine a = new TestEngine(440, dirA, x -> x.videoSource(EngineConfig.VideoSource.testPattern("smpte")));
             TestEngine b = new TestEngine(880, dirB, x -> x.videoSource(EngineConfig.VideoSource.testPattern("ball")))) {
            String sa = a.createSession(SessionOptions.newBuilder().setVideo(true).setDtlsSrtp(true));
            String sb = b.createSession(SessionOptions.newBuilder().setVideo(true));
            String offer = a.offer(sa);
            assertThat(offer).contains("a=group:BUNDLE 0 1");
            // RFC 8843 section 7.2.1: video bundle-only, with the audio section's ICE credentials
            // (webrtcbin refuses bundled sections whose credentials differ)
            SessionDescription o = SdpParser.parse(offer);
            MediaDescription oa = o.media().get(0), ov = o.media().get(1);
            assertThat(ov.port()).isZero();
            assertThat(ov.hasAttribute("bundle-only")).isTrue();
            assertThat(ov.attribute("ice-ufrag")).isEqualTo(oa.attribute("ice-ufrag")).isPresent();
            assertThat(ov.attribute("ice-pwd")).isEqualTo(oa.attribute("ice-pwd")).isPresent();
            assertThat(ov.attributes("candidate")).isEmpty();
            String answer = b.answer(sb, offer);
            assertThat(answer).contains("a=group:BUNDLE 0 1");
            a.setAnswer(sa, answer);
            a.awaitState(sa, SessionState.State.CONNECTED);
            b.awaitState(sb, SessionState.State.CONNECTED);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> VideoCallTest.video(a, sa).getFramesDecoded() > 30 && VideoCallTest.video(b, sb).getFramesDecoded() > 30);
            a.awaitReceived(sa, 50);
            b.awaitReceived(sb, 50);
            StreamStats va = VideoCallTest.video(a, sa);
            assertThat(va.getEncrypted()).isTrue();
            assertThat(va.getLocalAddress()).as("video on the audio transport").isEqualTo(a.stats(sa).getLocalAddress());
            assertThat(a.counters(sa)).containsEntry("authFailed", 0L).containsEntry("videoAuthFailed", 0L);
            assertThat(b.counters(sb)).containsEntry("authFailed", 0L).containsEntry("videoAuthFailed", 0L);
            // RFC 8843 section 15: both write the MID into their bundled RTP, and both route by it
            assertThat(offer).contains("a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid");
            assertThat(answer).contains("a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid");
            assertThat(a.counters(sa).get("routedByMid")).isGreaterThan(100L);
            assertThat(b.counters(sb).get("routedByMid")).isGreaterThan(100L);

            // the answerer's own re-offer (hold) keeps DTLS-SRTP, the mids and one transport, though it never asked for dtls_srtp
            String hold = b.ok(Request.newBuilder().setSetHold(SetHold.newBuilder().setSessionId(sb).setHold(true)))
                    .getDescription().getSdp();
            SessionDescription h = SdpParser.parse(hold);
            assertThat(h.attribute("group")).hasValue("BUNDLE 0 1");
            assertThat(h.media()).allSatisfy(m -> {
                assertThat(m.proto()).isEqualTo("UDP/TLS/RTP/SAVPF");
                assertThat(m.attribute("setup")).hasValue("actpass");
                assertThat(m.hasAttribute("crypto")).isFalse();
            });
            assertThat(h.media().get(1).port()).isEqualTo(h.media().get(0).port());
            b.setAnswer(sb, a.answer(sa, hold));
            b.awaitState(sb, SessionState.State.ON_HOLD);
            long sent = VideoCallTest.video(b, sb).getPacketsSent();
            await().atMost(Duration.ofSeconds(10)).until(() -> VideoCallTest.video(b, sb).getPacketsSent() > sent + 20);
            assertThat(a.counters(sa)).containsEntry("authFailed", 0L).containsEntry("videoAuthFailed", 0L);
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aFingerprintThatDoesNotMatchEndsTheCallWithAReason() {
        try (TestEngine a = new TestEngine(440, dirA); TestEngine b = new TestEngine(880, dirB)) {
            String sa = a.createSession(SessionOptions.newBuilder().setDtlsSrtp(true));
            String sb = b.createSession(SessionOptions.newBuilder());
            String answer = b.answer(sb, a.offer(sa));
            // a valid sha-256 fingerprint, of no certificate B holds
            String forged = answer.replaceAll("a=fingerprint:sha-256 [0-9A-F:]+", "a=fingerprint:sha-256 "
                    + "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF");
            a.setAnswer(sa, forged);
            a.awaitState(sa, SessionState.State.FAILED);
            assertThat(a.count(e -> e.hasSessionState() && e.getSessionState().getState() == SessionState.State.FAILED
                    && e.getSessionState().getReason().startsWith("DTLS-SRTP: "))).isEqualTo(1);
            assertThat(a.stats(sa).getPacketsReceived()).as("no media without keys").isZero();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void hostileBundleGroupsAndCandidateFloodsAreHandled() throws Exception {
        try (TestEngine b = new TestEngine(880, dirB)) {
            String sb = b.createSession(SessionOptions.newBuilder());
            // a group naming mids that do not exist: they are left out, the call goes on
            String odd = fixture("chromium-156-audio-offer.sdp").replace("a=group:BUNDLE 0", "a=group:BUNDLE 7 0 0 x");
            assertThat(SdpParser.parse(b.answer(sb, odd)).attribute("group")).hasValue("BUNDLE 0");

            String sc = b.createSession(SessionOptions.newBuilder());
            StringBuilder flood = new StringBuilder();
            for (int i = 0; i < 1000; i++) {
                flood.append("a=candidate:").append(i).append(" 1 udp 2122194687 127.0.0.1 ").append(20000 + i).append(" typ host\r\n");
                if (i == 99 || i == 999) {
                    // 100 fit the size limit and are over the candidate limit; 1,000 are over the size limit
                    String many = fixture("chromium-156-audio-offer.sdp").replace("a=ice-ufrag:", flood + "a=ice-ufrag:");
                    var r = b.call(Request.newBuilder().setCreateAnswer(CreateAnswer.newBuilder().setSessionId(sc).setRemoteSdp(many)));
                    assertThat(r.hasError()).isTrue();
                    assertThat(r.getError().getMessage()).contains(i == 99 ? "more than 64 candidates" : "exceeds 32768");
                }
            }
            assertThat(b.lastState(sc)).isNotEqualTo(SessionState.State.FAILED);
        }
    }
}
