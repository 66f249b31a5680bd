package io.vmc.engine.internal.rtp;

import io.vmc.engine.internal.transport.SrtpContext;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.engine.EngineConfig;
import io.vmc.engine.sdp.Crypto;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * VideoFlow's RTCP feedback with a real VP8 pipeline and a scripted peer (plain RTP, so the test
 * reads what the flow sends): NACKs answered from the history, gaps in what we receive NACKed,
 * reports about our stream steering the encoder, hostile feedback bounded.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VideoFlowFeedbackTest {
    static final long PEER = 0x5eed5eedL;
    final ScheduledExecutorService timer = Executors.newScheduledThreadPool(1);
    final RecordingIo io = new RecordingIo();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    VideoFlow flow(String pattern, boolean receive) {
        EngineConfig config = EngineConfig.builder().videoSource(EngineConfig.VideoSource.testPattern(pattern)).build();
        return new VideoFlow(new VideoFlow.Params(96, 96, null, null, null, true, receive), config, null, timer, io);
    }

    List<byte[]> media() {
        return io.packets().stream().filter(p -> !RtpPackets.looksLikeRtcp(p, 0, p.length)).toList();
    }

    List<RtcpPackets.Parsed> rtcp(long mediaSsrc) {
        return io.packets().stream().filter(p -> RtpPackets.looksLikeRtcp(p, 0, p.length))
                .map(p -> RtcpPackets.parse(p, 0, p.length, mediaSsrc)).toList();
    }

    static byte[] nack(long sender, long media, List<Integer> seqs) {
        byte[] p = new byte[RtcpPackets.maxNackBytes()];
        int end = RtcpPackets.writeNack(p, 0, sender, media, seqs);
        return java.util.Arrays.copyOf(p, end);
    }

    static byte[] rr(long sender, RtcpPackets.ReportBlock block) {
        byte[] p = new byte[32];
        RtcpPackets.writeReport(p, 0, sender, null, List.of(block));
        return p;
    }

    @Test
    void nackedPacketsAreSentAgainAsTheyWereAndUnknownOnesAreNot() {
        try (VideoFlow f = flow("ball", false)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> media().size() >= 40);
            List<byte[]> all = media();
            List<byte[]> originals = all.subList(all.size() - 5, all.size()); // well inside the 1 s history
            long ssrc = RtpPackets.ssrc(originals.get(0), 0);
            List<Integer> seqs = originals.stream().map(p -> RtpPackets.seq(p, 0)).toList();
            int before = io.sent.size();
            byte[] n = nack(PEER, ssrc, seqs);
            f.onPacket(n, 0, n.length);
            List<byte[]> again = io.packets().stream().skip(before)
                    .filter(p -> !RtpPackets.looksLikeRtcp(p, 0, p.length) && seqs.contains(RtpPackets.seq(p, 0))).toList();
            assertThat(again).hasSize(5);
            for (int i = 0; i < 5; i++) assertThat(again.get(i)).isEqualTo(originals.get(i));
            assertThat(f.counters()).containsEntry("videoNacksReceived", 1L).containsEntry("videoRetransmitted", 5L);

            // never sent (far ahead), and a NACK about another SSRC
            int ahead = (RtpPackets.seq(media().get(media().size() - 1), 0) + 20_000) & 0xffff;
            byte[] unknown = nack(PEER, ssrc, List.of(ahead, ahead + 1));
            f.onPacket(unknown, 0, unknown.length);
            byte[] other = nack(PEER, ssrc + 1, seqs);
            f.onPacket(other, 0, other.length);
            assertThat(f.counters()).containsEntry("videoRetransmitted", 5L).containsEntry("videoNackMisses", 2L)
                    .containsEntry("videoNacksReceived", 2L);
        }
    }

    @Test
    void aNackFloodIsBounded() {
        try (VideoFlow f = flow("snow", false)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> media().size() >= 300);
            long ssrc = RtpPackets.ssrc(media().get(0), 0);
            int first = RtpPackets.seq(media().get(0), 0);
            // 372 items x 17 numbers, all around what was really sent
            int items = (RtpPackets.MAX_PACKET - 12) / 4;
            byte[] p = new byte[12 + 4 * items];
            p[0] = (byte) 0x81;
            p[1] = (byte) 205;
            RtpPackets.writeU16(p, 2, p.length / 4 - 1);
            RtpPackets.writeU32(p, 4, PEER);
            RtpPackets.writeU32(p, 8, ssrc);
            for (int i = 0; i < items; i++) {
                RtpPackets.writeU16(p, 12 + 4 * i, first + i * 17);
                RtpPackets.writeU16(p, 14 + 4 * i, 0xffff);
            }
            for (int k = 0; k < 50; k++) f.onPacket(p, 0, p.length);
            var c = f.counters();
            assertThat(c.get("videoNacksReceived")).isEqualTo(50);
            // per NACK at most MAX_RESEND_PER_NACK, in all at most the limiter's burst (plus what refilled)
            assertThat(c.get("videoRetransmitted")).isGreaterThan(0).isLessThanOrEqualTo(100 + 50);
            assertThat(c.get("videoRetransmitted") + c.get("videoNackMisses"))
                    .isLessThanOrEqualTo(50L * RtcpPackets.MAX_NACK_SEQS);
        }
    }

    @Test
    void gapsInWhatWeReceiveAreNackedAndRecoveriesCountedAsNetworkLoss() {
        try (VideoFlow f = flow("ball", true)) {
            // after the first periodic report the next is 500 ms away: on a busy machine a gap made
            // just before a periodic report would have its NACK ride in that report instead
            await().atMost(Duration.ofSeconds(10)).until(() -> !rtcp(PEER).isEmpty());
            io.sent.clear();
            long gapSeen = 0;
            for (int seq = 1; seq <= 10; seq++) {
                if (seq == 5) continue;
                byte[] p = MediaFlowInputTest.rtp(96, seq, seq * 3000L, PEER, 50);
                f.onPacket(p, 0, p.length);
                if (seq == 6) gapSeen = System.nanoTime(); // the tracker's clock starts for 5 here
            }
            // the NACK goes out at once, before any periodic report: an empty RR + NACK for 5
            // polled every millisecond: 5 must arrive within the tracker's 200 ms (NACK_MAX_AGE_NANOS) to count as recovered
            await().atMost(Duration.ofSeconds(2)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                    .until(() -> rtcp(PEER).stream().anyMatch(r -> !r.nackSeqs().isEmpty()));
            RtcpPackets.Parsed early = rtcp(PEER).stream().filter(r -> !r.nackSeqs().isEmpty()).findFirst().orElseThrow();
            assertThat(early.nackSeqs()).containsExactly(5);
            assertThat(early.blocks()).isEmpty();
            long waited = System.nanoTime() - gapSeen;
            byte[] five = MediaFlowInputTest.rtp(96, 5, 5 * 3000L, PEER, 50);
            f.onPacket(five, 0, five.length);
            // the NACK may have been repeated before 5 came (no RTT known yet: the repeat timer is short)
            assertThat(f.counters().get("videoNacksSent")).isPositive();
            // A NACKed packet is "recovered" when it comes while the gap is tracked (NACK_MAX_AGE_NANOS);
            // on a loaded machine this thread can be later than that, and then the gap may have been
            // given up by the next NACK check (or not yet): only the in-time case is certain.
            if (waited < VideoFlow.NACK_MAX_AGE_NANOS - 50_000_000L) {
                assertThat(f.counters()).containsEntry("videoRecovered", 1L);
            } else {
                assertThat(f.counters().get("videoRecovered")).as("5 came %d ms after the gap", waited / 1_000_000).isBetween(0L, 1L);
            }
            long nackedBeforeJump = f.counters().get("videoNackedPackets");

            // a jump of 2000: not 2000 NACKs
            byte[] jump = MediaFlowInputTest.rtp(96, 2011, 2011 * 3000L, PEER, 50);
            f.onPacket(jump, 0, jump.length);
            assertThat(f.counters().get("videoNackedPackets")).isEqualTo(nackedBeforeJump);

            // the next periodic report: highest 2011, the recovered packet counted as lost with the jump
            // (a report sent earlier, while the first packets came in, says less: on a loaded machine
            // the report timer can fire in the middle of that loop)
            await().atMost(Duration.ofSeconds(3)).until(() -> rtcp(PEER).stream()
                    .anyMatch(r -> !r.blocks().isEmpty() && r.blocks().get(0).extHighestSeq() >= 2011));
            RtcpPackets.ReportBlock b = rtcp(PEER).stream()
                    .filter(r -> !r.blocks().isEmpty() && r.blocks().get(0).extHighestSeq() >= 2011)
                    .findFirst().orElseThrow().blocks().get(0);
            assertThat(b.ssrc()).isEqualTo(PEER);
            assertThat(b.extHighestSeq()).isEqualTo(2011);
            assertThat(b.cumulativeLost()).isEqualTo(2011 - 10);
        }
    }

    @Test
    void reportsOfHeavyLossLowerTheEncodersRateAndAbsurdValuesAreBounded() {
        try (VideoFlow f = flow("spokes", false)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> media().size() >= 20);
            long ssrc = RtpPackets.ssrc(media().get(0), 0);
            long rate800 = bytesPerSecond(f);
            assertThat(f.counters()).containsEntry("videoTargetBitrateKbps", 800L);
            // the peer reports 99.6% loss with absurd LSR/DLSR, every 350 ms
            for (int i = 0; i < 6; i++) {
                byte[] r = rr(PEER, new RtcpPackets.ReportBlock(ssrc, 255, -0x800000, 0xffffffffL, 0xffffffffL,
                        0xdeadbeefL, 0xffffffffL));
                f.onPacket(r, 0, r.length);
                long t = System.nanoTime();
                await().atMost(Duration.ofSeconds(2)).until(() -> System.nanoTime() - t > 350_000_000L);
            }
            assertThat(f.counters()).containsEntry("videoTargetBitrateKbps", (long) VideoFlow.MIN_BITRATE_KBPS)
                    .containsEntry("videoRemoteLossPercent", 100L);
            assertThat(f.rttMs()).as("absurd LSR/DLSR give no RTT").isEqualTo(-1);
            long rate150 = bytesPerSecond(f);
            System.out.printf("VideoFlowFeedbackTest: spokes at 800 kbps target %d bytes/s, at 150 kbps %d bytes/s%n", rate800, rate150);
            // the running encoder follows: spokes makes about 660 kbit/s at 800 and 220 at 150 on an idle
            // machine (VP8 overshoots a low target on motion: up to 345 seen); a loaded machine drops
            // frames and sends less at both (125 and 78 seen under CI load)
            assertThat(rate150).as("bytes/s at 150 kbps vs %d at 800", rate800).isLessThan(rate800 * 3 / 4);
        }
    }

    @Test
    void withSrtpASecondCopyIsAReplayNotAForgery() throws Exception {
        byte[] ours = MediaFlowInputTest.key();
        byte[] theirs = MediaFlowInputTest.key();
        EngineConfig config = EngineConfig.builder().videoSource(EngineConfig.VideoSource.testPattern("ball")).build();
        String suite = Crypto.AES_CM_128_HMAC_SHA1_80;
        try (SrtpContext peer = new SrtpContext(suite, theirs, ours);
             VideoFlow f = new VideoFlow(new VideoFlow.Params(96, 96, suite, ours, theirs, true, true), config, null, timer, io)) {
            for (int seq = 1; seq <= 3; seq++) {
                byte[] p = MediaFlowInputTest.protect(peer, MediaFlowInputTest.rtp(96, seq, seq * 3000L, PEER, 50));
                f.onPacket(p, 0, p.length);
                if (seq == 2) f.onPacket(p, 0, p.length); // the same packet again
            }
            byte[] forged = MediaFlowInputTest.protect(peer, MediaFlowInputTest.rtp(96, 4, 4 * 3000L, PEER, 50));
            forged[20] ^= 1;
            f.onPacket(forged, 0, forged.length);
            assertThat(f.counters()).containsEntry("videoReplayed", 1L).containsEntry("videoAuthFailed", 1L)
                    .containsEntry("videoPacketsReceived", 3L);
        }
    }

    @Test
    void aPliFloodDoesNotBecomeAKeyframeFlood() {
        try (VideoFlow f = flow("ball", false)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> media().size() >= 20);
            byte[] pli = new byte[12];
            RtcpPackets.writePli(pli, 0, PEER, RtpPackets.ssrc(media().get(0), 0));
            int before = io.sent.size();
            long t0 = System.nanoTime();
            for (int i = 0; i < 200; i++) f.onPacket(pli, 0, pli.length);
            await().atMost(Duration.ofSeconds(3)).until(() -> System.nanoTime() - t0 > 1_000_000_000L);
            long keyframes = io.packets().stream().skip(before).filter(VideoFlowTest::keyframeStart).count();
            assertThat(f.counters()).containsEntry("videoPliReceived", 200L);
            // the limiter's burst of 2 plus 3/s; a keyframe spans packets but only its first starts one
            assertThat(keyframes).isBetween(1L, 6L);
        }
    }

    /** Payload bytes sent over one second, after half a second to settle. */
    static long bytesPerSecond(VideoFlow f) {
        long t0 = System.nanoTime();
        await().atMost(Duration.ofSeconds(3)).until(() -> System.nanoTime() - t0 > 500_000_000L);
        long b0 = f.bytesSent();
        long t1 = System.nanoTime();
        await().atMost(Duration.ofSeconds(3)).until(() -> System.nanoTime() - t1 > 1_000_000_000L);
        return (f.bytesSent() - b0) * 1_000_000_000L / (System.nanoTime() - t1);
    }
}
