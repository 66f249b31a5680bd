package io.vmc.it.bench;

import com.google.gson.JsonElement;
import io.vmc.agent.api.Mode;
import io.vmc.agent.api.Vmc;
import io.vmc.agent.web.SecretFiles;
import io.vmc.it.browser.BrowserDriver;
import io.vmc.it.lab.Ports;
import io.vmc.it.lab.ProcessCpu;
import io.vmc.it.lab.VmcProcess;
import io.vmc.it.lab.Waits;
import io.vmc.it.lab.WebApiAgentd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./vmc bench web-api}: what the web API costs a page and agentd. In one headless Chromium
 * page (vmc-agent/web-sdk/browser-test/pages/bench), createOffer() through VMC's SDK (page ->
 * agentd's web API -> engine -> back, all on loopback) against the browser's own
 * RTCPeerConnection.createOffer() and against the Java API on agentd's unix socket (what the web
 * API adds), in alternating rounds; then agentd's RSS and CPU (started as
 * deployed: packaging/agentd.jvm, its own class path) with no page, with 10 pages each holding a
 * call, and with those 10 pages asking getStats() every second, in alternating windows.
 */
@Command(name = "web-api", mixinStandardHelpOptions = true,
        description = "createOffer through the web SDK vs the browser's own; agentd's RSS and CPU serving 10 pages.")
public final class WebApiBenchCommand implements Callable<Integer> {

    @Option(names = "--rounds", defaultValue = "5", description = "Alternating rounds. Default: ${DEFAULT-VALUE}.")
    int rounds;

    @Option(names = "--offers", defaultValue = "40", description = "createOffer calls per variant and round. Default: ${DEFAULT-VALUE}.")
    int offers;

    @Option(names = "--pages", defaultValue = "10", description = "Pages connected for the cost windows. Default: ${DEFAULT-VALUE}.")
    int pages;

    @Option(names = "--window-seconds", defaultValue = "15", description = "Each CPU window. Default: ${DEFAULT-VALUE}.")
    int windowSeconds;

    /**
     * At most one offer per this many ms in every variant (outside the timed part): the engine
     * takes 50 requests a second, and a new connection costs three (CreateSession, CreateOffer,
     * CloseSession).
     */
    private static final int FRESH_PERIOD_MS = 80;
    private static final int AGAIN_PERIOD_MS = 30;

    /** The variants of the offer rounds: what the page calls, and whether each offer gets a new peer connection. */
    private record Variant(String label, String which, boolean fresh) {}

