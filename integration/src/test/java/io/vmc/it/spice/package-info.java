/**
 * The engine's own SPICE session ({@code io.vmc.port.spice}) against real QEMU SPICE servers.
 *
 * <ul>
 *   <li>{@code SpiceQemu}: QEMU with SeaBIOS only (no guest OS), SPICE on 127.0.0.1, optionally a
 *       password, TLS, and the {@code org.spice-space.vmc.0} port behind a {@code spiceport}
 *       chardev: for sessions, errors, takeover, TLS and the display.</li>
 *   <li>{@code GuestVm} from {@code io.vmc.it.qemu} with {@code portChardev("spiceport,...")}: a
 *       real guest with a program on the port, for bytes both ways, the transport and the
 *       benchmark; with {@code qxl-vga,max_outputs=2}, the host's {@code qxl} driver and
 *       {@code kernelArgs("video=Virtual-2:...e")} a guest with two heads on one device
 *       ({@code SpiceHeadsIT}, also needs {@code modetest}).</li>
 *   <li>{@code Xvfb.shared()} (from {@code io.vmc.it.lab}): one X server per test JVM, killed when the JVM ends (the engine
 *       keeps its GDK display open for the life of the process).</li>
 * </ul>
 * Without spice-glib, QEMU, Xvfb, xdotool, imagemagick, x11-utils or openssl the classes are
 * skipped; with {@code CI=true} they fail.
 */
package io.vmc.it.spice;
