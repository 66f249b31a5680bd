package io.vmc.it.demo;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The per-second call statistics table the demo prints, one row per party: audio, and in video
 * calls the received video's codec and decoded frames.
 */
final class StatsTable {
    private static final String FORMAT = "%-6s %-9s %-6s %-9s %8s %8s %6s %9s %7s %5s";
    private static final String VIDEO_FORMAT = " %-6s %7s";
    private final PrintStream out;
    private final boolean video;
    private int second;

    StatsTable(PrintStream out, boolean video) {
        this.out = out;
        this.video = video;
    }

    void header() {
        out.printf(Locale.ROOT, "%-4s " + FORMAT, "t(s)", "party", "mode", "codec", "encrypted", "sent", "received",
                "lost", "jitter_ms", "rtt_ms", "MOS");
        if (video) {
            out.printf(Locale.ROOT, VIDEO_FORMAT, "video", "frames");
        }
        out.println();
    }

    void row(CallObserver... parties) {
        second++;
        // One print per row: the softphones' CALL lines are printed from other threads meanwhile.
        for (CallObserver p : parties) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-4d " + FORMAT, second, p.party(), p.mode(),
                    p.stat("codec").orElse("-"), p.stat("encrypted").orElse("-"), p.stat("sent").orElse("-"),
                    p.stat("received").orElse("-"), p.stat("lost").orElse("-"), p.stat("jitter_ms").orElse("-"),
                    p.stat("rtt_ms").orElse("-"), p.stat("mos").orElse("-")));
            if (video) {
                line.append(String.format(Locale.ROOT, VIDEO_FORMAT, p.videoStat("codec").orElse("-"),
                        p.videoStat("frames_decoded").orElse("-")));
            }
            out.println(line);
        }
    }
}
