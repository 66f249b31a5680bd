package io.vmc.engine.internal.media;

import io.vmc.engine.EngineConfig;
import io.vmc.engine.ScreenSource;
import io.vmc.overlay.VideoOverlay;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.Caps;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Pad;
import org.freedesktop.gstreamer.PadProbeReturn;
import org.freedesktop.gstreamer.PadProbeType;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.State;
import org.freedesktop.gstreamer.Structure;
import org.freedesktop.gstreamer.elements.AppSink;
import org.freedesktop.gstreamer.elements.AppSrc;
import org.freedesktop.gstreamer.event.EventType;
import org.freedesktop.gstreamer.lowlevel.GstEventAPI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The GStreamer halves of a video stream: source → encoder → payloader → appsink (with a self view:
 * source → tee → queue → encoder ..., and tee → leaky queue → valve → videoconvert → overlay sink,
 * so a slow preview never stalls sending), and appsrc → rtpjitterbuffer → depayloader → decoder →
 * overlay sink or fakesink; the elements come from the {@link VideoCodec} (VP8, RFC 7741, or
 * H.264, RFC 6184).
 */
public final class VideoPipelines {
    private static final Logger LOG = LoggerFactory.getLogger(VideoPipelines.class);
    /** A keyframe at least this often even without PLI. */
    public static final int KEYFRAME_INTERVAL_SECONDS = 2;

    private VideoPipelines() {
    }

    // Each tee branch needs its own queue (thread), or the first sink to preroll blocks the other.
    // While the self view is off the valve turns frames into GAP events: the overlay sink still
    // prerolls, so the pipeline reaches PLAYING, but nothing is converted or drawn.
    private static final String SELF_VIEW_TEE = " ! tee name=t ! queue max-size-buffers=3 max-size-bytes=0 max-size-time=0";
    private static final String SELF_VIEW_BRANCH = " t. ! queue max-size-buffers=2 max-size-bytes=0 max-size-time=0 leaky=downstream"
            + " ! valve name=preview drop=true drop-mode=transform-to-gap ! videoconvert name=previewconvert";

    public static final class Sender implements AutoCloseable {
        private final Pipeline pipeline;
        private final Element encoder;
        private final VideoCodec codec;
        private final Element preview;
        /** The self view's bin: taken out before the pipeline goes, so that the next sender can show it. */
        private final Bin selfViewSink;
        private final AtomicBoolean closed = new AtomicBoolean();

        private final ScreenFeed screen;

        /** @param selfView where to show what is sent (off until {@link #setPreview}), or null for no preview branch */
        public Sender(VideoCodec codec, EngineConfig.VideoSource source, EngineConfig.VideoFormat format, int pt,
                      int bitrateKbps, VideoOverlay selfView, Consumer<byte[]> rtpOut, Consumer<String> onError) {
            this(codec, source.pattern() == null
                    ? "v4l2src" + (source.device() != null ? " device=" + AudioPipelines.quote(source.device()) : "")
                    : "videotestsrc is-live=true pattern=" + source.pattern(), null, format, pt, bitrateKbps, selfView, rtpOut, onError);
        }

        /**
         * A screen share: pictures of {@code area} of {@code screen} (null = the whole screen), taken
         * {@code format.fps()} times a second, scaled into {@code format} with their aspect ratio kept.
         */
        public static Sender screen(VideoCodec codec, ScreenSource screen, java.awt.Rectangle area, EngineConfig.VideoFormat format,
                                    int pt, int bitrateKbps, Consumer<byte[]> rtpOut, Consumer<String> onError) {
            return new Sender(codec, "appsrc name=screen is-live=true format=time do-timestamp=true block=false max-buffers=2 leaky-type=downstream",
                    new ScreenFeed(screen, area, format.fps(), onError), format, pt, bitrateKbps, null, rtpOut, onError);
        }

