package io.vmc.port.spice.nativeapi;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * libgtk-3, libgdk-3 and libspice-client-gtk-3.0: the display window. GTK calls belong on the
 * GLib loop thread, which is GTK's main thread.
 */
public final class Gtk {

    private Gtk() {
    }

    /** libgtk-3. */
    public interface GtkLib extends Library {
        GtkLib INSTANCE = Native.load("libgtk-3.so.0", GtkLib.class);

        int GTK_WINDOW_TOPLEVEL = 0;

        /** Initializes GTK without opening a display (displays are opened per session). */
        int gtk_parse_args(Pointer argc, Pointer argv);

        Pointer gtk_window_new(int type);

        void gtk_window_set_title(Pointer window, String title);

        void gtk_window_set_default_size(Pointer window, int width, int height);

        void gtk_window_set_screen(Pointer window, Pointer screen);

        void gtk_window_fullscreen(Pointer window);

        void gtk_window_unfullscreen(Pointer window);

        void gtk_container_add(Pointer container, Pointer widget);

        void gtk_widget_show_all(Pointer widget);

        void gtk_widget_destroy(Pointer widget);

        void gtk_widget_grab_focus(Pointer widget);

        Pointer gtk_widget_get_window(Pointer widget);
    }

    /** libgdk-3 (X11 backend). */
    public interface GdkLib extends Library {
        GdkLib INSTANCE = Native.load("libgdk-3.so.0", GdkLib.class);

        int GDK_KEY_F11 = 0xffc8;
        int GDK_KEY_CONTROL_L = 0xffe3;
        int GDK_KEY_ALT_L = 0xffe9;
        int GDK_KEY_DELETE = 0xffff;
        int GDK_KEY_VOID_SYMBOL = 0xffffff;
        int GDK_SHIFT_MASK = 1;
        int GDK_CONTROL_MASK = 1 << 2;
        int GDK_MOD1_MASK = 1 << 3;
        int GDK_SUPER_MASK = 1 << 26;
        /** {@code GdkEventKey.state}: type (4) + pad (4) + window (8) + send_event (1) + pad (3) + time (4). */
        int GDK_EVENT_KEY_STATE_OFFSET = 24;
        /** {@code GdkEventKey.keyval}: after state (4). */
        int GDK_EVENT_KEY_KEYVAL_OFFSET = 28;

        /** The keyval for a key name such as {@code "F11"} or {@code "End"}; {@link #GDK_KEY_VOID_SYMBOL} if unknown. */
        int gdk_keyval_from_name(String name);

        int gdk_keyval_to_lower(int keyval);

        void gdk_set_allowed_backends(String backends);

        Pointer gdk_display_open(String displayName);

        void gdk_display_flush(Pointer display);

        Pointer gdk_display_get_default_screen(Pointer display);

        Pointer gdk_display_manager_get();

        void gdk_display_manager_set_default_display(Pointer manager, Pointer display);

        NativeLong gdk_x11_window_get_xid(Pointer window);
    }

    /** libspice-client-gtk-3.0. */
    public interface SpiceGtkLib extends Library {
        SpiceGtkLib INSTANCE = Native.load("libspice-client-gtk-3.0.so.5", SpiceGtkLib.class);

        /** {@code SpiceDisplayKeyEvent}: press and release. */
        int SPICE_DISPLAY_KEY_EVENT_CLICK = 3;

        /**
         * A {@code SpiceDisplay} widget for display channel {@code channelId}; it connects that
         * channel, and the inputs and cursor channels of the same id, itself.
         */
        Pointer spice_display_new(Pointer session, int channelId);

        /**
         * A {@code SpiceDisplay} widget for monitor {@code monitorId} of display channel
         * {@code channelId}: it shows that monitor's part of the channel's surface (one QXL device
         * with several heads has one channel and a monitor config per head).
         */
        Pointer spice_display_new_with_monitor(Pointer session, int channelId, int monitorId);

        /** Presses the GDK keyvals in order, then releases them in reverse ({@code kind} CLICK). */
        void spice_display_send_keys(Pointer display, int[] keyvals, int nkeyvals, int kind);

        /** {@code SpiceGrabSequence *} from {@code "Control_L+Alt_L"}-style text; free with spice_grab_sequence_free. */
        Pointer spice_grab_sequence_new_from_string(String text);

        void spice_grab_sequence_free(Pointer sequence);

        /** The key sequence that releases the pointer and keyboard grab (spice-gtk copies it). */
        void spice_display_set_grab_keys(Pointer display, Pointer sequence);

        /** The session's GTK integration (clipboard, auto-usbredir), created on first call; owned by the session. */
        Pointer spice_gtk_session_get(Pointer session);
    }
}
