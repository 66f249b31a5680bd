package io.vmc.port.spice.nativeapi;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The few libglib-2.0 calls the SPICE loop needs, named and typed as in C ({@code gmain.h}).
 * Loaded on first use; fails with {@link UnsatisfiedLinkError} (see {@link SpiceNative#probe()}).
 */
public interface GLib extends Library {

    GLib INSTANCE = Native.load("libglib-2.0.so.0", GLib.class);

    /** {@code gboolean (*GSourceFunc)(gpointer user_data)}: return 0 to remove the source. */
    interface GSourceFunc extends Callback {
        int invoke(Pointer userData);
    }

    Pointer g_main_loop_new(Pointer context, int isRunning);

    void g_main_loop_run(Pointer loop);

    void g_main_loop_quit(Pointer loop);

    Pointer g_main_context_new();

    void g_main_context_push_thread_default(Pointer context);

    void g_main_context_pop_thread_default(Pointer context);

    int g_main_context_iteration(Pointer context, int mayBlock);

    /** Thread-safe: wakes the default context. */
    int g_idle_add(GSourceFunc function, Pointer data);

    int g_timeout_add(int intervalMillis, GSourceFunc function, Pointer data);

    int g_source_remove(int tag);

    void g_free(Pointer mem);

    void g_array_unref(Pointer array);

    void g_error_free(Pointer error);
}
