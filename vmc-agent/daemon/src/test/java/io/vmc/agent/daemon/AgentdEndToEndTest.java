package io.vmc.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vmc.agent.api.MediaSession;
import io.vmc.agent.api.MediaSessionListener;
import io.vmc.agent.api.Mode;
import io.vmc.agent.api.ModeReason;
import io.vmc.agent.api.SdpType;
import io.vmc.agent.api.SessionOptions;
import io.vmc.agent.api.SessionState;
import io.vmc.agent.api.SessionStats;
import io.vmc.agent.api.Vmc;
import io.vmc.agent.api.VmcException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The API against a real agentd and a real MediaEngine, over real unix sockets, media on 127.0.0.1. */
@Timeout(60)
class AgentdEndToEndTest {
    @TempDir
    Path dir;

    @Test
    void twoSessionsCallEachOtherThroughTheEngine() throws Exception {
        try (EngineSide engine = new EngineSide(dir.resolve("engine.sock"), 440);
                AgentDaemon agentd = AgentDaemon.start(AgentdHarness.options(dir));
                Vmc vmc = Vmc.connect(dir.resolve("agent.sock"))) {
            assertThat(Files.getPosixFilePermissions(dir.resolve("agent.sock"))).isEqualTo(PosixFilePermissions.fromString("rw-rw----"));
            await().atMost(Duration.ofSeconds(10)).until(() -> vmc.mode() == Mode.OPTIMIZED);
            assertThat(vmc.modeReason()).isEqualTo(ModeReason.ENGINE_CONNECTED);
            assertThat(vmc.status().engineSoftware()).isEqualTo("vmc-engine/test");

            MediaSession a = vmc.newSession(SessionOptions.audioOnly());
            MediaSession b = vmc.newSession(SessionOptions.builder().audio(true).label("callee").build());
            List<Character> digits = new CopyOnWriteArrayList<>();
            List<SessionStats> pushed = new CopyOnWriteArrayList<>();
            b.addListener(new MediaSessionListener() {
                @Override
                public void onDtmf(MediaSession s, char digit, int durationMs) {
                    digits.add(digit);
                }

                @Override
                public void onStats(MediaSession s, SessionStats stats) {
                    pushed.add(stats);
                }
            });
            List<SessionStats> pushedToA = new CopyOnWriteArrayList<>();
            a.addListener(new MediaSessionListener() {
                @Override
                public void onStats(MediaSession s, SessionStats stats) {
                    pushedToA.add(stats);
                }
            });
            b.setStatsInterval(Duration.ofSeconds(1)); // only b asks for pushed stats
            String offer = a.createOfferAsync().get();
            assertThat(offer).contains("a=ice-ufrag").contains("127.0.0.1");
            String answer = b.createAnswer(offer);
            a.setRemoteDescription(SdpType.ANSWER, answer);
            await().atMost(Duration.ofSeconds(15)).until(() -> a.state() == SessionState.CONNECTED && b.state() == SessionState.CONNECTED);
            await().atMost(Duration.ofSeconds(10)).until(() -> a.stats().audio().orElseThrow().packetsReceived() > 50);
            assertThat(a.stats().audio().orElseThrow().encrypted()).isTrue();
            await().until(() -> pushed.size() >= 2);
            assertThat(pushed.get(0).sessionId()).isEqualTo(b.id());
            assertThat(pushedToA).as("a did not ask for pushed stats").isEmpty();
            assertThatThrownBy(() -> b.setStatsInterval(Duration.ofMillis(200))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("between PT1S and PT1H");

            a.sendDtmf("1#");
            await().atMost(Duration.ofSeconds(10)).until(() -> digits.size() >= 2);
            assertThat(digits).containsExactly('1', '#');

            a.setMute(true);
            assertThat(a.isMuted()).isTrue();
            List<String> reoffers = new CopyOnWriteArrayList<>();
            a.addListener(new MediaSessionListener() {
                @Override
                public void onRenegotiationNeeded(MediaSession s, String newOffer, String reason) {
                    reoffers.add(reason + "|" + newOffer);
                }
            });
            a.hold(); // the engine re-offers sendonly: the app re-INVITEs with it
            await().until(() -> reoffers.size() == 1);
            assertThat(reoffers.get(0)).startsWith("hold|").contains("a=sendonly");
            a.setRemoteDescription(SdpType.ANSWER, b.createAnswer(reoffers.get(0).substring(5)));
            a.resume();
            await().until(() -> reoffers.size() == 2);
            a.setRemoteDescription(SdpType.ANSWER, b.createAnswer(reoffers.get(1).substring(reoffers.get(1).indexOf('|') + 1)));

            assertThat(engine.engine.sessionIds()).hasSize(2);
            a.close();
            b.close();
            await().until(() -> engine.engine.sessionIds().isEmpty());
            assertThatThrownBy(a::createOffer).isInstanceOf(VmcException.class);
        }
    }

    @Test
    void theAsyncFormsDoWhatTheBlockingFormsDo() throws Exception {
        try (EngineSide engine = new EngineSide(dir.resolve("engine.sock"), 440);
                AgentDaemon agentd = AgentDaemon.start(AgentdHarness.options(dir));
                Vmc vmc = Vmc.connect(dir.resolve("agent.sock"))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> vmc.mode() == Mode.OPTIMIZED);
            assertThat(vmc.statusAsync().get().engineSoftware()).isEqualTo("vmc-engine/test");
            assertThat(vmc.devicesAsync().get()).isEqualTo(vmc.devices());

            MediaSession a = vmc.newSessionAsync(SessionOptions.audioOnly()).get();
            MediaSession b = vmc.newSessionAsync(SessionOptions.audioOnly()).get();
            List<Character> digits = new CopyOnWriteArrayList<>();
            b.addListener(new MediaSessionListener() {
                @Override
                public void onDtmf(MediaSession s, char digit, int durationMs) {
                    digits.add(digit);
                }
            });
            List<String> reoffers = new CopyOnWriteArrayList<>();
            a.addListener(new MediaSessionListener() {
                @Override
                public void onRenegotiationNeeded(MediaSession s, String newOffer, String reason) {
                    reoffers.add(reason + "|" + newOffer);
                }
            });
            String offer = a.createOfferAsync().get();
            String answer = b.createAnswerAsync(offer).get();
            a.setRemoteDescriptionAsync(SdpType.ANSWER, answer).get();
            await().atMost(Duration.ofSeconds(15)).until(() -> a.state() == SessionState.CONNECTED && b.state() == SessionState.CONNECTED);

            a.sendDtmfAsync("5").get();
            await().atMost(Duration.ofSeconds(10)).until(() -> digits.size() >= 1);
            assertThat(digits).containsExactly('5');
            a.setMuteAsync(true).get();
            assertThat(a.isMuted()).isTrue();

            a.holdAsync().get();
            await().until(() -> reoffers.size() == 1);
            assertThat(reoffers.get(0)).startsWith("hold|").contains("a=sendonly");
            a.setRemoteDescriptionAsync(SdpType.ANSWER, b.createAnswer(reoffers.get(0).substring(5))).get();
            a.resumeAsync().get();
            await().until(() -> reoffers.size() == 2);
            assertThat(reoffers.get(1)).startsWith("resume|");
            a.setRemoteDescription(SdpType.ANSWER, b.createAnswer(reoffers.get(1).substring(7)));

            String restart = a.createIceRestartOffer();
            assertThat(restart).contains("a=ice-ufrag").doesNotContain(iceUfrag(offer));
            assertThatThrownBy(() -> a.sendDtmfAsync("x")).isInstanceOf(IllegalArgumentException.class)
                    .as("invalid arguments throw at once in the async form too").hasMessageContaining("digits");

            a.closeAsync().get();
            b.closeAsync().get();
            await().until(() -> engine.engine.sessionIds().isEmpty());
            assertThatThrownBy(() -> a.createOfferAsync().get()).hasCauseInstanceOf(VmcException.class);
        }
    }

