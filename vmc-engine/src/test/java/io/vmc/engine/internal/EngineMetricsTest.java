package io.vmc.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.transport.proto.MediaKind;
import io.vmc.transport.proto.SessionState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The exposition: names, types and bounded labels, as the admin guide documents them. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class EngineMetricsTest {
    private final List<CallTracker.LiveCall> live = new ArrayList<>();
    private final EngineMetrics metrics = new EngineMetrics("vmc-engine/0.1.0", () -> live);

    @Test
    void everySeriesExistsFromTheStart() {
        String t = metrics.text();
        assertThat(t).contains(
                "# TYPE vmc_engine_build_info gauge", "vmc_engine_build_info{software=\"vmc-engine/0.1.0\",version=\"0.1.0\"} 1",
                "# TYPE vmc_engine_mode gauge", "vmc_engine_mode{mode=\"FALLBACK\"} 1", "vmc_engine_mode{mode=\"OPTIMIZED\"} 0",
                "# TYPE vmc_engine_calls_total counter", "vmc_engine_calls_total{outcome=\"not_connected\"} 0",
                "vmc_engine_failures_total{reason=\"dtls_srtp\"} 0", "vmc_engine_failures_total{reason=\"ice\"} 0",
                "vmc_engine_media_bytes_total{direction=\"received\",kind=\"video\"} 0",
                "vmc_engine_media_packets_lost_total{kind=\"audio\"} 0",
                "vmc_engine_active_calls{state=\"CONNECTED\"} 0",
                "# TYPE vmc_engine_call_mos histogram", "vmc_engine_call_mos_bucket{le=\"3.5\"} 0", "vmc_engine_call_mos_count 0",
                "# TYPE vmc_engine_call_duration_seconds histogram", "vmc_engine_call_duration_seconds_bucket{le=\"+Inf\"} 0");
        assertThat(t).doesNotContain("session", "jvm_");
    }

    @Test
    void countersAndGauges() {
        metrics.agentConnected(true);
        metrics.media(MediaKind.AUDIO, 50, 8000, 48, 7680, 2);
        metrics.media(MediaKind.AUDIO, 50, 8000, 50, 8000, 0);
        metrics.dropped(MediaKind.AUDIO, "auth_failed", 3);
        metrics.failure(Failure.CAMERA);
        live.add(new CallTracker.LiveCall(SessionState.State.CONNECTED, List.of(
                new CallTracker.LiveStream(MediaKind.AUDIO, "relay", "host"), new CallTracker.LiveStream(MediaKind.VIDEO, "", ""))));
        live.add(new CallTracker.LiveCall(SessionState.State.CONNECTED, List.of(new CallTracker.LiveStream(MediaKind.AUDIO, "relay", "host"))));
        live.add(new CallTracker.LiveCall(SessionState.State.CONNECTING, List.of()));
        Instant t0 = Instant.parse("2026-12-02T10:00:00Z");
        CallDetailRecord.Stream audio = new CallDetailRecord.Stream("opus", true, "host", "host", 1, 1, 1, 1, 0, 1, 1, 3.2, 3.0);
        metrics.ended(new CallDetailRecord("s1", "a", t0, t0, t0.plusSeconds(45), CallDetailRecord.Outcome.COMPLETED, null, "",
                List.of(), "OPTIMIZED", audio, null));
        String t = metrics.text();
        assertThat(t).contains("vmc_engine_mode{mode=\"OPTIMIZED\"} 1", "vmc_engine_mode{mode=\"FALLBACK\"} 0",
                "vmc_engine_media_packets_total{direction=\"sent\",kind=\"audio\"} 100",
                "vmc_engine_media_bytes_total{direction=\"received\",kind=\"audio\"} 15680",
                "vmc_engine_media_packets_lost_total{kind=\"audio\"} 2",
                "vmc_engine_dropped_packets_total{kind=\"audio\",reason=\"auth_failed\"} 3",
                "vmc_engine_failures_total{reason=\"camera\"} 1",
                "vmc_engine_active_calls{state=\"CONNECTED\"} 2", "vmc_engine_active_calls{state=\"CONNECTING\"} 1",
                "vmc_engine_active_streams{kind=\"audio\",local_candidate=\"relay\",remote_candidate=\"host\"} 2",
                "vmc_engine_active_streams{kind=\"video\",local_candidate=\"none\",remote_candidate=\"none\"} 1",
                "vmc_engine_calls_total{outcome=\"completed\"} 1",
                "vmc_engine_call_mos_bucket{le=\"3.0\"} 0", "vmc_engine_call_mos_bucket{le=\"3.5\"} 1", "vmc_engine_call_mos_sum 3.2",
                "vmc_engine_call_duration_seconds_bucket{le=\"60.0\"} 1", "vmc_engine_call_duration_seconds_sum 45.0");
    }

    @Test
    void aCallWithoutReceivedAudioHasNoMos() {
        Instant t0 = Instant.parse("2026-12-02T10:00:00Z");
        metrics.ended(new CallDetailRecord("s1", "a", t0, null, t0.plusSeconds(3), CallDetailRecord.Outcome.NOT_CONNECTED, null, "",
                List.of(), "OPTIMIZED", null, null));
        assertThat(metrics.text()).contains("vmc_engine_call_mos_count 0", "vmc_engine_call_duration_seconds_count 1",
                "vmc_engine_calls_total{outcome=\"not_connected\"} 1");
    }

    @Test
    void theAdminGuideDocumentsEveryMetricWithItsType() throws Exception {
        String guide = java.nio.file.Files.readString(java.nio.file.Path.of("../docs/admin-guide.md"));
        metrics.dropped(MediaKind.AUDIO, "auth_failed", 1); // families without samples are not exposed
        live.add(new CallTracker.LiveCall(SessionState.State.CONNECTED, List.of(new CallTracker.LiveStream(MediaKind.AUDIO, "host", "host"))));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^# TYPE (\\S+) (\\S+)$").matcher(metrics.text());
        int n = 0;
        while (m.find()) {
            assertThat(guide).as("the admin guide's row for " + m.group(1)).contains("| `" + m.group(1) + "` | " + m.group(2));
            n++;
        }
        assertThat(n).isEqualTo(12);
    }

    @Test
    void versionFromTheSoftwareString() {
        assertThat(EngineMetrics.version("vmc-engine/0.1.0")).isEqualTo("0.1.0");
        assertThat(EngineMetrics.version("vmc-agentd/0.1.0 fallback")).isEqualTo("0.1.0");
        assertThat(EngineMetrics.version("custom")).isEqualTo("custom");
    }
}
