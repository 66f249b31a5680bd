package io.vmc.engine.internal.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.engine.EngineConfig;
import java.io.File;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A closed call gives its file descriptors back at once, not when a garbage collection happens to
 * run: the soak bench (docs/resilience.md) saw each ended call keep ~4 sockets (a GStreamer bus's
 * socket pair) until a full GC, because the wrappers of the pipeline's bus messages held the
 * pipeline. An engine with a 1024-descriptor limit would run out after a few hundred calls.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClosedPipelinesTest {
    private static final int CALLS = 40;

    @Test
    void closedReceiversAndSendersDoNotHoldFileDescriptors() throws Exception {
        cycle(); // GStreamer's own once-per-process descriptors (plugin registry, threads' wakeups)
        int before = openFds();
        for (int i = 0; i < CALLS; i++) cycle();
        // a closed pipeline's last unref happens on GStreamer's streaming threads as they stop
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(openFds())
                .as("descriptors after %d closed calls (before: %d)", CALLS, before).isLessThan(before + 8));
        System.out.printf("CLOSED-PIPELINES fds before %d, after %d closed calls %d%n", before, CALLS, openFds());
    }

    /**
     * The soak bench found every ended video call still reachable after a full GC (49 of ~100 calls,
     * with their send histories: the engine's heap grew by ~0.2 MB a call): gst1-java-core keeps a
     * pad that has a probe strongly reachable, and the receiver's probes hold the call's video flow.
     */
    @Test
    void aClosedVideoReceiverLetsGoOfWhatItsProbesCall() throws Exception {
        WeakReference<Object> flow = closedReceiverProbing();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (flow.get() != null && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(50);
        }
        assertThat(flow.get()).as("what the closed receiver's probes called, after GCs").isNull();
    }

    private static WeakReference<Object> closedReceiverProbing() throws Exception {
        // stands for the call's VideoFlow: the probes call it, and it holds the receiver
        java.util.List<VideoPipelines.Receiver> flow = new java.util.ArrayList<>();
        VideoPipelines.Receiver rx = new VideoPipelines.Receiver(VideoCodec.VP8, 96, 50, null, e -> { });
        flow.add(rx);
        rx.onKeyframeRequest(() -> flow.hashCode());
        rx.onPicture((w, h, i420) -> flow.hashCode());
        rx.start();
        Thread.sleep(100);
        rx.close();
        return new WeakReference<>((Object) flow);
    }

    private static void cycle() throws Exception {
        AudioPipelines.Receiver rx = new AudioPipelines.Receiver(EngineConfig.AudioSink.none(), null, AudioCodec.OPUS,
                111, 40, true, null, 200, pcm -> { }, db -> { }, e -> { });
        AudioPipelines.Sender tx = new AudioPipelines.Sender(EngineConfig.AudioSource.tone(440), null, AudioCodec.OPUS,
                111, false, null, rtp -> rx.push(rtp, 0, rtp.length), e -> { });
        rx.start();
        tx.start();
        Thread.sleep(150);
        tx.close();
        rx.close();
    }

    private static int openFds() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }
}
