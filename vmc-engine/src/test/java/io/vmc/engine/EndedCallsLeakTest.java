package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ended calls give back their file descriptors and threads at once, not when a garbage collection
 * happens to run. The soak bench (docs/resilience.md, Soak) saw each call leave about 3 unbound
 * UDP sockets behind: ice4j's per-filter sockets each open a descriptor that their close() never
 * releases. Counted from /proc/self, with no GC asked for; the tolerance is below one descriptor
 * per call, so a per-call leak fails.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class EndedCallsLeakTest {
    private static final int CALLS = 12;
    /** Less than CALLS: descriptors the JVM or GStreamer open once at some point (a cache, a wakeup pipe). */
    private static final int FD_TOLERANCE = 6;
    /** Pool threads (ice4j's, the engine's executors) that are kept warm for a while. */
    private static final int THREAD_TOLERANCE = 6;

    private static final int VIDEO_CALLS = 6;
    /** A couple: far below the 15 per engine that one leaked audio+video call would leave. */
    private static final int VIDEO_FD_TOLERANCE = 2;

    @TempDir Path dirA;
    @TempDir Path dirB;

    @Test
    void endedCallsGiveBackDescriptorsAndThreads() throws Exception {
        try (TestEngine a = new TestEngine(440, dirA); TestEngine b = new TestEngine(880, dirB)) {
            call(a, b, false); // once-per-process state: GStreamer's registry, BouncyCastle, the pools' first threads
            call(a, b, true);
            int fdsBefore = openFds();
            int threadsBefore = threads();
            for (int i = 0; i < CALLS; i++) call(a, b, i % 2 == 1);
            // a closed pipeline's last unref happens on GStreamer's streaming threads as they stop
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                assertThat(openFds()).as("descriptors after %d ended calls (before: %d)", CALLS, fdsBefore)
                        .isLessThan(fdsBefore + FD_TOLERANCE);
                assertThat(threads()).as("threads after %d ended calls (before: %d)", CALLS, threadsBefore)
                        .isLessThan(threadsBefore + THREAD_TOLERANCE);
            });
            System.out.printf("ENDED-CALLS fds %d -> %d, threads %d -> %d after %d calls%n",
                    fdsBefore, openFds(), threadsBefore, threads(), CALLS);
        }
    }

    /**
     * Audio and video calls: each holds 15 descriptors per engine while it runs (two ICE sockets,
     * six GstPoll socket pairs of its four pipelines, the recording); after hang-up all of them must
     * be closed by the engine itself, not by a later GC (a thin client with a big heap may not
     * collect for hours).
     */
    @Test
    void endedVideoCallsGiveBackDescriptorsWithoutAGc() throws Exception {
        try (TestEngine a = new TestEngine(440, dirA, x -> x.videoSource(EngineConfig.VideoSource.testPattern("smpte")));
             TestEngine b = new TestEngine(880, dirB, x -> x.videoSource(EngineConfig.VideoSource.testPattern("ball")))) {
            long callsBefore = liveInstances(CALL_CLASS); // other test classes' engines share this JVM
            call(a, b, false, true);
            call(a, b, true, true);
            int fdsBefore = openFds();
            for (int i = 0; i < VIDEO_CALLS; i++) call(a, b, i % 2 == 1, true);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                    assertThat(openFds()).as("descriptors after %d ended audio+video calls (before: %d)", VIDEO_CALLS, fdsBefore)
                            .isLessThanOrEqualTo(fdsBefore + VIDEO_FD_TOLERANCE));
            // and nothing of them stays reachable: the soak found every ended video call kept whole
            // (its send histories too) by a GStreamer pad probe (ClosedPipelinesTest)
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                    assertThat(liveInstances(CALL_CLASS)).as("calls reachable after a full GC, %d ended (before them: %d)",
                            VIDEO_CALLS + 2, callsBefore).isLessThanOrEqualTo(callsBefore));
            System.out.printf("ENDED-VIDEO-CALLS fds %d -> %d after %d calls, reachable calls %d -> %d%n", fdsBefore, openFds(),
                    VIDEO_CALLS, callsBefore, liveInstances(CALL_CLASS));
        }
    }

    private static final String CALL_CLASS = "io.vmc.engine.internal.call.Call";

    /** Instances of a class that a full GC leaves (HotSpot's GC.class_histogram, which collects first). */
    static long liveInstances(String className) throws Exception {
        String histogram = (String) java.lang.management.ManagementFactory.getPlatformMBeanServer().invoke(
                new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        return histogram.lines().map(l -> l.trim().split("\\s+"))
                .filter(f -> f.length >= 4 && f[3].equals(className))
                .mapToLong(f -> Long.parseLong(f[1])).sum();
    }

    private static void call(TestEngine a, TestEngine b, boolean dtls) {
        call(a, b, dtls, false);
    }

    /** One call with media both ways (and decoded video both ways), then hung up on both sides. */
    private static void call(TestEngine a, TestEngine b, boolean dtls, boolean video) {
        String sa = a.createSession(SessionOptions.newBuilder().setDtlsSrtp(dtls).setVideo(video));
        String sb = b.createSession(SessionOptions.newBuilder().setVideo(video));
        a.setAnswer(sa, b.answer(sb, a.offer(sa)));
        a.awaitState(sa, SessionState.State.CONNECTED);
        b.awaitState(sb, SessionState.State.CONNECTED);
        a.awaitReceived(sa, 20);
        b.awaitReceived(sb, 20);
        if (video) {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() ->
                    VideoCallTest.video(a, sa).getFramesDecoded() > 5 && VideoCallTest.video(b, sb).getFramesDecoded() > 5);
        }
        a.close(sa);
        b.close(sb);
    }

    private static int openFds() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count();
        }
    }

    /** Native threads too (GStreamer's streaming threads), not only Java's. */
    private static int threads() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Threads:")) return Integer.parseInt(line.substring(8).trim());
        }
        throw new IllegalStateException("no Threads: line in /proc/self/status");
    }
}
