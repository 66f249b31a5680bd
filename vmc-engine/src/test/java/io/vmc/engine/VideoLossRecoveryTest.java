package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.transport.proto.CreateAnswer;
import io.vmc.transport.proto.CreateSession;
import io.vmc.transport.proto.MediaKind;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import io.vmc.transport.proto.StreamStats;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        EngineInNamespace.requireRoot();
        Tools.require("nft");
        Path recA = Files.createDirectories(dir.resolve("a"));
        try (EngineInNamespace agentB = EngineInNamespace.start("vrtcp", dir.resolve("engine-b.log"), List.of(),
                     List.of("--tone", "880", "--video-pattern", "smpte"));
             TestEngine a = new TestEngine(440, recA, InetAddress.getByName(agentB.hostAddress),
                     c -> c.videoSource(EngineConfig.VideoSource.testPattern("smpte")))) {
            String ns = agentB.namespace;
            String vethB = agentB.nsInterface;
            String sb = agentB.call(Request.newBuilder().setCreateSession(CreateSession.newBuilder()
                    .setOptions(SessionOptions.newBuilder().setAudio(true).setVideo(true)))).getSessionCreated().getSessionId();
            String sa = a.createSession(SessionOptions.newBuilder().setVideo(true));
            String answer = agentB.call(Request.newBuilder().setCreateAnswer(CreateAnswer.newBuilder()
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
                    + agentB.stats(sb, MediaKind.VIDEO).toString().replace('\n', ' ') + "; B's namespace: " + udpDrops(ns));

            // 20% of UDP lost both ways on B's link (TCP: the control channel stays clean)
            String table = "vrtcp";
            nft(agentB, "add", "table", "inet", table);
            nft(agentB, "add", "chain", "inet", table, "in", "{ type filter hook input priority 0; }");
            nft(agentB, "add", "chain", "inet", table, "out", "{ type filter hook output priority 0; }");
            nft(agentB, "add", "rule", "inet", table, "in", "iifname", vethB, "meta", "l4proto", "udp",
                    "numgen", "random", "mod", "100", "<", Integer.toString(LOSS_PERCENT), "counter", "drop");
            nft(agentB, "add", "rule", "inet", table, "out", "oifname", vethB, "meta", "l4proto", "udp",
                    "numgen", "random", "mod", "100", "<", Integer.toString(LOSS_PERCENT), "counter", "drop");
            long decodedAtLoss = VideoCallTest.video(a, sa).getFramesDecoded();
            long decodedB = agentB.stats(sb, MediaKind.VIDEO).getFramesDecoded();
            long lossStart = System.nanoTime();
            long lowEnough = Math.min(600, startKbps * 3 / 4);
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                    .until(() -> System.nanoTime() - lossStart > 5_000_000_000L
                            && a.counters(sa).get("videoTargetBitrateKbps") <= lowEnough);
            Map<String, Long> lossy = a.counters(sa);
            StreamStats va = VideoCallTest.video(a, sa);
            StreamStats vb = agentB.stats(sb, MediaKind.VIDEO);
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

            nft(agentB, "delete", "table", "inet", table);
            long cleanStart = System.nanoTime();
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                    .until(() -> a.counters(sa).get("videoTargetBitrateKbps") >= low * 120 / 100);
            System.out.printf("VideoLossRecoveryTest: bitrate back from %d to %d kbps in %d ms%n", low,
                    a.counters(sa).get("videoTargetBitrateKbps"), (System.nanoTime() - cleanStart) / 1_000_000);
            long decoded = VideoCallTest.video(a, sa).getFramesDecoded();
            await().atMost(Duration.ofSeconds(5)).until(() -> VideoCallTest.video(a, sa).getFramesDecoded() > decoded + 30);
            a.close(sa);
        }
    }

    private static void nft(EngineInNamespace ns, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("nft"));
        cmd.addAll(List.of(args));
        ns.exec(cmd.toArray(new String[0]));
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
}
