package io.vmc.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vmc.agent.api.MediaSession;
import io.vmc.agent.api.SessionOptions;
import io.vmc.agent.api.Vmc;
import io.vmc.engine.MetricsEndpoint;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** agentd's exposition follows the core through engine arrival and loss; and the daemon serves it only when asked. */
@Timeout(30)
class AgentMetricsTest {
    private final FakeBackend engine = new FakeBackend("engine");
    private final FakeBackend fallback = new FakeBackend("fallback");
    private AgentCore core;
    private Vmc app;

    @AfterEach
    void stop() {
        if (app != null) app.close();
        if (core != null) core.close();
    }

    @Test
    void modeReasonSessionsAndFallbackEntries() throws Exception {
        AgentCore.Config cfg = new AgentCore.Config();
        cfg.engineGrace = Duration.ZERO;
        core = new AgentCore(cfg, fallback, io.vmc.transport.proto.ModeReason.NO_ENGINE, "nobody on the channel");
        engine.events = e -> core.onBackendEvent(engine, e);
        fallback.events = e -> core.onBackendEvent(fallback, e);
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new AgentMetrics(core::snapshot, AgentDaemon.SOFTWARE, AgentDaemon.VERSION));

        String start = text(registry);
        assertThat(start).contains("vmc_agentd_build_info{software=\"vmc-agentd/0.1.0\",version=\"0.1.0\"} 1",
                "vmc_agentd_mode{mode=\"FALLBACK\"} 1", "vmc_agentd_mode{mode=\"OPTIMIZED\"} 0",
                "vmc_agentd_mode_reason{reason=\"NO_ENGINE\"} 1", "vmc_agentd_mode_reason{reason=\"ENGINE_LOST\"} 0",
                "vmc_agentd_fallback_entries_total{reason=\"NO_ENGINE\"} 1", "vmc_agentd_fallback_entries_total{reason=\"ENGINE_LOST\"} 0",
                "vmc_agentd_sessions{mode=\"FALLBACK\"} 0", "vmc_agentd_apps_connected 0", "vmc_agentd_session_moves_total 0");
        assertThat(start).doesNotContain("vmc_agentd_engine_info"); // no engine: no sample

        app = DirectLink.connect(core, 1000, 1);
        MediaSession call = app.newSession(SessionOptions.audioOnly());
        call.createOffer();
        assertThat(text(registry)).contains("vmc_agentd_apps_connected 1", "vmc_agentd_sessions{mode=\"FALLBACK\"} 1");

        core.engineConnected(engine, "vmc-engine/0.1.0", 1, false);
        await().until(() -> text(registry).contains("vmc_agentd_sessions{mode=\"OPTIMIZED\"} 1"));
        assertThat(text(registry)).contains("vmc_agentd_mode{mode=\"OPTIMIZED\"} 1", "vmc_agentd_mode_reason{reason=\"ENGINE_CONNECTED\"} 1",
                "vmc_agentd_engine_info{protocol_version=\"1\",software=\"vmc-engine/0.1.0\"} 1", "vmc_agentd_session_moves_total 1");

        core.engineDisconnected("keepalive timeout");
        await().until(() -> text(registry).contains("vmc_agentd_mode{mode=\"FALLBACK\"} 1"));
        String lost = text(registry);
        assertThat(lost).contains("vmc_agentd_mode_reason{reason=\"ENGINE_LOST\"} 1",
                "vmc_agentd_fallback_entries_total{reason=\"ENGINE_LOST\"} 1", "vmc_agentd_fallback_entries_total{reason=\"NO_ENGINE\"} 1")
                .doesNotContain("vmc_agentd_engine_info{", "s-"); // no engine; no session ids anywhere
        // a new reason while staying in FALLBACK is not a new entry
        core.noEngine(io.vmc.transport.proto.ModeReason.NO_CHANNEL, "port gone");
        await().until(() -> text(registry).contains("vmc_agentd_mode_reason{reason=\"NO_CHANNEL\"} 1"));
        assertThat(text(registry)).contains("vmc_agentd_fallback_entries_total{reason=\"NO_CHANNEL\"} 0");

        // every metric has its row in the admin guide, with its type
        core.engineConnected(engine, "vmc-engine/0.1.0", 1, false);
        await().until(() -> text(registry).contains("vmc_agentd_engine_info{"));
        String guide = java.nio.file.Files.readString(Path.of("../../docs/admin-guide.md"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^# TYPE (\\S+) (\\S+)$").matcher(text(registry));
        int n = 0;
        while (m.find()) {
            assertThat(guide).as("the admin guide's row for " + m.group(1)).contains("| `" + m.group(1) + "` | " + m.group(2));
            n++;
        }
        assertThat(n).isEqualTo(8);
    }

    @Test
    void theDaemonServesMetricsOnlyWithTheOption(@TempDir Path dir) throws Exception {
        AgentDaemon.Options o = AgentdHarness.options(dir);
        o.core.fallbackEnabled = false;
        try (AgentDaemon d = AgentDaemon.start(o)) {
            assertThat(d.metricsPort()).isEqualTo(-1);
        }
        AgentDaemon.Options with = AgentdHarness.options(dir);
        with.core.fallbackEnabled = false;
        with.metrics = MetricsEndpoint.loopback(0);
        try (AgentDaemon d = AgentDaemon.start(with)) {
            assertThat(d.metricsPort()).isPositive();
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + d.metricsPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("vmc_agentd_mode{mode=\"FALLBACK\"} 1", "vmc_agentd_mode_reason{reason=\"NO_ENGINE\"} 1");
        }
    }

    private static String text(PrometheusRegistry registry) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        return out.toString(StandardCharsets.UTF_8);
    }
}
