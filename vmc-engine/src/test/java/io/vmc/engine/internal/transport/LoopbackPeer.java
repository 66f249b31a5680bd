package io.vmc.engine.internal.transport;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One side of a test call on a real loopback UDP socket: a receive thread demultiplexes by first
 * byte (RFC 7983), hands DTLS to the endpoint and keeps RTP/RTCP for the test, the way the ICE
 * receive thread will. The outcome of the handshake completes {@link #connected} or {@link #failed}.
 */
final class LoopbackPeer implements AutoCloseable {
    final DatagramSocket socket;
    final DtlsCertificate certificate;
    final DtlsSrtpEndpoint endpoint;
    final CompletableFuture<DtlsSrtpSession> connected = new CompletableFuture<>();
    final CompletableFuture<DtlsFailure> failed = new CompletableFuture<>();
    final BlockingQueue<byte[]> media = new LinkedBlockingQueue<>();
    final BlockingQueue<DtlsSrtpSession> sessions = new LinkedBlockingQueue<>();
    final AtomicLong sent = new AtomicLong();
    private final Thread reader;
    volatile InetSocketAddress remote;

    LoopbackPeer(String name, List<SrtpProfile> profiles, Duration timeout) throws SocketException {
        this(name, DtlsCertificate.generate(java.time.Instant.now(), new java.security.SecureRandom()), profiles, timeout);
    }

    LoopbackPeer(String name, DtlsCertificate certificate, List<SrtpProfile> profiles, Duration timeout) throws SocketException {
        this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.certificate = certificate;
        this.endpoint = new DtlsSrtpEndpoint(certificate, profiles, this::send, new DtlsSrtpEndpoint.Listener() {
            @Override
            public void onConnected(DtlsSrtpSession session) {
                sessions.add(session);
                connected.complete(session);
            }

            @Override
            public void onFailed(DtlsFailure failure) {
                failed.complete(failure);
            }
        }, timeout);
        this.reader = new Thread(this::readLoop, "test-rx-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    void send(byte[] buf, int off, int len) throws IOException {
        InetSocketAddress r = remote;
        if (r == null) return;
        socket.send(new DatagramPacket(buf, off, len, r));
        sent.incrementAndGet();
    }

    private void readLoop() {
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        while (!socket.isClosed()) {
            try {
                p.setData(buf, 0, buf.length);
                socket.receive(p);
            } catch (IOException e) {
                return;
            }
            if (remote == null) remote = (InetSocketAddress) p.getSocketAddress(); // a peer whose port we learn (symmetric, like ICE's selected pair)
            switch (Demux.classify(p.getData(), p.getOffset(), p.getLength())) {
                case DTLS -> endpoint.receive(p.getData(), p.getOffset(), p.getLength());
                case RTP_RTCP -> media.add(java.util.Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength()));
                default -> { }
            }
        }
    }

    static void pair(LoopbackPeer a, LoopbackPeer b) {
        a.remote = b.address();
        b.remote = a.address();
    }

    @Override
    public void close() {
        endpoint.close();
        socket.close();
    }
}
