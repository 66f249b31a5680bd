/**
 * Host-side QEMU monitor (QMP) helpers: {@link io.vmc.port.qmp.QmpWatcher} turns
 * {@code VSERPORT_CHANGE} events into "guest opened/closed the port". Pure Java.
 *
 * @see <a href="https://www.qemu.org/docs/master/interop/qmp-spec.html">QMP specification</a>
 */
package io.vmc.port.qmp;
