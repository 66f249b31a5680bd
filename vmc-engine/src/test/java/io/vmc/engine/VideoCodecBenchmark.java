package io.vmc.engine;

import static org.awaitility.Awaitility.await;

import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.StreamStats;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * VP8 against H.264 in a two-engine call on loopback for 10 s: pictures decoded per second, send
 * bitrate (A sends SMPTE bars, B a moving ball, cap 800 kb/s) and the JVM's CPU for both engines.
 * On demand: {@code mvn -B -ntp -o -pl vmc-engine test -Dtest=VideoCodecBenchmark -Dvmc.bench=true}.
 */
@EnabledIfSystemProperty(named = "vmc.bench", matches = "true")
class VideoCodecBenchmark {
    @TempDir Path dirA;
    @TempDir Path dirB;

    @ParameterizedTest
    @ValueSource(strings = {"VP8", "H264"})
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void call(String codec) throws Exception {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (TestEngine a = new TestEngine(440, dirA, b -> b.videoSource(EngineConfig.VideoSource.testPattern("smpte")));
             TestEngine b = new TestEngine(880, dirB, x -> x.videoSource(EngineConfig.VideoSource.testPattern("ball")))) {
            String sa = a.createSession(SessionOptions.newBuilder().setVideo(true).addVideoCodecs(codec));
            String sb = b.createSession(SessionOptions.newBuilder().setVideo(true).addVideoCodecs(codec));
            a.setAnswer(sa, b.answer(sb, a.offer(sa)));
            await().atMost(Duration.ofSeconds(30)).until(() -> VideoCallTest.video(a, sa).getFramesDecoded() > 10
                    && VideoCallTest.video(b, sb).getFramesDecoded() > 10);
            long t0 = System.nanoTime();
            long cpu0 = os.getProcessCpuTime();
            StreamStats a0 = VideoCallTest.video(a, sa);
            StreamStats b0 = VideoCallTest.video(b, sb);
            Thread.sleep(10_000); // a fixed measuring window, not a wait for a condition
            double secs = (System.nanoTime() - t0) / 1e9;
            long cpu1 = os.getProcessCpuTime();
            StreamStats a1 = VideoCallTest.video(a, sa);
            StreamStats b1 = VideoCallTest.video(b, sb);
            System.out.printf(Locale.ROOT, "video %s: ball decoded %.1f pictures/s, bars decoded %.1f pictures/s;"
                            + " bars sent %.0f kb/s, ball sent %.0f kb/s; JVM CPU (both engines, audio too) %.0f %% of a core%n",
                    codec, (a1.getFramesDecoded() - a0.getFramesDecoded()) / secs,
                    (b1.getFramesDecoded() - b0.getFramesDecoded()) / secs,
                    (a1.getBytesSent() - a0.getBytesSent()) * 8 / secs / 1000,
                    (b1.getBytesSent() - b0.getBytesSent()) * 8 / secs / 1000, (cpu1 - cpu0) / 1e9 / secs * 100);
        }
    }
}
