package io.vmc.it.bench;

import io.vmc.agent.api.MediaSession;
import io.vmc.agent.api.Mode;
import io.vmc.agent.api.SessionOptions;
import io.vmc.agent.api.Vmc;
import io.vmc.it.lab.ProcessCpu;
import io.vmc.it.lab.VmcProcess;
import io.vmc.it.lab.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./vmc bench agentd}: what vmc-agentd costs a VM, started as the systemd unit starts it
 * (packaging/agentd.jvm, its own class path) against the same daemon started the way the launcher
 * runs every subcommand (the baseline), in alternating rounds with an engine connected.
 */
@Command(name = "agentd", mixinStandardHelpOptions = true,
        description = "agentd's idle RSS and CPU and its RSS with 10 sessions: as deployed vs the launcher's JVM.")
public final class AgentdBenchCommand implements Callable<Integer> {

    @Option(names = "--rounds", defaultValue = "5", description = "Alternating rounds per variant. Default: ${DEFAULT-VALUE}.")
    int rounds;

    @Option(names = "--idle-seconds", defaultValue = "30", description = "Idle CPU window. Default: ${DEFAULT-VALUE}.")
    int idleSeconds;

    record Sample(double idleRssMb, double idleCpuPercent, double tenSessionsRssMb) {}

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("vmc-bench-agentd-");
        List<Sample> lean = new ArrayList<>();
        List<Sample> launcher = new ArrayList<>();
        for (int r = 1; r <= rounds; r++) {
            System.out.printf("round %d/%d%n", r, rounds);
            launcher.add(measure(dir.resolve("r" + r + "-launcher"), false));
            lean.add(measure(dir.resolve("r" + r + "-lean"), true));
        }
        System.out.printf(Locale.ROOT, "%nmedians of %d alternating rounds   %12s %12s %8s%n", rounds, "as deployed",
                "launcher JVM", "ratio");
        row("agentd RSS idle, engine connected (MB)", lean, launcher, Sample::idleRssMb);
        row("agentd CPU idle (% of a core)", lean, launcher, Sample::idleCpuPercent);
        row("agentd RSS with 10 sessions (MB)", lean, launcher, Sample::tenSessionsRssMb);
        return 0;
    }

    private static void row(String name, List<Sample> lean, List<Sample> base, java.util.function.ToDoubleFunction<Sample> f) {
        double a = median(lean.stream().mapToDouble(f).toArray());
        double b = median(base.stream().mapToDouble(f).toArray());
        System.out.printf(Locale.ROOT, "%-40s %12.3f %12.3f %8.3f%n", name, a, b, b == 0 ? 0 : a / b);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private Sample measure(Path dir, boolean asDeployed) throws Exception {
        Files.createDirectories(dir);
        Path engineSock = dir.resolve("engine.sock");
        Path agentSock = dir.resolve("agent.sock");
        try (VmcProcess engine = VmcProcess.start("engine", null, dir.resolve("engine.log"), l -> { },
                List.of("engine", "--channel", "unix-listen:" + engineSock, "--tone", "440", "--speaker", "none",
                        "--ice-address", "127.0.0.1"))) {
            Waits.awaitFile(engineSock, 60, dir.resolve("engine.log"));
            List<String> args = List.of("--channel", "unix:" + engineSock, "--api-socket", agentSock.toString(), "--no-fallback");
            List<String> launcherArgs = new ArrayList<>(List.of("agentd"));
            launcherArgs.addAll(args);
            try (VmcProcess agentd = asDeployed
                    ? VmcProcess.startAgentd("agentd", null, dir.resolve("agentd.log"), l -> { }, args)
                    : VmcProcess.start("agentd", null, dir.resolve("agentd.log"), l -> { }, launcherArgs)) {
                Waits.awaitFile(agentSock, 60, dir.resolve("agentd.log"));
                try (Vmc vmc = Vmc.connect(agentSock)) {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (vmc.mode() != Mode.OPTIMIZED && System.nanoTime() < deadline) {
                        TimeUnit.MILLISECONDS.sleep(50);
                    }
                    if (vmc.mode() != Mode.OPTIMIZED) {
                        throw new IllegalStateException("agentd did not reach OPTIMIZED; see " + dir);
                    }
                    TimeUnit.SECONDS.sleep(10); // settle: start-up work is not idle cost
                    double rssIdle = ProcessCpu.rssBytes(agentd.pid()) / 1e6;
                    double cpu0 = ProcessCpu.seconds(agentd.pid());
                    long t0 = System.nanoTime();
                    TimeUnit.SECONDS.sleep(idleSeconds); // the measured window itself
                    double idleCpu = 100 * (ProcessCpu.seconds(agentd.pid()) - cpu0) / ((System.nanoTime() - t0) / 1e9);
                    double rssTen;
                    try (Vmc second = Vmc.builder().socket(agentSock).requestTimeout(Duration.ofSeconds(30)).connect()) {
                        List<MediaSession> ten = new ArrayList<>();
                        for (int i = 0; i < 10; i++) { // at most 8 per app: two apps
                            ten.add((i < 5 ? vmc : second).newSession(SessionOptions.audioOnly()));
                        }
                        for (MediaSession s : ten) {
                            s.createOffer();
                        }
                        TimeUnit.SECONDS.sleep(3);
                        rssTen = ProcessCpu.rssBytes(agentd.pid()) / 1e6;
                        ten.forEach(MediaSession::close);
                    }
                    return new Sample(rssIdle, idleCpu, rssTen);
                }
            }
        }
    }
}
