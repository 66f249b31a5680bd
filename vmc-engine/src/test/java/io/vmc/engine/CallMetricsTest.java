package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonObject;
import io.vmc.engine.internal.StrictJson;
import io.vmc.transport.proto.CreateSession;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A real call between two engines, seen through the metrics and the call-detail record. */
class CallMetricsTest {
    @TempDir Path dirA;
    @TempDir Path dirB;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aCallShowsUpInTheMetricsAndEndsAsOneRecord() throws Exception {
        Path cdr = dirA.resolve("calls.jsonl");
        try (TestEngine a = new TestEngine(440, dirA, b -> b.callRecordFile(cdr)); TestEngine b = new TestEngine(880, dirB)) {
            String sa = a.createSession(SessionOptions.newBuilder().addAudioCodecs("opus"));
            String sb = b.createSession(SessionOptions.newBuilder().addAudioCodecs("opus"));
            a.setAnswer(sa, b.answer(sb, a.offer(sa)));
            a.awaitState(sa, SessionState.State.CONNECTED);
            a.awaitReceived(sa, 100);
            await().atMost(Duration.ofSeconds(10)).until(() -> value(a, "vmc_engine_media_bytes_total{direction=\"received\",kind=\"audio\"}") > 5000);
            String during = a.engine.metricsText();
            assertThat(during).contains("vmc_engine_active_calls{state=\"CONNECTED\"} 1",
                    "vmc_engine_active_streams{kind=\"audio\",local_candidate=\"host\",remote_candidate=\"host\"} 1");
            assertThat(during).doesNotContain(sa); // no label per call
            double sent = value(a, "vmc_engine_media_packets_total{direction=\"sent\",kind=\"audio\"}");
            await().atMost(Duration.ofSeconds(5)).until(() -> value(a, "vmc_engine_media_packets_total{direction=\"sent\",kind=\"audio\"}") > sent);

            a.close(sa);
            b.close(sb);
            String after = a.engine.metricsText();
            assertThat(after).contains("vmc_engine_calls_total{outcome=\"completed\"} 1", "vmc_engine_call_mos_count 1",
                    "vmc_engine_active_calls{state=\"CONNECTED\"} 0", "vmc_engine_call_duration_seconds_count 1");
            assertThat(value(a, "vmc_engine_call_mos_bucket{le=\"3.5\"}")).isZero(); // a clean loopback call is well above 3.5

            List<String> lines = Files.readAllLines(cdr);
            assertThat(lines).hasSize(1);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cdr))).isEqualTo("rw-------");
            JsonObject r = StrictJson.object(lines.get(0));
            assertThat(r.get("call_id").getAsString()).isEqualTo(sa);
            assertThat(r.get("outcome").getAsString()).isEqualTo("completed");
            assertThat(r.get("reason").getAsString()).isEqualTo("closed by request");
            assertThat(r.get("connected").isJsonNull()).isFalse();
            JsonObject audio = r.getAsJsonObject("audio");
            assertThat(audio.get("codec").getAsString()).isEqualToIgnoringCase("opus");
            assertThat(audio.get("encrypted").getAsBoolean()).isTrue();
            assertThat(audio.get("local_candidate").getAsString()).isEqualTo("host");
            assertThat(audio.get("packets_received").getAsLong()).isGreaterThanOrEqualTo(100);
            assertThat(audio.get("bytes_sent").getAsLong()).isGreaterThan(1000);
            assertThat(audio.get("mos").getAsDouble()).isGreaterThan(3.5);
            // the record's totals and the engine's counters tell the same story
            assertThat((double) audio.get("bytes_received").getAsLong())
                    .isEqualTo(value(a, "vmc_engine_media_bytes_total{direction=\"received\",kind=\"audio\"}"));
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void refusalsAreCountedByReason() throws Exception {
        try (TestEngine a = new TestEngine(440, dirA, b -> b.audioCodecs(List.of("PCMU")));
             TestEngine plain = new TestEngine(880, dirB)) {
            var refused = a.call(Request.newBuilder().setCreateSession(CreateSession.newBuilder()
                    .setOptions(SessionOptions.newBuilder().setAudio(true).addAudioCodecs("opus"))));
            assertThat(refused.getError().getMessage()).contains("allowed by the client policy");
            assertThat(a.engine.metricsText()).contains("vmc_engine_failures_total{reason=\"policy\"} 1");

            // a plain RTP offer to a session that requires SRTP
            String offer = plain.offer(plain.createSession(SessionOptions.newBuilder().setSrtp(SessionOptions.SrtpPolicy.SRTP_DISABLED)));
            String sid = a.createSession(SessionOptions.newBuilder());
            var answer = a.call(Request.newBuilder().setCreateAnswer(io.vmc.transport.proto.CreateAnswer.newBuilder()
                    .setSessionId(sid).setRemoteSdp(offer)));
            assertThat(answer.getError().getMessage()).contains("requires SRTP");
            assertThat(a.engine.metricsText()).contains("vmc_engine_failures_total{reason=\"dtls_srtp\"} 1");
            a.close(sid);
            assertThat(a.engine.metricsText()).contains("vmc_engine_calls_total{outcome=\"not_connected\"} 1");
        }
    }

    /** One sample's value from the exposition. */
    static double value(TestEngine e, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(e.engine.metricsText());
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }
}
