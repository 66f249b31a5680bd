package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.transport.proto.CreateAnswer;
import io.vmc.transport.proto.CreateOffer;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.GetStats;
import io.vmc.transport.proto.MediaDirection;
import io.vmc.transport.proto.MediaKind;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.SdpType;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import io.vmc.transport.proto.SetHold;
import io.vmc.transport.proto.SetRemoteDescription;
import io.vmc.transport.proto.StreamStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * JSEP rollback and provisional answers between two real engines, through vmc.v1 only: what a SIP
 * softphone does on a re-INVITE answered 491/488 (rollback), on glare, and on early media (183 with
 * SDP, then 200 OK); and the app's transceiver directions (a receive-only side sends nothing),
 * checked on the peer's receive counters.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class JsepTest {
    @TempDir Path dirA;
    @TempDir Path dirB;
    @TempDir Path dirC;
    TestEngine a;
    TestEngine b;

    @BeforeEach
    void engines() {
        a = new TestEngine(440, dirA);
        b = new TestEngine(880, dirB);
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
    }

    private String[] call() {
        String sa = a.createSession(SessionOptions.newBuilder().addAudioCodecs("opus"));
        String sb = b.createSession(SessionOptions.newBuilder().addAudioCodecs("opus"));
        a.setAnswer(sa, b.answer(sb, a.offer(sa)));
        a.awaitState(sa, SessionState.State.CONNECTED);
        b.awaitState(sb, SessionState.State.CONNECTED);
        a.awaitReceived(sa, 20);
        b.awaitReceived(sb, 20);
        return new String[] {sa, sb};
    }

    private static Response remote(TestEngine e, String sid, SdpType type, String sdp) {
        return e.call(Request.newBuilder().setSetRemoteDescription(SetRemoteDescription.newBuilder()
                .setSessionId(sid).setType(type).setSdp(sdp)));
    }

    private static void ok(Response r) {
        assertThat(r.hasError()).as("error: %s", r.getError().getMessage()).isFalse();
    }

    private static void refused(Response r, Error.Code code, String text) {
        assertThat(r.getError().getCode()).as("%s", r).isEqualTo(code);
        assertThat(r.getError().getMessage()).contains(text);
    }

    /** Both directions keep receiving: more than {@code n} new packets each way. */
    private void mediaFlowsBothWays(String sa, String sb, int n) {
        long ra = a.stats(sa).getPacketsReceived();
        long rb = b.stats(sb).getPacketsReceived();
        await().atMost(Duration.ofSeconds(10)).until(() -> a.stats(sa).getPacketsReceived() > ra + n
                && b.stats(sb).getPacketsReceived() > rb + n);
    }

    @Test
    void aHoldReofferAnswered491IsRolledBackAndTheCallGoesOnAndRenegotiatesLater() {
        String[] s = call();
        String hold = a.ok(Request.newBuilder().setSetHold(SetHold.newBuilder().setSessionId(s[0]).setHold(true)))
                .getDescription().getSdp();
        assertThat(hold).contains("a=sendonly");
        // the peer answers the re-INVITE 491: A rolls its offer back
        ok(remote(a, s[0], SdpType.ROLLBACK, ""));
        mediaFlowsBothWays(s[0], s[1], 50); // A receives again: the hold was undone on the flow
        assertThat(a.lastState(s[0])).isEqualTo(SessionState.State.CONNECTED);
        // the next offer is not "glare": it negotiates as usual
        String again = a.ok(Request.newBuilder().setSetHold(SetHold.newBuilder().setSessionId(s[0]).setHold(true)))
                .getDescription().getSdp();
        a.setAnswer(s[0], b.answer(s[1], again));
        a.awaitState(s[0], SessionState.State.ON_HOLD);
        b.awaitState(s[1], SessionState.State.ON_HOLD);
    }

    @Test
    void anIceRestartOfferRolledBackLeavesMediaOnTheOldPair() {
        String[] s = call();
        String restart = a.ok(Request.newBuilder().setCreateOffer(CreateOffer.newBuilder().setSessionId(s[0]).setIceRestart(true)))
                .getDescription().getSdp();
        assertThat(restart).contains("a=ice-ufrag:");
        String before = a.stats(s[0]).getLocalAddress();
        ok(remote(a, s[0], SdpType.ROLLBACK, ""));
        mediaFlowsBothWays(s[0], s[1], 50);
        assertThat(a.stats(s[0]).getLocalAddress()).isEqualTo(before);
        a.setAnswer(s[0], b.answer(s[1], a.offer(s[0])));
        mediaFlowsBothWays(s[0], s[1], 50);
    }

    @Test
    void glareIsResolvedByRollingBackTheLocalOfferAndAnsweringThePeers() {
        String[] s = call();
        a.offer(s[0]); // A's re-INVITE ...
        String bOffer = b.ok(Request.newBuilder().setSetHold(SetHold.newBuilder().setSessionId(s[1]).setHold(true)))
                .getDescription().getSdp(); // ... crosses B's
        refused(remote(a, s[0], SdpType.OFFER, bOffer), Error.Code.FAILED_PRECONDITION, "glare");
        ok(remote(a, s[0], SdpType.ROLLBACK, ""));
        ok(remote(a, s[0], SdpType.OFFER, bOffer));
        String answer = a.ok(Request.newBuilder().setCreateAnswer(CreateAnswer.newBuilder().setSessionId(s[0])))
                .getDescription().getSdp();
        assertThat(answer).contains("a=recvonly");
        b.setAnswer(s[1], answer);
        a.awaitState(s[0], SessionState.State.ON_HOLD);
        b.awaitState(s[1], SessionState.State.ON_HOLD);
    }

    @Test
    void aPeersReofferRejected488IsRolledBackAndTheCallStaysAsItWas() {
        String[] s = call();
        String bOffer = b.ok(Request.newBuilder().setSetHold(SetHold.newBuilder().setSessionId(s[1]).setHold(true)))
                .getDescription().getSdp();
        ok(remote(a, s[0], SdpType.OFFER, bOffer));
        ok(remote(a, s[0], SdpType.ROLLBACK, "")); // A answers 488
        ok(remote(b, s[1], SdpType.ROLLBACK, "")); // B got the 488
        mediaFlowsBothWays(s[0], s[1], 50);
        assertThat(a.lastState(s[0])).isEqualTo(SessionState.State.CONNECTED);
        assertThat(b.lastState(s[1])).isEqualTo(SessionState.State.CONNECTED);
        a.setAnswer(s[0], b.answer(s[1], a.offer(s[0]))); // and A may offer now
        mediaFlowsBothWays(s[0], s[1], 50);
    }

    @Test
    void earlyMediaFlowsAfterAProvisionalAnswerAndTheSameFinalAnswerKeepsIt() {
        String sa = a.createSession(SessionOptions.newBuilder().addAudioCodecs("opus"));
        String sb = b.createSession(SessionOptions.newBuilder().addAudioCodecs("opus"));
        String answer = b.answer(sb, a.offer(sa));
        ok(remote(a, sa, SdpType.PRANSWER, answer)); // 183 Session Progress with SDP
        a.awaitState(sa, SessionState.State.CONNECTED);
        a.awaitReceived(sa, 50); // the ring-back tone / announcement
        refused(remote(a, sa, SdpType.ROLLBACK, ""), Error.Code.FAILED_PRECONDITION, "have-remote-pranswer");
        refused(a.call(Request.newBuilder().setCreateOffer(CreateOffer.newBuilder().setSessionId(sa))),
                Error.Code.FAILED_PRECONDITION, "provisional answer");
        String local = a.stats(sa).getLocalAddress();
        ok(remote(a, sa, SdpType.ANSWER, answer)); // 200 OK with the same SDP
        mediaFlowsBothWays(sa, sb, 50);
        assertThat(a.stats(sa).getLocalAddress()).isEqualTo(local);
        // stable again: a re-offer works
        a.setAnswer(sa, b.answer(sb, a.offer(sa)));
        mediaFlowsBothWays(sa, sb, 50);
    }

    @Test
    void aSendOnlyProvisionalAnswerThenADifferentFinalAnswerTakesOver() {
        String sa = a.createSession(SessionOptions.newBuilder().addAudioCodecs("opus"));
        String sb = b.createSession(SessionOptions.newBuilder().addAudioCodecs("opus"));
        String answer = b.answer(sb, a.offer(sa));
        assertThat(answer).contains("a=sendrecv");
        // early media only from the callee (an announcement): its 183 says sendonly
        ok(remote(a, sa, SdpType.PRANSWER, answer.replace("a=sendrecv", "a=sendonly")));
        a.awaitReceived(sa, 50);
        assertThat(b.stats(sb).getPacketsReceived()).as("A sends nothing during sendonly early media").isZero();
        assertThat(a.stats(sa).getPacketsSent()).isZero();
        ok(remote(a, sa, SdpType.ANSWER, answer)); // the 200 OK: both ways
        b.awaitReceived(sb, 50);
        mediaFlowsBothWays(sa, sb, 50);
    }

    @Test
    void forkedEarlyAnswersFromAnotherAnswererAreRefusedByNameAndTheFirstForkGoesOn() {
        try (TestEngine c = new TestEngine(660, dirC)) {
            String sa = a.createSession(SessionOptions.newBuilder().addAudioCodecs("opus"));
            String sb = b.createSession(SessionOptions.newBuilder().addAudioCodecs("opus"));
            String sc = c.createSession(SessionOptions.newBuilder().addAudioCodecs("opus"));
            String offer = a.offer(sa);
            String fromB = b.answer(sb, offer);
            String fromC = c.answer(sc, offer);
            ok(remote(a, sa, SdpType.PRANSWER, fromB));
            a.awaitReceived(sa, 20);
            refused(remote(a, sa, SdpType.PRANSWER, fromC), Error.Code.FAILED_PRECONDITION, "forked early answer refused");
            refused(remote(a, sa, SdpType.ANSWER, fromC), Error.Code.FAILED_PRECONDITION, "another answerer");
            ok(remote(a, sa, SdpType.ANSWER, fromB));
            mediaFlowsBothWays(sa, sb, 50);
        }
    }

    @Test
    void outOfStateAndMalformedStepsAreRefusedClearly() {
        String sa = a.createSession(SessionOptions.newBuilder().addAudioCodecs("opus"));
        String sb = b.createSession(SessionOptions.newBuilder().addAudioCodecs("opus"));
        refused(remote(a, sa, SdpType.ROLLBACK, ""), Error.Code.FAILED_PRECONDITION, "nothing to roll back");
        a.offer(sa); // a first offer that crossed the peer's INVITE: rolled back, A answers instead (below)
        ok(remote(a, sa, SdpType.ROLLBACK, ""));
        String bOffer = b.offer(sb);
        refused(remote(a, sa, SdpType.PRANSWER, bOffer), Error.Code.FAILED_PRECONDITION, "no local offer");
        refused(remote(a, sa, SdpType.SDP_TYPE_UNSPECIFIED, bOffer), Error.Code.INVALID_ARGUMENT, "type must be");
        refused(remote(a, sa, SdpType.PRANSWER, ""), Error.Code.INVALID_ARGUMENT, "sdp is empty");
        ok(remote(a, sa, SdpType.OFFER, bOffer));
        refused(remote(a, sa, SdpType.ANSWER, bOffer), Error.Code.FAILED_PRECONDITION, "CreateAnswer");
        refused(a.call(Request.newBuilder().setCreateOffer(CreateOffer.newBuilder().setSessionId(sa))),
                Error.Code.FAILED_PRECONDITION, "roll it back");
        ok(remote(a, sa, SdpType.ROLLBACK, ""));
        refused(remote(a, sa, SdpType.ROLLBACK, ""), Error.Code.FAILED_PRECONDITION, "nothing to roll back");
        // after all that the session still negotiates
        b.setAnswer(sb, a.answer(sa, bOffer));
        b.awaitState(sb, SessionState.State.CONNECTED);
        a.awaitReceived(sa, 20);
    }

    @Test
    void aReceiveOnlySideSendsNothingOfThatKindOnTheWire() {
        try (TestEngine va = new TestEngine(440, dirA, x -> x.videoSource(EngineConfig.VideoSource.testPattern("smpte")));
             TestEngine vb = new TestEngine(880, dirB, x -> x.videoSource(EngineConfig.VideoSource.testPattern("ball")))) {
            String sa = va.createSession(SessionOptions.newBuilder().setVideo(true));
            String sb = vb.createSession(SessionOptions.newBuilder().setVideo(true));
            String offer = va.ok(Request.newBuilder().setCreateOffer(CreateOffer.newBuilder().setSessionId(sa)
                    .setAudioDirection(MediaDirection.RECVONLY).setVideoDirection(MediaDirection.RECVONLY))).getDescription().getSdp();
            assertThat(offer).doesNotContain("a=sendrecv").contains("a=recvonly");
            String answer = vb.answer(sb, offer);
            assertThat(answer).contains("a=sendonly").doesNotContain("a=sendrecv");
            va.setAnswer(sa, answer);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> kind(va, sa, MediaKind.VIDEO).getPacketsReceived() > 50 && kind(va, sa, MediaKind.AUDIO).getPacketsReceived() > 50);
            assertThat(kind(vb, sb, MediaKind.AUDIO).getPacketsReceived()).as("audio the receive-only side sent").isZero();
            assertThat(kind(vb, sb, MediaKind.VIDEO).getPacketsReceived()).as("video the receive-only side sent").isZero();
            assertThat(kind(va, sa, MediaKind.AUDIO).getPacketsSent()).isZero();
            assertThat(kind(va, sa, MediaKind.VIDEO).getPacketsSent()).isZero();
            // one-way by design is not a hold, on either side
            assertThat(va.lastState(sa)).isEqualTo(SessionState.State.CONNECTED);
            assertThat(vb.lastState(sb)).isEqualTo(SessionState.State.CONNECTED);

            // The answering side too: B answers a sendrecv offer with audio inactive and video recvonly.
            String sa2 = va.createSession(SessionOptions.newBuilder().setVideo(true));
            String sb2 = vb.createSession(SessionOptions.newBuilder().setVideo(true));
            String answer2 = vb.ok(Request.newBuilder().setCreateAnswer(CreateAnswer.newBuilder().setSessionId(sb2)
                    .setRemoteSdp(va.offer(sa2)).setAudioDirection(MediaDirection.INACTIVE).setVideoDirection(MediaDirection.RECVONLY)))
                    .getDescription().getSdp();
            assertThat(answer2).contains("a=inactive").contains("a=recvonly");
            va.setAnswer(sa2, answer2);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> kind(vb, sb2, MediaKind.VIDEO).getPacketsReceived() > 50);
            assertThat(kind(va, sa2, MediaKind.VIDEO).getPacketsReceived()).isZero();
            assertThat(kind(va, sa2, MediaKind.AUDIO).getPacketsReceived()).isZero();
            assertThat(kind(vb, sb2, MediaKind.AUDIO).getPacketsReceived()).as("inactive: nothing either way").isZero();
            assertThat(vb.lastState(sb2)).as("its own app's inactive audio is no hold").isEqualTo(SessionState.State.CONNECTED);
        }
    }

    private static StreamStats kind(TestEngine e, String sid, MediaKind k) {
        return e.ok(Request.newBuilder().setGetStats(GetStats.newBuilder().setSessionId(sid))).getStats().getStreamsList().stream()
                .filter(x -> x.getKind() == k).findFirst().orElse(StreamStats.getDefaultInstance());
    }
}
