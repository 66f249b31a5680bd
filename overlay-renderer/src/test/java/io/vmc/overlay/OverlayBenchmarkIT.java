package io.vmc.overlay;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.overlay.testing.PixelProbe;
import io.vmc.overlay.testing.Processes;
import io.vmc.overlay.testing.Screen.Shot;
import io.vmc.overlay.testing.TestWindow;
import io.vmc.overlay.testing.Tools;
import io.vmc.overlay.testing.Xvfb;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.State;
import org.freedesktop.gstreamer.Version;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * On demand ({@code -Dvmc.benchmark=true}): render CPU of the overlay against a bare
 * {@code gst-launch-1.0 ... ! ximagesink} running at the same time on the same Xvfb, and the time
 * from a geometry update to the moved pixels. Prints figures; asserts only sanity.
 */
@EnabledIfSystemProperty(named = "vmc.benchmark", matches = "true")
@Timeout(300)
class OverlayBenchmarkIT {

    static final String CAPS = "video/x-raw,width=640,height=480,framerate=30/1";
    static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux
    static final int SECONDS = Integer.getInteger("vmc.benchmark.seconds", 15);

    static long cpuTicks(String pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", pid, "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
    }

    @Test
    void renderCpuAgainstBareGstLaunch() throws Exception {
        Tools.require("gst-launch-1.0");
        try (Xvfb xvfb = Xvfb.start(1920, 1080)) {
            OverlaySupport.initialize();
            if (!Gst.isInitialized()) {
                Gst.init(Version.of(1, 16), "bench", "--gst-disable-segtrap") /* as the engine\'s GstSupport.init: no GStreamer SIGSEGV handler in a JVM */;
            }
            String self = Long.toString(ProcessHandle.current().pid());
            long idle0 = cpuTicks(self);
            Thread.sleep(SECONDS * 1000L); // the JVM with Gst initialised and nothing to do: the baseline
            System.out.printf("BENCH idle JVM: %.1f%% of a core%n",
                    100.0 * (cpuTicks(self) - idle0) / TICKS_PER_SECOND / SECONDS);
            for (String codec : List.of("", " ! vp8enc deadline=1 ! vp8dec")) {
                runCpu(xvfb, codec);
            }
        }
    }

    void runCpu(Xvfb xvfb, String codec) throws Exception {
        try (TestWindow parent = new TestWindow(xvfb.display(), 700, 0, 1200, 800, 0x0000FF)) {
            VideoOverlay overlay = VideoOverlay.attach(OverlayOptions.builder().parentWindow(parent.id())
                    .displayName(xvfb.display()).scaling(ScalingMode.ONE_TO_ONE).build());
            overlay.setVideoArea(VideoArea.builder().area(Rect.of(0, 0, 640, 480)).screenSize(1200, 800).build());
            Pipeline p = new Pipeline("bench");
            Bin src = Gst.parseBinFromDescription("videotestsrc is-live=true pattern=smpte ! capsfilter caps=" + CAPS
                    + codec, true);
            Bin sink = overlay.sink();
            p.addMany(src, sink);
            Element.linkMany(src, sink);
            List<String> bare = new ArrayList<>(List.of("gst-launch-1.0", "-q", "videotestsrc", "is-live=true",
                    "pattern=smpte", "!", CAPS));
            for (String part : codec.split(" ")) {
                if (!part.isBlank()) {
                    bare.add(part);
                }
            }
                // ximagesink takes only the server's RGB format: after a decoder, bare needs a converter too.
            bare.addAll(List.of("!", "videoconvert", "!", "ximagesink", "display=" + xvfb.display()));
            Process gst = Processes.start(bare, Map.of(), null);
            p.play();
            try {
                Thread.sleep(3000); // warm-up: JIT, negotiation; nothing to await, a fixed settle time
                String self = Long.toString(ProcessHandle.current().pid());
                String other = Long.toString(gst.pid());
                long a0 = cpuTicks(self);
                long b0 = cpuTicks(other);
                Thread.sleep(SECONDS * 1000L);
                long a = cpuTicks(self) - a0;
                long b = cpuTicks(other) - b0;
                double overlayPct = 100.0 * a / TICKS_PER_SECOND / SECONDS;
                double barePct = 100.0 * b / TICKS_PER_SECOND / SECONDS;
                System.out.printf("BENCH cpu 640x480@30%s: overlay JVM %.1f%% of a core, bare gst-launch %.1f%%,"
                        + " ratio %.2f%n", codec.isEmpty() ? " raw" : codec.replace(" ! ", " + "), overlayPct, barePct,
                        overlayPct / barePct);
                assertThat(gst.isAlive()).isTrue();
            } finally {
                p.setState(State.NULL);
                p.dispose();
                overlay.close();
                Processes.stop(gst);
            }
        }
    }

    @Test
    void geometryUpdateToMovedPixels() throws Exception {
        try (Xvfb xvfb = Xvfb.start(1280, 800); PixelProbe probe = new PixelProbe(xvfb.display())) {
            OverlaySupport.initialize();
            if (!Gst.isInitialized()) {
                Gst.init(Version.of(1, 16), "bench", "--gst-disable-segtrap") /* as the engine\'s GstSupport.init: no GStreamer SIGSEGV handler in a JVM */;
            }
            try (TestWindow parent = new TestWindow(xvfb.display(), 0, 0, 1280, 800, 0x0000FF)) {
                VideoOverlay overlay = VideoOverlay.attach(OverlayOptions.builder().parentWindow(parent.id())
                        .displayName(xvfb.display()).build());
                Pipeline p = new Pipeline("latency");
                Bin src = Gst.parseBinFromDescription("videotestsrc is-live=true pattern=red ! capsfilter caps=" + CAPS,
                        true);
                Bin sink = overlay.sink();
                p.addMany(src, sink);
                Element.linkMany(src, sink);
                p.play();
                try {
                    int[][] spots = {{100, 100}, {700, 300}};
                    List<Long> micros = new ArrayList<>();
                    for (int i = 0; i < 60; i++) {
                        int[] to = spots[i % 2];
                        int[] from = spots[(i + 1) % 2];
                        long t0 = System.nanoTime();
                        overlay.setVideoArea(VideoArea.builder().area(Rect.of(to[0], to[1], 320, 240))
                                .screenSize(1280, 800).build());
                        while (!(Shot.isRed(probe.rgb(to[0] + 160, to[1] + 120))
                                && probe.rgb(from[0] + 160, from[1] + 120) == 0x0000FF)) {
                            if (System.nanoTime() - t0 > 5_000_000_000L) {
                                throw new AssertionError("pixels did not move within 5 s");
                            }
                        }
                        long t1 = System.nanoTime();
                        if (i >= 10) { // the first moves include negotiation of the first frames
                            micros.add((t1 - t0) / 1000);
                        }
                        Thread.sleep(50); // let the rate limiter's interval pass: we measure one update, not a flood
                    }
                    Collections.sort(micros);
                    System.out.printf("BENCH geometry->pixels over %d moves: median %.1f ms, p95 %.1f ms, max %.1f ms%n",
                            micros.size(), micros.get(micros.size() / 2) / 1000.0,
                            micros.get(micros.size() * 95 / 100) / 1000.0, micros.get(micros.size() - 1) / 1000.0);
                } finally {
                    p.setState(State.NULL);
                    p.dispose();
                    overlay.close();
                }
            }
        }
    }
}
