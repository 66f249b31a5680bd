package io.vmc.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vmc.agent.api.MediaSession;
import io.vmc.agent.api.Mode;
import io.vmc.agent.api.SdpType;
import io.vmc.agent.api.SessionOptions;
import io.vmc.agent.api.SessionState;
import io.vmc.agent.api.Vmc;
import io.vmc.agent.api.VmcException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Java API's rollback and provisional answers against a real agentd, with a real engine
 * (OPTIMIZED) and with agentd's own media core (FALLBACK): a re-INVITE answered 491, early media
 * then the 200 OK, and out-of-state steps refused with FAILED_PRECONDITION.
 */
@Timeout(90)
class RollbackAndPranswerTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"OPTIMIZED", "FALLBACK"})
    void aRolledBackReofferLeavesTheCallUsableAndEarlyMediaThenTheFinalAnswerWork(Mode mode) throws Exception {
        try (EngineSide engine = mode == Mode.OPTIMIZED ? new EngineSide(dir.resolve("engine.sock"), 440) : null;
                AgentDaemon agentd = AgentDaemon.start(AgentdHarness.options(dir));
                Vmc vmc = Vmc.connect(dir.resolve("agent.sock"))) {
            await().atMost(Duration.ofSeconds(20)).until(() -> vmc.mode() == mode);
            MediaSession a = vmc.newSession(SessionOptions.audioOnly());
            MediaSession b = vmc.newSession(SessionOptions.audioOnly());

            assertThatThrownBy(a::rollback).isInstanceOfSatisfying(VmcException.class,
                    e -> assertThat(e.reason()).isEqualTo(VmcException.Reason.FAILED_PRECONDITION)).hasMessageContaining("nothing to roll back");
            assertThatThrownBy(() -> a.setRemoteDescription(SdpType.PRANSWER, b.createOffer()))
                    .isInstanceOfSatisfying(VmcException.class, e -> assertThat(e.reason()).isEqualTo(VmcException.Reason.FAILED_PRECONDITION));
            b.rollback(); // b's offer above was never sent

            // early media: 183 with SDP, then the 200 OK with the same SDP
            String answer = b.createAnswer(a.createOffer());
            a.setRemoteDescription(SdpType.PRANSWER, answer);
            await().atMost(Duration.ofSeconds(20)).until(() -> a.stats().audio().map(s -> s.packetsReceived()).orElse(0L) > 50);
            assertThatThrownBy(a::rollback).isInstanceOf(VmcException.class).hasMessageContaining("have-remote-pranswer");
            a.setRemoteDescriptionAsync(SdpType.ANSWER, answer).get();
            await().atMost(Duration.ofSeconds(15)).until(() -> a.state() == SessionState.CONNECTED && b.state() == SessionState.CONNECTED);

            // a hold re-INVITE answered 491: rolled back, media goes on both ways, the next offer negotiates
            a.hold();
            a.rollbackAsync().get();
            long ra = a.stats().audio().orElseThrow().packetsReceived();
            long rb = b.stats().audio().orElseThrow().packetsReceived();
            await().atMost(Duration.ofSeconds(15)).until(() -> a.stats().audio().orElseThrow().packetsReceived() > ra + 50
                    && b.stats().audio().orElseThrow().packetsReceived() > rb + 50);
            String reoffer = a.createOffer();
            a.setRemoteDescription(SdpType.ANSWER, b.createAnswer(reoffer));
            assertThat(a.state()).isEqualTo(SessionState.CONNECTED);
        }
    }
}
