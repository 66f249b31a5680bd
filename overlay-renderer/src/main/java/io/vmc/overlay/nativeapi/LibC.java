package io.vmc.overlay.nativeapi;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Structure;

/** The libc calls the overlay's event loop needs: a wake-up pipe and {@code poll(2)}. */
public interface LibC extends Library {

    LibC INSTANCE = Native.load("c", LibC.class);

    short POLLIN = 0x001;
    int O_NONBLOCK = 0x800;
    int O_CLOEXEC = 0x80000;
    int EINTR = 4;
    int EAGAIN = 11;

    int pipe2(int[] fds, int flags) throws LastErrorException;

    NativeLong read(int fd, byte[] buffer, NativeLong count) throws LastErrorException;

    NativeLong write(int fd, byte[] buffer, NativeLong count) throws LastErrorException;

    int close(int fd) throws LastErrorException;

    int poll(pollfd[] fds, int nfds, int timeoutMillis) throws LastErrorException;

    /** {@code struct pollfd}. */
    @Structure.FieldOrder({"fd", "events", "revents"})
    class pollfd extends Structure {
        public int fd;
        public short events;
        public short revents;
    }
}
