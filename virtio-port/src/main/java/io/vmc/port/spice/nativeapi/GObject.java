package io.vmc.port.spice.nativeapi;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * libgobject-2.0: properties, references, signals ({@code gobject.h}, {@code gsignal.h}).
 * Signal handlers are {@link Callback}s whose parameters follow the signal's C signature plus the
 * trailing {@code user_data}; the caller keeps each callback object strongly referenced for as
 * long as it stays connected.
 */
public interface GObject extends Library {

    GObject INSTANCE = Native.load("libgobject-2.0.so.0", GObject.class);

    /** {@code void (*)(GObject *instance, gpointer user_data)}. */
    interface Signal0 extends Callback {
        void invoke(Pointer instance, Pointer userData);
    }

    /** {@code void (*)(GObject *instance, gpointer arg, gpointer user_data)}, e.g. channel-new, notify. */
    interface SignalPointer extends Callback {
        void invoke(Pointer instance, Pointer arg, Pointer userData);
    }

    /** {@code void (*)(GObject *instance, gint arg, gpointer user_data)}, e.g. channel-event, port-event. */
    interface SignalInt extends Callback {
        void invoke(Pointer instance, int arg, Pointer userData);
    }

    /** {@code void (*)(SpicePortChannel *port, gpointer data, gint size, gpointer user_data)}: port-data. */
    interface SignalPointerInt extends Callback {
        void invoke(Pointer instance, Pointer data, int size, Pointer userData);
    }

    /** {@code gboolean (*)(GtkWidget *widget, GdkEvent *event, gpointer user_data)}: *-event signals. */
    interface SignalEvent extends Callback {
        int invoke(Pointer widget, Pointer event, Pointer userData);
    }

    /** {@code void (*GAsyncReadyCallback)(GObject *source, GAsyncResult *res, gpointer user_data)}. */
    interface GAsyncReadyCallback extends Callback {
        void invoke(Pointer source, Pointer result, Pointer userData);
    }

    Pointer g_object_ref(Pointer object);

    void g_object_unref(Pointer object);

    /** Varargs: pairs of property name and value, ending with {@code null}. */
    void g_object_set(Pointer object, String firstPropertyName, Object... rest);

    /** Varargs: pairs of property name and out-pointer, ending with {@code null}. */
    void g_object_get(Pointer object, String firstPropertyName, Object... rest);

    NativeLong g_signal_connect_data(Pointer instance, String detailedSignal, Callback handler, Pointer data,
            Pointer destroyData, int connectFlags);

    void g_signal_handler_disconnect(Pointer instance, NativeLong handlerId);

    int g_type_check_instance_is_a(Pointer instance, NativeLong type);
}
