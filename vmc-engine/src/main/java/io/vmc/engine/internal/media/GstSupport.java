package io.vmc.engine.internal.media;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.freedesktop.gstreamer.Buffer;
import org.freedesktop.gstreamer.FlowReturn;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Sample;
import org.freedesktop.gstreamer.Version;
import org.freedesktop.gstreamer.elements.AppSink;
import org.freedesktop.gstreamer.elements.AppSrc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Initialises GStreamer once per JVM; reports why it cannot be used instead of failing class loading. */
public final class GstSupport {
    private static final Logger LOG = LoggerFactory.getLogger(GstSupport.class);
    private static Throwable failure;
    private static boolean done;

    private GstSupport() {
    }

    public static synchronized void init() {
        if (done) {
            if (failure != null) throw new IllegalStateException("GStreamer is not available: " + failure.getMessage(), failure);
            return;
        }
        done = true;
        try {
            if (!Gst.isInitialized()) {
                Gst.init(Version.of(1, 16), "vmc");
            }
        } catch (Throwable t) {
            failure = t;
            throw new IllegalStateException("GStreamer is not available: " + t.getMessage(), t);
        }
    }

    /** Queues one packet into an appsrc (a copy: the caller's array is reused). Never blocks. */
    static void push(AppSrc src, byte[] data, int off, int len) {
        Buffer b = new Buffer(len);
        ByteBuffer bb = b.map(true);
        bb.put(data, off, len);
        b.unmap();
        src.pushBuffer(b);
    }

    /** An appsink callback that copies each sample's bytes to {@code out} until {@code closed}. */
    static AppSink.NEW_SAMPLE copyingTo(Consumer<byte[]> out,
            AtomicBoolean closed, String path) {
        return s -> {
            Sample sample = s.pullSample();
            try {
                Buffer b = sample.getBuffer();
                ByteBuffer bb = b.map(false);
                try {
                    byte[] bytes = new byte[bb.remaining()];
                    bb.get(bytes);
                    if (!closed.get()) out.accept(bytes);
                } finally {
                    b.unmap();
                }
            } catch (RuntimeException e) {
                LOG.warn("{}: {}", path, e.toString());
            } finally {
                sample.dispose();
            }
            return FlowReturn.OK;
        };
    }
}
