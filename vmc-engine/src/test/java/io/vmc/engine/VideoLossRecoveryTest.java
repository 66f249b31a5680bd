package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.transport.VmcEndpoint;
import io.vmc.transport.proto.CreateAnswer;
import io.vmc.transport.proto.CreateSession;
import io.vmc.transport.proto.GetStats;
import io.vmc.transport.proto.Hello;
import io.vmc.transport.proto.MediaKind;
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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A video call over a lossy link: engine B runs as {@code vmc engine} in its own network namespace
 * behind a veth pair, engine A here. nftables in B's namespace drops 20% of the UDP packets in both
 * directions (this kernel has no sch_netem, so no {@code tc netem}); then the loss stops. What a
 * user would check: gaps are NACKed and retransmissions arrive, the picture keeps being decoded,
 * the sender lowers its bitrate under heavy loss and raises it again once the loss is gone.
 */
class VideoLossRecoveryTest {
    private static final int LOSS_PERCENT = 20;
    @TempDir Path dir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void nackRepairsAndBitrateFollowsTheLoss() throws Exception {
        Tools.require("ip");
        Tools.require("nft");
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root && "true".equals(System.getenv("CI"))) throw new AssertionError("CI=true needs root for network namespaces");
        org.junit.jupiter.api.Assumptions.assumeTrue(root, "network namespaces need root");

        String id = Integer.toHexString(0x1000 + new SecureRandom().nextInt(0xefff));
        int net = 10 + new SecureRandom().nextInt(240);
        String ns = "vrtcp-" + id;
        String vethA = "vrtcp-a" + id;
        String vethB = "vrtcp-b" + id;
        String addrA = "10.215." + net + ".1";
        String addrB = "10.215." + net + ".2";
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

