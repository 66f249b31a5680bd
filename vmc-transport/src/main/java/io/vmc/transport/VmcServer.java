package io.vmc.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.vmc.transport.internal.Callbacks;
import io.vmc.transport.internal.Counters;
import io.vmc.transport.internal.Pipelines;
import io.vmc.transport.internal.Session;
import io.vmc.transport.internal.Transports;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.Hello;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts many concurrent clients, each a {@link VmcConnection} with its own session: agentd's
 * local API socket for apps.
 *
 * <pre>{@code
 * VmcServer server = VmcServer.builder()
 *     .channel(ChannelUri.parse("unix-listen:/run/user/1000/vmc/agent.sock"))
 *     .role(Hello.Role.ROLE_AGENTD).software("vmc-agentd/0.1.0")
 *     .onConnection(conn -> conn.setRequestHandler(req -> serve(conn, req)))
 *     .build();
 * server.start();
 * }</pre>
 *
 * {@code onConnection} runs off the I/O thread before the handshake; the client's requests are
 * not read until it returns, so a handler set there sees every request.
 */
public final class VmcServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(VmcServer.class);

    private final Builder cfg;
    private final EventLoopGroup group;
    private final Set<VmcConnection> connections = ConcurrentHashMap.newKeySet();
    private volatile Channel serverChannel;
    private volatile boolean closed;

    private VmcServer(Builder b) {
        this.cfg = b;
        this.group = Transports.newGroup(b.channel, b.ioThreads, "vmc-server-io");
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds. Throws {@link VmcTransportException} (UNAVAILABLE) if it cannot. A stale unix socket
     * file at the path is removed first.
     */
    public synchronized void start() {
        if (serverChannel != null || closed) {
            throw new IllegalStateException(closed ? "closed" : "already started");
        }
        if (cfg.channel.kind() == ChannelUri.Kind.UNIX_LISTEN) {
            VmcEndpoint.removeStaleSocket(Path.of(cfg.channel.path()));
        }
        ServerBootstrap sb = new ServerBootstrap().group(group).channel(Transports.serverChannel(cfg.channel))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accept(ch);
                    }
                });
        ChannelFuture f = sb.bind(Transports.address(cfg.channel)).awaitUninterruptibly();
        if (!f.isSuccess()) {
            throw new VmcTransportException(Error.Code.UNAVAILABLE, "cannot listen on " + cfg.channel + ": " + f.cause(), f.cause());
        }
        serverChannel = f.channel();
        log.info("{}: listening on {}", cfg.software, cfg.channel);
    }

    private void accept(Channel ch) {
        if (cfg.channel.kind() == ChannelUri.Kind.TCP_LISTEN) {
            ch.config().setOption(ChannelOption.TCP_NODELAY, true);
        }
        ch.config().setAutoRead(false);
        Counters counters = new Counters();
        Session session = new Session(new Session.Config(cfg.role, cfg.software, cfg.capabilities, cfg.minVersion,
                cfg.maxVersion, cfg.keepaliveInterval, cfg.deadAfter, cfg.callDeadline, cfg.maxFrameBytes, cfg.callbackExecutor),
                ch.eventLoop(), (c, why) -> { }, counters);
        session.setRequestHandler(cfg.requestHandler);
        session.setEventSink(cfg.eventSink);
        Optional<PeerCredentials> creds = Transports.peerCredentials(ch);
        creds.ifPresent(c -> session.setPeerDescription("pid " + c.pid() + " uid " + c.uid()));
        VmcConnection conn = new VmcConnection(session, ch, counters, cfg.callDeadline, creds, cfg.callbackExecutor);
        connections.add(conn);
        ch.closeFuture().addListener(f -> {
            connections.remove(conn);
            // on the channel's loop: the reason this side closed it (keepalive, violation), if it did
            String why = session.closeReason() != null ? session.closeReason() : "the client disconnected";
            session.close(why).whenComplete((v, t) -> conn.fireClosed(why));
        });
        Pipelines.init(ch, session, cfg.maxFrameBytes, counters, false);
        ch.pipeline().addFirst("gate", new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                ctx.pipeline().remove(this);
                cfg.callbackExecutor.execute(() -> {
                    try {
                        cfg.onConnection.accept(conn);
                    } catch (RuntimeException e) {
                        log.warn("{}: onConnection threw for {}", cfg.software, conn.remoteAddress(), e);
                    } finally {
                        ch.eventLoop().execute(() -> {
                            if (ch.isActive() && !closed) {
                                session.attach(ch);
                                ch.config().setAutoRead(true);
                            } else {
                                ch.close();
                            }
                        });
                    }
                });
                ctx.fireChannelActive();
            }
        });
    }

    /** The open client connections. */
    public List<VmcConnection> connections() {
        return List.copyOf(connections);
    }

    /**
     * A bootstrap for a TCP listener of another protocol on this server's I/O threads (epoll when
     * available), so that it adds no threads: agentd's web API. Its channels are the caller's to
     * close, before this server closes.
     *
     * @throws IllegalStateException for a {@code mem-listen:} server, whose threads serve only in-JVM channels
     */
    public ServerBootstrap tcpBootstrap() {
        if (cfg.channel.kind() == ChannelUri.Kind.MEM_LISTEN) {
            throw new IllegalStateException("a mem-listen server's I/O threads cannot serve TCP");
        }
        return new ServerBootstrap().group(group).channel(Transports.serverChannel(ChannelUri.parse("tcp-listen:127.0.0.1:0")));
    }

    /** The bound address (e.g. the port picked for {@code tcp-listen:HOST:0}). */
    public Optional<SocketAddress> localAddress() {
        Channel c = serverChannel;
        return c == null ? Optional.empty() : Optional.of(c.localAddress());
    }

    /** Closes every connection (Goodbye SHUTDOWN), the listener and the I/O threads. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        Channel sc = serverChannel;
        if (sc != null) {
            sc.close().awaitUninterruptibly(1000);
        }
        for (VmcConnection c : connections) {
            try {
                c.closing("the server is shutting down").get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.debug("close: connection did not close in time", e);
            }
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3000);
        if (cfg.channel.kind() == ChannelUri.Kind.UNIX_LISTEN && sc != null) {
            VmcEndpoint.removeStaleSocket(Path.of(cfg.channel.path()));
        }
    }

    /** Builds a {@link VmcServer}. */
    public static final class Builder {
        private ChannelUri channel;
        private Hello.Role role = Hello.Role.ROLE_UNSPECIFIED;
        private String software;
        private List<String> capabilities = List.of();
        private int minVersion = 1;
        private int maxVersion = 1;
        private Duration keepaliveInterval = TransportLimits.DEFAULT_KEEPALIVE_INTERVAL;
        private Duration deadAfter = TransportLimits.DEFAULT_DEAD_AFTER;
        private Duration callDeadline = TransportLimits.DEFAULT_CALL_DEADLINE;
        private Executor callbackExecutor = Callbacks.DEFAULT;
        private int maxFrameBytes = TransportLimits.MAX_FRAME_BYTES;
        private int ioThreads = Math.min(2, Runtime.getRuntime().availableProcessors());
        private Consumer<VmcConnection> onConnection = c -> { };
        private RequestHandler requestHandler;
        private EventSink eventSink;

        private Builder() {}

        /** A listening URI: {@code unix-listen:}, {@code tcp-listen:} or {@code mem-listen:}. Required. */
        public Builder channel(ChannelUri channel) {
            Objects.requireNonNull(channel, "channel must not be null");
            if (!channel.isListen()) {
                throw new IllegalArgumentException("channel must be a listening URI (unix-listen:, tcp-listen:, mem-listen:), got " + channel);
            }
            this.channel = channel;
            return this;
        }

        public Builder channel(String uri) {
            return channel(ChannelUri.parse(uri));
        }

        public Builder role(Hello.Role role) {
            this.role = Objects.requireNonNull(role, "role must not be null");
            return this;
        }

        public Builder software(String software) {
            if (software == null || software.isBlank()) {
                throw new IllegalArgumentException("software must not be blank");
            }
            this.software = software;
            return this;
        }

        public Builder capabilities(List<String> capabilities) {
            this.capabilities = List.copyOf(Objects.requireNonNull(capabilities, "capabilities must not be null"));
            return this;
        }

        public Builder versionRange(int min, int max) {
            if (min < 1 || max < min) {
                throw new IllegalArgumentException("versionRange must satisfy 1 <= min <= max, got " + min + ".." + max);
            }
            this.minVersion = min;
            this.maxVersion = max;
            return this;
        }

        public Builder keepalive(Duration interval, Duration deadAfter) {
            if (interval == null || interval.toMillis() < 1) {
                throw new IllegalArgumentException("keepalive interval must be at least 1 ms, got " + interval);
            }
            if (deadAfter == null || deadAfter.compareTo(interval) <= 0) {
                throw new IllegalArgumentException("keepalive deadAfter must be longer than the interval, got " + deadAfter);
            }
            this.keepaliveInterval = interval;
            this.deadAfter = deadAfter;
            return this;
        }

        public Builder callDeadline(Duration deadline) {
            if (deadline == null || deadline.toMillis() < 1) {
                throw new IllegalArgumentException("callDeadline must be at least 1 ms, got " + deadline);
            }
            this.callDeadline = deadline;
            return this;
        }

        public Builder callbackExecutor(Executor executor) {
            this.callbackExecutor = Objects.requireNonNull(executor, "callbackExecutor must not be null");
            return this;
        }

        public Builder maxFrameBytes(int maxFrameBytes) {
            if (maxFrameBytes < 1024 || maxFrameBytes > TransportLimits.MAX_FRAME_BYTES_CEILING) {
                throw new IllegalArgumentException("maxFrameBytes must be within 1024.." + TransportLimits.MAX_FRAME_BYTES_CEILING
                        + ", got " + maxFrameBytes);
            }
            this.maxFrameBytes = maxFrameBytes;
            return this;
        }

        /** I/O threads shared by all connections; default min(2, cores). */
        public Builder ioThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("ioThreads must be at least 1, got " + threads);
            }
            this.ioThreads = threads;
            return this;
        }

        /** Called for each new client, off the I/O thread, before its handshake. */
        public Builder onConnection(Consumer<VmcConnection> onConnection) {
            this.onConnection = Objects.requireNonNull(onConnection, "onConnection must not be null");
            return this;
        }

        /** Default request handler of every connection (a connection may set its own). */
        public Builder requestHandler(RequestHandler handler) {
            this.requestHandler = handler;
            return this;
        }

        /** Default event sink of every connection. */
        public Builder eventSink(EventSink sink) {
            this.eventSink = sink;
            return this;
        }

        public VmcServer build() {
            if (channel == null) {
                throw new IllegalStateException("channel must be set");
            }
            if (software == null) {
                throw new IllegalStateException("software must be set");
            }
            return new VmcServer(this);
        }
    }
}
