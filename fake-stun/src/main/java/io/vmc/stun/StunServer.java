package io.vmc.stun;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.vmc.stun.internal.Stun;
import io.vmc.stun.internal.StunResponder;
import io.vmc.stun.internal.TcpFrameDecoder;
import io.vmc.stun.internal.TcpHandler;
import io.vmc.stun.internal.Transports;
import io.vmc.stun.internal.UdpHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A STUN Binding server (RFC 8489, RFC 3489 clients too) on UDP and TCP that answers with the address
 * the {@link TranslationTable} gives for each request's source.
 *
 * <pre>{@code
 * TranslationTable table = new TranslationTable();
 * try (StunServer server = StunServer.builder()
 *         .udp(new InetSocketAddress("0.0.0.0", 3478))
 *         .tcp(new InetSocketAddress("0.0.0.0", 3478))
 *         .translationTable(table)
 *         .build()
 *         .start()) {
 *     table.setDynamicRules("agentd:alice", List.of(Rule.parse("10.0.0.5 -> 192.0.2.10")));
 *     ...
 * }
 * }</pre>
 * Uses native epoll where available (one UDP socket per event loop thread on the same port with
 * SO_REUSEPORT, so the kernel spreads requests over the threads) and NIO otherwise.
 */
public final class StunServer implements AutoCloseable {
    /** Default STUN port (RFC 8489 section 18.4). */
    public static final int DEFAULT_PORT = 3478;
    /** Default SOFTWARE attribute value. */
    public static final String DEFAULT_SOFTWARE = "VMC fake-stun";
    /** A TCP connection with no traffic for this long is closed (RFC 8489 asks for at least 10 s). */
    public static final int TCP_IDLE_SECONDS = 30;
    /** Concurrent TCP connections beyond this are closed on accept. */
    public static final int MAX_TCP_CONNECTIONS = 1024;

    /** Unsent answers a UDP socket may queue in the process before requests are shed (see UdpHandler). */
    static final int MAX_QUEUED_ANSWER_BYTES = 64 * 1024;

    /** Datagrams read per recvmmsg call with epoll. */
    static final int UDP_READ_BATCH = 16;

    private static final Logger log = LoggerFactory.getLogger(StunServer.class);

    private final List<InetSocketAddress> udpBinds;
    private final List<InetSocketAddress> tcpBinds;
    private final TranslationTable table;
    private final int threads;
    private final Transports transports;
    private final StunResponder responder;
    private final UdpHandler udpHandler;
    private final List<Channel> channels = new ArrayList<>();
    private final List<InetSocketAddress> udpBound = new ArrayList<>();
    private final List<InetSocketAddress> tcpBound = new ArrayList<>();
    private final AtomicInteger tcpConnections = new AtomicInteger();
    private EventLoopGroup group;

    private StunServer(Builder b) {
        this.udpBinds = List.copyOf(b.udp);
        this.tcpBinds = List.copyOf(b.tcp);
        this.table = b.table;
        this.threads = b.threads;
        this.transports = Transports.select(b.preferNative);
        this.responder = new StunResponder(table, b.software);
        this.udpHandler = new UdpHandler(responder);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Binds every address; on any failure closes what was bound and throws. Returns this. */
    public synchronized StunServer start() throws IOException {
        if (group != null) {
            throw new IllegalStateException("already started");
        }
        group = new MultiThreadIoEventLoopGroup(threads, transports.ioHandlerFactory());
        try {
            for (InetSocketAddress a : udpBinds) {
                bindUdp(a);
            }
            for (InetSocketAddress a : tcpBinds) {
                bindTcp(a);
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        log.info("fake-stun ({}, {} threads) on udp {} tcp {}", transports.name(), threads, udpBound, tcpBound);
        return this;
    }

    private void bindUdp(InetSocketAddress address) throws IOException {
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(transports.datagramChannel())
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                // One byte more than the limit, so that an oversized datagram is seen as such.
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(Stun.MAX_REQUEST_BYTES + 4))
                .option(ChannelOption.SO_RCVBUF, 1 << 20)
                .option(ChannelOption.SO_SNDBUF, 1 << 20)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(MAX_QUEUED_ANSWER_BYTES / 2, MAX_QUEUED_ANSWER_BYTES))
                .handler(udpHandler);
        int sockets = 1;
        if (transports.isEpoll()) {
            // recvmmsg: up to UDP_READ_BATCH datagrams per system call, each a slice of one pooled buffer.
            b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, Stun.MAX_REQUEST_BYTES + 4)
                    .option(ChannelOption.RCVBUF_ALLOCATOR,
                            new FixedRecvByteBufAllocator((Stun.MAX_REQUEST_BYTES + 4) * UDP_READ_BATCH));
            if (address.getPort() != 0) {
                probeFree(address); // SO_REUSEPORT would otherwise share the port with a running server
            }
            b.option(EpollChannelOption.SO_REUSEPORT, true);
            sockets = threads;
        }
        InetSocketAddress target = address;
        for (int i = 0; i < sockets; i++) {
            Channel ch = await(b.bind(target), "udp", target);
            channels.add(ch);
            if (i == 0) {
                target = (InetSocketAddress) ch.localAddress();
                udpBound.add(target);
            }
        }
    }

