package io.vmc.it.bench;

import io.vmc.agent.api.SessionOptions;
import io.vmc.agent.api.StreamStats;
import io.vmc.it.lab.CallRig;
import io.vmc.it.lab.ProcessFootprint;
import io.vmc.it.lab.VmcProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./vmc bench soak --duration SECONDS}: places and ends calls one after another for as long
 * as asked, in turn audio and video, SDES-SRTP and DTLS-SRTP, between two engines in network
 * namespaces with their agentds (root; see {@link CallRig}). Each call must carry media both ways
 * before it is hung up. Prints the footprint of every process over time and, at the end, the calls
 * completed and failed (with reasons). Exit code 1 when a call failed.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = "Place and end calls continuously (audio/video, SDES/DTLS); report failures and RSS, threads, fds over time.")
public final class SoakBenchCommand implements Callable<Integer> {
    /** The kinds of call, in the order they take turns. */
    static final Map<String, SessionOptions> KINDS = kinds();

    @Option(names = "--duration", paramLabel = "SECONDS", required = true, description = "How long to place calls.")
    long durationSeconds;

    @Option(names = "--sample-every", paramLabel = "SECONDS", defaultValue = "60",
            description = "Footprint sample interval. Default: ${DEFAULT-VALUE}.")
    long sampleSeconds;

    @Option(names = "--media-packets", paramLabel = "N", defaultValue = "100",
            description = "Audio packets each side must receive before a call is ended. Default: ${DEFAULT-VALUE}.")
    long mediaPackets;

    private static Map<String, SessionOptions> kinds() {
        Map<String, SessionOptions> m = new LinkedHashMap<>();
        m.put("audio/SDES", SessionOptions.audioOnly());
        m.put("video/DTLS", SessionOptions.audioVideo().toBuilder().dtlsSrtp(true).build());
        m.put("audio/DTLS", SessionOptions.audioOnly().toBuilder().dtlsSrtp(true).build());
        m.put("video/SDES", SessionOptions.audioVideo());
        return m;
    }

    @Override
    public Integer call() throws Exception {
        if (durationSeconds < 1) {
            throw new IllegalArgumentException("--duration must be at least 1 second, was " + durationSeconds);
        }
        Path dir = Files.createTempDirectory("vmc-bench-soak-");
        Map<String, Long> failures = new LinkedHashMap<>();
        Map<String, long[]> completed = new LinkedHashMap<>();
        KINDS.keySet().forEach(k -> completed.put(k, new long[1]));
        long start = System.nanoTime();
        long end = start + Duration.ofSeconds(durationSeconds).toNanos();
        long nextSample = start;
        int turn = 0;
        try (CallRig rig = CallRig.start(dir, CallRig.Options.defaults())) {
            System.out.println("time_s  calls  failed  " + header());
            while (System.nanoTime() < end) {
                if (System.nanoTime() >= nextSample) {
                    sample(rig, start, completed, failures);
                    nextSample += Duration.ofSeconds(sampleSeconds).toNanos();
                }
                String kind = List.copyOf(KINDS.keySet()).get(turn++ % KINDS.size());
                try (CallRig.Call call = rig.call(KINDS.get(kind))) {
                    call.awaitAudio(call.bob(), mediaPackets, Duration.ofSeconds(60));
                    call.awaitAudio(call.alice(), mediaPackets, Duration.ofSeconds(60));
                    if (KINDS.get(kind).video()) {
                        CallRig.await(Duration.ofSeconds(60), () -> frames(call.bob()) > 10 && frames(call.alice()) > 10, "video frames both ways");
                    }
                    completed.get(kind)[0]++;
                } catch (RuntimeException e) {
                    String reason = kind + ": " + e.getMessage();
                    failures.merge(reason.length() > 200 ? reason.substring(0, 200) + "..." : reason, 1L, Long::sum);
                    System.out.println("call failed: " + reason);
                }
            }
            sample(rig, start, completed, failures);
        }
        long total = completed.values().stream().mapToLong(c -> c[0]).sum();
        long failed = failures.values().stream().mapToLong(Long::longValue).sum();
        System.out.println();
        completed.forEach((k, c) -> System.out.printf(Locale.ROOT, "completed %-12s %d%n", k, c[0]));
        System.out.printf(Locale.ROOT, "calls completed: %d, calls failed: %d in %d s%n", total, failed, durationSeconds);
        failures.forEach((r, n) -> System.out.printf(Locale.ROOT, "failed %d x %s%n", n, r));
        return failed == 0 ? 0 : 1;
    }

    private static long frames(io.vmc.agent.api.MediaSession s) {
        return s.stats().video().map(StreamStats::framesDecoded).orElse(0L);
    }

    /** Column heads: each process's RSS in MB, threads and open files. */
    private static String header() {
        StringBuilder b = new StringBuilder();
        for (String p : List.of("alice-engine", "bob-engine", "alice-agentd", "bob-agentd")) {
            b.append(String.format(Locale.ROOT, "%-24s", p));
        }
        return b.toString().stripTrailing() + "   (each: RSS MB, threads, fds)";
    }

    private static void sample(CallRig rig, long start, Map<String, long[]> completed, Map<String, Long> failures) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%6d  %5d  %6d  ", (System.nanoTime() - start) / 1_000_000_000L,
                completed.values().stream().mapToLong(c -> c[0]).sum(), failures.values().stream().mapToLong(Long::longValue).sum()));
        for (VmcProcess p : List.of(rig.alice().engine(), rig.bob().engine(), rig.alice().agentd(), rig.bob().agentd())) {
            ProcessFootprint f = ProcessFootprint.of(p);
            b.append(String.format(Locale.ROOT, "%-24s", String.format(Locale.ROOT, "%.0f %d %d", f.rssBytes() / 1e6, f.threads(), f.openFiles())));
        }
        System.out.println(b.toString().stripTrailing());
    }
}