        private Sender(VideoCodec codec, String src, ScreenFeed screen, EngineConfig.VideoFormat format, int pt,
                       int bitrateKbps, VideoOverlay selfView, Consumer<byte[]> rtpOut, Consumer<String> onError) {
            GstSupport.init();
            this.screen = screen;
            String desc = String.format(Locale.ROOT,
                    "%s ! videoconvert ! videoscale ! videorate ! video/x-raw,format=I420,width=%d,height=%d,framerate=%d/1,pixel-aspect-ratio=1/1"
                            + "%s ! %s"
                            + " ! appsink name=rtp emit-signals=true sync=false max-buffers=200 drop=true",
                    src, format.width(), format.height(), format.fps(), selfView == null ? "" : SELF_VIEW_TEE,
                    codec.senderChain(pt, bitrateKbps, KEYFRAME_INTERVAL_SECONDS * format.fps()));
            if (selfView != null) {
                desc += SELF_VIEW_BRANCH;
            }
            pipeline = (Pipeline) Gst.parseLaunch(desc);
            encoder = pipeline.getElementByName("enc");
            this.codec = codec;
            preview = pipeline.getElementByName("preview");
            selfViewSink = selfView == null ? null : selfView.sink();
            if (selfViewSink != null) {
                pipeline.add(selfViewSink);
                if (!pipeline.getElementByName("previewconvert").link(selfViewSink)) {
                    throw new IllegalStateException("cannot link the self view to its overlay sink");
                }
            }
            if (screen != null) screen.src = (AppSrc) pipeline.getElementByName("screen");
            AppSink sink = (AppSink) pipeline.getElementByName("rtp");
            sink.connect(GstSupport.copyingTo(rtpOut, closed, "video send path"));
            pipeline.getBus().connect((org.freedesktop.gstreamer.Bus.ERROR) (o, code, msg) -> onError.accept(o.getName() + ": " + msg));
        }

        public void start() {
            pipeline.play();
            if (screen != null) screen.start(closed);
        }

        /** Self view on or off: while off the preview branch passes gaps, not frames (no conversion, no drawing). */
        public void setPreview(boolean on) {
            if (preview != null && !closed.get()) preview.set("drop", !on);
        }

        /** Asks the encoder for a keyframe (the answer to a PLI): a GstForceKeyUnit event into its sink pad. */
        public void requestKeyframe() {
            if (closed.get()) return;
            try {
                var ev = GstEventAPI.GSTEVENT_API.gst_event_new_custom(EventType.CUSTOM_DOWNSTREAM,
                        Structure.fromString("GstForceKeyUnit, all-headers=(boolean)true"));
                encoder.getStaticPad("sink").sendEvent(ev);
            } catch (RuntimeException | LinkageError e) {
                LOG.debug("keyframe request failed: {}", e.toString());
            }
        }

