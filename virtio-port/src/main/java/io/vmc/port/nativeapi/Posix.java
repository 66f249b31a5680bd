package io.vmc.port.nativeapi;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;

/**
 * Java-named wrapper over {@link LibC}: errno comes back as {@link ErrnoException}, buffers are
 * {@link ByteBuffer}s. Signatures carry only JDK types, so classes that call this one load even
 * when JNA is missing; the failure surfaces at the first call (see {@code VirtioPorts}).
 */
public final class Posix {

    public static final int POLL_IN = LibC.POLLIN;
    public static final int POLL_OUT = LibC.POLLOUT;
    public static final int POLL_ERR = LibC.POLLERR;
    public static final int POLL_HUP = LibC.POLLHUP;
    public static final int POLL_NVAL = LibC.POLLNVAL;

    public static final int EINTR = LibC.EINTR;
    public static final int ENOENT = LibC.ENOENT;
    public static final int ENXIO = LibC.ENXIO;
    public static final int EAGAIN = LibC.EAGAIN;
    public static final int EACCES = LibC.EACCES;
    public static final int EBUSY = LibC.EBUSY;
    public static final int ENODEV = LibC.ENODEV;

    private Posix() {
    }

    /** Forces libc to load; throws what loading throws. */
    public static void load() {
        LibC.INSTANCE.getClass();
    }

    /** {@code open(path, O_RDWR | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)}. */
    public static int openReadWriteNonBlocking(String path) throws ErrnoException {
        try {
            return LibC.INSTANCE.open(path, LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_NOCTTY | LibC.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new ErrnoException("open", e.getErrorCode());
        }
    }

    public static void close(int fd) throws ErrnoException {
        try {
            LibC.INSTANCE.close(fd);
        } catch (LastErrorException e) {
            throw new ErrnoException("close", e.getErrorCode());
        }
    }

    /**
     * Polls one fd. Returns its {@code revents}, 0 on timeout. EINTR is reported as 0 (a
     * spurious timeout) since every caller polls again.
     */
    public static int poll(int fd, int events, int timeoutMillis, Memory pollfd) throws ErrnoException {
        pollfd.setInt(0, fd);
        pollfd.setShort(4, (short) events);
        pollfd.setShort(6, (short) 0);
        try {
            int n = LibC.INSTANCE.poll(pollfd, new NativeLong(1), timeoutMillis);
            return n <= 0 ? 0 : pollfd.getShort(6) & 0xffff;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == LibC.EINTR) {
                return 0;
            }
            throw new ErrnoException("poll", e.getErrorCode());
        }
    }

    /** Allocates the 8-byte {@code struct pollfd} that {@link #poll} fills. */
    public static Memory newPollFd() {
        return new Memory(8);
    }

    /** Allocates a native staging buffer for heap {@link ByteBuffer}s. */
    public static Memory newBuffer(int size) {
        return new Memory(size);
    }

    /**
     * Reads into {@code dst} at its position, advancing it.
     *
     * @return bytes read, 0 at end of stream; EAGAIN surfaces as {@link ErrnoException}
     */
    public static int read(int fd, ByteBuffer dst, Memory staging) throws ErrnoException {
        int want = dst.remaining();
        if (want == 0) {
            return 0;
        }
        try {
            if (dst.isDirect()) {
                Pointer p = Native.getDirectBufferPointer(dst).share(dst.position());
                int n = (int) LibC.INSTANCE.read(fd, p, new NativeLong(want)).longValue();
                dst.position(dst.position() + n);
                return n;
            }
            int chunk = (int) Math.min(want, staging.size());
            int n = (int) LibC.INSTANCE.read(fd, staging, new NativeLong(chunk)).longValue();
            if (n > 0) {
                byte[] tmp = new byte[n];
                staging.read(0, tmp, 0, n);
                dst.put(tmp);
            }
            return n;
        } catch (LastErrorException e) {
            throw new ErrnoException("read", e.getErrorCode());
        }
    }

    /** Writes from {@code src} at its position, advancing it by what was written. */
    public static int write(int fd, ByteBuffer src, Memory staging) throws ErrnoException {
        int want = src.remaining();
        if (want == 0) {
            return 0;
        }
        try {
            if (src.isDirect()) {
                Pointer p = Native.getDirectBufferPointer(src).share(src.position());
                int n = (int) LibC.INSTANCE.write(fd, p, new NativeLong(want)).longValue();
                src.position(src.position() + n);
                return n;
            }
            int chunk = (int) Math.min(want, staging.size());
            byte[] tmp = new byte[chunk];
            src.get(src.position(), tmp, 0, chunk);
            staging.write(0, tmp, 0, chunk);
            int n = (int) LibC.INSTANCE.write(fd, staging, new NativeLong(chunk)).longValue();
            src.position(src.position() + n);
            return n;
        } catch (LastErrorException e) {
            throw new ErrnoException("write", e.getErrorCode());
        }
    }

    /** {@code strerror(errno)}, or {@code "errno N"} if that fails. */
    public static String describe(int errno) {
        try {
            return LibC.INSTANCE.strerror(errno);
        } catch (RuntimeException | LinkageError e) {
            return "errno " + errno;
        }
    }
}
