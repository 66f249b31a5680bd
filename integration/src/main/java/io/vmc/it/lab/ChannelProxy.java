package io.vmc.it.lab;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
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
 * A relay that a test can cut, as a SPICE client losing its server or a QEMU chardev dropping
 * would: {@link #cut()} closes every relayed connection and refuses new ones until
 * {@link #restore()}. On unix sockets (agentd to the engine's channel socket) a cut accepts and
 * closes at once; on TCP (a SPICE client to QEMU's SPICE server) it stops listening, as a host
 * that is unreachable would look.
 */
public final class ChannelProxy implements AutoCloseable {
    private volatile SocketAddress listen; // TCP port 0: the port bound first, kept across cuts
    private final SocketAddress target;
    private final boolean tcp;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private volatile ServerSocketChannel server;
    private volatile boolean cut;
    private volatile boolean closed;

    private ChannelProxy(SocketAddress listen, SocketAddress target) throws IOException {
        this.listen = listen;
        this.target = target;
        this.tcp = listen instanceof InetSocketAddress;
        if (!tcp) {
            Files.deleteIfExists(path());
        }
        listen();
    }

    /** Relays connections to {@code listen} on to {@code target} (the engine's unix-listen socket). */
    public static ChannelProxy start(Path listen, Path target) throws IOException {
        return new ChannelProxy(UnixDomainSocketAddress.of(listen), UnixDomainSocketAddress.of(target));
    }

    /** Relays TCP connections to {@code listen} (e.g. port 0: see {@link #port()}) on to {@code target}. */
    public static ChannelProxy startTcp(InetSocketAddress listen, InetSocketAddress target) throws IOException {
        return new ChannelProxy(listen, target);
    }

    public Path path() {
        return ((UnixDomainSocketAddress) listen).getPath();
    }

    /** The TCP port it listens on. */
    public int port() {
        return ((InetSocketAddress) listen).getPort();
    }

    private void listen() throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(tcp ? StandardProtocolFamily.INET : StandardProtocolFamily.UNIX);
        if (tcp) {
            s.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, true);
        }
        s.bind(listen);
        listen = s.getLocalAddress();
        server = s;
        Thread acceptor = new Thread(() -> accept(s), "channel-proxy-" + listen);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Drops the channel: open connections close, new ones are refused. */
    public void cut() {
        cut = true;
        if (tcp && server != null) {
            closeQuietly(server);
            server = null;
        }
        open.forEach(ChannelProxy::closeQuietly);
        open.clear();
    }

    /**
     * Still cut, but a TCP relay listens again and closes each new connection at once, before the
     * server could answer: a link torn in its handshake. {@link #restore()} relays again.
     */
    public void acceptAndDrop() throws IOException {
        cut = true;
        if (tcp && server == null && !closed) {
            listen();
        }
    }

    /** New connections are relayed again (agentd reconnects with its back-off). */
    public void restore() throws IOException {
        cut = false;
        if (tcp && server == null && !closed) {
            listen();
        }
    }

    /** Connections relayed right now (both legs of one connection count as one). */
    public int connections() {
        return open.size() / 2;
    }

    private void accept(ServerSocketChannel server) {
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
                out = SocketChannel.open(target);
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

    private static void closeQuietly(java.nio.channels.Channel c) {
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
            if (server != null) {
                server.close();
            }
            if (!tcp) {
                Files.deleteIfExists(path());
            }
        } catch (IOException ignored) {
            // best effort in clean-up
        }
    }
}
