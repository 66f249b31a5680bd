package io.vmc.engine.internal.transport;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.ice4j.socket.IceSocketWrapper;

/**
 * The socket ice4j's STUN stack reads and sends through for one host candidate: the endpoint's
 * reader thread, the only reader of the host socket, hands it the STUN datagrams it reads; sends go
 * straight out of the host socket.
 *
 * <p>It stands in for ice4j's own per-filter socket ({@code MultiplexingDatagramSocket.getSocket}),
 * a {@code DatagramSocket} subclass whose constructor opens a descriptor of its own and whose
 * {@code close()} never releases it: each ended call left its per-filter sockets' descriptors
 * open until a garbage collection (docs/resilience.md, Soak).
 */
final class StunPackets extends IceSocketWrapper {
    /** STUN comes a few datagrams at a time (checks, consent every ~5 s); more waiting means the stack is stuck. */
    static final int CAPACITY = 64;
    private static final DatagramPacket CLOSED = new DatagramPacket(new byte[0], 0);

    private final DatagramSocket host;
    private final BlockingQueue<DatagramPacket> queue = new ArrayBlockingQueue<>(CAPACITY);
    private volatile boolean closed;

    StunPackets(DatagramSocket host) {
        this.host = host;
    }

    /** Queues a copy of a STUN datagram read from the host socket; dropped when the queue is full (STUN retransmits). */
    void deliver(DatagramPacket p) {
        if (closed) return;
        DatagramPacket copy = new DatagramPacket(Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength()),
                p.getLength(), p.getSocketAddress());
        queue.offer(copy);
    }

    @Override
    public void send(DatagramPacket p) throws IOException {
        host.send(p);
    }

    @Override
    public void receive(DatagramPacket p) throws IOException {
        DatagramPacket q;
        try {
            q = closed ? CLOSED : queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SocketException("interrupted");
        }
        if (q == CLOSED) {
            queue.offer(CLOSED); // for any other reader
            throw new SocketException("socket closed");
        }
        int n = Math.min(q.getLength(), p.getData().length - p.getOffset());
        System.arraycopy(q.getData(), 0, p.getData(), p.getOffset(), n);
        p.setLength(n);
        p.setSocketAddress(q.getSocketAddress());
    }

    /** Wakes the stack's reader; the host socket is the candidate's to close. */
    @Override
    public void close() {
        closed = true;
        queue.clear();
        queue.offer(CLOSED);
    }

    @Override
    public InetAddress getLocalAddress() { return host.getLocalAddress(); }

    @Override
    public int getLocalPort() { return host.getLocalPort(); }

    @Override
    public SocketAddress getLocalSocketAddress() { return host.getLocalSocketAddress(); }

    @Override
    public Socket getTCPSocket() { return null; }

    @Override
    public DatagramSocket getUDPSocket() { return host; }
}
