/**
 * Byte-stream channel ends. {@link io.vmc.port.StreamPort} is the abstraction the transport pumps;
 * {@link io.vmc.port.VirtioPort} is the guest's virtio-serial port (Linux {@code virtio_console},
 * see the virtio spec's console device section), probed by {@link io.vmc.port.VirtioPorts}.
 */
package io.vmc.port;
