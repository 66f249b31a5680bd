package io.vmc.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP proxy that can cut connections, silently drop bytes (like QEMU dropping guest
 * writes while the host is away) and inject bytes (a torn frame) toward the upstream side.
 */
final class ChaosProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int upstreamPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
    private volatile boolean dropToUpstream;
    private volatile boolean dropToDownstream;
    private volatile OutputStream upstreamOut;

    ChaosProxy(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "chaos-accept");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket down = server.accept();
                Socket up = new Socket();
                try {
                    up.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort), 2000);
                } catch (IOException e) {
                    down.close();
                    continue;
                }
                down.setTcpNoDelay(true);
                up.setTcpNoDelay(true);
                sockets.add(down);
                sockets.add(up);
                upstreamOut = up.getOutputStream();
                pump(down.getInputStream(), up.getOutputStream(), true, down, up);
                pump(up.getInputStream(), down.getOutputStream(), false, down, up);
            } catch (IOException e) {
                if (!closed) {
                    continue;
                }
                return;
            }
        }
    }

    private void pump(InputStream in, OutputStream out, boolean toUpstream, Socket a, Socket b) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16384];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (toUpstream ? dropToUpstream : dropToDownstream) {
                        continue;
                    }
                    synchronized (out) {
                        out.write(buf, 0, n);
                        out.flush();
                    }
                }
            } catch (IOException ignored) {
                // cut
            } finally {
                closeQuietly(a);
                closeQuietly(b);
            }
        }, "chaos-pump");
        t.setDaemon(true);
        t.start();
    }

    /** Closes every proxied connection; new ones are still accepted. */
    void cut() {
        for (Socket c : sockets) {
            closeQuietly(c);
            sockets.remove(c); // only what was closed: a reconnect may be adding its sockets right now
        }
    }

    /** Silently discards bytes going to the upstream (listening) side while on. */
    void dropToUpstream(boolean on) {
        dropToUpstream = on;
    }

    /** Silently discards bytes going to the downstream (connecting) side while on. */
    void dropToDownstream(boolean on) {
        dropToDownstream = on;
    }

    /** Writes raw bytes toward the upstream side, between whole writes of the real traffic. */
    void injectToUpstream(byte[] bytes) throws IOException {
        OutputStream out = upstreamOut;
        synchronized (out) {
            out.write(bytes);
            out.flush();
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        cut();
    }
}
