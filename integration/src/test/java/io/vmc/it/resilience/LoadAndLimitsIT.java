package io.vmc.it.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmc.agent.api.MediaSession;
import io.vmc.agent.api.SdpType;
import io.vmc.agent.api.SessionOptions;
import io.vmc.agent.api.SessionState;
import io.vmc.agent.api.StreamStats;
import io.vmc.agent.api.Vmc;
import io.vmc.agent.api.VmcException;
import io.vmc.it.lab.CallRig;
import io.vmc.it.lab.ProcessFootprint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Load and limits with real processes: many calls on one engine, many apps on one agentd, an app
 * that floods requests. Limits are errors with reasons; the others carry on; memory stays bounded.
 * {@code -Dvmc.resilience.engineSessions=N} (default 24) sets the calls on one engine; the
 * 100-session figures in docs/resilience.md come from {@code =100}.
 */
class LoadAndLimitsIT {
    private static final int SESSIONS = Integer.getInteger("vmc.resilience.engineSessions", 24);
    private static final SessionOptions PCMU = SessionOptions.audioOnly().toBuilder().audioCodecs(List.of("PCMU")).build();

    @Test
    @Timeout(900)
    void manyCallsOnOneEngineThenItsLimitAsAnError(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
        String n = Integer.toString(SESSIONS + 8);
        try (CallRig rig = CallRig.start(dir, CallRig.Options.defaults().engineMaxSessions(SESSIONS)
                .agentdOptions("--max-sessions", n, "--max-sessions-per-user", n, "--max-sessions-per-app", n))) {
            Vmc alice = rig.alice().app();
            Vmc bob = rig.bob().app();
            long enginePid = rig.alice().engine().pid();
            ProcessFootprint idle = ProcessFootprint.of(enginePid);
            List<MediaSession[]> calls = new ArrayList<>();
            // an engine that cannot serve one more call refuses it by its measured load before the count
            VmcException refusedByLoad = placeCalls(alice, bob, SESSIONS, calls);
            for (MediaSession[] c : calls) {
                CallRig.await(Duration.ofSeconds(120), () -> received(c[1]) > 25 && received(c[0]) > 25, "media on " + c[0].id());
            }
            ProcessFootprint loaded = ProcessFootprint.of(enginePid);
            System.out.println("[resilience] engine idle: " + idle + "; with " + calls.size() + " calls: " + loaded
                    + "; threads by name: " + io.vmc.it.lab.ProcessCpu.threadNames(enginePid)
                    + (refusedByLoad != null ? "; call " + (calls.size() + 1) + " refused: " + refusedByLoad.getMessage() : ""));
            if (refusedByLoad == null) {
                assertThatThrownBy(() -> alice.newSession(PCMU)).isInstanceOf(VmcException.class)
                        .satisfies(e -> assertThat(((VmcException) e).reason()).isEqualTo(VmcException.Reason.RESOURCE_EXHAUSTED))
                        .hasMessageContaining("session limit reached (" + SESSIONS + ")");
            }
            // the calls in progress are not hurt by the refusal
            MediaSession[] first = calls.get(0);
            long before = received(first[1]);
            CallRig.await(Duration.ofSeconds(30), () -> received(first[1]) > before + 50, "media after the refusal");
            for (MediaSession[] c : calls) {
                c[0].close();
                c[1].close();
            }
            ProcessFootprint[] now = {null};
            try {
                // pools keep idle threads for a minute after a burst
                CallRig.await(Duration.ofSeconds(120), () -> (now[0] = ProcessFootprint.of(enginePid)).threads() <= idle.threads() + 10,
                        "the engine's threads back to idle");
            } catch (IllegalStateException e) {
                throw new AssertionError(e.getMessage() + ": " + io.vmc.it.lab.ProcessCpu.threadNames(enginePid), e);
            }
            System.out.println("[resilience] engine after closing them: " + now[0]);
            try {
                for (int gc = 0; gc < 6 && (now[0] = ProcessFootprint.of(enginePid)).openFiles() > idle.openFiles() + 10; gc++) {
                    ProcessFootprint.collectGarbage(enginePid); // closed pipelines' buses go with their cleaners
                    long next = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                    CallRig.await(Duration.ofSeconds(15), () -> System.nanoTime() > next
                            || ProcessFootprint.of(enginePid).openFiles() <= idle.openFiles() + 10, "the cleaners");
                }
                assertThat(now[0].openFiles()).isLessThanOrEqualTo(idle.openFiles() + 10);
            } catch (AssertionError e) {
                throw new AssertionError("open files after closing every call: " + io.vmc.it.lab.ProcessCpu.openFileKinds(enginePid)
                        + "; threads " + io.vmc.it.lab.ProcessCpu.threadNames(enginePid), e);
            }
            System.out.println("[resilience] engine after a full GC: " + now[0] + " " + io.vmc.it.lab.ProcessCpu.openFileKinds(enginePid));
        }
    }

