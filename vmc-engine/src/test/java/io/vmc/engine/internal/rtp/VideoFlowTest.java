package io.vmc.engine.internal.rtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.engine.EngineConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The video RTP session on its own (plain RTP): a PLI makes the encoder send a keyframe at once. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class VideoFlowTest {
    /** RTP with PT 96 whose VP8 payload starts a keyframe (descriptor S bit, 15-bit picture id, P bit 0). */
    static boolean keyframeStart(byte[] p) {
        if (p.length < 12 + 5 || (p[1] & 0x7f) != 96) return false;
        int d = 12;
        boolean start = (p[d] & 0x10) != 0 && (p[d] & 0x07) == 0;
        return start && (p[d + 4] & 0x01) == 0;
    }

    @Test
    void pliForcesAKeyframeLongBeforeThePeriodicOne() throws Exception {
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(1);
        RecordingIo io = new RecordingIo();
        List<RecordingIo.Sent> sent = io.sent;
        EngineConfig config = EngineConfig.builder().videoSource(EngineConfig.VideoSource.testPattern("ball")).build();
        try (VideoFlow f = new VideoFlow(new VideoFlow.Params(96, 96, null, null, null, true, true), config, null, timer, io)) {
            // the first keyframe, then let the stream settle well inside the 2 s keyframe interval
            await().atMost(Duration.ofSeconds(10)).until(() -> sent.stream().anyMatch(s -> keyframeStart(s.data())));
            long firstKey = sent.stream().filter(s -> keyframeStart(s.data())).findFirst().orElseThrow().nanos();
            await().atMost(Duration.ofSeconds(5)).until(() -> System.nanoTime() - firstKey > 300_000_000L);
            assertThat(sent.stream().filter(s -> keyframeStart(s.data())).count()).isEqualTo(1);

            byte[] pli = new byte[12];
            pli[0] = (byte) 0x81;
            pli[1] = (byte) 206;
            RtpPackets.writeU16(pli, 2, 2);
            RtpPackets.writeU32(pli, 4, 0x1234);
            RtpPackets.writeU32(pli, 8, 0);
            long asked = System.nanoTime();
            f.onPacket(pli, 0, pli.length);
            assertThat(f.counters()).containsEntry("videoPliReceived", 1L);
            await().atMost(Duration.ofMillis(1000)).until(() -> sent.stream().anyMatch(s -> s.nanos() > asked && keyframeStart(s.data())));
            long keyAfter = sent.stream().filter(s -> s.nanos() > asked && keyframeStart(s.data())).findFirst().orElseThrow().nanos();
            assertThat((keyAfter - asked) / 1_000_000).as("ms from PLI to keyframe").isLessThan(500);
            // our own RTCP: a sender report while we send (and PLIs while nothing was decoded)
            assertThat(sent).anyMatch(s -> (s.data()[1] & 0xff) == 200);
        } finally {
            timer.shutdownNow();
        }
    }
}
