package io.vmc.engine.internal.transport;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A UDP relay between a DTLS client and server that times their handshake on the wire, the same
 * way whoever the peers are: from the ClientHello the server answered (the last one before the
 * server's first datagram, so a peer that was not listening yet costs nothing) to the server's
 * Finished (its first epoch-1 handshake record), when both sides hold the keys. Packets are
 * forwarded at once; the relay adds two loopback hops to every pair alike.
 */
final class HandshakeRelay implements AutoCloseable {
    final DatagramSocket front; // the client sends here
    final DatagramSocket back; // towards the server
    private final InetSocketAddress server;
    private volatile InetSocketAddress client;
    private final Thread up;
    private final Thread down;
    private volatile long lastClientHelloNanos;
    private volatile boolean serverSpoke;
    private volatile long finishedNanos;
    private volatile int clientDatagrams;
    private volatile int serverDatagrams;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile java.util.function.Predicate<byte[]> dropUp = d -> false;
    private volatile java.util.function.Predicate<byte[]> dropDown = d -> false;
    private final java.util.concurrent.atomic.AtomicInteger dropped = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * @param server where the server listens
     * @param client where the client listens, or null to answer to where its datagrams come from
     */
    HandshakeRelay(InetSocketAddress server, InetSocketAddress client) throws IOException {
        this.server = server;
        this.client = client;
        this.front = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.back = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.up = new Thread(this::up, "relay-up");
        this.down = new Thread(this::down, "relay-down");
        up.setDaemon(true);
        down.setDaemon(true);
        up.start();
        down.start();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) front.getLocalSocketAddress();
    }

    /** Wire time of the handshake in nanoseconds, or -1 if it did not finish in time. */
    long await(long timeoutMillis) throws InterruptedException {
        if (!finished.await(timeoutMillis, TimeUnit.MILLISECONDS)) return -1;
        return finishedNanos - lastClientHelloNanos;
    }

    /** Datagrams from the client (up) or the server (down) for which the predicate says true are lost. */
    void lose(java.util.function.Predicate<byte[]> fromClient, java.util.function.Predicate<byte[]> fromServer) {
        dropUp = fromClient;
        dropDown = fromServer;
    }

    int dropped() {
        return dropped.get();
    }

    String flights() {
        return clientDatagrams + " datagrams from the client, " + serverDatagrams + " from the server";
    }

    private void up() {
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        while (!front.isClosed()) {
            try {
                p.setData(buf, 0, buf.length);
                front.receive(p);
                long now = System.nanoTime();
                if (client == null) client = (InetSocketAddress) p.getSocketAddress();
                if (!serverSpoke && DtlsRecords.clientHelloRandom(p.getData(), 0, p.getLength()) != null) lastClientHelloNanos = now;
                if (Demux.classify(p.getData(), 0, p.getLength()) == Demux.Kind.DTLS) clientDatagrams++;
                if (dropUp.test(java.util.Arrays.copyOf(p.getData(), p.getLength()))) {
                    dropped.incrementAndGet();
                    continue;
                }
                back.send(new DatagramPacket(p.getData(), 0, p.getLength(), server));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void down() {
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        while (!back.isClosed()) {
            try {
                p.setData(buf, 0, buf.length);
                back.receive(p);
                long now = System.nanoTime();
                // GStreamer sends SRTP under a random key before its handshake is done: only DTLS counts
                if (Demux.classify(p.getData(), 0, p.getLength()) == Demux.Kind.DTLS) {
                    serverSpoke = true;
                    serverDatagrams++;
                }
                if (finished.getCount() > 0 && hasEpoch1Handshake(p.getData(), p.getLength())) {
                    finishedNanos = now;
                    finished.countDown();
                }
                if (dropDown.test(java.util.Arrays.copyOf(p.getData(), p.getLength()))) {
                    dropped.incrementAndGet();
                    continue;
                }
                InetSocketAddress c = client;
                if (c != null) front.send(new DatagramPacket(p.getData(), 0, p.getLength(), c));
            } catch (IOException e) {
                return;
            }
        }
    }

    static boolean hasEpoch1Handshake(byte[] d, int len) {
        int pos = 0;
        while (pos + DtlsRecords.RECORD_HEADER_BYTES <= len) {
            if ((d[pos] & 0xff) == DtlsRecords.CONTENT_HANDSHAKE && DtlsRecords.u16(d, pos + 3) == 1) return true;
            pos += DtlsRecords.RECORD_HEADER_BYTES + DtlsRecords.u16(d, pos + 11);
        }
        return false;
    }

    @Override
    public void close() {
        front.close();
        back.close();
    }
}
