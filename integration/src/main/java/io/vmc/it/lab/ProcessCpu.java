package io.vmc.it.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time, resident memory, threads and open files of a process, from /proc (Linux). */
public final class ProcessCpu {
    /** Linux reports utime/stime in clock ticks of 1/100 s on every architecture VMC runs on. */
    private static final double SECONDS_PER_TICK = 0.01;

    private ProcessCpu() {}

    /** User + system CPU seconds of {@code pid}, or 0 if it is gone. */
    public static double seconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) may contain spaces: count fields after its closing parenthesis.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long utime = Long.parseLong(f[11]);
            long stime = Long.parseLong(f[12]);
            return (utime + stime) * SECONDS_PER_TICK;
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }

    /** Resident set size of {@code pid} in bytes (VmRSS), or 0 if it is gone. */
    public static long rssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
            return 0;
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }

    /** Threads of {@code pid}, or 0 if it is gone. */
    public static int threads(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("Threads:")) {
                    return Integer.parseInt(line.substring("Threads:".length()).trim());
                }
            }
            return 0;
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }

    /** Open file descriptors of {@code pid} (sockets included), or 0 if it is gone. */
    public static int openFiles(long pid) {
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return (int) fds.count();
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }
}
