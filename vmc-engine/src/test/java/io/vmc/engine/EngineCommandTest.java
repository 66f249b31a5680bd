package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.transport.VmcEndpoint;
import io.vmc.transport.proto.CreateOffer;
import io.vmc.transport.proto.CreateSession;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.Hello;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.SessionOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EngineCommandTest {
    @Test
    void optionsBecomeTheConfig() throws Exception {
        EngineCommand cmd = new EngineCommand();
        new CommandLine(cmd).parseArgs("--channel", "unix:/run/x.sock", "--ice-address", "127.0.0.1", "--ice-address", "::1",
                "--stun", "127.0.0.1:3478", "--tone", "440", "--speaker", "none", "--max-sessions", "3");
        cmd.hasDisplay = false;
        EngineConfig c = cmd.config();
        assertThat(c.iceAddresses()).hasSize(2);
        assertThat(c.stunServers()).hasSize(1);
        assertThat(c.audioSource().isTone()).isTrue();
        assertThat(c.audioSink().isPulse()).isFalse();
        assertThat(c.maxSessions()).isEqualTo(3);
        assertThat(c.overlayParentWindow()).isZero();
        assertThat(c.cameraPolicy()).isEqualTo(EngineConfig.CameraPolicy.DENY);
        assertThat(c.videoSource().pattern()).isEqualTo("smpte");
        assertThat(c.mode()).isEqualTo(io.vmc.transport.proto.Mode.OPTIMIZED); // the thin client's engine
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> EngineConfig.builder().mode(io.vmc.transport.proto.Mode.MODE_UNSPECIFIED))
                .hasMessage("mode must be OPTIMIZED or FALLBACK, got MODE_UNSPECIFIED");
    }

    @Test
    @org.junit.jupiter.api.Timeout(10)
    void videoOptions() throws Exception {
        EngineCommand cmd = new EngineCommand();
        new CommandLine(cmd).parseArgs("--channel", "unix:/run/x.sock", "--overlay-window", "0x3a00007", "--camera", "/dev/video0");
        cmd.hasDisplay = false;
        EngineConfig c = cmd.config();
        assertThat(c.overlayParentWindow()).isEqualTo(0x3a00007L);
        assertThat(c.videoSource().isCamera()).isTrue();
        assertThat(c.cameraPolicy()).isEqualTo(EngineConfig.CameraPolicy.DENY);
        EngineCommand cmd2 = new EngineCommand();
        new CommandLine(cmd2).parseArgs("--channel", "unix:/run/x.sock", "--video-pattern", "ball", "--allow-camera");
        assertThat(cmd2.config().videoSource().pattern()).isEqualTo("ball");
        assertThat(cmd2.config().cameraPolicy()).isEqualTo(EngineConfig.CameraPolicy.ALLOW);
        EngineCommand bad = new EngineCommand();
        new CommandLine(bad).parseArgs("--channel", "unix:/run/x.sock", "--overlay-window", "nope");
        org.assertj.core.api.Assertions.assertThatThrownBy(bad::config).hasMessageContaining("--overlay-window");
        for (String gone : new String[] {"0", "-1", "4", "86401"}) {
            EngineCommand g = new EngineCommand();
            new CommandLine(g).parseArgs("--channel", "unix:/run/x.sock", "--agent-gone-after", gone);
            org.assertj.core.api.Assertions.assertThatThrownBy(g::config).hasMessageContaining("--agent-gone-after must be 5..86400 seconds, got " + gone);
        }
    }

    @Test
    void cameraPolicyOptions() throws Exception {
        assertThat(policy(true)).isEqualTo(EngineConfig.CameraPolicy.ASK); // a display: ask the user
        assertThat(policy(false)).isEqualTo(EngineConfig.CameraPolicy.DENY); // nobody to ask
        assertThat(policy(false, "--camera-policy", "ask")).isEqualTo(EngineConfig.CameraPolicy.ASK);
        assertThat(policy(true, "--camera-policy", "DENY")).isEqualTo(EngineConfig.CameraPolicy.DENY);
        assertThat(policy(true, "--camera-policy", "allow")).isEqualTo(EngineConfig.CameraPolicy.ALLOW);
        assertThat(policy(true, "--allow-camera")).isEqualTo(EngineConfig.CameraPolicy.ALLOW);
        assertThat(policy(true, "--allow-camera", "--camera-policy", "allow")).isEqualTo(EngineConfig.CameraPolicy.ALLOW);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> policy(true, "--allow-camera", "--camera-policy", "deny"))
                .hasMessageContaining("--allow-camera contradicts --camera-policy deny");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> policy(true, "--camera-policy", "maybe"))
                .hasMessageContaining("--camera-policy must be ask, allow or deny, got maybe");

        EngineCommand cmd = new EngineCommand();
        new CommandLine(cmd).parseArgs("--channel", "unix:/run/x.sock", "--simulated-camera", "ball", "--camera-prompt-timeout", "5");
        EngineConfig c = cmd.config();
        assertThat(c.videoSource().isCamera()).isTrue();
        assertThat(c.videoSource().pattern()).isEqualTo("ball");
        assertThat(c.cameraPromptTimeout()).isEqualTo(java.time.Duration.ofSeconds(5));
        EngineCommand plain = new EngineCommand();
        new CommandLine(plain).parseArgs("--channel", "unix:/run/x.sock");
        assertThat(plain.config().cameraPromptTimeout()).isEqualTo(java.time.Duration.ofSeconds(30));
        EngineCommand bad = new EngineCommand();
        new CommandLine(bad).parseArgs("--channel", "unix:/run/x.sock", "--camera-prompt-timeout", "0");
        org.assertj.core.api.Assertions.assertThatThrownBy(bad::config).hasMessageContaining("cameraPromptTimeout must be 1 s..10 min");
    }

    private static EngineConfig.CameraPolicy policy(boolean display, String... args) throws Exception {
        EngineCommand cmd = new EngineCommand();
        List<String> all = new java.util.ArrayList<>(List.of("--channel", "unix:/run/x.sock"));
        all.addAll(List.of(args));
        new CommandLine(cmd).parseArgs(all.toArray(String[]::new));
        cmd.hasDisplay = display;
        return cmd.config().cameraPolicy();
    }

    @Test
    void helpAndBadInput() {
        StringWriter out = new StringWriter();
        CommandLine cl = new CommandLine(new EngineCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(new StringWriter()));
        assertThat(cl.execute("--help")).isZero();
        assertThat(out.toString()).contains("--channel", "--ice-address", "--stun", "--tone", "--record-dir", "--metrics", "--cdr");
        assertThat(cl.execute("--channel", "mem:x", "--ice-address", "not-an-ip")).isNotZero();
    }

    @Test
    void servesPrometheusMetrics() throws Exception {
        EngineConfig cfg = EngineConfig.builder().iceAddress(java.net.InetAddress.getLoopbackAddress())
                .audioSource(EngineConfig.AudioSource.tone(440)).audioSink(EngineConfig.AudioSink.none()).build();
        try (MediaEngine engine = new MediaEngine(cfg, e -> { });
             var server = EngineCommand.startMetrics(engine, MetricsEndpoint.loopback(0))) {
            var uri = java.net.URI.create("http://127.0.0.1:" + server.getPort() + "/metrics");
            var http = java.net.http.HttpClient.newHttpClient();
            var resp = http.send(java.net.http.HttpRequest.newBuilder(uri).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(resp.statusCode()).isEqualTo(200);
            assertThat(resp.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
            assertThat(resp.body()).contains("vmc_engine_build_info{software=\"vmc-engine/0.1.0\",version=\"0.1.0\"} 1",
                    "vmc_engine_mode{mode=\"FALLBACK\"} 1", "vmc_engine_active_calls{state=\"CONNECTED\"} 0",
                    "vmc_engine_calls_total{outcome=\"completed\"} 0");
            // what a Prometheus server asks for first: OpenMetrics, with its own end marker
            var om = http.send(java.net.http.HttpRequest.newBuilder(uri)
                    .header("Accept", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5").build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(om.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/openmetrics-text"));
            assertThat(om.body()).contains("# TYPE vmc_engine_calls counter").endsWith("# EOF\n");
            // and protobuf, for a Prometheus with native histograms on
            var pb = http.send(java.net.http.HttpRequest.newBuilder(uri).header("Accept",
                    "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited").build(),
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            assertThat(pb.statusCode()).isEqualTo(200);
            assertThat(pb.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/vnd.google.protobuf"));
            assertThat(new String(pb.body(), java.nio.charset.StandardCharsets.ISO_8859_1)).contains("vmc_engine_calls_total");
        }
    }

    @Test
    void metricsOptions() throws Exception {
        assertThat(metricsOf("--metrics", "9464").toString()).isEqualTo("127.0.0.1:9464");
        assertThat(metricsOf("--metrics", "0.0.0.0:9464").isLoopback()).isFalse();
        assertThat(metricsOf("--metrics-port", "9465").toString()).isEqualTo("127.0.0.1:9465"); // the deprecated alias
        assertThat(metricsOf()).isNull(); // off unless asked for
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> metricsOf("--metrics", "9464", "--metrics-port", "9465"))
                .hasMessageContaining("not both");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> metricsOf("--metrics", "localhost:9464"))
                .hasMessageContaining("--metrics: metrics address must be an IP literal");
    }

    private static MetricsEndpoint metricsOf(String... args) throws Exception {
        EngineCommand cmd = new EngineCommand();
        List<String> all = new java.util.ArrayList<>(List.of("--channel", "unix:/run/x.sock", "--policy", "/dev/null"));
        all.addAll(List.of(args));
        new CommandLine(cmd).parseArgs(all.toArray(String[]::new));
        cmd.config();
        return cmd.metricsEndpoint();
    }

    @Test
    void cdrOption(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        EngineCommand cmd = new EngineCommand();
        new CommandLine(cmd).parseArgs("--channel", "unix:/run/x.sock", "--policy", "/dev/null", "--cdr", dir.resolve("calls.jsonl").toString());
        assertThat(cmd.config().callRecordFile()).isEqualTo(dir.resolve("calls.jsonl"));
        EngineCommand missing = new EngineCommand();
        new CommandLine(missing).parseArgs("--channel", "unix:/run/x.sock", "--policy", "/dev/null", "--cdr", dir.resolve("no/such/calls.jsonl").toString());
        org.assertj.core.api.Assertions.assertThatThrownBy(missing::config).hasMessageContaining("--cdr: directory").hasMessageContaining("does not exist");
    }

    @Test
    void servesRequestsAndEventsOverTheTransport() throws Exception {
        List<Event> agentEvents = new CopyOnWriteArrayList<>();
        AtomicReference<io.vmc.transport.EventSink> forward = new AtomicReference<>(e -> { });
        EngineConfig cfg = EngineConfig.builder().iceAddress(java.net.InetAddress.getLoopbackAddress())
                .audioSource(EngineConfig.AudioSource.tone(440)).audioSink(EngineConfig.AudioSink.none()).build();
        try (MediaEngine engine = new MediaEngine(cfg, e -> forward.get().emit(e));
             AutoCloseable ep = EngineCommand.startEndpoint("mem-listen:engine-cmd-test", engine, forward, Duration.ofSeconds(60));
             VmcEndpoint agent = VmcEndpoint.builder().channel("mem:engine-cmd-test").role(Hello.Role.ROLE_AGENTD)
                     .software("test-agent").eventSink(agentEvents::add)
                     .requestHandler(r -> java.util.concurrent.CompletableFuture.completedFuture(
                             Response.newBuilder().setEmpty(io.vmc.transport.proto.Empty.getDefaultInstance()).build()))
                     .build()) {
            agent.start().get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.metricsText().contains("vmc_engine_mode{mode=\"OPTIMIZED\"} 1"));
            Response created = agent.call(Request.newBuilder().setCreateSession(CreateSession.newBuilder()
                    .setOptions(SessionOptions.newBuilder().setAudio(true))).build()).get(10, TimeUnit.SECONDS);
            String sid = created.getSessionCreated().getSessionId();
            assertThat(sid).startsWith("s");
            Response offer = agent.call(Request.newBuilder().setCreateOffer(CreateOffer.newBuilder().setSessionId(sid)).build())
                    .get(10, TimeUnit.SECONDS);
            assertThat(offer.getDescription().getSdp()).contains("m=audio");
            await().atMost(Duration.ofSeconds(10)).until(() -> agentEvents.stream().anyMatch(e -> e.hasSessionState())
                    && agentEvents.stream().anyMatch(e -> e.hasLocalCandidate() && e.getLocalCandidate().getEndOfCandidates()));
        }
    }
    /** A guest that never returns: once its agent has been away for the window, its calls end with the reason. */
    @Test
    void theCallsOfAnAgentThatNeverReturnsEndAfterTheWindow() throws Exception {
        List<Event> engineEvents = new CopyOnWriteArrayList<>();
        AtomicReference<io.vmc.transport.EventSink> forward = new AtomicReference<>(e -> { });
        EngineConfig cfg = EngineConfig.builder().iceAddress(java.net.InetAddress.getLoopbackAddress())
                .audioSource(EngineConfig.AudioSource.tone(440)).audioSink(EngineConfig.AudioSink.none()).build();
        try (MediaEngine engine = new MediaEngine(cfg, e -> {
                    engineEvents.add(e);
                    forward.get().emit(e);
                });
             AutoCloseable ep = EngineCommand.startEndpoint("mem-listen:engine-gone-test", engine, forward, Duration.ofSeconds(2))) {
            VmcEndpoint agent = VmcEndpoint.builder().channel("mem:engine-gone-test").role(Hello.Role.ROLE_AGENTD)
                    .software("test-agent").build();
            agent.start().get(10, TimeUnit.SECONDS);
            String sid = agent.call(Request.newBuilder().setCreateSession(CreateSession.newBuilder()
                    .setOptions(SessionOptions.newBuilder().setAudio(true))).build()).get(10, TimeUnit.SECONDS)
                    .getSessionCreated().getSessionId();
            agent.call(Request.newBuilder().setCreateOffer(CreateOffer.newBuilder().setSessionId(sid)).build()).get(10, TimeUnit.SECONDS);
            long disconnectedAt = System.nanoTime();
            agent.close(); // and never comes back
            await().atMost(Duration.ofSeconds(30)).until(() -> engine.sessionIds().isEmpty());
            assertThat(Duration.ofNanos(System.nanoTime() - disconnectedAt)).as("kept for the window first")
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(2));
            assertThat(engineEvents).anySatisfy(e -> {
                assertThat(e.getSessionState().getSessionId()).isEqualTo(sid);
                assertThat(e.getSessionState().getState()).isEqualTo(io.vmc.transport.proto.SessionState.State.CLOSED);
                assertThat(e.getSessionState().getReason()).contains("the agent has been gone for more than 2 s");
            });
        }
    }
}
