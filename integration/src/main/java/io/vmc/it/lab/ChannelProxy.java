package io.vmc.it.lab;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A unix-socket relay between agentd and the engine's channel socket that a test can cut, as a
 * SPICE client losing its server or a QEMU chardev dropping would: {@link #cut()} closes every
 * relayed connection and refuses new ones until {@link #restore()}.
 */
public final class ChannelProxy implements AutoCloseable {
    private final Path listen;
    private final Path target;
    private final ServerSocketChannel server;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean cut;
    private volatile boolean closed;

    private ChannelProxy(Path listen, Path target) throws IOException {
        this.listen = listen;
        this.target = target;
        Files.deleteIfExists(listen);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(listen));
        acceptor = new Thread(this::accept, "channel-proxy-" + listen.getFileName());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Relays connections to {@code listen} on to {@code target} (the engine's unix-listen socket). */
    public static ChannelProxy start(Path listen, Path target) throws IOException {
        return new ChannelProxy(listen, target);
    }

    public Path path() {
        return listen;
    }

    /** Drops the channel: open connections close, new ones are refused. */
    public void cut() {
        cut = true;
        open.forEach(ChannelProxy::closeQuietly);
        open.clear();
    }

    /** New connections are relayed again (agentd reconnects with its back-off). */
    public void restore() {
        cut = false;
    }

    /** Connections relayed right now (both legs of one connection count as one). */
    public int connections() {
        return open.size() / 2;
    }

    private void accept() {
        while (!closed) {
            SocketChannel in;
            try {
                in = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (cut) {
                closeQuietly(in);
                continue;
            }
            SocketChannel out;
            try {
                out = SocketChannel.open(UnixDomainSocketAddress.of(target));
            } catch (IOException e) {
                closeQuietly(in); // the engine is not there: agentd sees a drop and retries
                continue;
            }
            open.add(in);
            open.add(out);
            pump(in, out);
            pump(out, in);
        }
    }

    private void pump(SocketChannel from, SocketChannel to) {
        Thread t = new Thread(() -> {
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            try {
                while (from.read(buf) >= 0) {
                    buf.flip();
                    while (buf.hasRemaining()) {
                        to.write(buf);
                    }
                    buf.clear();
                }
            } catch (IOException e) {
                // cut or closed by one side: close both below
            } finally {
                open.remove(from);
                open.remove(to);
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "channel-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        cut();
        try {
            server.close();
            Files.deleteIfExists(listen);
        } catch (IOException ignored) {
            // best effort in clean-up
        }
    }
}
