package io.vmc.engine.internal.media;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.freedesktop.gstreamer.Buffer;
import org.freedesktop.gstreamer.Caps;
import org.freedesktop.gstreamer.ClockTime;
import org.freedesktop.gstreamer.FlowReturn;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.State;
import org.freedesktop.gstreamer.elements.AppSrc;

/**
 * Plays a {@link RingSound} in a loop on one PulseAudio sink, apart from any call's pipelines (the
 * ringer is often the speaker while the call's audio goes to the headset). A feeder thread pushes
 * 20 ms buffers into a blocking appsrc, so the sink's clock paces it.
 */
public final class RingPlayer implements AutoCloseable {
    private static final int CHUNK_MS = 20;
    private final Pipeline pipeline;
    private final AppSrc src;
    private final RingSound sound;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread feeder;

    /** @param pulseSink the sink's PulseAudio name, or null for the server's default */
    public RingPlayer(RingSound sound, String pulseSink, Consumer<String> onError) {
        GstSupport.init();
        this.sound = sound;
        pipeline = (Pipeline) Gst.parseLaunch("appsrc name=src format=time is-live=false block=true max-bytes=16384"
                + " ! audioconvert ! audioresample ! pulsesink "
                + (pulseSink != null ? "device=" + AudioPipelines.quote(pulseSink) + " " : "")
                + "buffer-time=100000 latency-time=20000 client-name=\"VMC ring\"");
        src = (AppSrc) pipeline.getElementByName("src");
        src.setCaps(Caps.fromString("audio/x-raw,format=S16LE,layout=interleaved,rate=" + sound.rate()
                + ",channels=" + sound.channels()));
        pipeline.getBus().connect((org.freedesktop.gstreamer.Bus.ERROR) (o, code, msg) -> {
            if (!closed.get()) onError.accept(o.getName() + ": " + msg);
        });
        feeder = new Thread(this::feed, "vmc-ring-feeder");
        feeder.setDaemon(true);
    }

    public void start() {
        pipeline.play();
        feeder.start();
    }

    private void feed() {
        byte[] pcm = sound.pcm();
        int frameBytes = 2 * sound.channels();
        int chunk = sound.rate() * CHUNK_MS / 1000 * frameBytes;
        long framesOut = 0;
        int pos = 0;
        while (!closed.get()) {
            int len = Math.min(chunk, pcm.length - pos);
            Buffer b = new Buffer(len);
            ByteBuffer bb = b.map(true);
            bb.put(pcm, pos, len);
            b.unmap();
            int frames = len / frameBytes;
            b.setPresentationTimestamp(framesOut * ClockTime.fromSeconds(1) / sound.rate());
            b.setDuration(frames * ClockTime.fromSeconds(1) / sound.rate());
            framesOut += frames;
            pos = (pos + len) % pcm.length;
            if (src.pushBuffer(b) != FlowReturn.OK) return; // flushing: the pipeline is stopping
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            pipeline.setState(State.NULL); // unblocks a push waiting for room
            try {
                feeder.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            pipeline.dispose();
        }
    }
}
