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

    /** Open file descriptors of {@code pid} by kind ("socket", "pipe", "anon_inode:[eventfd]", a device, "file"), for finding a leak. */
    public static java.util.Map<String, Integer> openFileKinds(long pid) {
        java.util.Map<String, Integer> kinds = new java.util.TreeMap<>();
        java.util.Map<String, String> sockets = socketKinds(pid);
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            fds.forEach(fd -> {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    String kind = target.startsWith("socket:") ? sockets.getOrDefault(target.substring(8, target.length() - 1), "socket")
                            : target.startsWith("pipe:") ? "pipe"
                            : target.startsWith("anon_inode:") ? target
                            : target.startsWith("/dev/") ? target : "file";
                    kinds.merge(kind, 1, Integer::sum);
                } catch (IOException closedMeanwhile) {
                    // the descriptor went away while listing
                }
            });
        } catch (IOException | RuntimeException gone) {
            // process gone
        }
        return kinds;
    }

    /** Socket inode to "udp ADDRESS", "tcp ADDRESS" or "unix", from the process's view of /proc/net. */
    private static java.util.Map<String, String> socketKinds(long pid) {
        java.util.Map<String, String> m = new java.util.HashMap<>();
        for (String proto : java.util.List.of("udp", "tcp", "udp6", "tcp6")) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "net", proto))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 9 && f[1].contains(":") && !f[0].equals("sl")) {
                        m.put(f[9], proto + " " + hexAddress(f[1]));
                    }
                }
            } catch (IOException | RuntimeException unreadable) {
                // not this protocol
            }
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "net", "unix"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 6 && !f[0].equals("Num")) {
                    m.put(f[6], "unix");
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            // no unix sockets
        }
        return m;
    }

    /** "0100007F:1F90" (little-endian IPv4) to "127.0.0.1"; other forms as they are. */
    private static String hexAddress(String hostPort) {
        String host = hostPort.substring(0, hostPort.indexOf(':'));
        if (host.length() != 8) {
            return host;
        }
        long v = Long.parseLong(host, 16);
        return (v & 0xff) + "." + ((v >> 8) & 0xff) + "." + ((v >> 16) & 0xff) + "." + ((v >> 24) & 0xff);
    }

    /** Threads of {@code pid} by name with digits dropped ("vmc-engine-req-"), from /proc/PID/task/TID/comm. */
    public static java.util.Map<String, Integer> threadNames(long pid) {
        java.util.Map<String, Integer> names = new java.util.TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            tasks.forEach(t -> {
                try {
                    names.merge(Files.readString(t.resolve("comm")).trim().replaceAll("[0-9]+", ""), 1, Integer::sum);
                } catch (IOException endedMeanwhile) {
                    // the thread ended while listing
                }
            });
        } catch (IOException | RuntimeException gone) {
            // process gone
        }
        return names;
    }
}
