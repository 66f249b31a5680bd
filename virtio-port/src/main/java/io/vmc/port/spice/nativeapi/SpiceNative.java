package io.vmc.port.spice.nativeapi;

import java.util.Optional;

/** Probes the native libraries once; never throws a {@link LinkageError} at its caller. */
public final class SpiceNative {

    private static final Optional<Throwable> GLIB_CAUSE = probe(() -> {
        GLib.INSTANCE.hashCode();
        GObject.INSTANCE.hashCode();
        SpiceGlib.INSTANCE.spice_util_get_version_string();
    }, "libspice-client-glib-2.0.so.8 (Debian: libspice-client-glib-2.0-8)");

    private static volatile Optional<Throwable> gtkCause;

    private SpiceNative() {
    }

    /** Why spice-glib cannot be used, or empty. */
    public static Optional<Throwable> glibUnavailability() {
        return GLIB_CAUSE;
    }

    /** Why the display window cannot be used (spice-glib, GTK 3 or spice-gtk missing), or empty. */
    public static Optional<Throwable> gtkUnavailability() {
        if (GLIB_CAUSE.isPresent()) {
            return GLIB_CAUSE;
        }
        Optional<Throwable> c = gtkCause;
        if (c == null) {
            c = probe(() -> {
                Gtk.GtkLib.INSTANCE.hashCode();
                Gtk.GdkLib.INSTANCE.hashCode();
                Gtk.SpiceGtkLib.INSTANCE.hashCode();
            }, "libspice-client-gtk-3.0.so.5 and libgtk-3.so.0 (Debian: libspice-client-gtk-3.0-5)");
            gtkCause = c;
        }
        return c;
    }

    /** spice-gtk's version, e.g. {@code "0.42"}. */
    public static String version() {
        return SpiceGlib.INSTANCE.spice_util_get_version_string();
    }

    private static Optional<Throwable> probe(Runnable load, String what) {
        try {
            load.run();
            return Optional.empty();
        } catch (LinkageError | RuntimeException e) {
            return Optional.of(new UnsatisfiedLinkError("cannot load " + what + ": " + e.getMessage()));
        }
    }
}
