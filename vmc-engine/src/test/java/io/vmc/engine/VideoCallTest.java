package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.GetStats;
import io.vmc.transport.proto.MediaKind;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import io.vmc.transport.proto.StreamStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Audio + VP8 video between two engines in one JVM on 127.0.0.1, through requests only. */
class VideoCallTest {
    @TempDir Path dirA;
    @TempDir Path dirB;

    static StreamStats video(TestEngine e, String sid) {
        var s = e.ok(Request.newBuilder().setGetStats(GetStats.newBuilder().setSessionId(sid))).getStats();
        return s.getStreamsList().stream().filter(x -> x.getKind() == MediaKind.VIDEO).findFirst()
                .orElse(StreamStats.getDefaultInstance());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void vp8FramesCrossOverSrtpInBothDirections() {
        try (TestEngine a = new TestEngine(440, dirA, b -> b.videoSource(EngineConfig.VideoSource.testPattern("smpte")));
             TestEngine b = new TestEngine(880, dirB, x -> x.videoSource(EngineConfig.VideoSource.testPattern("ball")))) {
            String sa = a.createSession(SessionOptions.newBuilder().setVideo(true));
            String sb = b.createSession(SessionOptions.newBuilder().setVideo(true));
            String offer = a.offer(sa);
            assertThat(offer).contains("m=video ").contains("RTP/SAVP 96").contains("a=rtpmap:96 VP8/90000")
                    .contains("a=rtcp-fb:96 nack pli").contains("a=mid:1");
            String answer = b.answer(sb, offer);
            assertThat(answer).contains("m=video ").contains("a=rtpmap:96 VP8/90000").contains("a=crypto:1 AES_CM_128_HMAC_SHA1_80");
            a.setAnswer(sa, answer);

            a.awaitState(sa, SessionState.State.CONNECTED);
            b.awaitState(sb, SessionState.State.CONNECTED);
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> video(a, sa).getFramesDecoded() > 30 && video(b, sb).getFramesDecoded() > 30);
            a.awaitReceived(sa, 50); // audio still flows

            StreamStats va = video(a, sa);
            assertThat(va.getCodec()).isEqualTo("VP8");
            assertThat(va.getEncrypted()).isTrue();
            assertThat(va.getPacketsSent()).isGreaterThan(30);
            assertThat(va.getPacketsReceived()).isGreaterThan(30);
            assertThat(va.getRemoteAddress()).startsWith("127.0.0.1:");
            assertThat(a.counters(sa)).containsEntry("videoAuthFailed", 0L).containsEntry("videoWrongSsrc", 0L);
            // a different port from audio: video has its own ICE agent (no BUNDLE)
            assertThat(va.getLocalAddress()).isNotEqualTo(a.stats(sa).getLocalAddress());
            a.close(sa);
            b.close(sb);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void holdStopsTheHeldSidesVideoAndResumeRestartsIt() {
        try (TestEngine a = new TestEngine(440, dirA); TestEngine b = new TestEngine(880, dirB)) {
            String sa = a.createSession(SessionOptions.newBuilder().setVideo(true));
            String sb = b.createSession(SessionOptions.newBuilder().setVideo(true));
            a.setAnswer(sa, b.answer(sb, a.offer(sa)));
            await().atMost(Duration.ofSeconds(20)).until(() -> video(a, sa).getFramesDecoded() > 10);
            String hold = a.ok(Request.newBuilder().setSetHold(io.vmc.transport.proto.SetHold.newBuilder().setSessionId(sa).setHold(true)))
                    .getDescription().getSdp();
            assertThat(hold.substring(hold.indexOf("m=video"))).contains("a=sendonly");
            String holdAnswer = b.answer(sb, hold);
            assertThat(holdAnswer.substring(holdAnswer.indexOf("m=video"))).contains("a=recvonly");
            a.setAnswer(sa, holdAnswer);
            a.awaitState(sa, SessionState.State.ON_HOLD);
            // B stops sending video, A keeps sending
            long bSent = video(b, sb).getPacketsSent();
            long aSent = video(a, sa).getPacketsSent();
            await().atMost(Duration.ofSeconds(5)).until(() -> video(a, sa).getPacketsSent() > aSent + 30);
            assertThat(video(b, sb).getPacketsSent()).isLessThanOrEqualTo(bSent + 10);

            String resume = a.ok(Request.newBuilder().setSetHold(io.vmc.transport.proto.SetHold.newBuilder().setSessionId(sa).setHold(false)))
                    .getDescription().getSdp();
            a.setAnswer(sa, b.answer(sb, resume));
            a.awaitState(sa, SessionState.State.CONNECTED);
            long bAfter = video(b, sb).getPacketsSent();
            long decoded = video(a, sa).getFramesDecoded();
            await().atMost(Duration.ofSeconds(10)).until(() -> video(b, sb).getPacketsSent() > bAfter + 30
                    && video(a, sa).getFramesDecoded() > decoded + 10);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void videoCandidatesCanBeTrickled() {
        try (TestEngine a = new TestEngine(440, dirA); TestEngine b = new TestEngine(880, dirB)) {
            String sa = a.createSession(SessionOptions.newBuilder().setVideo(true));
            String sb = b.createSession(SessionOptions.newBuilder().setVideo(true));
            String offer = stripCandidates(a.offer(sa));
            assertThat(offer).doesNotContain("a=candidate");
            String answer = stripCandidates(b.answer(sb, offer));
            a.setAnswer(sa, answer);
            trickle(a, sa, b, sb);
            trickle(b, sb, a, sa);
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> video(a, sa).getFramesDecoded() > 10 && video(b, sb).getFramesDecoded() > 10);
            a.awaitReceived(sa, 20);
        }
    }

    /**
     * Trickled candidates find their section by mid, else by m-line index, in an offer whose lines
     * are not in the engine's own order: video first, audio second, then a data channel that the
     * answer rejects. A's candidates go to B by mid with A's own (here wrong) indices, which JSEP
     * says the mid overrides; B's go to A by index alone.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void trickledCandidatesFindTheirSectionInAnOfferWithVideoFirst() {
        try (TestEngine a = new TestEngine(440, dirA); TestEngine b = new TestEngine(880, dirB)) {
            String sa = a.createSession(SessionOptions.newBuilder().setVideo(true));
            String sb = b.createSession(SessionOptions.newBuilder().setVideo(true));
            String[] p = stripCandidates(a.offer(sa)).split("(?<=\\n)(?=m=)");
            assertThat(p).hasSize(3);
            String offer = p[0] + p[2] + p[1] + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:dc\r\n";
            String answer = stripCandidates(b.answer(sb, offer));
            assertThat(answer.indexOf("m=video")).as("the answer keeps the offer's order").isLessThan(answer.indexOf("m=audio"));
            assertThat(answer).contains("m=application 0 ");
            a.setAnswer(sa, answer);

            var bCandidates = b.events.stream().filter(e -> e.hasLocalCandidate() && e.getLocalCandidate().getSessionId().equals(sb)
                    && !e.getLocalCandidate().getEndOfCandidates()).map(Event::getLocalCandidate).toList();
            assertThat(bCandidates).extracting(c -> c.getMid() + "@" + c.getMLineIndex()).as("B names the offer's lines")
                    .contains("1@0", "0@1").doesNotContain("1@1", "0@0");
            for (var c : bCandidates) {
                a.ok(Request.newBuilder().setAddRemoteCandidate(io.vmc.transport.proto.AddRemoteCandidate.newBuilder()
                        .setSessionId(sa).setCandidate(c.getCandidate()).setMLineIndex(c.getMLineIndex())));
            }
            trickle(a, sa, b, sb); // by mid (and A's audio-first indices)
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> video(a, sa).getFramesDecoded() > 10 && video(b, sb).getFramesDecoded() > 10);
            a.awaitReceived(sa, 20);
            b.awaitReceived(sb, 20);

            String host = "1 1 udp 2130706431 127.0.0.1 40000 typ host";
            assertThat(b.call(Request.newBuilder().setAddRemoteCandidate(io.vmc.transport.proto.AddRemoteCandidate.newBuilder()
                    .setSessionId(sb).setCandidate(host).setMid("dc"))).hasError()).as("the rejected data channel's candidate is ignored").isFalse();
            var unknownMid = b.call(Request.newBuilder().setAddRemoteCandidate(io.vmc.transport.proto.AddRemoteCandidate.newBuilder()
                    .setSessionId(sb).setCandidate(host).setMid("x")));
            assertThat(unknownMid.getError().getCode()).isEqualTo(io.vmc.transport.proto.Error.Code.INVALID_ARGUMENT);
            assertThat(unknownMid.getError().getMessage()).contains("no m= section has that mid");
            var noSuchLine = b.call(Request.newBuilder().setAddRemoteCandidate(io.vmc.transport.proto.AddRemoteCandidate.newBuilder()
                    .setSessionId(sb).setCandidate(host).setMLineIndex(3)));
            assertThat(noSuchLine.getError().getMessage()).contains("has 3 m= sections");
            assertThat(b.lastState(sb)).isEqualTo(SessionState.State.CONNECTED);

            // B's own re-offer (hold) keeps the lines where the exchange had them, the data channel rejected
            String hold = b.ok(Request.newBuilder().setSetHold(io.vmc.transport.proto.SetHold.newBuilder().setSessionId(sb).setHold(true)))
                    .getDescription().getSdp();
            assertThat(java.util.Arrays.stream(hold.split("(?<=\\n)(?=m=)")).skip(1).toList()).extracting(l -> l.substring(0, l.indexOf(' '))).containsExactly("m=video", "m=audio", "m=application");
            assertThat(hold).contains("m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\n").contains("a=mid:dc");
            b.setAnswer(sb, a.answer(sa, hold));
            b.awaitState(sb, SessionState.State.ON_HOLD);
        }
    }

    private static String stripCandidates(String sdp) {
        return sdp.replaceAll("a=candidate:[^\\r\\n]*\\r\\n", "").replace("a=end-of-candidates\r\n", "");
    }

    /** Relays {@code from}'s LocalCandidate events to {@code to}, as an agent would, by mid and m-line index. */
    private static void trickle(TestEngine from, String fromSid, TestEngine to, String toSid) {
        for (Event e : from.events) {
            if (!e.hasLocalCandidate() || !e.getLocalCandidate().getSessionId().equals(fromSid)) continue;
            var c = e.getLocalCandidate();
            if (c.getEndOfCandidates()) continue;
            to.ok(Request.newBuilder().setAddRemoteCandidate(io.vmc.transport.proto.AddRemoteCandidate.newBuilder()
                    .setSessionId(toSid).setCandidate(c.getCandidate()).setMid(c.getMid()).setMLineIndex(c.getMLineIndex())));
        }
    }

    /**
     * On the wire: with plain RTP some VP8 packets carry the keyframe start code (9d 01 2a, RFC 6386
     * section 9.1) right after the payload descriptor, which proves the method; with SRTP none do and
     * every packet ends in the 10-byte auth tag.
     */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void videoOnTheWireIsSrtp() throws Exception {
        Tools.require("tshark");
        assertThat(keyframeStartCodes(captureVideo(SessionOptions.SrtpPolicy.SRTP_DISABLED))).isGreaterThan(0);
        assertThat(keyframeStartCodes(captureVideo(SessionOptions.SrtpPolicy.SRTP_REQUIRED))).isZero();
    }

    private java.util.List<byte[]> captureVideo(SessionOptions.SrtpPolicy policy) throws Exception {
        try (TestEngine a = new TestEngine(440, dirA); TestEngine b = new TestEngine(880, dirB)) {
            String sa = a.createSession(SessionOptions.newBuilder().setVideo(true).setSrtp(policy));
            String sb = b.createSession(SessionOptions.newBuilder().setVideo(true).setSrtp(policy));
            String offer = a.offer(sa);
            var m = java.util.regex.Pattern.compile("m=video (\\d+) ").matcher(offer);
            assertThat(m.find()).isTrue();
            try (WireCapture cap = new WireCapture("udp src port " + m.group(1))) {
                a.setAnswer(sa, b.answer(sb, offer));
                await().atMost(Duration.ofSeconds(20)).until(() -> vp8(cap.payloads).size() >= 150);
                assertThat(video(a, sa).getEncrypted()).isEqualTo(policy != SessionOptions.SrtpPolicy.SRTP_DISABLED);
                return vp8(cap.payloads);
            }
        }
    }

    private static java.util.List<byte[]> vp8(java.util.List<byte[]> all) {
        return all.stream().filter(p -> p.length >= 12 && (p[0] & 0xc0) == 0x80 && (p[1] & 0x7f) == 96).toList();
    }

    /** Packets whose VP8 payload (after a 15-bit picture id descriptor: 4 bytes) starts a keyframe. */
    private static long keyframeStartCodes(java.util.List<byte[]> packets) {
        return packets.stream().filter(p -> p.length > 12 + 4 + 6 && (p[12 + 4] & 0x01) == 0
                && (p[12 + 4 + 3] & 0xff) == 0x9d && (p[12 + 4 + 4] & 0xff) == 0x01 && (p[12 + 4 + 5] & 0xff) == 0x2a).count();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void deniedCameraContinuesAudioOnlyAndSaysWhy() {
        try (TestEngine a = new TestEngine(440, dirA, x -> x.videoSource(EngineConfig.VideoSource.camera(null))
                    .cameraPolicy(EngineConfig.CameraPolicy.DENY));
             TestEngine b = new TestEngine(880, dirB)) {
            String sa = a.createSession(SessionOptions.newBuilder().setVideo(true));
            String sb = b.createSession(SessionOptions.newBuilder().setVideo(true));
            assertThat(a.events).anyMatch(e -> e.hasSessionState() && e.getSessionState().getReason().contains("camera use denied by policy"));
            String offer = a.offer(sa);
            assertThat(offer).doesNotContain("m=video");
            a.setAnswer(sa, b.answer(sb, offer));
            a.awaitState(sa, SessionState.State.CONNECTED);
            a.awaitReceived(sa, 50);
            assertThat(video(a, sa).getKind()).isEqualTo(MediaKind.MEDIA_KIND_UNSPECIFIED);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void videoOfferToAnAudioOnlySessionIsRejectedWithPortZero() {
        try (TestEngine a = new TestEngine(440, dirA); TestEngine b = new TestEngine(880, dirB)) {
            String sa = a.createSession(SessionOptions.newBuilder().setVideo(true));
            String sb = b.createSession(SessionOptions.newBuilder());
            String answer = b.answer(sb, a.offer(sa));
            assertThat(answer).contains("m=video 0 ");
            a.setAnswer(sa, answer);
            a.awaitState(sa, SessionState.State.CONNECTED);
            a.awaitReceived(sa, 50);
            assertThat(video(a, sa).getKind()).isEqualTo(MediaKind.MEDIA_KIND_UNSPECIFIED);
        }
    }
}
