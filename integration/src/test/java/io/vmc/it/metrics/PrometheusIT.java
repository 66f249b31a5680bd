package io.vmc.it.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.vmc.it.demo.Demo;
import io.vmc.it.doctor.Setup;
import io.vmc.it.lab.NetworkLab;
import io.vmc.it.lab.Shell;
import io.vmc.it.lab.VmcProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet can see it: a real Prometheus scrapes both engines and both agentds of the demo call
 * every second, and its HTTP API shows what an admin must see (both VMs OPTIMIZED, calls connected,
 * media bytes growing, end-of-call MOS); every exposition passes {@code promtool check metrics}; the
 * shipped alert rules pass {@code promtool check rules} and their unit tests, load into the server
 * and evaluate; every query of the shipped Grafana dashboard is valid PromQL that the server runs.
 */
@Timeout(240)
class PrometheusIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path RULES = ROOT.resolve("docs/examples/prometheus-alerts.yml");
    private static final Path DASHBOARD = ROOT.resolve("docs/examples/grafana-dashboard.json");

    @BeforeAll
    static void tools() {
        boolean ci = "true".equals(System.getenv("CI"));
        for (String tool : List.of("prometheus", "promtool")) {
            if (ci) {
                assertThat(Setup.onPath(tool)).as(tool + " (Debian prometheus) is missing; CI=true: this test must run").isTrue();
            } else {
                assumeTrue(Setup.onPath(tool), tool + " (Debian prometheus) is not installed");
            }
        }
    }

    @Test
    void theShippedRulesAreValidAndAlertAsDocumented(@TempDir Path dir) throws Exception {
        assertThat(Shell.run("promtool", "check", "rules", RULES.toString())).contains("SUCCESS: 5 rules found");
        Files.copy(RULES, dir.resolve("prometheus-alerts.yml"));
        try (InputStream in = PrometheusIT.class.getResourceAsStream("prometheus-alerts-test.yml")) {
            Files.copy(in, dir.resolve("prometheus-alerts-test.yml"));
        }
        assertThat(Shell.run("promtool", "test", "rules", dir.resolve("prometheus-alerts-test.yml").toString())).contains("SUCCESS");
    }

    @Test
    void prometheusScrapesTheEnginesAndAgentsOfADemoCall(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8);
        Probe probe = new Probe(dir.resolve("prometheus"));
        int exit;
        try {
            exit = new Demo(new Demo.Options(20, "opus", false, true, dir.resolve("demo"), out).withMetrics(true).withProbe(probe)).run();
        } finally {
            if (probe.prometheus != null) probe.prometheus.close();
        }
        String report = text.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(report).isZero();
        assertThat(probe.checkedDuringCall).as(report).isTrue();
        assertThat(probe.checkedAfterCall).as(report).isTrue();

        // one call-detail record per engine, the call as Prometheus saw it
        for (String party : List.of("alice", "bob")) {
            List<String> lines = Files.readAllLines(dir.resolve("demo").resolve(party + "-calls.jsonl"));
            assertThat(lines).as(party + "'s call records").hasSize(1);
            JsonObject r = JsonParser.parseString(lines.get(0)).getAsJsonObject();
            assertThat(r.get("outcome").getAsString()).isEqualTo("completed");
            assertThat(r.get("mode").getAsString()).isEqualTo("OPTIMIZED");
            assertThat(r.get("duration_s").getAsDouble()).isGreaterThan(5);
            JsonObject audio = r.getAsJsonObject("audio");
            assertThat(audio.get("codec").getAsString()).isEqualToIgnoringCase("opus");
            assertThat(audio.get("local_candidate").getAsString()).isEqualTo("host");
            assertThat(audio.get("packets_received").getAsLong()).isGreaterThan(200);
            assertThat(audio.get("mos").getAsDouble()).isGreaterThan(3.5);
        }
    }

    /** Starts Prometheus when the demo says where the metrics are, and asks it during and after the call. */
    private static final class Probe implements Demo.CallProbe {
        private final Path dir;
        private final HttpClient http = HttpClient.newHttpClient();
        volatile PrometheusServer prometheus;
        private Map<String, String> targets;
        boolean checkedDuringCall;
        boolean checkedAfterCall;

        Probe(Path dir) {
            this.dir = dir;
        }

        @Override
        public void metricsServed(Map<String, String> t) throws IOException {
            targets = t;
            List<String> engines = t.entrySet().stream().filter(e -> e.getKey().endsWith("-engine")).map(Map.Entry::getValue).toList();
            List<String> agents = t.entrySet().stream().filter(e -> e.getKey().endsWith("-agentd")).map(Map.Entry::getValue).toList();
            try {
                prometheus = PrometheusServer.start(dir, Map.of("vmc-engine", engines, "vmc-agentd", agents), List.of(RULES));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }

        @Override
        public void callEstablished(List<VmcProcess> processes, NetworkLab lab) throws IOException {
            PrometheusServer p = prometheus;
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
                assertThat(p.value("count(up{job=~\"vmc-.*\"} == 1)")).as("targets up").isEqualTo(4);
                assertThat(p.value("sum(vmc_agentd_mode{mode=\"OPTIMIZED\"})")).as("VMs optimized").isEqualTo(2);
                assertThat(p.value("sum(vmc_agentd_mode{mode=\"FALLBACK\"})")).as("VMs not optimized").isZero();
                assertThat(p.value("sum(vmc_agentd_mode_reason{reason=\"ENGINE_CONNECTED\"})")).isEqualTo(2);
                assertThat(p.value("sum(vmc_agentd_sessions{mode=\"OPTIMIZED\"})")).as("sessions on engines").isEqualTo(2);
                assertThat(p.value("sum(vmc_agentd_apps_connected)")).isEqualTo(2);
                assertThat(p.value("count(vmc_agentd_engine_info{protocol_version=\"1\"})")).isEqualTo(2);
                assertThat(p.value("sum(vmc_engine_mode{mode=\"OPTIMIZED\"})")).as("engines serving their VM").isEqualTo(2);
                assertThat(p.value("sum(vmc_engine_active_calls{state=\"CONNECTED\"})")).as("calls connected").isEqualTo(2);
                assertThat(p.value("sum(vmc_engine_active_streams{kind=\"audio\",local_candidate=\"host\"})")).isEqualTo(2);
                assertThat(p.value("count(vmc_engine_build_info)")).isEqualTo(2);
            });
            // media bytes increase, on both engines, in both directions
            double before = prometheus.value("sum(vmc_engine_media_bytes_total{kind=\"audio\"})");
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> p.value("sum(vmc_engine_media_bytes_total{kind=\"audio\"})") > before + 10_000);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
                for (PrometheusServer.Sample s : p.query("rate(vmc_engine_media_bytes_total{kind=\"audio\"}[5s])")) {
                    assertThat(s.value()).as("audio bytes/s " + s.labels()).isGreaterThan(1000);
                }
                assertThat(p.query("rate(vmc_engine_media_bytes_total{kind=\"audio\"}[5s])")).hasSize(4);
            });
            for (JsonElement t : p.targets()) {
                JsonObject o = t.getAsJsonObject();
                assertThat(o.get("lastError").getAsString()).as("scrape error of " + o.get("scrapeUrl")).isEmpty();
            }
            for (Map.Entry<String, String> t : targets.entrySet()) {
                checkMetrics(t.getKey(), scrape(t.getValue()));
            }
            checkDashboardQueries(p);
            checkedDuringCall = true;
        }

        @Override
        public void callEnded(List<VmcProcess> processes, NetworkLab lab) throws IOException {
            PrometheusServer p = prometheus;
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
                assertThat(p.value("sum(vmc_engine_calls_total{outcome=\"completed\"})")).as("completed calls").isEqualTo(2);
                assertThat(p.value("sum(vmc_engine_call_mos_count)")).as("calls with a MOS").isEqualTo(2);
                assertThat(p.value("sum(vmc_engine_call_mos_bucket{le=\"3.5\"})")).as("calls under MOS 3.5").isZero();
                assertThat(p.value("sum(vmc_engine_calls_total{outcome=\"failed\"})")).isZero();
                assertThat(p.value("sum(vmc_engine_active_calls)")).isZero();
                assertThat(p.value("sum(vmc_agentd_sessions)")).isZero();
            });
            assertThat(p.query("vmc_engine_call_mos_sum / vmc_engine_call_mos_count"))
                    .hasSize(2).allSatisfy(s -> assertThat(s.value()).as("MOS of " + s.labels()).isBetween(3.5, 4.5));
            for (JsonElement g : p.ruleGroups()) {
                for (JsonElement r : g.getAsJsonObject().getAsJsonArray("rules")) {
                    JsonObject o = r.getAsJsonObject();
                    assertThat(o.get("health").getAsString()).as("rule " + o.get("name") + ": " + o.get("lastError")).isEqualTo("ok");
                    assertThat(o.get("state").getAsString()).as("alert " + o.get("name") + " during a healthy call").isEqualTo("inactive");
                }
            }
            checkedAfterCall = true;
        }

        private String scrape(String target) throws IOException {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + target + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                return r.body();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }

        /** {@code promtool check metrics}: the exposition parses and follows the naming conventions (its linter). */
        private static void checkMetrics(String name, String exposition) throws IOException {
            Process p = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(exposition.getBytes(StandardCharsets.UTF_8));
            }
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            try {
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            assertThat(output).as("promtool check metrics on " + name + "'s exposition").isEmpty();
            assertThat(p.exitValue()).as("promtool check metrics on " + name + ": " + output).isZero();
            assertThat(exposition).as(name + ": no label per call").doesNotContainPattern("\"s[0-9a-f]{16}\"|\"s-[0-9a-f]{16}\"");
        }

        /** Every expression of the dashboard runs (Grafana's $__rate_interval as one minute); the main ones have data. */
        private static void checkDashboardQueries(PrometheusServer p) throws IOException {
            JsonObject dash = JsonParser.parseString(Files.readString(DASHBOARD)).getAsJsonObject();
            List<String> exprs = new ArrayList<>();
            for (JsonElement panel : dash.getAsJsonArray("panels")) {
                JsonObject o = panel.getAsJsonObject();
                if (!o.has("targets")) continue;
                for (JsonElement t : o.getAsJsonArray("targets")) exprs.add(t.getAsJsonObject().get("expr").getAsString());
            }
            assertThat(exprs).hasSizeGreaterThan(15);
            for (String e : exprs) {
                p.query(e.replace("$__rate_interval", "1m")); // throws with Prometheus' message on bad PromQL
            }
            assertThat(p.query("sum by (mode) (vmc_agentd_sessions)")).isNotEmpty();
            assertThat(p.query("sum by (kind, direction) (rate(vmc_engine_media_bytes_total[1m])) * 8")).hasSize(4);
        }
    }
}
