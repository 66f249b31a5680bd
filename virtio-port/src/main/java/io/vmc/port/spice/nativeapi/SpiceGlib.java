package io.vmc.port.spice.nativeapi;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

/**
 * libspice-client-glib-2.0 (spice-gtk 0.35+): session, channels, port channel. Names, types and
 * enum values as in {@code spice-session.h}, {@code spice-channel.h}, {@code channel-port.h} and
 * spice-protocol's {@code enums.h}. Every call belongs on the GLib loop thread.
 */
public interface SpiceGlib extends Library {

    SpiceGlib INSTANCE = Native.load("libspice-client-glib-2.0.so.8", SpiceGlib.class);

    // SpiceChannelEvent
    int SPICE_CHANNEL_NONE = 0;
    int SPICE_CHANNEL_OPENED = 10;
    int SPICE_CHANNEL_SWITCHING = 11;
    int SPICE_CHANNEL_CLOSED = 12;
    int SPICE_CHANNEL_ERROR_CONNECT = 20;
    int SPICE_CHANNEL_ERROR_TLS = 21;
    int SPICE_CHANNEL_ERROR_LINK = 22;
    int SPICE_CHANNEL_ERROR_AUTH = 23;
    int SPICE_CHANNEL_ERROR_IO = 24;

    // SpiceChannelType (channel-type property)
    int SPICE_CHANNEL_MAIN = 1;
    int SPICE_CHANNEL_DISPLAY = 2;
    int SPICE_CHANNEL_INPUTS = 3;
    int SPICE_CHANNEL_USBREDIR = 9;
    int SPICE_CHANNEL_PORT = 10;

    // SpiceSessionVerify flags
    int SPICE_SESSION_VERIFY_PUBKEY = 1 << 0;
    int SPICE_SESSION_VERIFY_HOSTNAME = 1 << 1;
    int SPICE_SESSION_VERIFY_SUBJECT = 1 << 2;

    Pointer spice_session_new();

    int spice_session_connect(Pointer session);

    void spice_session_disconnect(Pointer session);

    int spice_channel_connect(Pointer channel);

    /**
     * The session's audio integration (spice-gtk's GStreamer backend), created on first call: it
     * connects the playback and record channels as the session creates them and plays and records
     * with the client's default audio devices. Owned by the session; {@code context} may be null.
     */
    Pointer spice_audio_get(Pointer session, Pointer context);

    /**
     * The session's USB device manager, created on first call (it connects the usbredir channels
     * itself); null with {@code error} set when spice-gtk was built without USB redirection.
     */
    Pointer spice_usb_device_manager_get(Pointer session, PointerByReference error);

    /** {@code const GError *}: {@code {GQuark domain; gint code; gchar *message;}}, owned by the channel. */
    Pointer spice_channel_get_error(Pointer channel);

    NativeLong spice_port_channel_get_type();

    /**
     * Sends {@code count} bytes. spice-gtk keeps a reference to {@code buffer} (it does not copy)
     * until just before {@code callback} runs: the buffer must stay alive until then.
     */
    void spice_port_channel_write_async(Pointer port, Pointer buffer, NativeLong count, Pointer cancellable,
            GObject.GAsyncReadyCallback callback, Pointer userData);

    NativeLong spice_port_channel_write_finish(Pointer port, Pointer result, PointerByReference error);

    String spice_util_get_version_string();

    // SpiceSurfaceFmt (spice-protocol enums.h)
    int SPICE_SURFACE_FMT_32_xRGB = 32;
    int SPICE_SURFACE_FMT_32_ARGB = 96;

    /**
     * SpiceDisplayPrimary (channel-display.h): {@code {enum SpiceSurfaceFmt format; gint width;
     * gint height; gint stride; gint shmid; guint8 *data; gboolean marked;}}; the offsets below are
     * x86_64/aarch64 LP64 (the pointer after five ints and 4 bytes of padding).
     */
    int PRIMARY_FORMAT_OFFSET = 0;
    int PRIMARY_WIDTH_OFFSET = 4;
    int PRIMARY_HEIGHT_OFFSET = 8;
    int PRIMARY_STRIDE_OFFSET = 12;
    int PRIMARY_DATA_OFFSET = 24;
    int PRIMARY_SIZE = 40;

    /**
     * Fills {@code primary} (a SpiceDisplayPrimary) with the display channel's surface; the data
     * belongs to the channel and stays valid only on the loop thread until the surface changes.
     */
    int spice_display_channel_get_primary(Pointer channel, int surfaceId, Pointer primary);
}
