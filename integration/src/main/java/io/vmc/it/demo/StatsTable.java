package io.vmc.it.demo;

import java.io.PrintStream;
import java.util.Locale;

/** The per-second call statistics table the demo prints, one row per party. */
final class StatsTable {
    private static final String FORMAT = "%-6s %-9s %-6s %-9s %8s %8s %6s %9s %7s %5s%n";
    private final PrintStream out;
    private int second;

    StatsTable(PrintStream out) {
        this.out = out;
    }

    void header() {
        out.printf(Locale.ROOT, "%-4s " + FORMAT, "t(s)", "party", "mode", "codec", "encrypted", "sent", "received",
                "lost", "jitter_ms", "rtt_ms", "MOS");
    }

    void row(CallObserver... parties) {
        second++;
        for (CallObserver p : parties) {
            out.printf(Locale.ROOT, "%-4d " + FORMAT, second, p.party(), p.mode(), p.stat("codec").orElse("-"),
                    p.stat("encrypted").orElse("-"), p.stat("sent").orElse("-"), p.stat("received").orElse("-"),
                    p.stat("lost").orElse("-"), p.stat("jitter_ms").orElse("-"), p.stat("rtt_ms").orElse("-"),
                    p.stat("mos").orElse("-"));
        }
    }
}
