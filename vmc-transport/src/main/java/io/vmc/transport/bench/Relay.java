package io.vmc.transport.bench;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A unix-socket relay for the recovery benchmarks: forwards a client to the target socket, can
 * cut every connection (the client reconnects through it) and inject bytes toward the target.
 */
final class Relay implements AutoCloseable {
    private final ServerSocketChannel server;
    private final Path front;
    private final UnixDomainSocketAddress target;
    private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
    private volatile SocketChannel toTarget;
    private volatile boolean closed;

    private Relay(ServerSocketChannel server, Path front, Path target) {
        this.server = server;
        this.front = front;
        this.target = UnixDomainSocketAddress.of(target);
    }

    static Relay open(Path front, Path target) throws IOException {
        Files.deleteIfExists(front);
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(front));
        Relay r = new Relay(s, front, target);
        Thread t = new Thread(r::acceptLoop, "bench-relay-accept");
        t.setDaemon(true);
        t.start();
        return r;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel down = server.accept();
                SocketChannel up = SocketChannel.open(target);
                open.add(down);
                open.add(up);
                toTarget = up;
                pump(down, up);
                pump(up, down);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void pump(SocketChannel from, SocketChannel to) {
        Thread t = new Thread(() -> {
            ByteBuffer b = ByteBuffer.allocateDirect(64 * 1024);
            try {
                while (from.read(b) > 0) {
                    b.flip();
                    synchronized (to) {
                        while (b.hasRemaining()) {
                            to.write(b);
                        }
                    }
                    b.clear();
                }
            } catch (IOException e) {
                // cut
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "bench-relay-pump");
        t.setDaemon(true);
        t.start();
    }

    /** Writes raw bytes toward the target between forwarded chunks. */
    void inject(byte[] bytes) throws IOException {
        SocketChannel to = toTarget;
        synchronized (to) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                to.write(b);
            }
        }
    }

    /** Closes every relayed connection; new ones are accepted. */
    void cut() {
        for (SocketChannel c : open) {
            closeQuietly(c);
            open.remove(c); // only what was closed: a reconnect may be adding its sockets right now
        }
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        cut();
        Files.deleteIfExists(front);
    }
}
