package io.vmc.engine.internal.media;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.freedesktop.gstreamer.FlowReturn;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Version;
import org.freedesktop.gstreamer.glib.Natives;
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

    /** The gst_init option every GStreamer user in a JVM needs (see {@link #init()}). */
    public static final String NO_SEGTRAP = "--gst-disable-segtrap";

    public static synchronized void init() {
        if (done) {
            if (failure != null) throw new IllegalStateException("GStreamer is not available: " + failure.getMessage(), failure);
            return;
        }
        done = true;
        try {
            if (!Gst.isInitialized()) {
                // GStreamer's segtrap installs its own SIGSEGV handler while it loads a plugin; the JVM
                // raises SIGSEGV on purpose (safepoint polls, implicit null checks), and one in that window
                // ended test JVMs with "Caught a segmentation fault while loading plugin file"
                Gst.init(Version.of(1, 16), "vmc", NO_SEGTRAP);
            }
        } catch (Throwable t) {
            failure = t;
            throw new IllegalStateException("GStreamer is not available: " + t.getMessage(), t);
        }
    }

    /**
     * Queues one packet into an appsrc (a copy: the caller's array is reused). Never blocks. Direct JNA
     * calls on the raw pointers: gst1-java-core's Buffer wrapper, its reflective map structure and its
     * reference tracking cost more per packet than the codec (docs/benchmarks.md, engine CPU).
     */
    static void push(AppSrc src, byte[] data, int off, int len) {
        byte[] bytes = off == 0 ? data : java.util.Arrays.copyOfRange(data, off, off + len);
        Pointer buffer = Core.gst_buffer_new_allocate(null, len, null);
        Core.gst_buffer_fill(buffer, 0, bytes, len);
        App.gst_app_src_push_buffer(Natives.getRawPointer(src), buffer); // takes the buffer
    }

    /** An appsink callback that copies each sample's bytes to {@code out} until {@code closed}. */
    static AppSink.NEW_SAMPLE copyingTo(Consumer<byte[]> out,
            AtomicBoolean closed, String path) {
        return s -> {
            Pointer sample = App.gst_app_sink_pull_sample(Natives.getRawPointer(s));
            if (sample == null) return FlowReturn.EOS;
            try {
                Pointer buffer = Core.gst_sample_get_buffer(sample); // owned by the sample
                byte[] bytes = new byte[(int) Core.gst_buffer_get_size(buffer)];
                Core.gst_buffer_extract(buffer, 0, bytes, bytes.length);
                if (!closed.get()) out.accept(bytes);
            } catch (RuntimeException e) {
                LOG.warn("{}: {}", path, e.toString());
            } finally {
                Core.gst_mini_object_unref(sample);
            }
            return FlowReturn.OK;
        };
    }

    /** Direct-mapped per-buffer calls of libgstreamer (gsize as long: 64-bit Linux, like the thin clients). */
    private static final class Core {
        static {
            Native.register(Core.class, NativeLibrary.getInstance("gstreamer-1.0"));
        }

        static native Pointer gst_buffer_new_allocate(Pointer allocator, long size, Pointer params);
        static native long gst_buffer_fill(Pointer buffer, long offset, byte[] src, long size);
        static native long gst_buffer_get_size(Pointer buffer);
        static native long gst_buffer_extract(Pointer buffer, long offset, byte[] dest, long size);
        static native Pointer gst_sample_get_buffer(Pointer sample);
        static native void gst_mini_object_unref(Pointer object);
    }

    /** Direct-mapped calls of libgstapp. */
    private static final class App {
        static {
            Native.register(App.class, NativeLibrary.getInstance("gstapp-1.0"));
        }

        static native int gst_app_src_push_buffer(Pointer appsrc, Pointer buffer);
        static native Pointer gst_app_sink_pull_sample(Pointer appsink);
    }
}
