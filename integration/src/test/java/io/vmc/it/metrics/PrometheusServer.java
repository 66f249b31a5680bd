package io.vmc.it.metrics;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.vmc.it.lab.Ports;
import io.vmc.it.lab.Shell;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus server (Debian {@code prometheus}) for one test: its own config and data
 * directory, listening on 127.0.0.1, scraping every second, answering PromQL through its HTTP API.
 */
final class PrometheusServer implements AutoCloseable {
    /** One sample of an instant query's result. */
    record Sample(Map<String, String> labels, double value) {}

    private final Process process;
    private final URI base;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private PrometheusServer(Process process, URI base, Path log) {
        this.process = process;
        this.base = base;
        this.log = log;
    }

    /**
     * Starts Prometheus scraping {@code jobs} (job name to targets, HOST:PORT) every second, with
     * {@code ruleFiles} loaded, and waits until it is ready.
     */
    static PrometheusServer start(Path dir, Map<String, List<String>> jobs, List<Path> ruleFiles) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        StringBuilder yml = new StringBuilder("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n");
        if (!ruleFiles.isEmpty()) {
            yml.append("rule_files:\n");
            for (Path r : ruleFiles) yml.append("  - '").append(r.toAbsolutePath()).append("'\n");
        }
        yml.append("scrape_configs:\n");
        for (Map.Entry<String, List<String>> j : jobs.entrySet()) {
            yml.append("  - job_name: '").append(j.getKey()).append("'\n    static_configs:\n      - targets: [");
            yml.append(String.join(", ", j.getValue().stream().map(t -> "'" + t + "'").toList())).append("]\n");
        }
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, yml);
        int port = Ports.freeTcpPort();
        Path log = dir.resolve("prometheus.log");
        Process p = new ProcessBuilder("prometheus", "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        p.getOutputStream().close();
        PrometheusServer server = new PrometheusServer(p, URI.create("http://127.0.0.1:" + port), log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!server.ready()) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                server.close();
                throw new IOException("Prometheus did not become ready within 30 s (exit " + (p.isAlive() ? "none" : p.exitValue())
                        + "): " + Files.readString(log));
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        return server;
    }

    private boolean ready() {
        try {
            return http.send(HttpRequest.newBuilder(base.resolve("/-/ready")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** {@code /api/v1/query}: the samples of an instant vector (a scalar comes back as one sample without labels). */
    List<Sample> query(String promql) throws IOException {
        JsonObject data = api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        List<Sample> out = new ArrayList<>();
        JsonArray result = data.getAsJsonArray("result");
        if (!result.isEmpty() && result.get(0).isJsonPrimitive()) { // a scalar: [time, "value"]
            out.add(new Sample(Map.of(), Double.parseDouble(result.get(1).getAsString())));
            return out;
        }
        for (JsonElement e : result) {
            JsonObject o = e.getAsJsonObject();
            Map<String, String> labels = new LinkedHashMap<>();
            o.getAsJsonObject("metric").entrySet().forEach(l -> labels.put(l.getKey(), l.getValue().getAsString()));
            out.add(new Sample(labels, Double.parseDouble(o.getAsJsonArray("value").get(1).getAsString())));
        }
        return out;
    }

    /** The single value of a query that must give exactly one sample, or NaN when it gives none. */
    double value(String promql) throws IOException {
        List<Sample> s = query(promql);
        if (s.size() > 1) throw new IllegalStateException(promql + " gave " + s.size() + " samples: " + s);
        return s.isEmpty() ? Double.NaN : s.get(0).value();
    }

    /** {@code /api/v1/targets}: the active targets with their health and last error. */
    JsonArray targets() throws IOException {
        return api("/api/v1/targets?state=active").getAsJsonArray("activeTargets");
    }

    /** {@code /api/v1/rules}: the rule groups as loaded. */
    JsonArray ruleGroups() throws IOException {
        return api("/api/v1/rules").getAsJsonArray("groups");
    }

    private JsonObject api(String pathAndQuery) throws IOException {
        HttpResponse<String> r;
        try {
            r = http.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted asking Prometheus for " + pathAndQuery);
        }
        JsonObject o = JsonParser.parseString(r.body()).getAsJsonObject();
        if (r.statusCode() != 200 || !"success".equals(o.get("status").getAsString())) {
            throw new IOException(pathAndQuery + ": HTTP " + r.statusCode() + " " + r.body());
        }
        return o.getAsJsonObject("data");
    }

    Path log() {
        return log;
    }

    @Override
    public void close() {
        Shell.stop(process);
    }
}
