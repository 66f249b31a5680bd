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
        /** {@code GdkEventKey.keyval}: type (4) + pad (4) + window (8) + send_event (1) + pad (3) + time (4) + state (4). */
        int GDK_EVENT_KEY_KEYVAL_OFFSET = 28;

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

        /** A {@code SpiceDisplay} widget for display channel {@code channelId}; it connects that channel itself. */
        Pointer spice_display_new(Pointer session, int channelId);
    }
}
