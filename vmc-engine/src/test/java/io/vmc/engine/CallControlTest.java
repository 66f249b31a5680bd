package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.SendDtmf;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import io.vmc.transport.proto.SetHold;
import io.vmc.transport.proto.SetMute;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** DTMF, mute, hold/resume and close between two engines, through requests only. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CallControlTest {
    @TempDir Path dirA;
    @TempDir Path dirB;
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

    String[] call(String codec) {
        String sa = a.createSession(SessionOptions.newBuilder().addAudioCodecs(codec));
        String sb = b.createSession(SessionOptions.newBuilder().addAudioCodecs(codec));
        a.setAnswer(sa, b.answer(sb, a.offer(sa)));
        a.awaitState(sa, SessionState.State.CONNECTED);
        b.awaitState(sb, SessionState.State.CONNECTED);
        a.awaitReceived(sa, 20);
        b.awaitReceived(sb, 20);
        return new String[] {sa, sb};
    }

    static List<String> digits(TestEngine e, String sid) {
        return e.events.stream().filter(Event::hasDtmfReceived).map(Event::getDtmfReceived)
                .filter(d -> d.getSessionId().equals(sid)).map(d -> d.getDigit()).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"opus", "PCMU", "G722", "PCMA"})
    void dtmfBothWays(String codec) {
        String[] s = call(codec);
        a.ok(Request.newBuilder().setSendDtmf(SendDtmf.newBuilder().setSessionId(s[0]).setDigits("1#9A").setDurationMs(100)));
        b.ok(Request.newBuilder().setSendDtmf(SendDtmf.newBuilder().setSessionId(s[1]).setDigits("*0")));
        await().atMost(Duration.ofSeconds(10)).until(() -> digits(b, s[1]).size() >= 4 && digits(a, s[0]).size() >= 2);
        assertThat(digits(b, s[1])).containsExactly("1", "#", "9", "A");
        assertThat(digits(a, s[0])).containsExactly("*", "0");
        var d = b.events.stream().filter(Event::hasDtmfReceived).findFirst().orElseThrow().getDtmfReceived();
        assertThat(d.getDurationMs()).isBetween(80, 140);
    }

    @Test
    void muteSilencesTheFarSide() {
        String[] s = call("opus");
        await().atMost(Duration.ofSeconds(5)).until(() -> b.stats(s[1]).getAudioLevelDbov() > -30);
        a.ok(Request.newBuilder().setSetMute(SetMute.newBuilder().setSessionId(s[0]).setMuted(true)));
        await().atMost(Duration.ofSeconds(5)).until(() -> b.stats(s[1]).getAudioLevelDbov() < -70);
        // packets keep flowing while muted (silence, not a gap)
        long before = b.stats(s[1]).getPacketsReceived();
        await().atMost(Duration.ofSeconds(5)).until(() -> b.stats(s[1]).getPacketsReceived() > before + 20);
        // the other direction is untouched
        assertThat(a.stats(s[0]).getAudioLevelDbov()).isGreaterThan(-30);
        a.ok(Request.newBuilder().setSetMute(SetMute.newBuilder().setSessionId(s[0]).setMuted(false)));
        await().atMost(Duration.ofSeconds(5)).until(() -> b.stats(s[1]).getAudioLevelDbov() > -30);
    }

    @Test
    void holdAndResumeByReoffer() {
        String[] s = call("opus");
        String holdOffer = a.ok(Request.newBuilder().setSetHold(SetHold.newBuilder().setSessionId(s[0]).setHold(true)))
                .getDescription().getSdp();
        assertThat(holdOffer).contains("a=sendonly");
        assertThat(a.events.stream().anyMatch(e -> e.hasRenegotiationNeeded()
                && e.getRenegotiationNeeded().getOfferSdp().equals(holdOffer))).isTrue();
        String holdAnswer = b.answer(s[1], holdOffer);
        assertThat(holdAnswer).contains("a=recvonly");
        a.setAnswer(s[0], holdAnswer);
        a.awaitState(s[0], SessionState.State.ON_HOLD);
        b.awaitState(s[1], SessionState.State.ON_HOLD);

        // B no longer sends; A (music on hold side) still does
        long bSent = b.stats(s[1]).getPacketsSent();
        long aSent = a.stats(s[0]).getPacketsSent();
        await().atMost(Duration.ofSeconds(5)).until(() -> a.stats(s[0]).getPacketsSent() > aSent + 50);
        assertThat(b.stats(s[1]).getPacketsSent()).isLessThanOrEqualTo(bSent + 2);

        String resume = a.ok(Request.newBuilder().setSetHold(SetHold.newBuilder().setSessionId(s[0]).setHold(false)))
                .getDescription().getSdp();
        assertThat(resume).contains("a=sendrecv");
        a.setAnswer(s[0], b.answer(s[1], resume));
        a.awaitState(s[0], SessionState.State.CONNECTED);
        b.awaitState(s[1], SessionState.State.CONNECTED);
        long bAfter = b.stats(s[1]).getPacketsSent();
        await().atMost(Duration.ofSeconds(5)).until(() -> b.stats(s[1]).getPacketsSent() > bAfter + 50);
    }

    @Test
    void aCallCanStartOnHoldAsAMovedHeldCallDoes() {
        String sa = a.createSession(SessionOptions.newBuilder().addAudioCodecs("opus"));
        String sb = b.createSession(SessionOptions.newBuilder().addAudioCodecs("opus"));
        String offer = a.ok(Request.newBuilder().setCreateOffer(io.vmc.transport.proto.CreateOffer.newBuilder()
                .setSessionId(sa).setHold(true))).getDescription().getSdp();
        assertThat(offer).contains("a=sendonly");
        a.setAnswer(sa, b.answer(sb, offer));
        a.awaitState(sa, SessionState.State.ON_HOLD);
        b.awaitState(sb, SessionState.State.ON_HOLD);
        await().atMost(Duration.ofSeconds(10)).until(() -> b.stats(sb).getPacketsReceived() > 50);
        assertThat(b.stats(sb).getPacketsSent()).as("the held side's peer sends nothing").isZero();
        // once negotiated, hold goes through SetHold (a re-offer)
        assertThat(a.call(Request.newBuilder().setCreateOffer(io.vmc.transport.proto.CreateOffer.newBuilder()
                .setSessionId(sa).setHold(true))).getError().getCode()).isEqualTo(io.vmc.transport.proto.Error.Code.FAILED_PRECONDITION);
    }

    @Test
    void closeStopsMediaAndForgetsTheSession() {
        String[] s = call("PCMU");
        a.close(s[0]);
        assertThat(a.hasState(s[0], SessionState.State.CLOSED)).isTrue();
        assertThat(a.call(Request.newBuilder().setGetStats(io.vmc.transport.proto.GetStats.newBuilder().setSessionId(s[0])))
                .getError().getCode()).isEqualTo(io.vmc.transport.proto.Error.Code.NOT_FOUND);
        long r1 = b.stats(s[1]).getPacketsReceived();
        await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3)).until(() -> true);
        long r2 = b.stats(s[1]).getPacketsReceived();
        await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3)).until(() -> true);
        assertThat(b.stats(s[1]).getPacketsReceived()).isEqualTo(r2).isLessThanOrEqualTo(r1 + 30);
    }
}
