package io.vmc.overlay.nativeapi;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * Reads a {@code GstEvent}'s type without a wrapper: gst1-java-core 1.4 hands probe callbacks a
 * plain {@code Event}. Layout from {@code <gst/gstevent.h>} (GStreamer 1.x ABI): the type follows
 * the {@code GstMiniObject} header.
 */
public final class GstEvents {

    /** {@code GST_EVENT_CAPS >> GST_EVENT_NUM_SHIFT}. */
    private static final int CAPS_NUMBER = 50;
    private static final int NUM_SHIFT = 8;

    private GstEvents() {
    }

    public static boolean isCaps(Pointer event) {
        return event != null && event.getInt(TYPE_OFFSET) >> NUM_SHIFT == CAPS_NUMBER;
    }

    /** Offset of {@code GstEvent.type}: after {@code GstMiniObject}, laid out with C alignment. */
    static final long TYPE_OFFSET = typeOffset(Native.POINTER_SIZE);

    static long typeOffset(int ptr) {
        long o = ptr;             // GType type (gsize)
        o += 4 + 4 + 4;           // gint refcount, gint lockstate, guint flags
        o = align(o, ptr) + 3L * ptr; // copy, dispose, free
        o += 4;                   // guint n_qdata
        o = align(o, ptr) + ptr;  // gpointer qdata
        return o;
    }

    private static long align(long o, int a) {
        return (o + a - 1) / a * a;
    }
}
