package io.vmc.overlay.nativeapi;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;
import com.sun.jna.Structure;

/**
 * A self-pipe and {@code poll(2)} over it and one more descriptor (the X connection): lets the
 * overlay's thread sleep until the server sends something or another thread has work for it.
 */
public final class WakePipe implements AutoCloseable {

    private final int readFd;
    private final int writeFd;
    private final LibC.pollfd[] fds;
    private final byte[] one = {1};
    private final byte[] drain = new byte[64];
    private boolean closed;

    public WakePipe(int otherFd) {
        int[] pair = new int[2];
        LibC.INSTANCE.pipe2(pair, LibC.O_NONBLOCK | LibC.O_CLOEXEC);
        readFd = pair[0];
        writeFd = pair[1];
        fds = (LibC.pollfd[]) new LibC.pollfd().toArray(2);
        fds[0].fd = readFd;
        fds[0].events = LibC.POLLIN;
        fds[1].fd = otherFd;
        fds[1].events = LibC.POLLIN;
    }

    /** Wakes {@link #await}; callable from any thread. */
    public synchronized void wake() {
        if (closed) { // the fd number may belong to someone else by now
            return;
        }
        try {
            LibC.INSTANCE.write(writeFd, one, new NativeLong(1));
        } catch (LastErrorException e) {
            if (e.getErrorCode() != LibC.EAGAIN) { // a full pipe already wakes the reader
                throw e;
            }
        }
    }

    /** Waits up to {@code timeoutMillis} (-1: no limit) for a wake-up or input on the other fd. */
    public void await(int timeoutMillis) {
        for (Structure s : fds) {
            ((LibC.pollfd) s).revents = 0;
            s.write();
        }
        try {
            LibC.INSTANCE.poll(fds, 2, timeoutMillis);
        } catch (LastErrorException e) {
            if (e.getErrorCode() != LibC.EINTR) {
                throw e;
            }
        }
        try {
            while (LibC.INSTANCE.read(readFd, drain, new NativeLong(drain.length)).longValue() > 0) {
                // drain
            }
        } catch (LastErrorException e) {
            if (e.getErrorCode() != LibC.EAGAIN) {
                throw e;
            }
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        LibC.INSTANCE.close(readFd);
        LibC.INSTANCE.close(writeFd);
    }
}
