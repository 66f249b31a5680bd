package io.vmc.port.nativeapi;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * Raw libc calls, named and typed as in C ({@code man 2 open}, {@code poll}, {@code read},
 * {@code write}, {@code close}). Only {@link Posix} calls this; nothing outside the package does.
 * Constants are Linux's (x86_64 and the generic ABI share them).
 */
public interface LibC extends Library {

    int O_RDWR = 0x2;
    int O_NOCTTY = 0x100;
    int O_NONBLOCK = 0x800;
    int O_CLOEXEC = 0x80000;

    short POLLIN = 0x001;
    short POLLOUT = 0x004;
    short POLLERR = 0x008;
    short POLLHUP = 0x010;
    short POLLNVAL = 0x020;

    int EINTR = 4;
    int ENOENT = 2;
    int ENXIO = 6;
    int EAGAIN = 11;
    int EACCES = 13;
    int EBUSY = 16;
    int ENODEV = 19;

    /** Loaded on first use of this interface; fails with {@link UnsatisfiedLinkError}. */
    LibC INSTANCE = Native.load("c", LibC.class);

    int open(String pathname, int flags) throws LastErrorException;

    int close(int fd) throws LastErrorException;

    NativeLong read(int fd, Pointer buf, NativeLong count) throws LastErrorException;

    NativeLong write(int fd, Pointer buf, NativeLong count) throws LastErrorException;

    /** {@code fds} points to {@code nfds} {@code struct pollfd {int fd; short events; short revents;}}. */
    int poll(Pointer fds, NativeLong nfds, int timeout) throws LastErrorException;

    String strerror(int errnum);
}
