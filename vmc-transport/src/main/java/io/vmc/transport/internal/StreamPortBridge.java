package io.vmc.transport.internal;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalServerChannel;
import io.netty.util.ReferenceCountUtil;
import io.vmc.port.StreamPort;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bridges a {@link StreamPort} into Netty: an in-JVM listener the endpoint connects to, a reader
 * thread (port to channel) and a writer thread (channel to port). The port stays open for the
 * endpoint's lifetime (closing a virtio port discards unread data); a lost peer shows up as
 * {@code read() == -1}, which closes the current in-JVM connection so the session notices at
 * once, and the endpoint's reconnect makes a new one. Bytes for a replaced connection are dropped:
 * the protocol replays what matters.
 */
public final class StreamPortBridge {
    private static final Logger log = LoggerFactory.getLogger(StreamPortBridge.class);
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final int POLL_MILLIS = 50;
    private static final int NO_PEER_RETRY_MILLIS = 20;

    private record Chunk(Channel from, ByteBuf data) {}

    private final StreamPort port;
    private final EventLoopGroup group;
    private final LocalAddress address = new LocalAddress("vmc-streamport-" + IDS.incrementAndGet());
    private final LinkedBlockingQueue<Chunk> toPort = new LinkedBlockingQueue<>();
    private volatile Channel server;
    private volatile Channel current;
    private volatile boolean closed;
    private Thread reader;
    private String lastReadError;
    private Thread writer;

    public StreamPortBridge(StreamPort port, EventLoopGroup group) {
        this.port = port;
        this.group = group;
    }

    public LocalAddress address() {
        return address;
    }

    public void start() {
        server = new ServerBootstrap().group(group).channel(LocalServerChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelActive(ChannelHandlerContext ctx) {
                                Channel old = current;
                                synchronized (StreamPortBridge.this) {
                                    current = ctx.channel();
                                    StreamPortBridge.this.notifyAll();
                                }
                                if (old != null) {
                                    old.close();
                                }
                            }

                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                if (msg instanceof ByteBuf b && !closed) {
                                    toPort.add(new Chunk(ctx.channel(), b));
                                } else {
                                    ReferenceCountUtil.release(msg);
                                }
                            }
                        });
                    }
                }).bind(address).syncUninterruptibly().channel();
        reader = new Thread(this::readLoop, "vmc-port-reader " + port.describe());
        writer = new Thread(this::writeLoop, "vmc-port-writer " + port.describe());
        reader.setDaemon(true);
        writer.setDaemon(true);
        reader.start();
        writer.start();
    }

    private void readLoop() {
        ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
        boolean hadPeer = false;
        while (!closed) {
            try {
                // Read only with somebody to hand the bytes to: what the port delivers is gone once read.
                synchronized (this) {
                    while (!closed && (current == null || !current.isActive())) {
                        wait(POLL_MILLIS);
                    }
                }
                buf.clear();
                int n = port.read(buf, POLL_MILLIS);
                if (n > 0) {
                    hadPeer = true;
                    buf.flip();
                    Channel c = current;
                    synchronized (this) {
                        // The connection may have been replaced while we were in read(): hold the
                        // bytes for the next one instead of dropping them (they may be its Hello).
                        while (!closed && ((c = current) == null || !c.isActive())) {
                            wait(POLL_MILLIS);
                        }
                    }
                    if (c != null && c.isActive()) {
                        c.writeAndFlush(Unpooled.copiedBuffer(buf));
                    }
                } else if (n < 0) {
                    if (hadPeer) {
                        hadPeer = false;
                        Channel c = current;
                        log.debug("{}: peer gone", port.describe());
                        if (c != null) {
                            c.close();
                        }
                    }
                    Thread.sleep(NO_PEER_RETRY_MILLIS);
                } else {
                    hadPeer = port.isPeerConnected() || hadPeer;
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    if (!e.toString().equals(lastReadError)) {
                        lastReadError = e.toString();
                        log.warn("{}: read failed: {}; retrying", port.describe(), lastReadError);
                    }
                    Channel c = current;
                    if (c != null) {
                        c.close();
                    }
                    sleepQuietly(200);
                }
            }
        }
    }

    private void writeLoop() {
        while (!closed) {
            Chunk c;
            try {
                c = toPort.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (c == null) {
                continue;
            }
            try {
                ByteBuffer nio = c.data().nioBuffer();
                while (nio.hasRemaining() && !closed && c.from() == current && c.from().isActive()) {
                    if (port.write(nio) == 0) {
                        port.awaitWritable(POLL_MILLIS);
                    }
                }
            } catch (IOException e) {
                if (!closed) {
                    log.debug("{}: write failed: {}", port.describe(), e.toString());
                    Channel ch = c.from();
                    ch.close();
                }
            } finally {
                c.data().release();
            }
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public void close() {
        closed = true;
        Channel s = server;
        if (s != null) {
            s.close();
        }
        Channel c = current;
        if (c != null) {
            c.close();
        }
        for (Thread t : new Thread[] {reader, writer}) {
            if (t != null) {
                t.interrupt();
                try {
                    t.join(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        Chunk ch;
        while ((ch = toPort.poll()) != null) {
            ch.data().release();
        }
        try {
            port.close();
        } catch (IOException e) {
            log.debug("{}: close failed", port.describe(), e);
        }
    }
}
