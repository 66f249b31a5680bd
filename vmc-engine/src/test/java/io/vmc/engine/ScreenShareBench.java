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
 *
 * <p>{@code ScreenShareBench desktop FPS} shows the same picture, with the same block changing at
 * FPS, full screen on {@code $DISPLAY} (an Xvfb of 1920x1080), for the baseline: a bare
 * {@code gst-launch-1.0 ximagesrc ! videoconvert ! vp8enc} of that screen (docs/benchmarks.md).
 */
public final class ScreenShareBench {
    private static final int W = 1920;
    private static final int H = 1080;

    public static void main(String[] args) throws Exception {
        if (args[0].equals("desktop")) {
            showDesktop(Integer.parseInt(args[1]));
            return;
        }
        int fps = Integer.parseInt(args[0]);
        int seconds = Integer.parseInt(args[1]);
        int w = W;
        int h = H;
        byte[] desktop = desktop();
        AtomicLong frame = new AtomicLong();
        ScreenSource source = area -> {
            byte[] copy = desktop.clone(); // the surface copy captureScreen makes
            long n = frame.incrementAndGet();
            int bx = block(n);
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

    /** A document-like page: rows of dark "text" on light grey, BGRx. */
    private static byte[] desktop() {
        byte[] desktop = new byte[W * H * 4];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int i = (y * W + x) * 4;
                boolean text = y % 24 < 14 && x % 9 < 6 && x > 100 && x < 1800;
                byte v = (byte) (text ? 30 : 240);
                desktop[i] = v;
                desktop[i + 1] = v;
                desktop[i + 2] = v;
            }
        }
        return desktop;
    }

    /** Where frame {@code n}'s changing 200x40 block starts. */
    private static int block(long n) {
        return (int) (n * 20 % (W - 200));
    }

    /** The same page and block on the X screen, repainted at {@code fps}, until killed. */
    private static void showDesktop(int fps) throws Exception {
        byte[] bgrx = desktop();
        java.awt.image.BufferedImage page = new java.awt.image.BufferedImage(W, H, java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < W * H; i++) {
            page.setRGB(i % W, i / W, (bgrx[i * 4 + 2] & 0xff) << 16 | (bgrx[i * 4 + 1] & 0xff) << 8 | (bgrx[i * 4] & 0xff));
        }
        java.awt.Frame window = new java.awt.Frame();
        window.setUndecorated(true);
        window.setBounds(0, 0, W, H);
        window.setVisible(true);
        for (long n = 1; ; n++) {
            long next = System.nanoTime() + 1_000_000_000L / fps;
            java.awt.Graphics g = window.getGraphics();
            if (g != null) {
                if (n == 1) g.drawImage(page, 0, 0, null);
                int old = block(n - 1);
                g.drawImage(page, old, 500, old + 200, 540, old, 500, old + 200, 540, null); // only what changes
                g.setColor(new java.awt.Color(200, 240, 240)); // about the bench's block (its red byte 200)
                g.fillRect(block(n), 500, 200, 40);
                g.dispose();
                java.awt.Toolkit.getDefaultToolkit().sync();
            }
            Thread.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
        }
    }
}
