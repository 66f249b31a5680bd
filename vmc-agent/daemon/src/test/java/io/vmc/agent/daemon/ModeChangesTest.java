package io.vmc.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.agent.api.MediaSession;
import io.vmc.agent.api.MediaSessionListener;
import io.vmc.agent.api.Mode;
import io.vmc.agent.api.ModeChange;
import io.vmc.agent.api.ModeReason;
import io.vmc.agent.api.SdpType;
import io.vmc.agent.api.SessionOptions;
import io.vmc.agent.api.SessionState;
import io.vmc.agent.api.Vmc;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Mode and reason as the app sees them, with a real agentd, real engines and a real peer. */
@Timeout(90)
class ModeChangesTest {
    @TempDir
    Path dir;

    @Test
    void withoutAnEngineCallsRunInTheVm() throws Exception {
        try (AgentDaemon agentd = AgentDaemon.start(AgentdHarness.options(dir));
                Vmc vmc = Vmc.connect(dir.resolve("agent.sock"));
                Peer peer = new Peer(880)) {
            assertThat(vmc.mode()).isEqualTo(Mode.FALLBACK);
            assertThat(vmc.modeReason()).isEqualTo(ModeReason.NO_ENGINE);
            assertThat(vmc.modeInfo().detail()).contains("engine.sock");
            MediaSession call = vmc.newSession(SessionOptions.audioOnly());
            call.setRemoteDescription(SdpType.ANSWER, peer.answer(call.createOffer()));
            await().atMost(Duration.ofSeconds(15)).until(() -> call.state() == SessionState.CONNECTED);
            await().atMost(Duration.ofSeconds(10)).until(() -> peer.packetsReceived() > 50);
            assertThat(agentd.fallbackStarted()).isTrue();
            assertThat(agentd.core().sessionsByBackend()).containsOnlyKeys("fallback");
        }
    }

    @Test
    void anIncompatibleEngineIsNamedAsTheReason() throws Exception {
        try (EngineSide engine = new EngineSide(dir.resolve("engine.sock"), 440, 5, 6);
                AgentDaemon agentd = AgentDaemon.start(AgentdHarness.options(dir));
                Vmc vmc = Vmc.connect(dir.resolve("agent.sock"))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> vmc.modeReason() == ModeReason.ENGINE_INCOMPATIBLE);
            assertThat(vmc.mode()).isEqualTo(Mode.FALLBACK);
            assertThat(vmc.modeInfo().detail()).contains("5").contains("1");
            assertThat(vmc.status().engineSoftware()).isEmpty();
        }
    }

    @Test
    void aVmWithoutTheVirtioPortSaysNoChannel() throws Exception {
        AgentDaemon.Options o = AgentdHarness.options(dir);
        o.channel = "virtio:org.spice-space.vmc.test-absent";
        try (AgentDaemon agentd = AgentDaemon.start(o); Vmc vmc = Vmc.connect(dir.resolve("agent.sock"))) {
            assertThat(vmc.modeReason()).isEqualTo(ModeReason.NO_CHANNEL);
            assertThat(vmc.modeInfo().detail()).contains("org.spice-space.vmc.test-absent");
        }
    }

    @Test
    void optimizationForbiddenByPolicy() throws Exception {
        AgentDaemon.Options o = AgentdHarness.options(dir);
        o.forbidOptimization = true;
        try (EngineSide engine = new EngineSide(dir.resolve("engine.sock"), 440);
                AgentDaemon agentd = AgentDaemon.start(o);
                Vmc vmc = Vmc.connect(dir.resolve("agent.sock"))) {
            assertThat(vmc.modeReason()).isEqualTo(ModeReason.POLICY_FORBIDS);
            assertThat(vmc.newSession(SessionOptions.audioOnly()).createOffer()).contains("m=audio");
            assertThat(engine.engine.sessionIds()).isEmpty();
        }
    }

    @Test
    void engineLostMidCallAndBackRenegotiatesEachTime() throws Exception {
        Path engineSock = dir.resolve("engine.sock");
        EngineSide engine = new EngineSide(engineSock, 440);
        try (AgentDaemon agentd = AgentDaemon.start(AgentdHarness.options(dir));
                Vmc vmc = Vmc.connect(dir.resolve("agent.sock"));
                Peer peer = new Peer(880)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> vmc.mode() == Mode.OPTIMIZED);
            List<ModeChange> modes = new CopyOnWriteArrayList<>();
            vmc.addModeListener(modes::add);
            List<String> offers = new CopyOnWriteArrayList<>();
            MediaSession call = vmc.newSession(SessionOptions.audioOnly());
            call.addListener(new MediaSessionListener() {
                @Override
                public void onRenegotiationNeeded(MediaSession s, String newOffer, String reason) {
                    // what a softphone does: re-INVITE, apply the answer (blocking calls are fine here)
                    try {
                        s.setRemoteDescription(SdpType.ANSWER, peer.answer(newOffer));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    offers.add(newOffer);
                }
            });
            call.setRemoteDescription(SdpType.ANSWER, peer.answer(call.createOffer()));
            await().atMost(Duration.ofSeconds(15)).until(() -> call.state() == SessionState.CONNECTED);
            assertThat(engine.engine.sessionIds()).hasSize(1);

            engine.close(); // the thin client's engine goes away mid-call
            await().atMost(Duration.ofSeconds(10)).until(() -> offers.size() == 1);
            assertThat(modes).extracting(ModeChange::reason).containsExactly(ModeReason.ENGINE_LOST);
            assertThat(agentd.core().sessionsByBackend()).containsOnlyKeys("fallback");
            // the far end answered the re-INVITE in its running session: ICE restart there, same call
            String peerSession = peer.sessionId;
            await().atMost(Duration.ofSeconds(15)).until(() -> peer.iceRestarts() == 1);
            long before = peer.packetsReceived();
            await().atMost(Duration.ofSeconds(15)).until(() -> peer.packetsReceived() > before + 50); // media from the VM now

            engine = new EngineSide(engineSock, 440); // and comes back
            await().atMost(Duration.ofSeconds(15)).until(() -> offers.size() == 2);
            await().until(() -> modes.size() == 2);
            assertThat(modes.get(1).mode()).isEqualTo(Mode.OPTIMIZED);
            assertThat(modes.get(1).reason()).isEqualTo(ModeReason.ENGINE_CONNECTED);
            EngineSide e2 = engine;
            await().atMost(Duration.ofSeconds(10)).until(() -> e2.engine.sessionIds().size() == 1);
            await().atMost(Duration.ofSeconds(15)).until(() -> e2.engine.counters(e2.engine.sessionIds().get(0)).get("packetsReceived") > 50);
            assertThat(agentd.core().sessionsByBackend()).containsOnlyKeys("engine");
            await().atMost(Duration.ofSeconds(15)).until(() -> peer.iceRestarts() == 2);
            long back = peer.packetsReceived();
            await().atMost(Duration.ofSeconds(15)).until(() -> peer.packetsReceived() > back + 50); // from the client again
            assertThat(peer.sessionId).isEqualTo(peerSession);
            assertThat(call.state()).isNotIn(SessionState.FAILED, SessionState.CLOSED);
        } finally {
            engine.close();
        }
    }
}