    /**
     * Admission by load, with a limit low enough that a few calls reach it: the engine refuses the
     * next session with the measured figure, the calls it has keep their media, and once they end it
     * takes calls again.
     */
    @Test
    @Timeout(600)
    void aBusyEngineRefusesNewCallsByLoadAndKeepsItsCalls(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
        int bound = 40;
        try (CallRig rig = CallRig.start(dir, CallRig.Options.defaults().engineMaxSessions(bound)
                .engineOptions("--max-cpu-percent", Integer.toString(BUSY_CPU_PERCENT))
                .agentdOptions("--max-sessions", "48", "--max-sessions-per-user", "48", "--max-sessions-per-app", "48"))) {
            Vmc alice = rig.alice().app();
            Vmc bob = rig.bob().app();
            awaitAdmitted(alice); // a freshly started JVM compiles for a while
            List<MediaSession[]> calls = new ArrayList<>();
            VmcException refused = placeCalls(alice, bob, bound, calls);
            assertThat(refused).as("refused by load within " + bound + " calls").isNotNull();
            System.out.println("[resilience] --max-cpu-percent " + BUSY_CPU_PERCENT + ": " + calls.size()
                    + " calls admitted, then: " + refused.getMessage() + "; engine " + ProcessFootprint.of(rig.alice().engine().pid()));
            assertThat(refused.reason()).isEqualTo(VmcException.Reason.RESOURCE_EXHAUSTED);
            assertThat(refused.getMessage()).containsPattern("engine overloaded: (CPU [0-9]+% of the machine \\(limit "
                    + BUSY_CPU_PERCENT + "%\\)|requests wait [0-9]+ ms)");
            for (MediaSession[] c : calls) {
                long a = received(c[0]);
                long b = received(c[1]);
                CallRig.await(Duration.ofSeconds(60), () -> received(c[0]) > a + 25 && received(c[1]) > b + 25,
                        "media on " + c[0].id() + " after the refusal");
                assertThat(c[0].state()).isIn(SessionState.CONNECTED);
            }
            for (MediaSession[] c : calls) {
                c[0].close();
                c[1].close();
            }
            awaitAdmitted(alice);
        }
    }

    /** With this limit a handful of PCMU calls (or their setup) keeps the engine above it. */
    private static final int BUSY_CPU_PERCENT = 5;

    /** Places up to {@code n} calls from alice to bob; returns the refusal by load that ended it early, or null. */
    private static VmcException placeCalls(Vmc alice, Vmc bob, int n, List<MediaSession[]> calls) {
        for (int i = 0; i < n; i++) {
            MediaSession a;
            MediaSession b;
            try {
                a = alice.newSession(PCMU);
            } catch (VmcException e) {
                return overloaded(e);
            }
            try {
                b = bob.newSession(PCMU);
            } catch (VmcException e) {
                a.close();
                return overloaded(e);
            }
            a.setRemoteDescription(SdpType.ANSWER, b.createAnswer(a.createOffer()));
            calls.add(new MediaSession[] {a, b});
        }
        return null;
    }

