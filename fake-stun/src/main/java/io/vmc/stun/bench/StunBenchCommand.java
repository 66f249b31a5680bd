package io.vmc.stun.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code vmc bench stun}: Binding requests per second, latency and memory of fake-stun and of coturn
 * ({@code turnserver --stun-only}) in the same run, each in its own process, driven by the same
 * closed-loop UDP generator with the same request mix, on loopback.
 */
@Command(name = "stun", mixinStandardHelpOptions = true,
        description = {"Benchmark fake-stun against coturn in stun-only mode (UDP, loopback, same generator and mix).",
                "Mix: 80% Binding with SOFTWARE+FINGERPRINT, 10% bare Binding, 10% RFC 3489 Binding."})
public final class StunBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "Measured time per server (default: ${DEFAULT-VALUE}).")
    int durationSeconds = 10;

    @Option(names = "--warmup", paramLabel = "SECONDS", description = "Unmeasured load before measuring (default: ${DEFAULT-VALUE}).")
    int warmupSeconds = 3;

    @Option(names = "--max-requests", paramLabel = "N", description = "Stop measuring after this many requests (default: ${DEFAULT-VALUE}).")
    long maxRequests = 20_000_000;

    @Option(names = "--clients", paramLabel = "N", description = "Client sockets (default: ${DEFAULT-VALUE}).")
    int clients = 8;

    @Option(names = "--window", paramLabel = "N", description = "Outstanding requests per client (default: ${DEFAULT-VALUE}).")
    int window = 16;

    @Option(names = "--generator-threads", paramLabel = "N", description = "Generator event loop threads (default: ${DEFAULT-VALUE}).")
    int generatorThreads = 1;

    @Option(names = "--server-threads", paramLabel = "N", description = "Threads of each server: fake-stun --threads, coturn --relay-threads (default: processors).")
    Integer serverThreads;

    @Option(names = "--jvm-opts", paramLabel = "OPTS", description = {"JVM options added after the shipped ones "
            + "(fake-stun/packaging/stun.jvm, the lean class path of `vmc stun`); default: none."})
    String jvmOpts = "";

    @Option(names = "--turnserver", paramLabel = "PATH", description = "coturn's turnserver (default: from PATH).")
    Path turnserver;

    @Option(names = "--rounds", paramLabel = "N", description = "Rounds; each measures every server, in alternating order (default: ${DEFAULT-VALUE}).")
    int rounds = 3;

    @Option(names = "--skip-coturn", description = "Measure fake-stun only.")
    boolean skipCoturn;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        int threads = serverThreads != null ? serverThreads : Runtime.getRuntime().availableProcessors();
        List<Result> results = new ArrayList<>();
        Path work = Files.createTempDirectory("vmc-bench-stun");
        try {
            out.printf(Locale.ROOT, "STUN benchmark: %d s warm-up + %d s measured per server, %d clients x %d outstanding, "
                    + "%d generator thread(s), %d server threads, %d processors%n", warmupSeconds, durationSeconds,
                    clients, window, generatorThreads, threads, Runtime.getRuntime().availableProcessors());
            out.println(HEADER);
            out.flush();
            Path ts = null;
            if (!skipCoturn) {
                ts = turnserver != null ? turnserver : findOnPath("turnserver");
                if (ts == null) {
                    spec.commandLine().getErr().println("turnserver not found on PATH (Debian package coturn); use --skip-coturn");
                    return 1;
                }
            }
            for (int round = 1; round <= rounds; round++) {
                out.printf(Locale.ROOT, "round %d%n", round);
                boolean coturnFirst = ts != null && round % 2 == 0;
                if (coturnFirst) {
                    results.add(measureCoturn(ts, work.resolve("coturn-" + round), threads, out));
                }
                try (ServerProcess s = ServerProcess.fakeStun(jvmOpts.isBlank() ? List.of() : Arrays.asList(jvmOpts.trim().split("\\s+")), threads)) {
                    results.add(measure(s, out));
                }
                if (ts != null && !coturnFirst) {
                    results.add(measureCoturn(ts, work.resolve("coturn-" + round), threads, out));
                }
            }
        } finally {
            deleteTree(work);
        }
        out.println();
        out.println("Median over " + rounds + " round(s), by requests/s:");
        out.println(HEADER);
        out.println("|---|---|---|---|---|---|---|---|---|---|");
        Result fake = median(results, "fake-stun");
        Result coturn = median(results, "coturn");
        out.println(fake.row());
        if (coturn != null) {
            out.println(coturn.row());
            out.printf(Locale.ROOT, "%nfake-stun / coturn throughput (medians): %.2fx; requests per server CPU-second: %.0f vs %.0f%n",
                    fake.rps / coturn.rps, fake.perCpuSecond(), coturn.perCpuSecond());
        }
        out.flush();
        boolean ok = results.stream().allMatch(r -> r.success > 0);
        return ok ? 0 : 1;
    }

    static final String HEADER = "| server | requests/s | p50 µs | p99 µs | p99.9 µs | lost | errors | server CPU s "
            + "| RSS idle MiB | RSS max under load MiB |";

    private static Result median(List<Result> results, String name) {
        List<Result> mine = results.stream().filter(r -> r.name.equals(name))
                .sorted(java.util.Comparator.comparingDouble(Result::rps)).toList();
        return mine.isEmpty() ? null : mine.get(mine.size() / 2);
    }

    private Result measureCoturn(Path ts, Path dir, int threads, PrintWriter out) throws Exception {
        try (ServerProcess s = ServerProcess.coturn(ts, dir, threads)) {
            return measure(s, out);
        }
    }

    private Result measure(ServerProcess server, PrintWriter out) throws Exception {
        long idleRss = server.rssKiB();
        try (LoadGenerator gen = new LoadGenerator(server.address, clients, window, generatorThreads, maxRequests)) {
            gen.start();
            TimeUnit.SECONDS.sleep(warmupSeconds); // fixed-length warm-up: a duration, not a wait for an event
            double cpu0 = server.cpuSeconds();
            long t0 = System.nanoTime();
            gen.beginMeasurement();
            long maxRss = server.rssKiB();
            long end = t0 + TimeUnit.SECONDS.toNanos(durationSeconds);
            while (System.nanoTime() < end && gen.budgetLeft()) {
                TimeUnit.MILLISECONDS.sleep(100); // sampling period for RSS
                maxRss = Math.max(maxRss, server.rssKiB());
            }
            LoadGenerator.Totals t = gen.endMeasurement();
            double seconds = (System.nanoTime() - t0) / 1e9;
            double cpu = server.cpuSeconds() - cpu0;
            Result r = new Result(server.name, t.success / seconds, t.histogram, t.lost, t.errors + t.bad, cpu,
                    idleRss, maxRss, t.success);
            out.println(r.row());
            out.flush();
            return r;
        }
    }

    record Result(String name, double rps, LatencyHistogram h, long lost, long errors, double cpuSeconds,
                  long idleRssKiB, long maxRssKiB, long success) {
        String row() {
            return String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %.0f | %d | %d | %.1f | %.1f | %.1f |", name, rps,
                    h.percentileMicros(0.50), h.percentileMicros(0.99), h.percentileMicros(0.999), lost, errors,
                    cpuSeconds, idleRssKiB / 1024.0, maxRssKiB / 1024.0);
        }

        double perCpuSecond() {
            return cpuSeconds > 0 ? success / cpuSeconds : Double.NaN;
        }
    }

    private static Path findOnPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    private static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            // temp files only
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new StunBenchCommand()).execute(args));
    }
}