    private static String iceUfrag(String sdp) {
        return sdp.lines().filter(l -> l.startsWith("a=ice-ufrag:")).findFirst().orElseThrow();
    }

    @Test
    void anAppThatGoesAwayLosesItsSessionsOnTheEngine() throws Exception {
        try (EngineSide engine = new EngineSide(dir.resolve("engine.sock"), 440);
                AgentDaemon agentd = AgentDaemon.start(AgentdHarness.options(dir));
                Vmc survivor = Vmc.connect(dir.resolve("agent.sock"))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> survivor.mode() == Mode.OPTIMIZED);
            Vmc doomed = Vmc.connect(dir.resolve("agent.sock"));
            doomed.newSession(SessionOptions.audioOnly()).createOffer();
            doomed.newSession(SessionOptions.audioOnly());
            MediaSession kept = survivor.newSession(SessionOptions.audioOnly());
            assertThat(engine.engine.sessionIds()).hasSize(3);
            doomed.close(); // the socket closes like a crashed process's would
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.engine.sessionIds().size() == 1);
            assertThat(kept.createOffer()).isNotEmpty();
            assertThat(agentd.core().sessionCount()).isEqualTo(1);
        }
    }

    @Test
    void anAgentdRestartFailsTheOldSessionsAndTheAppCarriesOn() throws Exception {
        try (EngineSide engine = new EngineSide(dir.resolve("engine.sock"), 440)) {
            AgentDaemon first = AgentDaemon.start(AgentdHarness.options(dir));
            try (Vmc vmc = Vmc.connect(dir.resolve("agent.sock"))) {
                await().atMost(Duration.ofSeconds(10)).until(() -> vmc.mode() == Mode.OPTIMIZED);
                MediaSession old = vmc.newSession(SessionOptions.audioOnly());
                List<String> states = new CopyOnWriteArrayList<>();
                old.addListener(new MediaSessionListener() {
                    @Override
                    public void onStateChange(MediaSession s, SessionState st, String why) {
                        states.add(st + ":" + why);
                    }
                });
                first.close();
                await().atMost(Duration.ofSeconds(10)).until(() -> engine.engine.sessionIds().isEmpty());
                try (AgentDaemon second = AgentDaemon.start(AgentdHarness.options(dir))) {
                    await().atMost(Duration.ofSeconds(15)).until(() -> old.state() == SessionState.FAILED);
                    assertThat(states).anyMatch(s -> s.startsWith("FAILED:") && s.contains("re-established"));
                    await().atMost(Duration.ofSeconds(10)).until(() -> vmc.mode() == Mode.OPTIMIZED);
                    assertThat(vmc.newSession(SessionOptions.audioOnly()).createOffer()).contains("m=audio");
                }
            }
        }
    }
}
