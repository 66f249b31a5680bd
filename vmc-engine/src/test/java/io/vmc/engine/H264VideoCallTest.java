package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.transport.proto.MediaKind;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import io.vmc.transport.proto.StreamStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** H.264 (RFC 6184, packetization-mode 1) as the second video codec, between two engines on 127.0.0.1. */
class H264VideoCallTest {
    @TempDir Path dirA;
    @TempDir Path dirB;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void h264FramesCrossOverSrtpWhenTheOffererAllowsOnlyH264() {
        requireH264();
        try (TestEngine a = new TestEngine(440, dirA, b -> b.videoSource(EngineConfig.VideoSource.testPattern("smpte")));
             TestEngine b = new TestEngine(880, dirB, x -> x.videoSource(EngineConfig.VideoSource.testPattern("ball")))) {
            String sa = a.createSession(SessionOptions.newBuilder().setVideo(true).addVideoCodecs("H264"));
            String sb = b.createSession(SessionOptions.newBuilder().setVideo(true));
            String offer = a.offer(sa);
            String offerVideo = offer.substring(offer.indexOf("m=video"));
            assertThat(offerVideo).contains("RTP/SAVP 97\r\n").contains("a=rtpmap:97 H264/90000")
                    .contains("a=fmtp:97 profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1")
                    .contains("a=rtcp-fb:97 nack pli").contains("a=rtcp-fb:97 ccm fir").doesNotContain("VP8");
            String answer = b.answer(sb, offer);
            String answerVideo = answer.substring(answer.indexOf("m=video"));
            assertThat(answerVideo).doesNotStartWith("m=video 0 ").contains("a=rtpmap:97 H264/90000")
                    .contains("a=fmtp:97 profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1");
            a.setAnswer(sa, answer);

            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> VideoCallTest.video(a, sa).getFramesDecoded() > 30 && VideoCallTest.video(b, sb).getFramesDecoded() > 30);
            a.awaitReceived(sa, 50); // audio still flows
            for (StreamStats v : new StreamStats[] {VideoCallTest.video(a, sa), VideoCallTest.video(b, sb)}) {
                assertThat(v.getCodec()).isEqualTo("H264");
                assertThat(v.getEncrypted()).isTrue();
            }
            assertThat(a.counters(sa)).containsEntry("videoAuthFailed", 0L).containsEntry("videoUnknownPayloadType", 0L);
            assertThat(b.counters(sb)).containsEntry("videoAuthFailed", 0L).containsEntry("videoUnknownPayloadType", 0L);

            // B (which allows VP8 and H.264) puts the call on hold: its re-offer keeps the running codec
            String hold = b.ok(io.vmc.transport.proto.Request.newBuilder().setSetHold(
                    io.vmc.transport.proto.SetHold.newBuilder().setSessionId(sb).setHold(true))).getDescription().getSdp();
            String holdVideo = hold.substring(hold.indexOf("m=video"));
            assertThat(holdVideo).contains("RTP/SAVP 97\r\n").contains("a=rtpmap:97 H264/90000").doesNotContain("VP8")
                    .contains("a=sendonly");
            b.setAnswer(sb, a.answer(sa, hold));
            long decoded = VideoCallTest.video(a, sa).getFramesDecoded();
            await().atMost(Duration.ofSeconds(10)).until(() -> VideoCallTest.video(a, sa).getFramesDecoded() > decoded + 30);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void defaultOfferListsBothAndTheAnswerPicksVp8() {
        requireH264();
        try (TestEngine a = new TestEngine(440, dirA); TestEngine b = new TestEngine(880, dirB)) {
            String sa = a.createSession(SessionOptions.newBuilder().setVideo(true));
            String sb = b.createSession(SessionOptions.newBuilder().setVideo(true));
            String offer = a.offer(sa);
            assertThat(offer).contains("RTP/SAVP 96 97\r\n").contains("a=rtpmap:96 VP8/90000").contains("a=rtpmap:97 H264/90000");
            String answer = b.answer(sb, offer);
            String answerVideo = answer.substring(answer.indexOf("m=video"));
            assertThat(answerVideo).contains("a=rtpmap:96 VP8/90000").doesNotContain("H264");
            a.setAnswer(sa, answer);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> VideoCallTest.video(a, sa).getFramesDecoded() > 10);
            assertThat(VideoCallTest.video(a, sa).getCodec()).isEqualTo("VP8");
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void noCommonVideoCodecRejectsVideoWithAReasonAndKeepsAudio() {
        requireH264();
        try (TestEngine a = new TestEngine(440, dirA); TestEngine b = new TestEngine(880, dirB)) {
            String sa = a.createSession(SessionOptions.newBuilder().setVideo(true).addVideoCodecs("H264"));
            String sb = b.createSession(SessionOptions.newBuilder().setVideo(true).addVideoCodecs("VP8"));
            String answer = b.answer(sb, a.offer(sa));
            assertThat(answer).contains("m=video 0 ");
            assertThat(b.events).anyMatch(e -> e.hasSessionState() && e.getSessionState().getReason()
                    .contains("video rejected: no supported video codec: offered H264/90000; usable here [VP8]"));
            a.setAnswer(sa, answer);
            a.awaitState(sa, SessionState.State.CONNECTED);
            a.awaitReceived(sa, 50);
            assertThat(VideoCallTest.video(a, sa).getKind()).isEqualTo(MediaKind.MEDIA_KIND_UNSPECIFIED);
        }
    }

    /** openh264enc plus avdec_h264 or openh264dec; a machine without them offers VP8 only. */
    private static void requireH264() {
        boolean present = io.vmc.engine.internal.media.VideoCodec.usable(
                java.util.List.of(io.vmc.engine.internal.media.VideoCodec.H264), io.vmc.engine.internal.media.VideoCodec::hasElement).size() == 1;
        if (!present && "true".equals(System.getenv("CI"))) throw new AssertionError("H.264 GStreamer elements are required under CI=true");
        org.junit.jupiter.api.Assumptions.assumeTrue(present, "no H.264 encoder/decoder in GStreamer");
    }
}
