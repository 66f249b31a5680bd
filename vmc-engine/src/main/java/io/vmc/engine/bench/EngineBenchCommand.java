package io.vmc.engine.bench;

import io.vmc.engine.EngineConfig;
import io.vmc.engine.MediaEngine;
import io.vmc.engine.internal.media.GstSupport;
import io.vmc.engine.internal.media.VideoCodec;
import io.vmc.engine.internal.media.VideoPipelines;
import io.vmc.transport.proto.CloseSession;
import io.vmc.transport.proto.CreateAnswer;
import io.vmc.transport.proto.CreateOffer;
import io.vmc.transport.proto.CreateSession;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.SdpType;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SetMute;
import io.vmc.transport.proto.SetRemoteDescription;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.FlowReturn;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.Sample;
import org.freedesktop.gstreamer.State;
import org.freedesktop.gstreamer.elements.AppSink;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vmc bench engine}: CPU and memory per Opus call, call setup time, and the engine's
 * added latency next to a bare GStreamer Opus/RTP pipeline, all in one run on 127.0.0.1.
 * Both call ends run in this JVM, so process figures cover two engine ends per call.
 */
@Command(name = "engine", mixinStandardHelpOptions = true,
        description = "Benchmarks the media engine: CPU/RSS per Opus call, call setup time, added latency.")
public final class EngineBenchCommand implements Callable<Integer> {
    @Option(names = "--calls", defaultValue = "10", description = "Concurrent calls for the CPU/RSS figure (default ${DEFAULT-VALUE}).")
    int calls;

    @Option(names = "--seconds", defaultValue = "10", description = "CPU measuring window in seconds (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--runs", defaultValue = "10", description = "Repetitions for setup time and latency (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--first-call-after", defaultValue = "0", description = "Seconds between starting the engines and"
            + " the first (cold) call, as a user's first call comes a while after the engine started (default ${DEFAULT-VALUE}).")
    double firstCallAfter;

    @Option(names = "--plain", description = "Plain RTP instead of SRTP (to see what SRTP costs).")
    boolean plain;

    @Option(names = "--dtls", description = "DTLS-SRTP sessions (SessionOptions.dtls_srtp) instead of SDES keys: the setup figure then includes the handshake.")
    boolean dtls;

    @Option(names = "--video", description = "VP8 video calls (audio + video, a test pattern) for the CPU/RSS figure, "
            + "next to bare Opus + VP8 GStreamer chains.")
    boolean video;

    @Option(names = "--jitter-ms", defaultValue = "20", description = "Jitter buffer for the latency runs, same on both sides (default ${DEFAULT-VALUE}).")
    int jitterMs;

    private static final long NO_ONSET = Long.MAX_VALUE;
    private final AtomicLong armedAt = new AtomicLong(NO_ONSET);
    private final AtomicLong onsetAt = new AtomicLong(NO_ONSET);
    private long requestIds;
    private EngineConfig videoConfig;

