package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.vmc.engine.media.ToneAnalyzer;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import io.vmc.transport.proto.StreamStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Two engines in one JVM call each other over ICE on 127.0.0.1, driven only by vmc.v1 requests. */
class TwoEngineCallTest {
    @TempDir Path dirA;
    @TempDir Path dirB;

    @ParameterizedTest
    @ValueSource(strings = {"opus", "PCMU", "G722", "PCMA"})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void tonesCrossOverSrtpAndIce(String codec) throws Exception {
        try (TestEngine a = new TestEngine(440, dirA); TestEngine b = new TestEngine(880, dirB)) {
            String sa = a.createSession(SessionOptions.newBuilder().addAudioCodecs(codec).setLabel("a calls b"));
            String sb = b.createSession(SessionOptions.newBuilder().addAudioCodecs(codec));
            String offer = a.offer(sa);
            assertThat(offer).contains("RTP/SAVP").contains("a=crypto:1 AES_CM_128_HMAC_SHA1_80").contains("a=ice-ufrag")
                    .contains("typ host");
            String answer = b.answer(sb, offer);
            a.setAnswer(sa, answer);

            a.awaitState(sa, SessionState.State.CONNECTED);
            b.awaitState(sb, SessionState.State.CONNECTED);
            a.awaitReceived(sa, 150);
            b.awaitReceived(sb, 150);

            StreamStats st = a.stats(sa);
            assertThat(st.getCodec()).isEqualToIgnoringCase(codec);
            assertThat(st.getEncrypted()).isTrue();
            assertThat(st.getPacketsSent()).isGreaterThan(100);
            assertThat(st.getBytesSent()).isGreaterThan(1000);
            assertThat(st.getLocalAddress()).startsWith("127.0.0.1:");
            assertThat(st.getRemoteAddress()).startsWith("127.0.0.1:");
            assertThat(st.getMos()).isGreaterThan(3.5);
            assertThat(st.getFractionLost()).isLessThan(0.05);
            // the level comes from the decoder's level meter once a second, through GStreamer's bus
            // thread: on a loaded machine the first report may come after the 150th packet
            await().atMost(Duration.ofSeconds(15)).untilAsserted(
                    () -> assertThat(a.stats(sa).getAudioLevelDbov()).isGreaterThan(-30));
            // stats events are emitted every second
            assertThat(a.count(e -> e.hasStats() && e.getStats().getSessionId().equals(sa))).isGreaterThanOrEqualTo(2);
            assertThat(a.counters(sa)).containsEntry("authFailed", 0L).containsEntry("wrongSsrc", 0L);

            a.close(sa);
            b.close(sb);
            assertThat(a.hasState(sa, SessionState.State.CLOSED)).isTrue();

            assertThat(ToneAnalyzer.dominantFrequency(a.recording(sa))).isCloseTo(880, within(3.0));
            assertThat(ToneAnalyzer.dominantFrequency(b.recording(sb))).isCloseTo(440, within(3.0));
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void rttIsMeasuredFromRtcp() {
        try (TestEngine a = new TestEngine(440, dirA); TestEngine b = new TestEngine(880, dirB)) {
            String sa = a.createSession(SessionOptions.newBuilder());
            String sb = b.createSession(SessionOptions.newBuilder());
            a.setAnswer(sa, b.answer(sb, a.offer(sa)));
            a.awaitState(sa, SessionState.State.CONNECTED);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> a.stats(sa).getRttMs() > 0 && b.stats(sb).getRttMs() > 0);
            assertThat(a.stats(sa).getRttMs()).isLessThan(50);
        }
    }
}
