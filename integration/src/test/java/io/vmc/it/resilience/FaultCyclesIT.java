package io.vmc.it.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.vmc.agent.api.MediaSession;
import io.vmc.agent.api.MediaSessionListener;
import io.vmc.agent.api.Mode;
import io.vmc.agent.api.ModeReason;
import io.vmc.agent.api.SessionOptions;
import io.vmc.agent.api.SessionState;
import io.vmc.it.lab.CallRig;
import io.vmc.it.lab.PacketLoss;
import io.vmc.it.lab.ProcessFootprint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;

/**
 * Faults during live calls, all parts real processes (engines in network namespaces, agentds,
 * the apps on the agent API), each fault repeated: {@code -Dvmc.resilience.cycles=N} (default 2,
 * docs/resilience.md has the long runs) and {@code -Dvmc.resilience.longCut=true} for the 60 s
 * channel cut. After each cycle the processes that stayed up must be back where they were:
 * threads and open files counted from /proc (a leaked call holds GStreamer and ICE threads and
 * sockets), resident memory within a margin. Counted after a full GC of that JVM: GStreamer
 * objects Java dropped hold sockets until their cleaners run (a renegotiation with new keys leaves
 * one bus socket pair to the GC), which is garbage, not a leak.
 */
class FaultCyclesIT {
    private static final int CYCLES = Integer.getInteger("vmc.resilience.cycles", 2);
    private static final boolean LONG_CUT = Boolean.getBoolean("vmc.resilience.longCut");
    private static final Duration MEDIA = Duration.ofSeconds(30);
    /** Noise between two idle moments of a JVM: timer and pool threads, JIT, a log file. */
    private static final int THREAD_SLACK = 3;
    private static final int FILE_SLACK = 4;
    private static final long RSS_SLACK = 48L << 20;

    @Test
    @Timeout(value = 4, unit = TimeUnit.HOURS) // the budget per cycle count is withinBudget's
    void engineKilledAndRestartedMidCall(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) {
        withinBudget(40, () -> {
            try (CallRig rig = CallRig.start(dir, CallRig.Options.defaults());
                    CallRig.Call call = rig.call(SessionOptions.audioOnly())) {
                List<SessionState> bobStates = states(call.bob());
                call.awaitAudio(call.bob(), 50, MEDIA);
                ProcessFootprint base = null;
                long lastRestart = 0;
                for (int i = 0; i < CYCLES; i++) {
                    // Bob's engine refuses more than 5 ICE restarts in 30 s (a guest must not make it
                    // churn): a cycle is at least 6.5 s, as two crashes of one thin client are apart
                    long next = lastRestart + Duration.ofMillis(6500).toNanos();
                    CallRig.await(Duration.ofSeconds(10), () -> System.nanoTime() >= next, "the ICE restart pace");
                    lastRestart = System.nanoTime();
                    int reoffers = call.renegotiations().size();
                    rig.alice().engine().kill();
                    rig.alice().startEngine();
                    rig.alice().awaitOptimized();
                    CallRig.await(Duration.ofSeconds(60), () -> call.renegotiations().size() > reoffers, "the move's re-offer");
                    call.awaitState(call.alice(), SessionState.CONNECTED, MEDIA);
                    call.awaitAudio(call.bob(), 50, MEDIA);
                    call.awaitAudio(call.alice(), 50, MEDIA);
                    assertThat(call.relayFailure()).isNull();
                    // Bob's engine kept the call through an ICE restart and new keys each time
                    base = steady(rig.bob().engine().pid(), base, "Bob's engine after cycle " + i);
                }
                assertThat(bobStates).as("Bob's call never failed").doesNotContain(SessionState.FAILED, SessionState.CLOSED);
                assertThat(rig.alice().app().modeReason()).isEqualTo(ModeReason.ENGINE_CONNECTED);
            }
        });
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.HOURS) // the budget per cycle count is withinBudget's
    void agentdKilledAndRestartedEndsItsCallsWithAReason(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) {
        withinBudget(40, () -> {
            try (CallRig rig = CallRig.start(dir, CallRig.Options.defaults())) {
                ProcessFootprint idle = null;
                for (int i = 0; i < CYCLES; i++) {
                    CallRig.Call call = rig.call(SessionOptions.audioOnly());
                    List<String> reasons = new CopyOnWriteArrayList<>();
                    call.alice().addListener(new MediaSessionListener() {
                        @Override
                        public void onStateChange(MediaSession s, SessionState st, String reason) {
                            reasons.add(st + ": " + reason);
                        }
                    });
                    call.awaitAudio(call.bob(), 50, MEDIA);
                    rig.alice().agentd().kill();
                    rig.alice().startAgentd();
                    rig.alice().awaitOptimized(); // the app's library reconnects by itself
                    call.awaitState(call.alice(), SessionState.FAILED, MEDIA);
                    assertThat(reasons).anyMatch(r -> r.startsWith("FAILED: ") && r.length() > "FAILED: ".length());
                    call.close(); // Bob hangs up (his SIP stack would get a BYE)
                    // the engine let go of the call its old agentd made: back to idle
                    idle = steady(rig.alice().engine().pid(), idle, "Alice's engine after cycle " + i);
                }
                try (CallRig.Call again = rig.call(SessionOptions.audioOnly())) {
                    again.awaitAudio(again.bob(), 50, MEDIA);
                }
            }
        });
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.HOURS) // the budget per cycle count is withinBudget's
    void softphoneGoneEndsItsCallAndFreesTheEngine(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) {
        withinBudget(30, () -> {
            try (CallRig rig = CallRig.start(dir, CallRig.Options.defaults())) {
                ProcessFootprint idle = null;
                for (int i = 0; i < CYCLES; i++) {
                    CallRig.Call call = rig.call(SessionOptions.audioOnly());
                    call.awaitAudio(call.bob(), 50, MEDIA);
                    rig.alice().app().close(); // the softphone's connection ends (as when it is killed)
                    call.close();
                    idle = steady(rig.alice().engine().pid(), idle, "Alice's engine after cycle " + i);
                    rig.alice().connectApp();
                }
            }
        });
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.HOURS) // the budget per cycle count is withinBudget's
    void controlChannelCutsKeepMediaFlowingAndResume(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) {
        List<Integer> cuts = LONG_CUT ? List.of(1, 10, 60) : List.of(1, 10);
        withinBudget(20 + cuts.stream().mapToInt(c -> c + 20).sum(), () -> {
            // the grace outlasts the cuts: a resumed channel keeps its sessions where they are
            try (CallRig rig = CallRig.start(dir, CallRig.Options.defaults().engineGrace(Duration.ofSeconds(90)));
                    CallRig.Call call = rig.call(SessionOptions.audioOnly())) {
                call.awaitAudio(call.bob(), 50, MEDIA);
                for (int cycle = 0; cycle < CYCLES; cycle++) {
                    for (int seconds : cuts) {
                        rig.alice().channel().cut();
                        long until = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
                        // media keeps flowing while only control is down
                        while (System.nanoTime() < until) {
                            call.awaitAudio(call.bob(), 20, MEDIA);
                        }
                        rig.alice().channel().restore();
                        CallRig.await(Duration.ofSeconds(60), () -> rig.alice().channel().connections() == 1, "agentd reconnected");
                        assertThat(call.alice().stats().audio()).isPresent(); // the same session answers again
                        assertThat(call.alice().state()).isEqualTo(SessionState.CONNECTED);
                        assertThat(rig.alice().app().mode()).isEqualTo(Mode.OPTIMIZED);
                    }
                }
                assertThat(call.renegotiations()).as("resumed, never moved").isEmpty();
            }
        });
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.HOURS) // the budget per cycle count is withinBudget's
    void lossOnTheMediaPathAndAnOutageDoNotEndTheCall(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) {
        withinBudget(120, () -> {
            try (CallRig rig = CallRig.start(dir, CallRig.Options.defaults());
                    CallRig.Call call = rig.call(SessionOptions.audioOnly());
                    PacketLoss loss = PacketLoss.on(rig.alice().namespace(), rig.lab().clientA().officeInterface())) {
                call.awaitAudio(call.bob(), 50, MEDIA);
                for (int percent : List.of(1, 5, 20)) {
                    loss.set(percent);
                    call.awaitAudio(call.bob(), 150, MEDIA);
                    call.awaitAudio(call.alice(), 150, MEDIA);
                }
                loss.set(100);
                long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                CallRig.await(Duration.ofSeconds(20), () -> System.nanoTime() > until, "the 10 s outage");
                loss.set(0);
                call.awaitAudio(call.bob(), 100, MEDIA);
                call.awaitAudio(call.alice(), 100, MEDIA);
                assertThat(call.alice().state()).isEqualTo(SessionState.CONNECTED);
                assertThat(call.bob().state()).isEqualTo(SessionState.CONNECTED);
            }
        });
    }

