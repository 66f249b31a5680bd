package io.vmc.port;

import com.sun.jna.Memory;
import io.vmc.port.nativeapi.ErrnoException;
import io.vmc.port.nativeapi.Posix;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The guest end of the channel: a virtio-serial port opened once, non-blocking, for the life of
 * the daemon (closing it makes the kernel discard unread data).
 *
 * <p>States, as the Linux {@code virtio_console} driver reports them:
 * <ul>
 *   <li>no host peer (nothing connected to the QEMU chardev): {@code poll} says {@code POLLHUP},
 *       {@link #read} returns {@code -1} (not final) and {@link #write} returns {@code 0}
 *       (EAGAIN), so the caller keeps its bytes and writes them when the peer is back;</li>
 *   <li>host peer present: bytes flow both ways.</li>
 * </ul>
 * Behind a QEMU socket chardev the guest sees the host leave only once QEMU has processed the
 * disconnect; what QEMU had already taken for the old connection is lost (measured in
 * {@code integration}'s {@code VirtioPortIT}). The transport's acknowledgements and replay cover that.
 *
 * <p>One reader thread and one writer thread may use a port at the same time.
 */
public final class VirtioPort implements StreamPort {

    /** The port name VMC uses unless told otherwise. */
    public static final String DEFAULT_NAME = "org.spice-space.vmc.0";

    /** Longest single {@code poll} wait, so that {@link #close} never waits long for a reader. */
    static final int POLL_SLICE_MILLIS = 100;

    /** Back-off while the host is away: {@code poll} returns at once with POLLHUP then. */
    static final int HUP_RETRY_MILLIS = 10;

    private static final int STAGING_BYTES = 64 * 1024;

    private final String name;
    private final Path device;
    private final int fd;
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Memory readPoll;
    private final Memory writePoll;
    private final Memory readStaging;
    private final Memory writeStaging;
    private volatile boolean closed;
    private volatile boolean peerConnected;

    private VirtioPort(String name, Path device, int fd) {
        this.name = name;
        this.device = device;
        this.fd = fd;
        this.readPoll = Posix.newPollFd();
        this.writePoll = Posix.newPollFd();
        this.readStaging = Posix.newBuffer(STAGING_BYTES);
        this.writeStaging = Posix.newBuffer(STAGING_BYTES);
    }

    /** Opens the port named {@code name} on this machine. */
    public static VirtioPort open(String name) throws IOException {
        return open(name, VirtioPortLocator.system());
    }

    /** Opens the port {@code name} as found by {@code locator}. */
    public static VirtioPort open(String name, VirtioPortLocator locator) throws IOException {
        Objects.requireNonNull(locator, "locator");
        VirtioPorts.requireAvailable();
        Path device = locator.resolve(name);
        int fd;
        try {
            fd = Posix.openReadWriteNonBlocking(device.toString());
        } catch (ErrnoException e) {
            if (e.errno() == Posix.EBUSY) {
                throw new PortBusyException(name, device.toString());
            }
            throw new IOException("cannot open virtio port '" + name + "' (" + device + "): " + e.getMessage(), e);
        }
        VirtioPort port = new VirtioPort(name, device, fd);
        try {
            port.pollOnce(Posix.POLL_IN, 0, port.readPoll);
        } catch (IOException e) {
            port.close();
            throw e;
        }
        return port;
    }

    /** The port's name, e.g. {@code org.spice-space.vmc.0}. */
    public String name() {
        return name;
    }

    /** The device node it was opened through. */
    public Path device() {
        return device;
    }

    @Override
    public int read(ByteBuffer dst, int timeoutMillis) throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        readLock.lock();
        try {
            long deadline = System.nanoTime() + Math.max(0, timeoutMillis) * 1_000_000L;
            while (true) {
                ensureOpen();
                int slice = (int) Math.min(POLL_SLICE_MILLIS, remainingMillis(deadline));
                int revents = pollOnce(Posix.POLL_IN, slice, readPoll);
                if (revents != 0) {
                    // With no host the driver flags POLLIN|POLLHUP and read() gives 0 once buffered
                    // bytes are drained; bytes that arrived before the host left are still delivered.
                    int n;
                    try {
                        n = Posix.read(fd, dst, readStaging);
                    } catch (ErrnoException e) {
                        if (e.errno() == Posix.EAGAIN) {
                            n = -2;
                        } else {
                            throw wrap("read", e);
                        }
                    }
                    if (n > 0) {
                        return n;
                    }
                    if (n == 0) {
                        peerConnected = false;
                        return -1;
                    }
                }
                if (remainingMillis(deadline) <= 0) {
                    return 0;
                }
            }
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (!src.hasRemaining()) {
            return 0;
        }
        writeLock.lock();
        try {
            ensureOpen();
            try {
                int n = Posix.write(fd, src, writeStaging);
                peerConnected = true;
                return n;
            } catch (ErrnoException e) {
                if (e.errno() == Posix.EAGAIN) {
                    // Full queue or no host: refresh the peer state and keep the bytes.
                    pollOnce(Posix.POLL_OUT, 0, writePoll);
                    return 0;
                }
                throw wrap("write", e);
            }
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public boolean awaitWritable(int timeoutMillis) throws IOException {
        writeLock.lock();
        try {
            long deadline = System.nanoTime() + Math.max(0, timeoutMillis) * 1_000_000L;
            while (true) {
                ensureOpen();
                int slice = (int) Math.min(POLL_SLICE_MILLIS, remainingMillis(deadline));
                int revents = pollOnce(Posix.POLL_OUT, slice, writePoll);
                if ((revents & Posix.POLL_OUT) != 0) {
                    return true;
                }
                long left = remainingMillis(deadline);
                if (left <= 0) {
                    return false;
                }
                if ((revents & Posix.POLL_HUP) != 0) {
                    // No host: poll would return at once again; the driver has no wake-up to wait for.
                    sleep(Math.min(HUP_RETRY_MILLIS, left));
                }
            }
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public boolean isPeerConnected() {
        return peerConnected;
    }

    /** Polls the port now and tells whether a host peer is connected. */
    public boolean pollPeerConnected() throws IOException {
        writeLock.lock();
        try {
            ensureOpen();
            pollOnce(Posix.POLL_OUT, 0, writePoll);
            return peerConnected;
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public String describe() {
        return "virtio:" + name + " (" + device + ")";
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        // Wait for a reader or writer in poll (at most one slice) so the fd is not reused under it.
        readLock.lock();
        writeLock.lock();
        try {
            Posix.close(fd);
        } catch (ErrnoException e) {
            throw wrap("close", e);
        } finally {
            writeLock.unlock();
            readLock.unlock();
        }
    }

    @Override
    public String toString() {
        return describe();
    }

    private int pollOnce(int events, int timeoutMillis, Memory pollfd) throws IOException {
        int revents;
        try {
            revents = Posix.poll(fd, events, timeoutMillis, pollfd);
        } catch (ErrnoException e) {
            throw wrap("poll", e);
        }
        if ((revents & (Posix.POLL_NVAL | Posix.POLL_ERR)) != 0) {
            throw new IOException(describe() + ": poll reported " + ((revents & Posix.POLL_NVAL) != 0 ? "POLLNVAL" : "POLLERR")
                    + " (port unplugged?)");
        }
        // Without a host, poll returns POLLHUP at once; a quiet timeout therefore means "connected".
        peerConnected = (revents & Posix.POLL_HUP) == 0;
        return revents;
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
    }

    private IOException wrap(String what, ErrnoException e) {
        if (e.errno() == Posix.ENODEV) {
            return new IOException(describe() + ": " + what + ": the port was unplugged", e);
        }
        return new IOException(describe() + ": " + e.getMessage(), e);
    }

    private static long remainingMillis(long deadlineNanos) {
        return Math.max(0, (deadlineNanos - System.nanoTime() + 999_999) / 1_000_000);
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the port");
        }
    }
}
