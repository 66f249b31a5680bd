package io.vmc.stun.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.vmc.stun.internal.Crc;
import io.vmc.stun.internal.Stun;
import io.vmc.stun.internal.StunMessage;
import io.vmc.stun.internal.Transports;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closed-loop UDP STUN load: {@code clients} sockets on loopback, each keeping {@code window} requests
 * outstanding, a new one sent as soon as an answer arrives. A request unanswered for
 * {@link #LOSS_TIMEOUT_NANOS} counts as lost and its slot sends again. Same bytes for every server.
 */
final class LoadGenerator implements AutoCloseable {
    static final long LOSS_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** Request kinds of the mix, in proportion 8:1:1. */
    enum Kind { FINGERPRINT, PLAIN, CLASSIC }

    private final EventLoopGroup group;
    private final List<Client> clients = new ArrayList<>();
    private final byte[][] templates;
    private final AtomicLong budget;
    private volatile boolean measuring;
    private volatile boolean stopped;

    LoadGenerator(InetSocketAddress server, int clientCount, int window, int threads, long maxRequests) throws InterruptedException {
        Transports t = Transports.select(true);
        this.group = new MultiThreadIoEventLoopGroup(threads, t.ioHandlerFactory());
        this.budget = new AtomicLong(maxRequests);
        byte[] tid = new byte[12];
        this.templates = new byte[][] {
                StunMessage.bindingRequest(tid).withAttribute(Stun.SOFTWARE, "vmc bench".getBytes(StandardCharsets.UTF_8))
                        .encoder().fingerprint(true).toBytes(),
                StunMessage.bindingRequest(tid).toBytes(),
                new StunMessage(Stun.BINDING_REQUEST, 0, tid, List.of()).toBytes(), // RFC 3489: no cookie
        };
        for (int i = 0; i < clientCount; i++) {
            Client c = new Client(i, server, window);
            Channel ch = new Bootstrap().group(group).channel(t.datagramChannel())
                    .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(2048))
                    .option(ChannelOption.SO_RCVBUF, 1 << 20)
                    .handler(c).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            c.channel = ch;
            clients.add(c);
        }
    }

    void start() {
        for (Client c : clients) {
            c.channel.eventLoop().execute(c::startAll);
            c.channel.eventLoop().scheduleAtFixedRate(c::checkLosses, 100, 100, TimeUnit.MILLISECONDS);
        }
    }

    /** Starts counting (after warm-up): clears the statistics. */
    void beginMeasurement() throws Exception {
        for (Client c : clients) {
            c.channel.eventLoop().submit(c::resetStats).sync();
        }
        measuring = true;
    }

    /** True while the request budget lasts. */
    boolean budgetLeft() {
        return budget.get() > 0;
    }

    Totals endMeasurement() throws Exception {
        measuring = false;
        Totals t = new Totals();
        for (Client c : clients) {
            c.channel.eventLoop().submit(() -> {
                t.histogram.add(c.histogram);
                t.sent += c.sent;
                t.success += c.success;
                t.errors += c.errors;
                t.lost += c.lost;
                t.bad += c.bad;
            }).sync();
        }
        return t;
    }

    @Override
    public void close() {
        stopped = true;
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    static final class Totals {
        final LatencyHistogram histogram = new LatencyHistogram();
        long sent;
        long success;
        long errors;
        long lost;
        long bad;
    }

    private final class Client extends ChannelInboundHandlerAdapter {
        final int id;
        final InetSocketAddress server;
        final long[] sentAt;
        final long[] seq;
        final LatencyHistogram histogram = new LatencyHistogram();
        Channel channel;
        long nextSeq;
        long sent;
        long success;
        long errors;
        long lost;
        long bad;

        Client(int id, InetSocketAddress server, int window) {
            this.id = id;
            this.server = server;
            this.sentAt = new long[window];
            this.seq = new long[window];
        }

        void resetStats() {
            histogram.reset();
            sent = success = errors = lost = bad = 0;
        }

        void startAll() {
            for (int slot = 0; slot < sentAt.length; slot++) {
                send(slot);
            }
            channel.flush();
        }

        void send(int slot) {
            if (stopped || (measuring && budget.decrementAndGet() < 0)) {
                sentAt[slot] = 0;
                return;
            }
            long s = ++nextSeq;
            Kind kind = s % 10 == 0 ? Kind.CLASSIC : s % 10 == 5 ? Kind.PLAIN : Kind.FINGERPRINT;
            byte[] template = templates[kind.ordinal()];
            ByteBuf b = channel.alloc().directBuffer(template.length);
            b.writeBytes(template);
            // Transaction ID: client id, slot, sequence (bytes 8..19); classic IDs include bytes 4..7.
            if (kind == Kind.CLASSIC) {
                b.setInt(4, 0x0BADCAFE);
            }
            b.setShort(8, id);
            b.setShort(10, slot);
            b.setLong(12, s);
            if (kind == Kind.FINGERPRINT) {
                int end = template.length;
                b.setInt(end - 4, Crc.fingerprint(b, 0, end - 8));
            }
            seq[slot] = s;
            sentAt[slot] = System.nanoTime();
            if (measuring) {
                sent++;
            }
            channel.write(new DatagramPacket(b, server), channel.voidPromise());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DatagramPacket p = (DatagramPacket) msg;
            try {
                ByteBuf b = p.content();
                long now = System.nanoTime();
                if (b.readableBytes() < 20) {
                    bad++;
                    return;
                }
                int slot = b.getUnsignedShort(10);
                long s = b.getLong(12);
                if (b.getUnsignedShort(8) != id || slot >= seq.length || seq[slot] != s || sentAt[slot] == 0) {
                    return; // a late answer to a request already counted as lost
                }
                int type = b.getUnsignedShort(0);
                if (measuring) {
                    if (type == Stun.BINDING_SUCCESS) {
                        success++;
                        histogram.record(now - sentAt[slot]);
                    } else if (type == Stun.BINDING_ERROR) {
                        errors++;
                    } else {
                        bad++;
                    }
                }
                send(slot);
            } finally {
                p.release();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        void checkLosses() {
            long now = System.nanoTime();
            boolean any = false;
            for (int slot = 0; slot < sentAt.length; slot++) {
                if (sentAt[slot] != 0 && now - sentAt[slot] > LOSS_TIMEOUT_NANOS) {
                    if (measuring) {
                        lost++;
                    }
                    send(slot);
                    any = true;
                } else if (sentAt[slot] == 0 && !stopped && (!measuring || budget.get() > 0)) {
                    send(slot);
                    any = true;
                }
            }
            if (any) {
                channel.flush();
            }
        }
    }
}
