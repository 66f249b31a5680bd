/**
 * The engine's SPICE client: it owns the SPICE session (spice-gtk in this process), shows the
 * guest's display, and offers the session's port channels, above all
 * {@code org.spice-space.vmc.0}, as {@link io.vmc.port.StreamPort}s. See {@link
 * io.vmc.port.spice.SpiceClient}. One GLib loop thread owns every native object; the SPICE port
 * channel is described in the SPICE protocol (https://www.spice-space.org/spice-protocol.html) and
 * spice-gtk's {@code SpicePortChannel}.
 */
package io.vmc.port.spice;
