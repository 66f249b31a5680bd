package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.vmc.engine.media.ToneAnalyzer;
import io.vmc.transport.VmcEndpoint;
import io.vmc.transport.proto.CloseSession;
import io.vmc.transport.proto.CreateAnswer;
import io.vmc.transport.proto.CreateSession;
import io.vmc.transport.proto.GetStats;
import io.vmc.transport.proto.Hello;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import io.vmc.transport.proto.StreamStats;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
        Tools.require("ip");
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root && "true".equals(System.getenv("CI"))) throw new AssertionError("CI=true needs root for network namespaces");
        org.junit.jupiter.api.Assumptions.assumeTrue(root, "network namespaces need root");

        String id = Integer.toHexString(0x1000 + new SecureRandom().nextInt(0xefff));
        int net = 100 + new SecureRandom().nextInt(150);
        String ns = "vmce" + id;
        String vethA = "vmca" + id;
        String vethB = "vmcb" + id;
        String addrA = "10.213." + net + ".1";
        String addrB = "10.213." + net + ".2";
        Process child = null;
        try {
            sh("ip", "netns", "add", ns);
            sh("ip", "link", "add", vethA, "type", "veth", "peer", "name", vethB);
            sh("ip", "link", "set", vethB, "netns", ns);
            sh("ip", "addr", "add", addrA + "/24", "dev", vethA);
            sh("ip", "link", "set", vethA, "up");
            sh("ip", "-n", ns, "addr", "add", addrB + "/24", "dev", vethB);
            sh("ip", "-n", ns, "link", "set", vethB, "up");
            sh("ip", "-n", ns, "link", "set", "lo", "up");

            Path recB = Files.createDirectories(dir.resolve("b"));
            Path recA = Files.createDirectories(dir.resolve("a"));
            int port = 20000 + new SecureRandom().nextInt(20000);
            String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns,
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", cp,
                    "-Dice4j.consent-freshness.interval=1 second", "io.vmc.engine.EngineCommand",
                    "--channel", "tcp-listen:" + addrB + ":" + port, "--ice-address", addrB,
                    "--tone", "880", "--speaker", "none", "--record-dir", recB.toString()));
            child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("engine-b.log").toFile()).start();

            try (TestEngine a = new TestEngine(440, recA, InetAddress.getByName(addrA), c -> { });
                 VmcEndpoint agentB = VmcEndpoint.builder().channel("tcp:" + addrB + ":" + port).role(Hello.Role.ROLE_AGENTD)
                         .software("namespace-test")
                         .requestHandler(r -> CompletableFuture.completedFuture(Response.newBuilder()
                                 .setEmpty(io.vmc.transport.proto.Empty.getDefaultInstance()).build()))
                         .build()) {
                agentB.start().get(30, TimeUnit.SECONDS);
                String sb = callB(agentB, Request.newBuilder().setCreateSession(CreateSession.newBuilder()
                        .setOptions(SessionOptions.newBuilder().setAudio(true)))).getSessionCreated().getSessionId();
                String sa = a.createSession(SessionOptions.newBuilder());
                String offer = a.offer(sa);
                assertThat(offer).contains(addrA).doesNotContain("127.0.0.1");
                String answer = callB(agentB, Request.newBuilder().setCreateAnswer(CreateAnswer.newBuilder()
                        .setSessionId(sb).setRemoteSdp(offer))).getDescription().getSdp();
                assertThat(answer).contains(addrB);
                a.setAnswer(sa, answer);
                a.awaitState(sa, SessionState.State.CONNECTED);
                a.awaitReceived(sa, 150);
                StreamStats st = a.stats(sa);
                assertThat(st.getLocalAddress()).startsWith(addrA + ":");
                assertThat(st.getRemoteAddress()).startsWith(addrB + ":");
                assertThat(st.getEncrypted()).isTrue();
                StreamStats stB = callB(agentB, Request.newBuilder().setGetStats(GetStats.newBuilder().setSessionId(sb)))
                        .getStats().getStreams(0);
                assertThat(stB.getPacketsReceived()).isGreaterThan(100);
                callB(agentB, Request.newBuilder().setCloseSession(CloseSession.newBuilder().setSessionId(sb)));
                a.close(sa);
                await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(recB.resolve(sb + ".wav")));
                assertThat(ToneAnalyzer.dominantFrequency(a.recording(sa))).isCloseTo(880, within(3.0));
                assertThat(ToneAnalyzer.dominantFrequency(recB.resolve(sb + ".wav"))).isCloseTo(440, within(3.0));
            }
        } finally {
            if (child != null) {
                child.destroy();
                if (!child.waitFor(10, TimeUnit.SECONDS)) child.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            shQuiet("ip", "link", "del", vethA);
            shQuiet("ip", "netns", "del", ns);
        }
    }

    private static Response callB(VmcEndpoint ep, Request.Builder r) throws Exception {
        Response resp = ep.call(r.build()).get(15, TimeUnit.SECONDS);
        assertThat(resp.hasError()).as("%s", resp.getError().getMessage()).isFalse();
        return resp;
    }

    private static void sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    private static void shQuiet(String... cmd) {
        try {
            new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
                    .waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            // best effort cleanup
        }
    }
}
