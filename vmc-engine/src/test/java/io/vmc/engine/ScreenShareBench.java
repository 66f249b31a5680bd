package io.vmc.engine;

import io.vmc.engine.internal.media.VideoCodec;
import io.vmc.engine.internal.media.VideoPipelines;
import io.vmc.port.spice.ScreenPicture;
import java.lang.management.ManagementFactory;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Screen-share sender CPU for docs/benchmarks.md: the engine's screen pipeline (appsrc of BGRx
 * pictures -> videoconvert -> videoscale -> VP8) fed with a 1920x1080 desktop (a document-like
 * picture where a 200x40 block changes every frame), each picture copied once per frame as
 * SpiceSession.captureScreen copies the display surface. Prints the process CPU in percent of one
 * core. Usage: ScreenShareBench FPS SECONDS.
 */
public final class ScreenShareBench {
    public static void main(String[] args) throws Exception {
        int fps = Integer.parseInt(args[0]);
        int seconds = Integer.parseInt(args[1]);
        int w = 1920;
        int h = 1080;
        byte[] desktop = new byte[w * h * 4];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 4;
                boolean text = y % 24 < 14 && x % 9 < 6 && x > 100 && x < 1800;
                byte v = (byte) (text ? 30 : 240);
                desktop[i] = v;
                desktop[i + 1] = v;
                desktop[i + 2] = v;
            }
        }
        AtomicLong frame = new AtomicLong();
        ScreenSource source = area -> {
            byte[] copy = desktop.clone(); // the surface copy captureScreen makes
            long n = frame.incrementAndGet();
            int bx = (int) (n * 20 % (w - 200));
            for (int y = 500; y < 540; y++) {
                for (int x = bx; x < bx + 200; x++) copy[(y * w + x) * 4 + 2] = (byte) 200;
            }
            return Optional.of(new ScreenPicture(w, h, 0, 0, w, h, copy));
        };
        AtomicLong bytes = new AtomicLong();
        try (VideoPipelines.Sender s = VideoPipelines.Sender.screen(VideoCodec.VP8, source, null,
                new EngineConfig.VideoFormat(w, h, fps), 96, 2500, p -> bytes.addAndGet(p.length), e -> System.err.println(e))) {
            s.start();
            Thread.sleep(3000); // warm-up
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            long f0 = frame.get();
            long b0 = bytes.get();
            Thread.sleep(seconds * 1000L);
            double cpu = (os.getProcessCpuTime() - cpu0) * 100.0 / (System.nanoTime() - t0);
            System.out.printf(java.util.Locale.ROOT, "fps=%d cpu=%.1f%% frames=%d kbps=%.0f%n", fps, cpu, frame.get() - f0,
                    (bytes.get() - b0) * 8.0 / seconds / 1000);
        }
    }
}
