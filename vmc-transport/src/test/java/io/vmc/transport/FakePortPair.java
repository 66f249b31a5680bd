package io.vmc.transport;

import io.vmc.port.StreamPort;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An in-memory virtio-serial port: a guest end that can be closed and reopened (agent restart)
 * and a host end. Like QEMU: closing the guest end discards what it had not read; writes while the
 * other end is closed are refused (return 0); {@code hideGuestClose} models a socket chardev where
 * the host never sees the guest close and reopen.
 */
final class FakePortPair {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Byte> toGuest = new ArrayDeque<>();
    private final ArrayDeque<Byte> toHost = new ArrayDeque<>();
    private End guest;
    private End host;
    volatile boolean hideGuestClose;

    final class End implements StreamPort {
        private final boolean isGuest;
        private boolean open = true;

        private End(boolean isGuest) {
            this.isGuest = isGuest;
        }

        private ArrayDeque<Byte> in() {
            return isGuest ? toGuest : toHost;
        }

        private ArrayDeque<Byte> out() {
            return isGuest ? toHost : toGuest;
        }

        private boolean peerOpen() {
            End p = isGuest ? host : guest;
            if (!isGuest && hideGuestClose) {
                return true;
            }
            return p != null && p.open;
        }

        @Override
        public int read(ByteBuffer dst, int timeoutMillis) throws java.io.IOException {
            lock.lock();
            try {
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
                while (open && in().isEmpty() && peerOpen()) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return 0;
                    }
                    changed.awaitNanos(left);
                }
                if (!open) {
                    throw new java.io.IOException("closed");
                }
                if (in().isEmpty()) {
                    return -1;
                }
                int n = 0;
                while (dst.hasRemaining() && !in().isEmpty()) {
                    dst.put(in().poll());
                    n++;
                }
                return n;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public int write(ByteBuffer src) throws java.io.IOException {
            lock.lock();
            try {
                if (!open) {
                    throw new java.io.IOException("closed");
                }
                End p = isGuest ? host : guest;
                if (p == null || !p.open) {
                    return 0; // refused while nobody is there (or silently dropped: same for the sender)
                }
                int n = src.remaining();
                while (src.hasRemaining()) {
                    out().add(src.get());
                }
                changed.signalAll();
                return n;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public boolean awaitWritable(int timeoutMillis) {
            lock.lock();
            try {
                End p = isGuest ? host : guest;
                if (p == null || !p.open) {
                    changed.await(timeoutMillis, TimeUnit.MILLISECONDS);
                }
                p = isGuest ? host : guest;
                return p != null && p.open;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public boolean isPeerConnected() {
            lock.lock();
            try {
                return peerOpen();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public String describe() {
            return isGuest ? "fake-virtio:guest" : "fake-virtio:host";
        }

        @Override
        public void close() {
            lock.lock();
            try {
                if (open) {
                    open = false;
                    in().clear(); // closing the fd discards unread data
                    changed.signalAll();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** A new guest end (an agent process opening the port); the previous one must be closed. */
    End openGuest() {
        lock.lock();
        try {
            if (guest != null && guest.open) {
                throw new IllegalStateException("EBUSY");
            }
            guest = new End(true);
            changed.signalAll();
            return guest;
        } finally {
            lock.unlock();
        }
    }

    End openHost() {
        lock.lock();
        try {
            host = new End(false);
            changed.signalAll();
            return host;
        } finally {
            lock.unlock();
        }
    }

    /** Raw bytes from the guest toward the host, as a dying writer would leave them. */
    void guestWritesRaw(byte[] bytes) {
        lock.lock();
        try {
            for (byte b : bytes) {
                toHost.add(b);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
