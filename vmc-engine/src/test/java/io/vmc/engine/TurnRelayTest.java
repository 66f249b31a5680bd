package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vmc.engine.media.ToneAnalyzer;
import io.vmc.transport.proto.CreateOffer;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import io.vmc.transport.proto.StreamStats;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Two engines on 127.0.0.1 with a real coturn as their TURN relay. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TurnRelayTest {
    @TempDir Path turnDir;
    @TempDir Path dirA;
    @TempDir Path dirB;
    private Coturn coturn;

    @BeforeEach
    void startCoturn() throws Exception {
        coturn = new Coturn(turnDir);
    }

    @AfterEach
    void stopCoturn() {
        if (coturn != null) coturn.close();
    }

    private Consumer<EngineConfig.Builder> turn(String password, boolean relayOnly) {
        return b -> b.turnServer(coturn.server(password)).iceRelayOnly(relayOnly);
    }

    @Test
    void relayOnlyCallCarriesMediaThroughTheRelay() throws Exception {
        try (TestEngine a = new TestEngine(440, dirA, turn(Coturn.PASSWORD, true));
             TestEngine b = new TestEngine(880, dirB, turn(Coturn.PASSWORD, true))) {
            String sa = a.createSession(SessionOptions.newBuilder().addAudioCodecs("opus"));
            String sb = b.createSession(SessionOptions.newBuilder().addAudioCodecs("opus"));
            String offer = a.offer(sa);
            assertThat(offer).contains("typ relay raddr 127.0.0.1 rport ").doesNotContain("typ host").doesNotContain("typ srflx");
            String answer = b.answer(sb, offer);
            assertThat(answer).contains("typ relay").doesNotContain("typ host");
            a.setAnswer(sa, answer);

            a.awaitState(sa, SessionState.State.CONNECTED);
            b.awaitState(sb, SessionState.State.CONNECTED);
            a.awaitReceived(sa, 100);
            b.awaitReceived(sb, 100);

            for (StreamStats st : new StreamStats[] {a.stats(sa), b.stats(sb)}) {
                assertThat(st.getLocalCandidateType()).isEqualTo("relay");
                assertThat(st.getRemoteCandidateType()).isEqualTo("relay");
                // both ends of the selected pair are allocations on coturn's relay port range
                assertThat(port(st.getLocalAddress())).isBetween(coturn.minRelayPort, coturn.maxRelayPort);
                assertThat(port(st.getRemoteAddress())).isBetween(coturn.minRelayPort, coturn.maxRelayPort);
                assertThat(st.getFractionLost()).isLessThan(0.05);
            }
            a.close(sa);
            b.close(sb);
            assertThat(ToneAnalyzer.dominantFrequency(a.recording(sa))).isCloseTo(880, within(3.0));
            assertThat(ToneAnalyzer.dominantFrequency(b.recording(sb))).isCloseTo(440, within(3.0));
        }
    }

    @Test
    void relayOnlyVideoCallRelaysVideoToo() {
        try (TestEngine a = new TestEngine(440, dirA, turn(Coturn.PASSWORD, true));
             TestEngine b = new TestEngine(880, dirB, turn(Coturn.PASSWORD, true))) {
            String sa = a.createSession(SessionOptions.newBuilder().setVideo(true));
            String sb = b.createSession(SessionOptions.newBuilder().setVideo(true));
            String offer = a.offer(sa);
            assertThat(offer.substring(offer.indexOf("m=video"))).contains("typ relay").doesNotContain("typ host");
            a.setAnswer(sa, b.answer(sb, offer));
            a.awaitState(sa, SessionState.State.CONNECTED);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).pollInterval(java.time.Duration.ofMillis(100))
                    .until(() -> VideoCallTest.video(a, sa).getFramesDecoded() > 10 && VideoCallTest.video(b, sb).getFramesDecoded() > 10);
            StreamStats v = VideoCallTest.video(a, sa);
            assertThat(v.getLocalCandidateType()).isEqualTo("relay");
            assertThat(port(v.getLocalAddress())).isBetween(coturn.minRelayPort, coturn.maxRelayPort);
        }
    }

    /** The admin's way: a policy file names the relay and forbids other paths; the user's options cannot undo it. */
    @Test
    void policyFileWithRelayOnlyKeepsMediaOnTheRelay(@TempDir Path etc) throws Exception {
        Path password = etc.resolve("turn.password");
        java.nio.file.Files.writeString(password, Coturn.PASSWORD + "\n");
        Path policy = etc.resolve("engine.conf");
        java.nio.file.Files.writeString(policy, "turn.servers = turn:127.0.0.1:" + coturn.port + "?transport=udp\n"
                + "turn.username = " + Coturn.USER + "\nturn.password-file = " + password + "\nice.relay-only = true\n"
                + TestEngine.LOOPBACK_POLICY); // coturn's relay addresses are on 127.0.0.1
        EngineConfig[] configs = new EngineConfig[2];
        Path[] dirs = {dirA, dirB};
        for (int i = 0; i < 2; i++) {
            EngineCommand cmd = new EngineCommand();
            cmd.adminPolicyFile = policy;
            new picocli.CommandLine(cmd).parseArgs("--channel", "unix:/nonexistent",
                    "--ice-address", "127.0.0.1", "--tone", i == 0 ? "440" : "880", "--speaker", "none",
                    "--record-dir", dirs[i].toString(), "--stun", "127.0.0.1:" + coturn.port);
            configs[i] = cmd.config();
        }
        try (TestEngine a = new TestEngine(configs[0], dirA); TestEngine b = new TestEngine(configs[1], dirB)) {
            String sa = a.createSession(SessionOptions.newBuilder());
            String sb = b.createSession(SessionOptions.newBuilder());
            String offer = a.offer(sa);
            assertThat(offer).contains("typ relay").doesNotContain("typ host").doesNotContain("typ srflx");
            a.setAnswer(sa, b.answer(sb, offer));
            a.awaitState(sa, SessionState.State.CONNECTED);
            a.awaitReceived(sa, 50);
            assertThat(a.stats(sa).getLocalCandidateType()).isEqualTo("relay");
            assertThat(b.stats(sb).getLocalCandidateType()).isEqualTo("relay");
        }
    }

    @Test
    void withTurnButNotRelayOnlyBothHostAndRelayCandidatesAreOffered() {
        try (TestEngine a = new TestEngine(440, dirA, turn(Coturn.PASSWORD, false))) {
            String sa = a.createSession(SessionOptions.newBuilder());
            assertThat(a.offer(sa)).contains("typ host").contains("typ relay raddr ");
        }
    }

    @Test
    void wrongPasswordWithRelayOnlyFailsNamingTheServerAndTheCredentials() {
        try (TestEngine a = new TestEngine(440, dirA, turn("not-the-password", true))) {
            String sa = a.createSession(SessionOptions.newBuilder());
            Response r = a.call(Request.newBuilder().setCreateOffer(CreateOffer.newBuilder().setSessionId(sa)));
            assertThat(r.hasError()).isTrue();
            assertThat(r.getError().getMessage())
                    .contains("relay-only")
                    .contains("TURN server turn:127.0.0.1:" + coturn.port)
                    .contains("401")
                    .contains("refused the credentials of user \"vmc\"")
                    .doesNotContain("not-the-password");
            assertThat(a.lastState(sa)).isEqualTo(SessionState.State.FAILED);
        }
    }

    @Test
    void wrongPasswordWithoutRelayOnlyStillCallsOverHostCandidatesAndSaysWhy() {
        try (TestEngine a = new TestEngine(440, dirA, turn("not-the-password", false));
             TestEngine b = new TestEngine(880, dirB)) {
            String sa = a.createSession(SessionOptions.newBuilder());
            String sb = b.createSession(SessionOptions.newBuilder());
            String offer = a.offer(sa);
            assertThat(offer).contains("typ host").doesNotContain("typ relay");
            assertThat(a.events).anySatisfy(e -> assertThat(e.getSessionState().getReason())
                    .contains("TURN server turn:127.0.0.1:" + coturn.port).contains("401").contains("credentials"));
            a.setAnswer(sa, b.answer(sb, offer));
            a.awaitState(sa, SessionState.State.CONNECTED);
            a.awaitReceived(sa, 50);
            assertThat(a.stats(sa).getLocalCandidateType()).isEqualTo("host");
        }
    }

    @Test
    void unreachableTurnServerLeavesHostCandidatesUnlessRelayOnly() throws Exception {
        InetSocketAddress nobody = new InetSocketAddress("127.0.0.1", Coturn.freeUdpPort());
        Consumer<EngineConfig.Builder> dead = b -> b.turnServer(EngineConfig.TurnServer.udp(nobody, "vmc", "secret"));
        try (TestEngine a = new TestEngine(440, dirA, dead); TestEngine b = new TestEngine(880, dirB)) {
            String sa = a.createSession(SessionOptions.newBuilder());
            String sb = b.createSession(SessionOptions.newBuilder());
            String offer = a.offer(sa);
            assertThat(offer).contains("typ host").doesNotContain("typ relay");
            a.setAnswer(sa, b.answer(sb, offer));
            a.awaitState(sa, SessionState.State.CONNECTED);
            a.awaitReceived(sa, 50);
        }
        try (TestEngine a = new TestEngine(440, dirA, dead.andThen(b -> b.iceRelayOnly(true)))) {
            String sa = a.createSession(SessionOptions.newBuilder());
            Response r = a.call(Request.newBuilder().setCreateOffer(CreateOffer.newBuilder().setSessionId(sa)));
            assertThat(r.getError().getMessage()).contains("relay-only")
                    .contains("TURN server turn:127.0.0.1:" + nobody.getPort()).contains("no answer");
        }
    }

    private static int port(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }
}
