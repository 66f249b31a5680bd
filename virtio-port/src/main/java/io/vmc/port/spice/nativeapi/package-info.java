/**
 * Raw JNA bindings with C names to spice-gtk ({@code libspice-client-glib-2.0},
 * {@code libspice-client-gtk-3.0}) and the GLib, GObject, GDK and GTK calls it needs. Not API:
 * only {@code io.vmc.port.spice} uses it, on its GLib loop thread. {@link
 * io.vmc.port.spice.nativeapi.SpiceNative} probes the libraries so that a missing one is a message,
 * not a {@link java.lang.LinkageError}. Reference: the spice-gtk API documentation
 * (https://www.spice-space.org/api/spice-gtk/).
 */
package io.vmc.port.spice.nativeapi;