    private static List<SessionState> states(MediaSession s) {
        List<SessionState> seen = new CopyOnWriteArrayList<>();
        s.addListener(new MediaSessionListener() {
            @Override
            public void onStateChange(MediaSession m, SessionState st, String reason) {
                seen.add(st);
            }
        });
        return seen;
    }

    /**
     * The first call sets the baseline, once the thread count has settled (a call's threads take a
     * moment to end); later ones must come back within the slack of it.
     */
    static ProcessFootprint steady(long pid, ProcessFootprint base, String what) throws Exception {
        if (base == null) {
            ProcessFootprint.collectGarbage(pid);
            int[] last = {-1};
            int[] same = {0};
            CallRig.await(Duration.ofSeconds(30), () -> {
                int t = ProcessFootprint.of(pid).threads();
                same[0] = t == last[0] ? same[0] + 1 : 0;
                last[0] = t;
                return same[0] >= 8; // 0.8 s unchanged
            }, what + ": threads settle");
            return ProcessFootprint.of(pid);
        }
        awaitSteady(pid, base, what);
        return base;
    }

    private static void awaitSteady(long pid, ProcessFootprint base, String what) throws Exception {
        ProcessFootprint.collectGarbage(pid); // dropped pipelines and sockets go with their cleaners
        ProcessFootprint[] now = {null};
        try {
            CallRig.await(Duration.ofSeconds(30), () -> (now[0] = ProcessFootprint.of(pid)).within(base, THREAD_SLACK, FILE_SLACK, RSS_SLACK), what);
        } catch (IllegalStateException e) {
            throw new AssertionError(what + ": " + now[0] + ", baseline " + base + "; open files now: "
                    + io.vmc.it.lab.ProcessCpu.openFileKinds(pid) + "; threads now: " + io.vmc.it.lab.ProcessCpu.threadNames(pid), e);
        }
        System.out.println("[resilience] " + what + ": " + now[0] + " (baseline " + base + ") "
                + io.vmc.it.lab.ProcessCpu.openFileKinds(pid)); // docs/resilience.md
    }

    private static void withinBudget(int secondsPerCycle, Executable body) {
        assertTimeoutPreemptively(Duration.ofSeconds(120L + (long) secondsPerCycle * CYCLES), body);
    }
}