    private static final List<Variant> VARIANTS = List.of(
            new Variant("createOffer, new peer connection: browser", "browser", true),
            new Variant("createOffer, new peer connection: VMC (+CreateSession)", "vmc", true),
            new Variant("  Java API on the unix socket (newSession + createOffer)", "java", true),
            new Variant("createOffer again, same connection: browser", "browser", false),
            new Variant("createOffer again, same connection: VMC", "vmc", false),
            new Variant("  the same from Java on the unix socket", "java", false));

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("vmc-bench-web-api-");
        Path engineSock = dir.resolve("engine.sock");
        Path agentSock = dir.resolve("agent.sock");
        int httpPort = Ports.freeTcpPort();
        try (VmcProcess engine = VmcProcess.start("engine", null, dir.resolve("engine.log"), l -> { },
                List.of("engine", "--channel", "unix-listen:" + engineSock, "--tone", "440", "--speaker", "none",
                        "--ice-address", "127.0.0.1"))) {
            Waits.awaitFile(engineSock, 60, dir.resolve("engine.log"));
            try (WebApiAgentd agentd = WebApiAgentd.start(dir, engineSock, agentSock, "http://127.0.0.1:" + httpPort)) {
                awaitOptimized(agentSock, dir);
                SecretFiles.Connection web = agentd.web();
                try (BrowserDriver browser = new BrowserDriver(Files.createDirectories(dir.resolve("browser")), httpPort, null, null)) {
                    List<String> names = new ArrayList<>();
                    for (int i = 1; i <= pages; i++) {
                        names.add("page" + i);
                        browser.open("page" + i, "bench/");
                        browser.await("page" + i, "window.benchReady === true", 60);
                    }
                    cost(browser, names, web, agentd.process().pid());
                    try (Vmc app = Vmc.connect(agentSock)) {
                        offers(browser, names.get(0), web, app);
                    }
                }
            }
        } finally {
            System.out.println("logs: " + dir);
        }
        return 0;
    }

    private static void awaitOptimized(Path agentSock, Path dir) throws Exception {
        try (Vmc vmc = Vmc.connect(agentSock)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (vmc.mode() != Mode.OPTIMIZED && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
            if (vmc.mode() != Mode.OPTIMIZED) {
                throw new IllegalStateException("agentd did not reach OPTIMIZED; see " + dir);
            }
        }
    }

    private static void connect(BrowserDriver browser, String page, SecretFiles.Connection web) throws Exception {
        String mode = browser.eval(page, "bench.connect(" + js(web.url()) + ", " + js(web.secret()) + ", " + js(page) + ")").getAsString();
        if (!mode.startsWith("OPTIMIZED")) {
            throw new IllegalStateException(page + " is not optimized: " + mode + "; see " + browser.log);
        }
    }

    /** agentd's RSS and CPU: no page connected / pages each holding a call / the same asking getStats() every second. */
    private void cost(BrowserDriver browser, List<String> names, SecretFiles.Connection web, long pid) throws Exception {
        Map<String, List<double[]>> samples = new LinkedHashMap<>();
        String none = "no page connected (web API on)";
        String idle = pages + " pages, one call each, idle";
        String stats = pages + " pages, one call each, getStats() every 1 s";
        for (String k : List.of(none, idle, stats)) {
            samples.put(k, new ArrayList<>());
        }
        TimeUnit.SECONDS.sleep(5); // settle after start-up
        for (int r = 1; r <= rounds; r++) {
            samples.get(none).add(window(pid));
            for (String p : names) {
                connect(browser, p, web);
                browser.eval(p, "bench.hold(0)");
            }
            TimeUnit.SECONDS.sleep(2);
            samples.get(idle).add(window(pid));
            for (String p : names) {
                browser.eval(p, "bench.release(), bench.hold(1000)");
            }
            TimeUnit.SECONDS.sleep(2);
            samples.get(stats).add(window(pid));
            for (String p : names) {
                browser.eval(p, "bench.disconnect()");
            }
            TimeUnit.SECONDS.sleep(2);
            System.out.printf(Locale.ROOT, "cost round %d/%d: RSS MB / CPU %% none %.1f/%.3f, idle %.1f/%.3f, stats %.1f/%.3f%n", r, rounds,
                    last(samples.get(none))[0], last(samples.get(none))[1], last(samples.get(idle))[0], last(samples.get(idle))[1],
                    last(samples.get(stats))[0], last(samples.get(stats))[1]);
        }
        System.out.printf(Locale.ROOT, "%nagentd (as deployed), medians of %d alternating %d s windows   %10s %10s%n", rounds,
                windowSeconds, "RSS MB", "CPU %");
        for (var e : samples.entrySet()) {
            System.out.printf(Locale.ROOT, "%-62s %10.1f %10.3f%n", e.getKey(),
                    AgentdBenchCommand.median(e.getValue().stream().mapToDouble(s -> s[0]).toArray()),
                    AgentdBenchCommand.median(e.getValue().stream().mapToDouble(s -> s[1]).toArray()));
        }
    }

    private static double[] last(List<double[]> l) {
        return l.get(l.size() - 1);
    }

    /** RSS (MB) at the end of a window and CPU (% of a core) over it. */
    private double[] window(long pid) throws Exception {
        double cpu0 = ProcessCpu.seconds(pid);
        long t0 = System.nanoTime();
        TimeUnit.SECONDS.sleep(windowSeconds); // the measured window itself
        double cpu = 100 * (ProcessCpu.seconds(pid) - cpu0) / ((System.nanoTime() - t0) / 1e9);
        return new double[] {ProcessCpu.rssBytes(pid) / 1e6, cpu};
    }

    /** createOffer timings in one page, the variants alternating (their order reversed every other round). */
    private void offers(BrowserDriver browser, String page, SecretFiles.Connection web, Vmc app) throws Exception {
        connect(browser, page, web);
        for (Variant v : VARIANTS) { // warm-up: JIT in agentd and the engine, the page's first calls
            times(browser, page, app, v, 10);
        }
        Map<Variant, List<Double>> all = new LinkedHashMap<>();
        Map<Variant, List<Double>> roundP50s = new LinkedHashMap<>();
        for (Variant v : VARIANTS) {
            all.put(v, new ArrayList<>());
            roundP50s.put(v, new ArrayList<>());
        }
        for (int r = 1; r <= rounds; r++) {
            List<Variant> order = new ArrayList<>(VARIANTS);
            if (r % 2 == 0) {
                Collections.reverse(order);
            }
            for (Variant v : order) {
                double[] t = times(browser, page, app, v, offers);
                Arrays.stream(t).forEach(all.get(v)::add);
                roundP50s.get(v).add(percentile(t, 50));
            }
            System.out.printf(Locale.ROOT, "offer round %d/%d done%n", r, rounds);
        }
        System.out.printf(Locale.ROOT, "%ncreateOffer, ms (%d alternating rounds x %d calls)                    %12s %8s %8s%n", rounds, offers,
                "median p50", "p50", "p99");
        for (Variant v : VARIANTS) {
            double[] t = all.get(v).stream().mapToDouble(Double::doubleValue).toArray();
            System.out.printf(Locale.ROOT, "%-68s %12.2f %8.2f %8.2f%n", v.label(),
                    AgentdBenchCommand.median(roundP50s.get(v).stream().mapToDouble(Double::doubleValue).toArray()), percentile(t, 50), percentile(t, 99));
        }
        browser.eval(page, "bench.disconnect()");
    }

    private static double[] times(BrowserDriver browser, String page, Vmc app, Variant v, int n) throws Exception {
        if (v.which().equals("java")) {
            return javaTimes(app, v.fresh(), n);
        }
        JsonElement r = browser.eval(page, "bench.offers(" + js(v.which()) + ", " + n + ", " + v.fresh() + ", "
                + (v.fresh() ? FRESH_PERIOD_MS : AGAIN_PERIOD_MS) + ")");
        double[] t = new double[r.getAsJsonArray().size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = r.getAsJsonArray().get(i).getAsDouble();
        }
        return t;
    }

    /** The Java API's equivalent of the page's offers: what the web API adds to the unix socket's path. */
    private static double[] javaTimes(Vmc vmc, boolean fresh, int n) throws InterruptedException {
        double[] t = new double[n];
        io.vmc.agent.api.MediaSession s = fresh ? null : vmc.newSession(io.vmc.agent.api.SessionOptions.audioOnly());
        if (s != null) {
            s.createOffer();
        }
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            if (fresh) {
                s = vmc.newSession(io.vmc.agent.api.SessionOptions.audioOnly());
            }
            s.createOffer();
            t[i] = (System.nanoTime() - t0) / 1e6;
            if (fresh) {
                s.close();
            }
            long rest = (fresh ? FRESH_PERIOD_MS : AGAIN_PERIOD_MS) - (System.nanoTime() - t0) / 1_000_000;
            if (rest > 0) {
                TimeUnit.MILLISECONDS.sleep(rest); // pacing only, as the page paces (outside the timed part)
            }
        }
        if (!fresh) {
            s.close();
        }
        return t;
    }

    /** Nearest-rank percentile. */
    static double percentile(double[] v, double p) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[Math.max(0, (int) Math.ceil(p / 100 * s.length) - 1)];
    }

    private static String js(String s) {
        return new com.google.gson.Gson().toJson(s);
    }
}