    private static void probeFree(InetSocketAddress address) throws IOException {
        try (java.net.DatagramSocket probe = new java.net.DatagramSocket(null)) {
            probe.bind(address);
        } catch (java.net.SocketException e) {
            throw new IOException("cannot bind udp " + address + ": " + e.getMessage(), e);
        }
    }

    private void bindTcp(InetSocketAddress address) throws IOException {
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(transports.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 512)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tcpConnections.incrementAndGet() > MAX_TCP_CONNECTIONS) {
                            tcpConnections.decrementAndGet();
                            log.warn("TCP connection from {} refused: {} connections is the allowed maximum",
                                    ch.remoteAddress(), MAX_TCP_CONNECTIONS);
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(f -> tcpConnections.decrementAndGet());
                        ch.pipeline().addLast(new IdleStateHandler(0, 0, TCP_IDLE_SECONDS, TimeUnit.SECONDS),
                                new TcpFrameDecoder(), new TcpHandler(responder));
                    }
                });
        Channel ch = await(b.bind(address), "tcp", address);
        channels.add(ch);
        tcpBound.add((InetSocketAddress) ch.localAddress());
    }

    private static Channel await(ChannelFuture f, String proto, InetSocketAddress address) throws IOException {
        f.awaitUninterruptibly();
        if (!f.isSuccess()) {
            throw new IOException("cannot bind " + proto + " " + address + ": " + f.cause().getMessage(), f.cause());
        }
        return f.channel();
    }

    /** Bound UDP addresses (with real ports when port 0 was asked), in builder order. */
    public synchronized List<InetSocketAddress> udpAddresses() {
        return List.copyOf(udpBound);
    }

    /** Bound TCP addresses, in builder order. */
    public synchronized List<InetSocketAddress> tcpAddresses() {
        return List.copyOf(tcpBound);
    }

    public TranslationTable translationTable() {
        return table;
    }

    /** "epoll" or "nio". */
    public String transportName() {
        return transports.name();
    }

    /** Counters since start. */
    public Stats stats() {
        return new Stats(responder.answered(), responder.errorResponses(), responder.dropped(), udpHandler.shed());
    }

    /**
     * Binding successes sent, error responses sent, messages dropped without answer (malformed or not
     * for us), and requests shed unanswered because a UDP socket's write queue was full (overload).
     */
    public record Stats(long answered, long errorResponses, long dropped, long shed) {
    }

    @Override
    public synchronized void close() {
        for (Channel ch : channels) {
            ch.close().awaitUninterruptibly();
        }
        channels.clear();
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    /** Configures a server; nothing is bound before {@link StunServer#start()}. */
    public static final class Builder {
        private final List<InetSocketAddress> udp = new ArrayList<>();
        private final List<InetSocketAddress> tcp = new ArrayList<>();
        private TranslationTable table = new TranslationTable();
        private String software = DEFAULT_SOFTWARE;
        private int threads = Runtime.getRuntime().availableProcessors();
        private boolean preferNative = true;

        private Builder() {
        }

        /** Adds a UDP address to listen on (port 0: any free port, see {@link #udpAddresses()}). */
        public Builder udp(InetSocketAddress address) {
            udp.add(Objects.requireNonNull(address, "udp address must not be null"));
            return this;
        }

        /** Adds a TCP address to listen on. */
        public Builder tcp(InetSocketAddress address) {
            tcp.add(Objects.requireNonNull(address, "tcp address must not be null"));
            return this;
        }

        public Builder translationTable(TranslationTable table) {
            this.table = Objects.requireNonNull(table, "translation table must not be null");
            return this;
        }

        /** SOFTWARE attribute value; null or empty leaves it out. At most 127 characters. */
        public Builder software(String software) {
            if (software != null && software.codePointCount(0, software.length()) > Stun.MAX_SOFTWARE_CHARS) {
                throw new IllegalArgumentException("software must have at most " + Stun.MAX_SOFTWARE_CHARS
                        + " characters, got " + software.length());
            }
            this.software = software;
            return this;
        }

        /** Event loop threads (and, with epoll, UDP sockets per address). Default: available processors. */
        public Builder threads(int threads) {
            if (threads < 1 || threads > 256) {
                throw new IllegalArgumentException("threads must be within 1..256, got " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** Whether to use native epoll when available (default true); false forces NIO. */
        public Builder preferNativeTransport(boolean preferNative) {
            this.preferNative = preferNative;
            return this;
        }

        public StunServer build() {
            if (udp.isEmpty() && tcp.isEmpty()) {
                throw new IllegalArgumentException("at least one udp or tcp address must be given");
            }
            return new StunServer(this);
        }
    }
}