    /** {@code e} when it is a refusal by load; otherwise it is rethrown. */
    private static VmcException overloaded(VmcException e) {
        if (e.reason() == VmcException.Reason.RESOURCE_EXHAUSTED && e.getMessage().contains("engine overloaded")) return e;
        throw e;
    }

    /** Waits until alice's engine takes a session (then closes it): its load is below the limit. */
    private static void awaitAdmitted(Vmc app) throws InterruptedException {
        CallRig.await(Duration.ofSeconds(120), () -> {
            try {
                app.newSession(PCMU).close();
                return true;
            } catch (VmcException e) {
                if (e.reason() != VmcException.Reason.RESOURCE_EXHAUSTED) throw e;
                return false;
            }
        }, "a session admitted after the load went");
    }

    @Test
    @Timeout(600)
    void fiftyAppsOnOneAgentdAndAFlooderThatOnlyHurtsItself(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
        try (CallRig rig = CallRig.start(dir, CallRig.Options.defaults().engineMaxSessions(64)
                .agentdOptions("--max-sessions-per-user", "64"))) {
            List<Vmc> apps = new ArrayList<>();
            try {
                List<MediaSession> sessions = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    Vmc app = Vmc.builder().socket(rig.alice().agentSocket()).appName("app-" + i).connect();
                    apps.add(app);
                    MediaSession s = app.newSession(SessionOptions.audioOnly());
                    assertThat(s.createOffer()).contains("m=audio");
                    sessions.add(s);
                }
                long agentdPid = rig.alice().agentd().pid();
                ProcessFootprint before = ProcessFootprint.of(agentdPid);

                Vmc flooder = apps.get(0);
                Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
                List<CompletableFuture<?>> flood = new ArrayList<>();
                for (int i = 0; i < 20_000; i++) {
                    flood.add(sessions.get(0).statsAsync().whenComplete((r, e) -> outcomes.computeIfAbsent(
                            e == null ? "ok" : reason(e), k -> new AtomicLong()).incrementAndGet()));
                }
                // meanwhile every other app is served
                for (int i = 1; i < 50; i++) {
                    assertThat(apps.get(i).status().sessionIds()).contains(sessions.get(i).id());
                }
                for (CompletableFuture<?> f : flood) {
                    try {
                        f.join();
                    } catch (CompletionException expected) {
                        // counted above
                    }
                }
                ProcessFootprint after = ProcessFootprint.of(agentdPid);
                System.out.println("[resilience] flood of 20000 requests from one of 50 apps: " + outcomes
                        + "; agentd before " + before + ", after " + after);
                // refused with a reason (by agentd's limits, or by the app's own library when its
                // queue to agentd is full), never dropped or timed out
                assertThat(outcomes.keySet()).as("outcomes").allMatch(k -> k.equals("ok") || k.startsWith("RESOURCE_EXHAUSTED: "));
                assertThat(outcomes).containsKey("RESOURCE_EXHAUSTED: more than N requests per second from this app");
                assertThat(after.rssBytes()).as("agentd memory bounded").isLessThan(before.rssBytes() + (96L << 20));
                assertThat(flooder.isConnected()).isTrue();
                assertThat(sessions.get(49).state()).isNotEqualTo(SessionState.FAILED);
            } finally {
                apps.forEach(Vmc::close);
            }
        }
    }

    /**
     * An app process that stops (SIGSTOP) while its 8 sessions (4 on alice's agentd) push statistics: agentd cuts it off
     * by keepalive with the reason in its log and closes its sessions; its memory stays bounded; the
     * app next to it is answered and keeps its call throughout.
     */
    @Test
    @Timeout(300)
    void aStoppedAppIsCutOffAndHurtsNobody(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
        try (CallRig rig = CallRig.start(dir, CallRig.Options.defaults().engineMaxSessions(32));
                CallRig.Call healthy = rig.call(PCMU)) {
            Process app = startNonReadingApp(rig, "stop", 4, dir.resolve("non-reading-app.log"));
            try {
                long agentdPid = rig.alice().agentd().pid();
                ProcessFootprint before = ProcessFootprint.of(agentdPid);
                Vmc other = rig.alice().app();
                other.status();
                new ProcessBuilder("kill", "-STOP", Long.toString(app.pid())).inheritIO().start().waitFor();
                long stoppedAt = System.nanoTime();
                long worstMs = 0;
                String line = null;
                while (line == null) {
                    long t = System.nanoTime();
                    other.status(); // the other app is served while agentd waits for the stopped one
                    worstMs = Math.max(worstMs, (System.nanoTime() - t) / 1_000_000);
                    long audio = healthy.audioReceived(healthy.alice());
                    CallRig.await(Duration.ofSeconds(10), () -> healthy.audioReceived(healthy.alice()) > audio + 20, "the other app's call");
                    line = agentdLog(dir, "(pid " + app.pid() + ",", "connection closed");
                    assertThat(System.nanoTime() - stoppedAt).as("cut off by keepalive").isLessThan(Duration.ofSeconds(90).toNanos());
                }
                String closed = agentdLogAwait(dir, "(pid " + app.pid() + ",", "disconnected; closed its");
                ProcessFootprint after = ProcessFootprint.of(agentdPid);
                System.out.println("[resilience] stopped app cut off after " + Duration.ofNanos(System.nanoTime() - stoppedAt).toSeconds()
                        + " s: " + line + " / " + closed + "; other app's slowest request " + worstMs + " ms; agentd " + before + " -> " + after);
                assertThat(line).contains("keepalive: nothing received from the peer");
                assertThat(closed).contains("closed its 4 session(s)");
                assertThat(worstMs).as("the other app's slowest status request").isLessThan(5_000);
                assertThat(after.rssBytes()).as("agentd memory bounded").isLessThan(before.rssBytes() + (32L << 20));
                assertThat(healthy.alice().state()).isEqualTo(SessionState.CONNECTED);
            } finally {
                new ProcessBuilder("kill", "-CONT", Long.toString(app.pid())).start().waitFor();
                app.destroyForcibly().waitFor();
            }
        }
    }

    /** Starts {@link NonReadingApp} in its own JVM, calling from alice's agentd to bob's, and waits for its calls. */
    private static Process startNonReadingApp(CallRig rig, String mode, int calls, Path log) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-cp", System.getProperty("java.class.path"), NonReadingApp.class.getName(),
                rig.alice().agentSocket().toString(), rig.bob().agentSocket().toString(), mode, Integer.toString(calls))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        CallRig.await(Duration.ofSeconds(90), () -> {
            try {
                return !p.isAlive() || java.nio.file.Files.readString(log).contains("READY");
            } catch (java.io.IOException e) {
                return false;
            }
        }, "the non-reading app's calls");
        assertThat(p.isAlive()).as("the non-reading app: " + java.nio.file.Files.readString(log)).isTrue();
        return p;
    }

    /** The first line of alice's agentd log containing both strings, or null. */
    private static String agentdLog(Path dir, String a, String b) throws java.io.IOException {
        try (var files = java.nio.file.Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("alice-agentd")).toList()) {
                for (String l : java.nio.file.Files.readAllLines(f, java.nio.charset.StandardCharsets.ISO_8859_1)) {
                    if (l.contains(a) && l.contains(b)) return l;
                }
            }
        }
        return null;
    }

    private static String agentdLogAwait(Path dir, String a, String b) throws Exception {
        String[] found = {null};
        CallRig.await(Duration.ofSeconds(30), () -> {
            try {
                return (found[0] = agentdLog(dir, a, b)) != null;
            } catch (java.io.IOException e) {
                return false;
            }
        }, "agentd's log line with \"" + a + "\" and \"" + b + "\"");
        return found[0];
    }

    private static String reason(Throwable e) {
        Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (c instanceof VmcException v) {
            String m = v.getMessage();
            int cut = m.indexOf(" (burst");
            return (v.reason() + ": " + (cut > 0 ? m.substring(0, cut) : m)).replaceAll("[0-9]+", "N"); // one key per kind of refusal
        }
        return c.toString();
    }

    private static long received(MediaSession s) {
        return s.stats().audio().map(StreamStats::packetsReceived).orElse(0L);
    }
}
