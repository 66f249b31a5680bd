package io.vmc.engine.internal;

import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Version;

/** Initialises GStreamer once per JVM; reports why it cannot be used instead of failing class loading. */
public final class GstSupport {
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
}
