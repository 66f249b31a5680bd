package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.vmc.engine.media.ToneAnalyzer;
import io.vmc.transport.proto.CloseSession;
import io.vmc.transport.proto.CreateAnswer;
import io.vmc.transport.proto.CreateSession;
import io.vmc.transport.proto.MediaKind;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import io.vmc.transport.proto.StreamStats;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A realistic topology: engine B runs as {@code vmc engine} in its own network namespace behind a
 * veth pair, driven over its vmc.v1 channel; engine A runs here. Media goes over the veth link.
 */
class NamespaceCallTest {
    @TempDir Path dir;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void enginesInSeparateNamespacesCallEachOther() throws Exception {
        EngineInNamespace.requireRoot();
        Path recB = Files.createDirectories(dir.resolve("b"));
        Path recA = Files.createDirectories(dir.resolve("a"));
        try (EngineInNamespace b = EngineInNamespace.start("vmce", dir.resolve("engine-b.log"),
                     List.of("-Dice4j.consent-freshness.interval=1 second"),
                     List.of("--tone", "880", "--record-dir", recB.toString()));
             TestEngine a = new TestEngine(440, recA, InetAddress.getByName(b.hostAddress), c -> { })) {
            String sb = b.call(Request.newBuilder().setCreateSession(CreateSession.newBuilder()
                    .setOptions(SessionOptions.newBuilder().setAudio(true)))).getSessionCreated().getSessionId();
            String sa = a.createSession(SessionOptions.newBuilder());
            String offer = a.offer(sa);
            assertThat(offer).contains(b.hostAddress).doesNotContain("127.0.0.1");
            String answer = b.call(Request.newBuilder().setCreateAnswer(CreateAnswer.newBuilder()
                    .setSessionId(sb).setRemoteSdp(offer))).getDescription().getSdp();
            assertThat(answer).contains(b.nsAddress);
            a.setAnswer(sa, answer);
            a.awaitState(sa, SessionState.State.CONNECTED);
            a.awaitReceived(sa, 150);
            StreamStats st = a.stats(sa);
            assertThat(st.getLocalAddress()).startsWith(b.hostAddress + ":");
            assertThat(st.getRemoteAddress()).startsWith(b.nsAddress + ":");
            assertThat(st.getEncrypted()).isTrue();
            // B's side of the same stream: its count lags A's a little on a loaded machine
            await().atMost(Duration.ofSeconds(10)).until(() -> b.stats(sb, MediaKind.AUDIO).getPacketsReceived() > 100);
            b.call(Request.newBuilder().setCloseSession(CloseSession.newBuilder().setSessionId(sb)));
            a.close(sa);
            await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(recB.resolve(sb + ".wav")));
            assertThat(ToneAnalyzer.dominantFrequency(a.recording(sa))).isCloseTo(880, within(3.0));
            assertThat(ToneAnalyzer.dominantFrequency(recB.resolve(sb + ".wav"))).isCloseTo(440, within(3.0));
        }
    }
}
