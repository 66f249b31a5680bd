package io.vmc.engine.internal.media;

import io.vmc.engine.EngineConfig;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.freedesktop.gstreamer.Caps;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.State;
import org.freedesktop.gstreamer.elements.AppSink;
import org.freedesktop.gstreamer.elements.AppSrc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The GStreamer halves of an audio stream. Capture and encoding end in an appsink that hands RTP
 * packets to Java; received RTP enters through an appsrc, goes through the jitter buffer and the
 * decoder, and ends in the speaker and in a PCM appsink (recording, level).
 */
public final class AudioPipelines {
    private static final Logger LOG = LoggerFactory.getLogger(AudioPipelines.class);
    /** PCM format delivered to Java on the receive side. */
    public static final int PCM_RATE = 48000;
    /** Name of the pulsesrc / pulsesink element: its errors are a device's, not the call's. */
    private static final String DEVICE = "device";

    /** Whether an error handed to {@code onError} came from the microphone or speaker element. */
    public static boolean isDeviceError(String error) {
        return error.startsWith(DEVICE + ": ");
    }

    private AudioPipelines() {
    }

    /** Encodes the configured source and hands each RTP packet to {@code rtpOut}. */
    public static final class Sender implements AutoCloseable {
        private final Pipeline pipeline;
        private final Element volume;
        private final AtomicBoolean closed = new AtomicBoolean();

        /** @param probeName the receive side's webrtcechoprobe for echo cancellation, or null for none */
        public Sender(EngineConfig.AudioSource source, String pulseDevice, AudioCodec codec, int pt, boolean dtx,
                      String probeName, Consumer<byte[]> rtpOut, Consumer<String> onError) {
            GstSupport.init();
            String src;
            if (source.isTone()) {
                src = String.format(Locale.ROOT,
                        "audiotestsrc is-live=true wave=sine freq=%.3f volume=%.3f samplesperbuffer=960 ! audio/x-raw,format=S16LE,rate=48000,channels=1",
                        source.toneHz(), source.toneVolume());
            } else {
                String dev = pulseDevice != null ? pulseDevice : source.device();
                src = "pulsesrc name=" + DEVICE + " " + (dev != null ? "device=" + quote(dev) + " " : "")
                        + "buffer-time=40000 latency-time=10000 ! audioconvert ! audioresample ! audio/x-raw,format=S16LE,rate=48000,channels=1";
                if (probeName != null) {
                    // noise suppression off: it would eat stationary test tones
                    src += " ! webrtcdsp probe=" + probeName + " echo-cancel=true noise-suppression=false gain-control=false";
                }
            }
            String desc = src + " ! volume name=mute ! " + codec.encoderChain(pt, dtx)
                    + " ! appsink name=rtp emit-signals=true sync=false max-buffers=100 drop=true";
            pipeline = (Pipeline) Gst.parseLaunch(desc);
            volume = pipeline.getElementByName("mute");
            AppSink sink = (AppSink) pipeline.getElementByName("rtp");
            sink.connect(GstSupport.copyingTo(rtpOut, closed, "send path"));
            pipeline.getBus().connect((org.freedesktop.gstreamer.Bus.ERROR) (o, code, msg) -> onError.accept(o.getName() + ": " + msg));
        }

        public void start() {
            pipeline.play();
        }

