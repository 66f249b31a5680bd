package io.vmc.engine.internal.transport;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.DatagramTransport;
import org.bouncycastle.tls.TlsTimeoutException;

/**
 * BouncyCastle's view of the ICE socket for one DTLS association: sends go straight to the socket
 * (through {@link PacketSender}), receives come from a bounded queue that the demultiplexer fills. The
 * queue is the only buffering: when the DTLS thread falls behind, new datagrams are refused
 * (the caller counts them) instead of piling up. A deadline, while set, bounds every receive, so a
 * handshake ends when it is due however BouncyCastle waits.
 */
final class QueuedDatagramTransport implements DatagramTransport {
    /** Thrown from {@link #receive} once the deadline has passed. */
    static final class DeadlineException extends TlsTimeoutException {
        DeadlineException(String message) {
            super(message);
        }
    }

    private static final byte[] WAKE_UP = new byte[0];

    private final ArrayBlockingQueue<byte[]> queue;
    private final PacketSender sender;
    private final int receiveLimit;
    private final int sendLimit;
    private volatile long deadlineNanos;
    private volatile boolean deadlineSet;
    private volatile boolean closed;
    private volatile boolean endOfInput;

    QueuedDatagramTransport(PacketSender sender, int capacity, int receiveLimit, int sendLimit) {
        this.sender = sender;
        this.queue = new ArrayBlockingQueue<>(capacity + 1); // + 1: room for the close wake-up
        this.receiveLimit = receiveLimit;
        this.sendLimit = sendLimit;
    }

    /** Queues a copy the caller made; false if the queue is full or the transport closed. */
    boolean offer(byte[] datagram) {
        if (closed || queue.remainingCapacity() <= 1) return false;
        return queue.offer(datagram);
    }

    int queued() {
        return queue.size();
    }

    void setDeadline(long nanoTime) {
        deadlineNanos = nanoTime;
        deadlineSet = true;
    }

    /** No more datagrams will come: a receive on the empty queue fails at once (fuzzing runs a handshake without waiting). */
    void endOfInput() {
        endOfInput = true;
    }

    void clearDeadline() {
        deadlineSet = false;
    }

    @Override
    public int getReceiveLimit() {
        return receiveLimit;
    }

    @Override
    public int getSendLimit() {
        return sendLimit;
    }

    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
        if (closed) throw new IOException("DTLS transport closed");
        long waitNanos = waitMillis <= 0 ? Long.MAX_VALUE : TimeUnit.MILLISECONDS.toNanos(waitMillis);
        if (deadlineSet) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) throw new DeadlineException("DTLS handshake deadline passed");
            waitNanos = Math.min(waitNanos, left);
        }
        byte[] d;
        try {
            d = endOfInput ? queue.poll() : queue.poll(waitNanos, TimeUnit.NANOSECONDS);
            if (d == null && endOfInput) throw new IOException("end of the fuzzer's datagrams");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("DTLS receive interrupted");
        }
        if (closed || d == WAKE_UP) throw new IOException("DTLS transport closed");
        if (d == null) {
            if (deadlineSet && deadlineNanos - System.nanoTime() <= 0) throw new DeadlineException("DTLS handshake deadline passed");
            return -1;
        }
        int n = Math.min(len, d.length); // offer() callers never queue more than the receive limit
        System.arraycopy(d, 0, buf, off, n);
        return n;
    }

    @Override
    public void send(byte[] buf, int off, int len) throws IOException {
        if (closed) throw new IOException("DTLS transport closed");
        sender.send(buf, off, len);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        queue.clear();
        queue.offer(WAKE_UP);
    }
}