            int port = 20000 + new SecureRandom().nextInt(20000);
            String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns,
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", cp,
                    "io.vmc.engine.EngineCommand", "--channel", "tcp-listen:" + addrB + ":" + port, "--ice-address", addrB,
                    "--tone", "880", "--speaker", "none", "--video-pattern", "smpte"));
            child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("engine-b.log").toFile()).start();

            Path recA = Files.createDirectories(dir.resolve("a"));
            try (TestEngine a = new TestEngine(440, recA, InetAddress.getByName(addrA),
                         c -> c.videoSource(EngineConfig.VideoSource.testPattern("smpte")));
                 VmcEndpoint agentB = VmcEndpoint.builder().channel("tcp:" + addrB + ":" + port).role(Hello.Role.ROLE_AGENTD)
                         .software("video-loss-test")
                         .requestHandler(r -> CompletableFuture.completedFuture(Response.newBuilder()
                                 .setEmpty(io.vmc.transport.proto.Empty.getDefaultInstance()).build()))
                         .build()) {
                agentB.start().get(30, TimeUnit.SECONDS);
                String sb = callB(agentB, Request.newBuilder().setCreateSession(CreateSession.newBuilder()
                        .setOptions(SessionOptions.newBuilder().setAudio(true).setVideo(true)))).getSessionCreated().getSessionId();
                String sa = a.createSession(SessionOptions.newBuilder().setVideo(true));
                String answer = callB(agentB, Request.newBuilder().setCreateAnswer(CreateAnswer.newBuilder()
                        .setSessionId(sb).setRemoteSdp(a.offer(sa)))).getDescription().getSdp();
                a.setAnswer(sa, answer);
                a.awaitState(sa, SessionState.State.CONNECTED);
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                        .until(() -> VideoCallTest.video(a, sa).getFramesDecoded() > 30);
                Map<String, Long> clean = a.counters(sa);
                // usually still 800; when a cold engine B on a loaded machine lost packets at the start
                // (kernel receive-buffer drops, see udpRcvbufErrors), A has already lowered it: measure from here
                long startKbps = clean.get("videoTargetBitrateKbps");
                System.out.println("VideoLossRecoveryTest: before loss: " + clean + "; B video stats "
                        + videoB(agentB, sb).toString().replace('\n', ' ') + "; B's namespace: " + udpDrops(ns));

                // 20% of UDP lost both ways on B's link (TCP: the control channel stays clean)
                String table = "vrtcp";
                nft(ns, "add", "table", "inet", table);
                nft(ns, "add", "chain", "inet", table, "in", "{ type filter hook input priority 0; }");
                nft(ns, "add", "chain", "inet", table, "out", "{ type filter hook output priority 0; }");
                nft(ns, "add", "rule", "inet", table, "in", "iifname", vethB, "meta", "l4proto", "udp",
                        "numgen", "random", "mod", "100", "<", Integer.toString(LOSS_PERCENT), "counter", "drop");
                nft(ns, "add", "rule", "inet", table, "out", "oifname", vethB, "meta", "l4proto", "udp",
                        "numgen", "random", "mod", "100", "<", Integer.toString(LOSS_PERCENT), "counter", "drop");
                long decodedAtLoss = VideoCallTest.video(a, sa).getFramesDecoded();
                long decodedB = videoB(agentB, sb).getFramesDecoded();
                long lossStart = System.nanoTime();
                long lowEnough = Math.min(600, startKbps * 3 / 4);
                await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                        .until(() -> System.nanoTime() - lossStart > 5_000_000_000L
                                && a.counters(sa).get("videoTargetBitrateKbps") <= lowEnough);
                Map<String, Long> lossy = a.counters(sa);
                StreamStats va = VideoCallTest.video(a, sa);
                StreamStats vb = videoB(agentB, sb);
                String seen = String.format("after %d ms of loss: A counters %s; A video stats %s; B video stats %s; nft: %s",
                        (System.nanoTime() - lossStart) / 1_000_000, lossy, va, vb, nftList(ns)).replace('\n', ' ') + "; " + udpDrops(ns);
                System.out.println("VideoLossRecoveryTest: " + seen);
                // A receives a lossy stream: asks for the gaps and gets retransmissions
                assertThat(lossy.get("videoNacksSent")).as(seen).isGreaterThan(clean.get("videoNacksSent"));
                assertThat(lossy.get("videoRecovered")).isGreaterThan(clean.get("videoRecovered") + 10);
                // B asked A for A's lost packets and A answered from its history
                assertThat(lossy.get("videoNacksReceived")).isGreaterThan(clean.get("videoNacksReceived"));
                assertThat(lossy.get("videoRetransmitted")).isGreaterThan(clean.get("videoRetransmitted") + 10);
                assertThat(lossy.get("videoAuthFailed")).as("every retransmission authenticates; %s", seen).isZero();
                // the picture goes on on both sides (at least 6 of 30 pictures/s on a loaded 2-core machine;
                // without NACK and PLI it stalls until a keyframe arrives whole, which 20% loss rarely allows)
                assertThat(va.getFramesDecoded()).as(seen).isGreaterThan(decodedAtLoss + 30);
                assertThat(vb.getFramesDecoded()).as(seen).isGreaterThan(decodedB + 30);
                assertThat(va.getPacketsLost()).isGreaterThan(10);
                assertThat(vb.getPacketsLost()).isGreaterThan(10);
                assertThat(va.getRttMs()).isGreaterThan(0);
                // heavy loss reported by B: A's encoder target went down
                long low = lossy.get("videoTargetBitrateKbps");
                assertThat(low).isLessThanOrEqualTo(lowEnough).isGreaterThanOrEqualTo(150);

                nft(ns, "delete", "table", "inet", table);
                long cleanStart = System.nanoTime();
                await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                        .until(() -> a.counters(sa).get("videoTargetBitrateKbps") >= low * 120 / 100);
                System.out.printf("VideoLossRecoveryTest: bitrate back from %d to %d kbps in %d ms%n", low,
                        a.counters(sa).get("videoTargetBitrateKbps"), (System.nanoTime() - cleanStart) / 1_000_000);
                long decoded = VideoCallTest.video(a, sa).getFramesDecoded();
                await().atMost(Duration.ofSeconds(5)).until(() -> VideoCallTest.video(a, sa).getFramesDecoded() > decoded + 30);
                a.close(sa);
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

    private static StreamStats videoB(VmcEndpoint agentB, String sb) throws Exception {
        return callB(agentB, Request.newBuilder().setGetStats(GetStats.newBuilder().setSessionId(sb))).getStats()
                .getStreamsList().stream().filter(s -> s.getKind() == MediaKind.VIDEO).findFirst()
                .orElse(StreamStats.getDefaultInstance());
    }

    private static Response callB(VmcEndpoint ep, Request.Builder r) throws Exception {
        Response resp = ep.call(r.build()).get(15, TimeUnit.SECONDS);
        assertThat(resp.hasError()).as("%s", resp.getError().getMessage()).isFalse();
        return resp;
    }

    private static void nft(String ns, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, "nft"));
        cmd.addAll(List.of(args));
        sh(cmd.toArray(new String[0]));
    }

    /** The kernel's UDP receive-buffer and memory drop counters in a namespace (/proc/net/snmp). */
    private static String udpDrops(String ns) {
        try {
            Process p = new ProcessBuilder("ip", "netns", "exec", ns, "cat", "/proc/net/snmp").redirectErrorStream(true).start();
            List<String> lines = new String(p.getInputStream().readAllBytes()).lines().filter(l -> l.startsWith("Udp:")).toList();
            p.waitFor(10, TimeUnit.SECONDS);
            if (lines.size() < 2) return "?";
            String[] names = lines.get(0).split("\\s+");
            String[] values = lines.get(1).split("\\s+");
            StringBuilder out = new StringBuilder();
            for (int i = 1; i < Math.min(names.length, values.length); i++) {
                if (names[i].endsWith("Errors")) out.append("udp").append(names[i]).append('=').append(values[i]).append(' ');
            }
            return out.toString().trim();
        } catch (IOException | InterruptedException e) {
            return e.toString();
        }
    }

    private static String nftList(String ns) {
        try {
            Process p = new ProcessBuilder("ip", "netns", "exec", ns, "nft", "list", "ruleset").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor(10, TimeUnit.SECONDS);
            return out.replaceAll("\\s+", " ");
        } catch (IOException | InterruptedException e) {
            return e.toString();
        }
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
