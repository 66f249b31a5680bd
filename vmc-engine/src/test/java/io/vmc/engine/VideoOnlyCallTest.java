package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.engine.sdp.MediaDescription;
import io.vmc.engine.sdp.SdpParser;
import io.vmc.engine.sdp.SessionDescription;
import io.vmc.transport.proto.CreateAnswer;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.GetStats;
import io.vmc.transport.proto.MediaKind;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import io.vmc.transport.proto.SetHold;
import io.vmc.transport.proto.StreamStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An engine answering a video-only offer (issue 17), as a browser's camera-only or screen-share-only
 * RTCPeerConnection sends it: one m=video, DTLS-SRTP, BUNDLE of one. The offerer is a second real
 * engine whose bundled offer the test cuts to its video section (the engine itself always offers
 * audio); its answer gets back an inactive audio line, so that engine runs its usual bundled call
 * while the engine under test runs video alone on one transport.
 */
class VideoOnlyCallTest {
    @TempDir Path dirA;
    @TempDir Path dirB;

    /** An SDP's session part and its sections, split where each m= line starts. */
    private static List<String> parts(String sdp) {
        return List.of(sdp.split("(?<=\\n)(?=m=)"));
    }

    /** A's bundled offer as a video-only one: the video section on the audio transport's port and candidates, BUNDLE of one. */
    private static String videoOnlyOffer(String bundledOffer) throws Exception {
        List<String> p = parts(bundledOffer);
        MediaDescription audio = SdpParser.parse(bundledOffer).media().get(0);
        String candidates = audio.attributes("candidate").stream().map(c -> "a=candidate:" + c + "\r\n").collect(Collectors.joining())
                + "a=end-of-candidates\r\n";
        String video = p.get(2).replaceFirst("m=video 0 ", "m=video " + audio.port() + " ").replace("a=bundle-only\r\n", "") + candidates;
        return p.get(0).replace("a=group:BUNDLE 0 1", "a=group:BUNDLE 1") + video;
    }

    /** B's video-only answer for A: an inactive audio line on B's transport (A's offer had one) before B's video section. */
    private static String answerForA(String videoOnlyAnswer) throws Exception {
        List<String> p = parts(videoOnlyAnswer);
        MediaDescription v = SdpParser.parse(videoOnlyAnswer).media().get(0);
        StringBuilder audio = new StringBuilder("m=audio " + v.port() + " UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 127.0.0.1\r\na=mid:0\r\n");
        for (String name : List.of("ice-ufrag", "ice-pwd", "fingerprint", "setup")) {
            audio.append("a=").append(name).append(':').append(v.attribute(name).orElseThrow()).append("\r\n");
        }
        for (String c : v.attributes("candidate")) audio.append("a=candidate:").append(c).append("\r\n");
        audio.append("a=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\na=inactive\r\n");
        return p.get(0).replace("a=group:BUNDLE 1", "a=group:BUNDLE 0 1") + audio + p.get(1);
    }