        public void setMuted(boolean muted) {
            volume.set("mute", muted);
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                pipeline.setState(State.NULL);
                pipeline.dispose();
            }
        }
    }

    /** Decodes RTP pushed by Java, plays it and hands 48 kHz mono S16LE PCM to {@code pcmOut}. */
    public static final class Receiver implements AutoCloseable {
        private final Pipeline pipeline;
        private final AppSrc src;
        private final AtomicBoolean closed = new AtomicBoolean();

        /**
         * @param pcmBlockMs size of the PCM blocks handed to Java: large blocks (200 ms) when they only
         *     feed the recorder and the level meter, since each block costs a native callback
         */
        public Receiver(EngineConfig.AudioSink sinkSpec, String pulseDevice, AudioCodec codec, int pt, int jitterMs,
                        boolean fec, String probeName, int pcmBlockMs, Consumer<byte[]> pcmOut,
                        java.util.function.DoubleConsumer levelDbOut, Consumer<String> onError) {
            GstSupport.init();
            StringBuilder d = new StringBuilder();
            d.append("appsrc name=src is-live=true format=time do-timestamp=true max-bytes=262144 block=false")
             .append(" ! rtpjitterbuffer latency=").append(jitterMs).append(" do-lost=true")
             .append(" ! ").append(codec.decoderChain(fec))
             .append(" ! audioconvert ! audioresample ! audio/x-raw,format=S16LE,rate=48000,channels=1")
             // the level meter posts one message a second (what the stats show) instead of handing
             // every frame to Java; each message costs a bus dispatch and a structure read in Java
             .append(" ! level name=level interval=1000000000 post-messages=true");
            String play = null;
            if (sinkSpec.isPulse()) {
                String dev = pulseDevice != null ? pulseDevice : sinkSpec.device();
                // the jitter buffer already releases packets on the pipeline clock; a syncing sink
                // that also provides the clock dropped everything as late after some starts
                play = (probeName != null ? "webrtcechoprobe name=" + probeName + " ! " : "")
                        + "audioconvert ! pulsesink name=" + DEVICE + " " + (dev != null ? "device=" + quote(dev) + " " : "")
                        + "buffer-time=60000 latency-time=10000 provide-clock=false sync=false";
            }
            if (pcmOut != null) {
                d.append(" ! tee name=t t. ! queue max-size-buffers=50 leaky=downstream ! ")
                 .append(pcmBlockMs > 20 ? "audiobuffersplit output-buffer-duration=" + pcmBlockMs + "/1000 ! " : "")
                 .append("appsink name=pcm emit-signals=true sync=false max-buffers=50 drop=true");
                if (play != null) d.append(" t. ! queue max-size-time=200000000 leaky=downstream ! ").append(play);
            } else {
                d.append(" ! ").append(play != null ? play : "fakesink sync=false");
            }
            pipeline = (Pipeline) Gst.parseLaunch(d.toString());
            src = (AppSrc) pipeline.getElementByName("src");
            src.setCaps(Caps.fromString(codec.rtpCaps(pt)));
            pipeline.getBus().connect((org.freedesktop.gstreamer.Bus.MESSAGE) (bus, m) -> {
                try {
                    org.freedesktop.gstreamer.Structure st = m.getStructure();
                    if (st != null && "level".equals(st.getName()) && !closed.get()) {
                        double[] rms = st.getDoubles("rms");
                        if (rms.length > 0) levelDbOut.accept(Double.isNaN(rms[0]) ? -127 : Math.max(-127, rms[0]));
                    }
                } finally {
                    // The wrapper holds its own reference to the message, and a state-change message
                    // holds the pipeline: undisposed, every closed call kept its pipeline (bus socket
                    // pair, elements) until a garbage collection ran (ClosedPipelinesTest).
                    m.dispose();
                }
            });
            AppSink pcm = pcmOut == null ? null : (AppSink) pipeline.getElementByName("pcm");
            if (pcm != null) pcm.connect(GstSupport.copyingTo(pcmOut, closed, "receive path"));
            pipeline.getBus().connect((org.freedesktop.gstreamer.Bus.ERROR) (o, code, msg) -> onError.accept(o.getName() + ": " + msg));
        }

        public void start() {
            pipeline.play();
        }

        /** Waits up to {@code timeoutMs} for the pipeline to reach PLAYING; whether it did. */
        public boolean awaitPlaying(long timeoutMs) {
            return pipeline.getState(timeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS) == State.PLAYING;
        }

        /** Queues one plain RTP packet for decoding. Never blocks. */
        public void push(byte[] data, int off, int len) {
            if (closed.get()) return;
            GstSupport.push(src, data, off, len);
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                pipeline.setState(State.NULL);
                pipeline.dispose();
            }
        }
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