        /** Changes the encoder's target while it runs (vp8enc reconfigures libvpx on the next frame). */
        public void setTargetBitrate(int kbps) {
            if (closed.get()) return;
            for (String property : codec.bitrateProperties()) {
                encoder.set(property, kbps * 1000);
            }
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                if (screen != null) screen.stop();
                pipeline.setState(State.NULL);
                if (selfViewSink != null) pipeline.remove(selfViewSink); // the overlay's, the same bin on every sender
                pipeline.dispose();
            }
        }
    }

    /**
     * Pushes pictures of the screen into the sender's appsrc at a fixed rate, on its own thread (a
     * copy of a 1920x1080 picture takes a few ms on the SPICE loop thread). The caps follow the
     * picture's size (the guest changed its resolution, the window moved off the screen's edge).
     */
    private static final class ScreenFeed {
        private final ScreenSource screen;
        private final java.awt.Rectangle area;
        private final int fps;
        private final Consumer<String> onError;
        private volatile AppSrc src;
        private java.util.concurrent.ScheduledExecutorService thread;
        private int width;
        private int height;
        private boolean reported;

        ScreenFeed(ScreenSource screen, java.awt.Rectangle area, int fps, Consumer<String> onError) {
            this.screen = screen;
            this.area = area;
            this.fps = fps;
            this.onError = onError;
        }

        synchronized void start(AtomicBoolean closed) {
            if (thread != null) return;
            thread = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "vmc-screen-capture");
                t.setDaemon(true);
                return t;
            });
            thread.scheduleAtFixedRate(() -> {
                if (!closed.get()) pushOne();
            }, 0, 1000 / fps, java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        synchronized void stop() {
            if (thread != null) thread.shutdownNow();
        }

        private void pushOne() {
            try {
                java.util.Optional<io.vmc.port.spice.ScreenPicture> p = screen.capture(area);
                if (p.isEmpty()) return; // no picture now: the receiver keeps the last one
                io.vmc.port.spice.ScreenPicture pic = p.get();
                if (pic.width() != width || pic.height() != height) {
                    width = pic.width();
                    height = pic.height();
                    src.setCaps(Caps.fromString(String.format(Locale.ROOT,
                            "video/x-raw,format=BGRx,width=%d,height=%d,framerate=%d/1,pixel-aspect-ratio=1/1", width, height, fps)));
                }
                GstSupport.push(src, pic.bgrx(), 0, pic.bgrx().length);
            } catch (RuntimeException e) {
                if (!reported) {
                    reported = true;
                    onError.accept("screen capture: " + e);
                }
            }
        }
    }

    public static final class Receiver implements AutoCloseable {
        private final Pipeline pipeline;
        private final AppSrc src;
        private final AtomicBoolean closed = new AtomicBoolean();
        private final AtomicLong framesDecoded = new AtomicLong();
        /**
         * The pads our probes are on. gst1-java-core keeps a pad wrapper with a callback strongly
         * reachable (GObject's STRONG_REFS) for as long as it lives, so each probe, and the call
         * behind it, would outlive the pipeline: close() removes the probes and disposes the pads.
         */
        private final java.util.List<Probe> probes = new java.util.concurrent.CopyOnWriteArrayList<>();

        private record Probe(Pad pad, Pad.PROBE callback) { }

        /** @param overlay where to draw the decoded video, or null for a counting fakesink */
        public Receiver(VideoCodec codec, int pt, int jitterMs, VideoOverlay overlay, Consumer<String> onError) {
            GstSupport.init();
            String desc = "appsrc name=src is-live=true format=time do-timestamp=true max-bytes=2000000 block=false"
                    + " ! rtpjitterbuffer latency=" + jitterMs + " do-lost=true"
                    + " ! " + codec.receiverChain()
                    + (overlay == null ? " ! fakesink sync=false" : "");
            pipeline = (Pipeline) Gst.parseLaunch(desc);
            if (overlay != null) {
                Bin sink = overlay.sink();
                pipeline.add(sink);
                if (!pipeline.getElementByName("dec").link(sink)) {
                    throw new IllegalStateException("cannot link the " + codec.sdpName() + " decoder to the overlay sink");
                }
            }
            src = (AppSrc) pipeline.getElementByName("src");
            src.setCaps(Caps.fromString(codec.rtpCaps(pt)));
            probe(pipeline.getElementByName("dec").getStaticPad("src"), PadProbeType.BUFFER, (pad, info) -> {
                framesDecoded.incrementAndGet();
                return PadProbeReturn.OK;
            });
            pipeline.getBus().connect((org.freedesktop.gstreamer.Bus.ERROR) (o, code, msg) -> onError.accept(o.getName() + ": " + msg));
        }

        public void start() {
            pipeline.play();
        }

        public long framesDecoded() {
            return framesDecoded.get();
        }

        /** Hands every decoded picture (I420, copied) to {@code listener}, on the streaming thread. Call before {@link #start()}. */
        public void onPicture(EngineConfig.ReceivedVideoListener listener) {
            probe(pipeline.getElementByName("dec").getStaticPad("src"), PadProbeType.BUFFER, (pad, info) -> {
                try {
                    Caps caps = pad.getCurrentCaps();
                    Structure st = caps == null || caps.size() == 0 ? null : caps.getStructure(0);
                    if (st == null || !"I420".equals(st.getString("format"))) return PadProbeReturn.OK;
                    org.freedesktop.gstreamer.Buffer b = info.getBuffer();
                    java.nio.ByteBuffer data = b.map(false);
                    try {
                        byte[] copy = new byte[data.remaining()];
                        data.get(copy);
                        listener.onPicture(st.getInteger("width"), st.getInteger("height"), copy);
                    } finally {
                        b.unmap();
                    }
                } catch (RuntimeException e) {
                    LOG.debug("received picture listener: {}", e.toString());
                }
                return PadProbeReturn.OK;
            });
        }

        /**
         * Calls {@code onRequest} (on a streaming thread) whenever the depayloader or decoder asks
         * upstream for a keyframe (GstForceKeyUnit, after a loss that NACK did not repair); the RTP
         * session turns it into a PLI. Call before {@link #start()}.
         */
        public void onKeyframeRequest(Runnable onRequest) {
            probe(src.getStaticPad("src"), PadProbeType.EVENT_UPSTREAM, (pad, info) -> {
                org.freedesktop.gstreamer.event.Event e = info.getEvent();
                Structure st = e == null ? null : e.getStructure();
                if (st != null && "GstForceKeyUnit".equals(st.getName())) onRequest.run();
                return PadProbeReturn.OK;
            });
        }

        public void push(byte[] data, int off, int len) {
            if (closed.get()) return;
            GstSupport.push(src, data, off, len);
        }

        private void probe(Pad pad, PadProbeType type, Pad.PROBE probe) {
            pad.addProbe(type, probe);
            probes.add(new Probe(pad, probe));
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                pipeline.setState(State.NULL);
                for (Probe p : probes) {
                    p.pad().removeProbe(p.callback());
                    p.pad().dispose();
                }
                pipeline.dispose();
            }
        }
    }
}