    @Override
    public Integer call() throws Exception {
        GstSupport.init();
        Path tmp = Files.createTempDirectory("vmc-bench");
        System.out.printf(Locale.ROOT, "vmc bench engine: %d cores, %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        EngineConfig.Builder base = EngineConfig.builder().iceAddress(InetAddress.getLoopbackAddress())
                .audioSink(EngineConfig.AudioSink.none()).jitterBufferMs(jitterMs)
                // both ends on 127.0.0.1: the default policy refuses loopback destinations
                .allowLocalDestinations(java.util.Set.of(EngineConfig.LocalDestination.LOOPBACK));
        if (video) base.videoSource(EngineConfig.VideoSource.testPattern("ball"));
        videoConfig = base.build();
        try (MediaEngine a = new MediaEngine(base.audioSource(EngineConfig.AudioSource.tone(440)).build(), e -> { });
             MediaEngine b = new MediaEngine(base.audioSource(EngineConfig.AudioSource.tone(880)).build(), e -> { });
             // the latency runs watch decoded audio in 20 ms blocks, which the CPU runs do not pay for
             MediaEngine la = new MediaEngine(base.audioSource(EngineConfig.AudioSource.tone(440)).build(), e -> { });
             MediaEngine lb = new MediaEngine(base.audioSource(EngineConfig.AudioSource.tone(880))
                     .receivedAudioListener(this::onAudio).build(), e -> { })) {
            Thread.sleep(Math.round(firstCallAfter * 1000));
            // warm-up call (class loading, GStreamer plugin loading, JIT)
            long coldStart = System.nanoTime();
            String[] w = call(a, b);
            awaitPackets(a, w[0], 1);
            double coldMs = (System.nanoTime() - coldStart) / 1e6;
            awaitPackets(a, w[0], 100);
            close(a, w[0]);
            close(b, w[1]);

            // ---- CPU and RSS
            System.gc();
            long rssIdle = rssKb();
            double idle = cpuPercent(seconds / 2.0);
            List<String[]> open = new ArrayList<>();
            for (int i = 0; i < calls; i++) open.add(call(a, b));
            for (String[] c : open) awaitPackets(a, c[0], 50);
            double loaded = cpuPercent(seconds);
            long rssCalls = rssKb();
            for (String[] c : open) {
                close(a, c[0]);
                close(b, c[1]);
            }
            // after the calls: what stays (a leak) versus what was the calls' own (buffers, threads)
            System.gc();
            TimeUnit.SECONDS.sleep(2);
            long rssAfter = rssKb();
            double perEnd = (loaded - idle) / (2.0 * calls);
            double bareCpu = bareCpuPerEnd(calls) - idle / (2.0 * calls);
            String kind = video ? "Opus+VP8" : "Opus";
            System.out.printf(Locale.ROOT, "cpu: idle %.1f %% of one core, %d %s calls (both ends in this JVM) %.1f %%"
                    + " -> %.2f %% of one core per call end; bare GStreamer %s/RTP send+receive pipelines: %.2f %% per end"
                    + " (ratio %.2f)%n", idle, calls, kind, loaded, perEnd, kind, bareCpu, perEnd / bareCpu);
            System.out.printf(Locale.ROOT, "rss: idle %d MiB, with %d calls (2 ends each) %d MiB (+%.1f MiB per call end)%n",
                    rssIdle / 1024, calls, rssCalls / 1024, (rssCalls - rssIdle) / 1024.0 / (2.0 * calls));
            System.out.printf(Locale.ROOT, "rss: after those calls ended %d MiB (%+.2f MiB per call end over idle)%n",
                    rssAfter / 1024, (rssAfter - rssIdle) / 1024.0 / (2.0 * calls));

            // ---- call setup: CreateOffer to first audio packet received by the offerer
            List<Double> setup = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                String sa = create(a);
                String sb = create(b);
                long t0 = System.nanoTime();
                String offer = ok(a, Request.newBuilder().setCreateOffer(CreateOffer.newBuilder().setSessionId(sa))).getDescription().getSdp();
                String answer = ok(b, Request.newBuilder().setCreateAnswer(CreateAnswer.newBuilder().setSessionId(sb).setRemoteSdp(offer))).getDescription().getSdp();
                ok(a, Request.newBuilder().setSetRemoteDescription(SetRemoteDescription.newBuilder().setSessionId(sa).setType(SdpType.ANSWER).setSdp(answer)));
                while (a.counters(sa).getOrDefault("packetsReceived", 0L) < 1) {
                    if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(10)) throw new IllegalStateException("no media within 10 s");
                    TimeUnit.MICROSECONDS.sleep(500);
                }
                setup.add((System.nanoTime() - t0) / 1e6);
                close(a, sa);
                close(b, sb);
            }
            System.out.printf(Locale.ROOT, "setup: CreateOffer -> first audio packet at the offerer: median %.1f ms, max %.1f ms, first %.1f ms (%d runs, loopback, %s)%n",
                    median(setup), Collections.max(setup), setup.get(0), runs, plain ? "plain RTP" : dtls ? "DTLS-SRTP" : "SDES-SRTP");
            System.out.printf(Locale.ROOT, "setup: the first call of this JVM (cold: class loading, GStreamer plugins), %.0f s after the engines started: %.1f ms%n", firstCallAfter, coldMs);
            // one call after another, each ended: growth here is kept per call (a leak), not warm-up
            System.gc();
            TimeUnit.SECONDS.sleep(2);
            long rssSequential = rssKb();
            System.out.printf(Locale.ROOT, "rss: after those %d calls one after another %d MiB (%+.3f MiB per call end over the figure after the concurrent calls)%n",
                    runs, rssSequential / 1024, (rssSequential - rssAfter) / 1024.0 / (2.0 * runs));

            // ---- added latency: unmute at the sender -> tone onset in the receiver's decoded audio
            String[] c = call(la, lb);
            awaitPackets(lb, c[1], 50);
            List<Double> engine = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                ok(la, Request.newBuilder().setSetMute(SetMute.newBuilder().setSessionId(c[0]).setMuted(true)));
                TimeUnit.MILLISECONDS.sleep(400);
                engine.add(measureOnset(() -> ok(la, Request.newBuilder().setSetMute(SetMute.newBuilder().setSessionId(c[0]).setMuted(false)))));
            }
            close(la, c[0]);
            close(lb, c[1]);
            List<Double> bare = bareLatency();
            double em = median(engine);
            double bm = median(bare);
            System.out.printf(Locale.ROOT, "latency: unmute -> tone decoded, Opus 20 ms frames, jitter buffer %d ms: engine median %.1f ms,"
                    + " bare GStreamer RTP pipeline median %.1f ms, ratio %.2f (%d runs each)%n", jitterMs, em, bm, em / bm, runs);
        } finally {
            try (var s = Files.list(tmp)) {
                s.forEach(p -> p.toFile().delete());
            }
            Files.deleteIfExists(tmp);
        }
        return 0;
    }

    private void onAudio(String sessionId, byte[] pcm) {
        if (armedAt.get() == NO_ONSET || onsetAt.get() != NO_ONSET) return;
        ByteBuffer bb = ByteBuffer.wrap(pcm).order(ByteOrder.LITTLE_ENDIAN);
        int n = pcm.length / 2;
        for (int i = 0; i < n; i++) {
            if (Math.abs(bb.getShort(i * 2)) > 3000) {
                onsetAt.compareAndSet(NO_ONSET, System.nanoTime());
                return;
            }
        }
    }

    private double measureOnset(Runnable trigger) throws InterruptedException {
        onsetAt.set(NO_ONSET);
        long t0 = System.nanoTime();
        armedAt.set(t0);
        trigger.run();
        long deadline = t0 + TimeUnit.SECONDS.toNanos(5);
        while (onsetAt.get() == NO_ONSET && System.nanoTime() < deadline) TimeUnit.MICROSECONDS.sleep(200);
        armedAt.set(NO_ONSET);
        if (onsetAt.get() == NO_ONSET) throw new IllegalStateException("tone onset not seen within 5 s");
        return (onsetAt.get() - t0) / 1e6;
    }

    private static int freePort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static String bareSender(int port, int hz) {
        return "audiotestsrc is-live=true wave=sine freq=" + hz + " volume=0.3 samplesperbuffer=960"
                + " ! audio/x-raw,format=S16LE,rate=48000,channels=1 ! volume name=mute"
                + " ! audioconvert ! audioresample ! audio/x-raw,rate=48000,channels=1"
                + " ! opusenc bitrate=32000 inband-fec=true dtx=false frame-size=20 audio-type=voice"
                + " ! rtpopuspay pt=111 mtu=1200 ! udpsink host=127.0.0.1 port=" + port + " sync=false async=false";
    }

    /** The engine's VP8 send chain (VideoPipelines.Sender with its defaults) ending in udpsink. */
    private String bareVideoSender(int port) {
        EngineConfig.VideoFormat f = videoConfig.videoFormat();
        return String.format(Locale.ROOT, "videotestsrc is-live=true pattern=ball ! videoconvert ! videoscale ! videorate"
                        + " ! video/x-raw,format=I420,width=%d,height=%d,framerate=%d/1 ! %s"
                        + " ! udpsink host=127.0.0.1 port=%d sync=false async=false", f.width(), f.height(), f.fps(),
                VideoCodec.VP8.senderChain(96, videoConfig.videoMaxBitrateKbps(), VideoPipelines.KEYFRAME_INTERVAL_SECONDS * f.fps()),
                port);
    }

    /** The engine's VP8 receive chain (VideoPipelines.Receiver without an overlay) from udpsrc. */
    private String bareVideoReceiver(int port) {
        return "udpsrc address=127.0.0.1 port=" + port + " caps=\"" + VideoCodec.VP8.rtpCaps(96) + "\""
                + " ! rtpjitterbuffer latency=" + Math.max(jitterMs, 50) + " do-lost=true ! " + VideoCodec.VP8.receiverChain()
                + " ! fakesink sync=false";
    }

    static String bareReceiver(int port, int jitterMs, String sink) {
        return "udpsrc address=127.0.0.1 port=" + port
                + " caps=\"application/x-rtp,media=audio,clock-rate=48000,encoding-name=OPUS,payload=111\""
                + " ! rtpjitterbuffer latency=" + jitterMs + " ! rtpopusdepay ! opusdec plc=true"
                + " ! audioconvert ! audioresample ! audio/x-raw,format=S16LE,rate=48000,channels=1 ! " + sink;
    }

    /** CPU of N plain GStreamer Opus/RTP call ends (one sender and one receiver pipeline each), for comparison. */
    private double bareCpuPerEnd(int n) throws Exception {
        List<Pipeline> ps = new ArrayList<>();
        try {
            for (int i = 0; i < 2 * n; i++) {
                int port = freePort();
                Pipeline rx = (Pipeline) Gst.parseLaunch(bareReceiver(port, jitterMs, "fakesink sync=false"));
                Pipeline tx = (Pipeline) Gst.parseLaunch(bareSender(port, 440));
                rx.play();
                tx.play();
                ps.add(rx);
                ps.add(tx);
                if (video) {
                    int vport = freePort();
                    Pipeline vrx = (Pipeline) Gst.parseLaunch(bareVideoReceiver(vport));
                    Pipeline vtx = (Pipeline) Gst.parseLaunch(bareVideoSender(vport));
                    vrx.play();
                    vtx.play();
                    ps.add(vrx);
                    ps.add(vtx);
                }
            }
            TimeUnit.SECONDS.sleep(2);
            double idle = 0;
            return (cpuPercent(seconds) - idle) / (2.0 * n);
        } finally {
            for (Pipeline p : ps) {
                p.setState(State.NULL);
                p.dispose();
            }
        }
    }

    /** The same codec chain as the engine, as plain GStreamer with udpsink/udpsrc (what gst-launch would run). */
    private List<Double> bareLatency() throws Exception {
        int port = freePort();
        Pipeline rx = (Pipeline) Gst.parseLaunch("udpsrc address=127.0.0.1 port=" + port
                + " caps=\"application/x-rtp,media=audio,clock-rate=48000,encoding-name=OPUS,payload=111\""
                + " ! rtpjitterbuffer latency=" + jitterMs + " ! rtpopusdepay ! opusdec plc=true"
                + " ! audioconvert ! audioresample ! audio/x-raw,format=S16LE,rate=48000,channels=1"
                + " ! appsink name=pcm emit-signals=true sync=false");
        Pipeline tx = (Pipeline) Gst.parseLaunch("audiotestsrc is-live=true wave=sine freq=440 volume=0.3 samplesperbuffer=960"
                + " ! audio/x-raw,format=S16LE,rate=48000,channels=1 ! volume name=mute mute=true"
                + " ! audioconvert ! audioresample ! audio/x-raw,rate=48000,channels=1"
                + " ! opusenc bitrate=32000 inband-fec=true dtx=false frame-size=20 audio-type=voice"
                + " ! rtpopuspay pt=111 mtu=1200 ! udpsink host=127.0.0.1 port=" + port + " sync=false async=false");
        AppSink sink = (AppSink) rx.getElementByName("pcm");
        sink.connect((AppSink.NEW_SAMPLE) s -> {
            Sample sample = s.pullSample();
            try {
                ByteBuffer bb = sample.getBuffer().map(false);
                byte[] pcm = new byte[bb.remaining()];
                bb.get(pcm);
                sample.getBuffer().unmap();
                onAudio("bare", pcm);
            } finally {
                sample.dispose();
            }
            return FlowReturn.OK;
        });
        Element volume = tx.getElementByName("mute");
        rx.play();
        tx.play();
        try {
            TimeUnit.MILLISECONDS.sleep(500);
            List<Double> out = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                volume.set("mute", true);
                TimeUnit.MILLISECONDS.sleep(400);
                out.add(measureOnset(() -> volume.set("mute", false)));
            }
            return out;
        } finally {
            tx.setState(State.NULL);
            rx.setState(State.NULL);
            tx.dispose();
            rx.dispose();
        }
    }

    private String[] call(MediaEngine a, MediaEngine b) {
        String sa = create(a);
        String sb = create(b);
        String offer = ok(a, Request.newBuilder().setCreateOffer(CreateOffer.newBuilder().setSessionId(sa))).getDescription().getSdp();
        String answer = ok(b, Request.newBuilder().setCreateAnswer(CreateAnswer.newBuilder().setSessionId(sb).setRemoteSdp(offer))).getDescription().getSdp();
        ok(a, Request.newBuilder().setSetRemoteDescription(SetRemoteDescription.newBuilder().setSessionId(sa).setType(SdpType.ANSWER).setSdp(answer)));
        return new String[] {sa, sb};
    }

    private String create(MediaEngine e) {
        return ok(e, Request.newBuilder().setCreateSession(CreateSession.newBuilder()
                .setOptions(SessionOptions.newBuilder().setAudio(true).addAudioCodecs("opus").setVideo(video)
                        .setSrtp(plain ? SessionOptions.SrtpPolicy.SRTP_DISABLED : SessionOptions.SrtpPolicy.SRTP_REQUIRED)
                        .setDtlsSrtp(dtls && !plain))))
                .getSessionCreated().getSessionId();
    }

    private void close(MediaEngine e, String sid) {
        ok(e, Request.newBuilder().setCloseSession(CloseSession.newBuilder().setSessionId(sid)));
    }

    private Response ok(MediaEngine e, Request.Builder r) {
        try {
            Response resp = e.handle(r.setId(++requestIds).build()).get(10, TimeUnit.SECONDS);
            if (resp.hasError()) throw new IllegalStateException(r.getMethodCase() + ": " + resp.getError().getMessage());
            return resp;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static void awaitPackets(MediaEngine e, String sid, long n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (e.counters(sid).getOrDefault("packetsReceived", 0L) < n) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("session " + sid + " receives no media");
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    /** Process CPU over a window, in percent of one core. */
    private static double cpuPercent(double windowSeconds) throws InterruptedException {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long c0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        TimeUnit.MILLISECONDS.sleep((long) (windowSeconds * 1000));
        return (os.getProcessCpuTime() - c0) * 100.0 / (System.nanoTime() - t0);
    }

    private static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        return -1;
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new EngineBenchCommand()).execute(args));
    }
}
