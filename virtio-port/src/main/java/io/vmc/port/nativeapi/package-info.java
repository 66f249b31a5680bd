/**
 * Raw libc binding through JNA ({@link io.vmc.port.nativeapi.LibC}, C names) and its Java-named
 * wrapper ({@link io.vmc.port.nativeapi.Posix}). Not API: only {@code io.vmc.port} uses it, and
 * the javadoc of the published module leaves it out. Linux only; constants from
 * {@code <fcntl.h>}, {@code <poll.h>}, {@code <errno.h>}.
 */
package io.vmc.port.nativeapi;