    private static List<MediaKind> kinds(TestEngine e, String sid) {
        return e.ok(Request.newBuilder().setGetStats(GetStats.newBuilder().setSessionId(sid))).getStats().getStreamsList()
                .stream().map(StreamStats::getKind).toList();
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aVideoOnlyOfferIsAnsweredAndVideoFlowsBothWaysWithoutAudio() throws Exception {
        try (TestEngine a = new TestEngine(440, dirA, x -> x.videoSource(EngineConfig.VideoSource.testPattern("smpte")));
             TestEngine b = new TestEngine(880, dirB, x -> x.videoSource(EngineConfig.VideoSource.testPattern("ball")))) {
            String sa = a.createSession(SessionOptions.newBuilder().setVideo(true).setDtlsSrtp(true));
            String sb = b.createSession(SessionOptions.newBuilder().setVideo(true));
            String bundled = a.offer(sa);
            String offer = videoOnlyOffer(bundled);
            assertThat(SdpParser.parse(offer).media()).extracting(MediaDescription::media).containsExactly("video");

            String answer = b.answer(sb, offer);
            SessionDescription ans = SdpParser.parse(answer);
            assertThat(ans.media()).as("RFC 3264 section 6: the offer's one line").hasSize(1);
            MediaDescription v = ans.media().get(0);
            assertThat(v.media()).isEqualTo("video");
            assertThat(v.port()).isPositive();
            assertThat(v.proto()).isEqualTo("UDP/TLS/RTP/SAVPF");
            assertThat(v.attribute("mid")).hasValue("1");
            assertThat(v.attribute("setup")).hasValue("active");
            assertThat(v.attribute("ice-ufrag")).isPresent();
            assertThat(v.attributes("candidate")).isNotEmpty();
            assertThat(ans.attribute("group")).hasValue("BUNDLE 1");
            // trickled candidates name the section they belong to: the offer's only line, mid 1
            assertThat(b.count(e -> e.hasLocalCandidate() && e.getLocalCandidate().getSessionId().equals(sb))).isPositive();
            assertThat(b.count(e -> e.hasLocalCandidate() && e.getLocalCandidate().getSessionId().equals(sb)
                    && !(e.getLocalCandidate().getMid().equals("1") && e.getLocalCandidate().getMLineIndex() == 0))).isZero();

            a.setAnswer(sa, answerForA(answer));
            b.awaitState(sb, SessionState.State.CONNECTED); // A's inactive audio puts A "on hold": A is only the stand-in peer
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> VideoCallTest.video(a, sa).getFramesDecoded() > 30 && VideoCallTest.video(b, sb).getFramesDecoded() > 30);
            StreamStats vb = VideoCallTest.video(b, sb);
            assertThat(vb.getEncrypted()).isTrue();
            assertThat(vb.getPacketsReceived()).isGreaterThan(30);
            assertThat(vb.getPacketsSent()).isGreaterThan(30);
            assertThat(VideoCallTest.video(a, sa).getPacketsReceived()).as("B's video at A").isGreaterThan(30);
            assertThat(kinds(b, sb)).as("no audio stream claimed").containsExactly(MediaKind.VIDEO);
            assertThat(b.counters(sb)).doesNotContainKeys("packetsSent", "untrustedSource")
                    .containsEntry("videoUntrustedSource", 0L).containsEntry("videoAuthFailed", 0L);
            assertThat(a.counters(sa)).containsEntry("videoAuthFailed", 0L);

            // the peer holds (sendonly) and resumes through re-offers; B follows the video section
            b.answer(sb, offer.replace("a=sendrecv", "a=sendonly"));
            b.awaitState(sb, SessionState.State.ON_HOLD);
            b.answer(sb, offer);
            b.awaitState(sb, SessionState.State.CONNECTED);

            // what a video-only call does not do yet is refused by name
            var hold = b.call(Request.newBuilder().setSetHold(SetHold.newBuilder().setSessionId(sb).setHold(true)));
            assertThat(hold.getError().getCode()).isEqualTo(Error.Code.UNIMPLEMENTED);
            assertThat(hold.getError().getMessage()).contains("runs video only");
            var addAudio = b.call(Request.newBuilder().setCreateAnswer(CreateAnswer.newBuilder().setSessionId(sb).setRemoteSdp(bundled)));
            assertThat(addAudio.getError().getCode()).isEqualTo(Error.Code.UNIMPLEMENTED);
            assertThat(addAudio.getError().getMessage()).contains("adds an audio section to this video-only call");
            long received = VideoCallTest.video(b, sb).getPacketsReceived();
            await().atMost(Duration.ofSeconds(10)).until(() -> VideoCallTest.video(b, sb).getPacketsReceived() > received + 30);
            assertThat(b.lastState(sb)).isEqualTo(SessionState.State.CONNECTED);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aVideoOnlyOfferToASessionWithoutVideoIsRefusedWithAReason() throws Exception {
        try (TestEngine a = new TestEngine(440, dirA); TestEngine b = new TestEngine(880, dirB)) {
            String sa = a.createSession(SessionOptions.newBuilder().setVideo(true).setDtlsSrtp(true));
            String sb = b.createSession(SessionOptions.newBuilder());
            var r = b.call(Request.newBuilder().setCreateAnswer(CreateAnswer.newBuilder().setSessionId(sb)
                    .setRemoteSdp(videoOnlyOffer(a.offer(sa)))));
            assertThat(r.getError().getCode()).isEqualTo(Error.Code.FAILED_PRECONDITION);
            assertThat(r.getError().getMessage()).contains("video only (no usable audio section) and this session takes no video");
            assertThat(b.lastState(sb)).isNotEqualTo(SessionState.State.FAILED);
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aReOfferThatDropsAudioFromARunningCallIsRefusedAndTheCallGoesOn() throws Exception {
        try (TestEngine a = new TestEngine(440, dirA, x -> x.videoSource(EngineConfig.VideoSource.testPattern("smpte")));
             TestEngine b = new TestEngine(880, dirB, x -> x.videoSource(EngineConfig.VideoSource.testPattern("ball")))) {
            String sa = a.createSession(SessionOptions.newBuilder().setVideo(true).setDtlsSrtp(true));
            String sb = b.createSession(SessionOptions.newBuilder().setVideo(true));
            a.setAnswer(sa, b.answer(sb, a.offer(sa)));
            b.awaitState(sb, SessionState.State.CONNECTED);
            b.awaitReceived(sb, 50);
            String reOffer = a.offer(sa).replaceFirst("m=audio \\d+ ", "m=audio 0 ");
            var r = b.call(Request.newBuilder().setCreateAnswer(CreateAnswer.newBuilder().setSessionId(sb).setRemoteSdp(reOffer)));
            assertThat(r.getError().getCode()).isEqualTo(Error.Code.UNIMPLEMENTED);
            assertThat(r.getError().getMessage()).contains("no usable audio section");
            long heard = b.stats(sb).getPacketsReceived();
            await().atMost(Duration.ofSeconds(10)).until(() -> b.stats(sb).getPacketsReceived() > heard + 20);
            assertThat(kinds(b, sb)).containsExactly(MediaKind.AUDIO, MediaKind.VIDEO);
        }
    }
}
