package io.vmc.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.vmc.port.StreamPort;
import io.vmc.transport.internal.Backoff;
import io.vmc.transport.internal.Callbacks;
import io.vmc.transport.internal.Counters;
import io.vmc.transport.internal.Pipelines;
import io.vmc.transport.internal.Session;
import io.vmc.transport.internal.StreamPortBridge;
import io.vmc.transport.internal.Transports;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.Hello;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One end of the vmc.v1 channel with exactly one peer at a time: the engine's end and agentd's end
 * of the VM channel, or an app's connection to agentd.
 *
 * <pre>{@code
 * VmcEndpoint ep = VmcEndpoint.builder()
 *     .channel(ChannelUri.parse("unix:/run/vmc/vm1.sock"))
 *     .role(Hello.Role.ROLE_ENGINE).software("vmc-engine/0.1.0").capabilities(List.of("audio"))
 *     .requestHandler(handler).eventSink(sink)
 *     .build();
 * ep.start();
 * Response r = ep.call(request).get();
 * ep.close();
 * }</pre>
 *
 * <p>A connecting end reconnects (at once when a session that lasted a second or more drops, then)
 * with capped exponential back-off and jitter (unless
 * {@link Builder#reconnect(boolean) reconnect(false)}); a listening end accepts one peer at a
 * time and a new peer replaces the old one. Across reconnects the session resumes: unacknowledged
 * requests, responses and events are replayed and duplicates dropped, so nothing is lost or
 * applied twice while both processes live. When the peer restarts, calls it had received fail
 * with {@code UNAVAILABLE} and {@link EndpointListener#onConnected} reports {@code resumed=false}.
 *
 * <p>Thread-safe. Each endpoint has one I/O thread; handler, sink, listener and future
 * completions run on the callback executor, never on it.
 */
public final class VmcEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(VmcEndpoint.class);

    private final ChannelUri uri;
    private final Builder cfg;
    private final Counters counters = new Counters();
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final Session session;
    private final Backoff backoff;
    private volatile boolean started;
    private volatile boolean closed;
    private volatile Channel serverChannel;
    private volatile StreamPortBridge bridge;
    private SocketAddress connectAddress;

    private VmcEndpoint(Builder b) {
        this.cfg = b;
        this.uri = b.channel;
        this.group = Transports.newGroup(uri, 1, "vmc-io-" + b.role.name().toLowerCase(java.util.Locale.ROOT).replace("role_", ""));
        this.loop = group.next();
        this.backoff = new Backoff(b.reconnectInitial, b.reconnectMax, () -> ThreadLocalRandom.current().nextDouble());
        this.session = new Session(new Session.Config(b.role, b.software, b.capabilities, b.minVersion, b.maxVersion,
                b.keepaliveInterval, b.deadAfter, b.callDeadline, b.maxFrameBytes, b.callbackExecutor), loop, new Owner(), counters);
        session.setRequestHandler(b.requestHandler);
        session.setEventSink(b.eventSink);
        session.setListener(b.listener);
    }

    /** A new builder; {@link Builder#channel} and {@link Builder#software} are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Opens the channel: binds a listening end (synchronously; throws if it cannot) or starts
     * connecting (in the background, retrying).
     *
     * @return completes with the peer's first Hello; fails if the endpoint closes first, the peer
     *     is incompatible, or the first connect fails with reconnect off
     * @throws VmcTransportException UNAVAILABLE if a listening end cannot bind or a stream port
     *     cannot be opened
     */
    public CompletableFuture<Hello> start() {
        synchronized (this) {
            if (started) {
                throw new IllegalStateException("already started");
            }
            if (closed) {
                throw new IllegalStateException("closed");
            }
            started = true;
        }
        switch (uri.kind()) {
            case STREAM_PORT -> {
                StreamPort port;
                try {
                    port = cfg.streamPort != null ? cfg.streamPort.get() : StreamPorts.open(uri);
                } catch (IOException | RuntimeException e) {
                    throw new VmcTransportException(Error.Code.UNAVAILABLE, "cannot open " + uri + ": " + e.getMessage(), e);
                }
                StreamPortBridge b = new StreamPortBridge(port, group);
                bridge = b;
                b.start();
                connectAddress = b.address();
                loop.execute(this::connect);
            }
            case UNIX_LISTEN, TCP_LISTEN, MEM_LISTEN -> bind();
            default -> {
                connectAddress = Transports.address(uri);
                loop.execute(this::connect);
            }
        }
        return session.firstHandshake();
    }

    private void bind() {
        if (uri.kind() == ChannelUri.Kind.UNIX_LISTEN) {
            removeStaleSocket(Path.of(uri.path()));
        }
        ServerBootstrap sb = new ServerBootstrap().group(loop, loop).channel(Transports.serverChannel(uri))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        configure(ch);
                        Pipelines.init(ch, session, cfg.maxFrameBytes, counters, true);
                    }
                });
        ChannelFuture f = sb.bind(Transports.address(uri)).awaitUninterruptibly();
        if (!f.isSuccess()) {
            throw new VmcTransportException(Error.Code.UNAVAILABLE, "cannot listen on " + uri + ": " + f.cause(), f.cause());
        }
        serverChannel = f.channel();
        log.info("{}: listening on {}", cfg.software, uri);
    }

    static void removeStaleSocket(Path p) {
        try {
            if (Files.exists(p) && !Files.isDirectory(p) && !Files.isRegularFile(p)) {
                Files.delete(p);
            }
        } catch (IOException e) {
            log.debug("cannot remove stale socket {}", p, e);
        }
    }

    private void configure(Channel ch) {
        if (uri.kind() == ChannelUri.Kind.TCP || uri.kind() == ChannelUri.Kind.TCP_LISTEN) {
            ch.config().setOption(ChannelOption.TCP_NODELAY, true);
        }
    }

    private void connect() {
        if (closed) {
            return;
        }
        Bootstrap b = new Bootstrap().group(loop).channel(Transports.clientChannel(uri))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        configure(ch);
                        Pipelines.init(ch, session, cfg.maxFrameBytes, counters, true);
                    }
                });
        b.connect(connectAddress).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                connectFailed(f.cause());
            }
        });
    }

    private void connectFailed(Throwable cause) {
        if (closed) {
            return;
        }
        String why = "cannot connect to " + uri + ": " + cause.getMessage();
        if (!cfg.reconnect) {
            log.info("{}: {}", cfg.software, why);
            session.failWaiting(why);
            session.failFirstHandshake(new VmcTransportException(Error.Code.UNAVAILABLE, why, cause));
            return;
        }
        log.debug("{}: {}; retrying", cfg.software, why);
        scheduleReconnect();
    }

    private void scheduleReconnect() {
        long d = backoff.nextDelayNanos();
        loop.schedule(this::connect, d, TimeUnit.NANOSECONDS);
    }

    /** A connection that worked at least this long is retried at once when it drops; others back off. */
    private static final long STABLE_CONNECTION_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final class Owner implements Session.Owner {
        private long establishedAtNanos = -1;

        @Override
        public void detached(Channel channel, String why) {
            long establishedAt = establishedAtNanos;
            establishedAtNanos = -1;
            if (closed || uri.isListen()) {
                return;
            }
            if (cfg.reconnect) {
                if (establishedAt >= 0 && System.nanoTime() - establishedAt >= STABLE_CONNECTION_NANOS) {
                    loop.execute(VmcEndpoint.this::connect); // the first retry after a stable session: at once
                } else {
                    scheduleReconnect();
                }
            } else {
                session.failWaiting("the connection to " + uri + " is down (" + why + ") and reconnect is off");
            }
        }

        @Override
        public void established(Hello peer, boolean resumed) {
            establishedAtNanos = System.nanoTime();
            backoff.reset();
        }
    }

    /** Calls the peer with the default deadline ({@link Builder#callDeadline}). See {@link #call(Request, Duration)}. */
    public CompletableFuture<Response> call(Request request) {
        return session.call(request, cfg.callDeadline);
    }

    /**
     * Sends a request; the transport assigns its id. Requests wait in the outbound queue while
     * the channel is down and are replayed after a reconnect.
     *
     * @return completes with the peer's Response (which may carry {@code Error}), or exceptionally
     *     with {@link VmcTransportException}: DEADLINE_EXCEEDED, UNAVAILABLE (closed, peer restarted
     *     or shut down, reconnect off and disconnected), RESOURCE_EXHAUSTED (outbound queue full),
     *     INVALID_ARGUMENT (larger than a frame). Completed off the I/O thread.
     */
    public CompletableFuture<Response> call(Request request, Duration deadline) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(deadline, "deadline");
        return session.call(request, deadline);
    }

    /**
     * Sends an event reliably: acknowledged, replayed after reconnect or resume, duplicates dropped
     * by the receiver.
     *
     * @return {@code false} if it was not queued: the outbound queue is full (a slow or absent
     *     peer, see {@link TransportLimits#REPLAY_BUFFER_MESSAGES}) or the endpoint is closed
     * @throws IllegalArgumentException if the event is larger than a frame
     */
    public boolean sendEvent(Event event) {
        return session.sendEvent(Objects.requireNonNull(event, "event"));
    }

    /** Whether a handshake completed and the channel is up. */
    public boolean isConnected() {
        return session.isConnected();
    }

    /** The current (or last) peer's Hello. */
    public Optional<Hello> peerHello() {
        return session.peerHello();
    }

    /** The protocol version agreed with the current peer, 0 before the first handshake. */
    public int negotiatedVersion() {
        return session.negotiatedVersion();
    }

    /** Random per endpoint: the {@code instance_id} in this side's Hello. */
    public String instanceId() {
        return session.instanceId();
    }

    /** The bound address of a listening end (e.g. the port picked for {@code tcp-listen:HOST:0}). */
    public Optional<SocketAddress> localAddress() {
        Channel c = serverChannel;
        return c == null ? Optional.empty() : Optional.of(c.localAddress());
    }

    public ChannelUri channel() {
        return uri;
    }

    /** Counters since the endpoint was built. */
    public TransportStats stats() {
        return counters.snapshot();
    }

    /** The last keepalive round trip in nanoseconds, or -1. */
    public long lastRttNanos() {
        return session.lastRttNanos();
    }

    /**
     * Says Goodbye (SHUTDOWN) to the peer, fails pending calls with UNAVAILABLE, closes the
     * channel and the I/O thread. Idempotent; waits at most about two seconds.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            session.close("the endpoint was closed").get(3, TimeUnit.SECONDS); // the Goodbye lingers up to 2 s
        } catch (Exception e) {
            log.debug("close: session did not close in time", e);
        }
        Channel sc = serverChannel;
        if (sc != null) {
            sc.close().awaitUninterruptibly(1000);
        }
        StreamPortBridge b = bridge;
        if (b != null) {
            b.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3000);
        if (uri.kind() == ChannelUri.Kind.UNIX_LISTEN && sc != null) {
            removeStaleSocket(Path.of(uri.path()));
        }
    }

    /** Builds a {@link VmcEndpoint}. Validates eagerly; messages name the parameter. */
    public static final class Builder {
        private ChannelUri channel;
        private Hello.Role role = Hello.Role.ROLE_UNSPECIFIED;
        private String software;
        private List<String> capabilities = List.of();
        private int minVersion = 1;
        private int maxVersion = 1;
        private RequestHandler requestHandler;
        private EventSink eventSink;
        private EndpointListener listener = new EndpointListener() {};
        private Duration keepaliveInterval = TransportLimits.DEFAULT_KEEPALIVE_INTERVAL;
        private Duration deadAfter = TransportLimits.DEFAULT_DEAD_AFTER;
        private Duration callDeadline = TransportLimits.DEFAULT_CALL_DEADLINE;
        private boolean reconnect = true;
        private Duration reconnectInitial = TransportLimits.DEFAULT_RECONNECT_INITIAL;
        private Duration reconnectMax = TransportLimits.DEFAULT_RECONNECT_MAX;
        private Executor callbackExecutor = Callbacks.DEFAULT;
        private int maxFrameBytes = TransportLimits.MAX_FRAME_BYTES;
        private Supplier<StreamPort> streamPort;

        private Builder() {}

        /** Where the byte stream is. Required. */
        public Builder channel(ChannelUri channel) {
            this.channel = Objects.requireNonNull(channel, "channel must not be null");
            return this;
        }

        /** Same as {@code channel(ChannelUri.parse(uri))}. */
        public Builder channel(String uri) {
            return channel(ChannelUri.parse(uri));
        }

        /** This side's role, sent in Hello. */
        public Builder role(Hello.Role role) {
            this.role = Objects.requireNonNull(role, "role must not be null");
            return this;
        }

        /** Name/version for logs and the peer's diagnostics, e.g. {@code "vmc-engine/0.1.0"}. Required. */
        public Builder software(String software) {
            if (software == null || software.isBlank()) {
                throw new IllegalArgumentException("software must not be blank");
            }
            this.software = software;
            return this;
        }

        /** Capability strings offered to the peer; unknown ones are ignored by it. */
        public Builder capabilities(List<String> capabilities) {
            this.capabilities = List.copyOf(Objects.requireNonNull(capabilities, "capabilities must not be null"));
            return this;
        }

        /** Protocol versions this side speaks; default 1..1. The highest common one wins. */
        public Builder versionRange(int min, int max) {
            if (min < 1 || max < min) {
                throw new IllegalArgumentException("versionRange must satisfy 1 <= min <= max, got " + min + ".." + max);
            }
            this.minVersion = min;
            this.maxVersion = max;
            return this;
        }

        /** Serves the peer's requests; invoked off the I/O thread. Without one, requests get UNIMPLEMENTED. */
        public Builder requestHandler(RequestHandler handler) {
            this.requestHandler = handler;
            return this;
        }

        /** Receives the peer's events, off the I/O thread, one at a time, in order. */
        public Builder eventSink(EventSink sink) {
            this.eventSink = sink;
            return this;
        }

        /** Connection life cycle callbacks (same thread rules as the sink). */
        public Builder listener(EndpointListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener must not be null");
            return this;
        }

        /**
         * Ping when nothing was sent for {@code interval}; declare the peer dead (close, reconnect)
         * when nothing arrived for {@code deadAfter}. Defaults 2 s / 6 s.
         */
        public Builder keepalive(Duration interval, Duration deadAfter) {
            if (interval == null || interval.toMillis() < 1) {
                throw new IllegalArgumentException("keepalive interval must be at least 1 ms, got " + interval);
            }
            if (deadAfter == null || deadAfter.compareTo(interval) <= 0) {
                throw new IllegalArgumentException("keepalive deadAfter must be longer than the interval (" + interval
                        + "), got " + deadAfter);
            }
            this.keepaliveInterval = interval;
            this.deadAfter = deadAfter;
            return this;
        }

        /** Deadline for {@link VmcEndpoint#call(Request)}; default 10 s. */
        public Builder callDeadline(Duration deadline) {
            if (deadline == null || deadline.toMillis() < 1) {
                throw new IllegalArgumentException("callDeadline must be at least 1 ms, got " + deadline);
            }
            this.callDeadline = deadline;
            return this;
        }

        /**
         * Whether a connecting end reconnects (default true). With {@code false} (a plain app
         * client), a lost or failed connection fails waiting calls with UNAVAILABLE.
         */
        public Builder reconnect(boolean reconnect) {
            this.reconnect = reconnect;
            return this;
        }

        /** Reconnect back-off: first delay and cap (defaults 50 ms, 5 s); jittered. */
        public Builder backoff(Duration initial, Duration max) {
            if (initial == null || initial.toMillis() < 1) {
                throw new IllegalArgumentException("backoff initial must be at least 1 ms, got " + initial);
            }
            if (max == null || max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("backoff max must be at least initial (" + initial + "), got " + max);
            }
            this.reconnectInitial = initial;
            this.reconnectMax = max;
            return this;
        }

        /** Where application callbacks run; default a shared pool of daemon threads. Must not be an I/O thread. */
        public Builder callbackExecutor(Executor executor) {
            this.callbackExecutor = Objects.requireNonNull(executor, "callbackExecutor must not be null");
            return this;
        }

        /** Largest frame accepted and sent; default and usual value {@link TransportLimits#MAX_FRAME_BYTES}. */
        public Builder maxFrameBytes(int maxFrameBytes) {
            if (maxFrameBytes < 1024 || maxFrameBytes > TransportLimits.MAX_FRAME_BYTES_CEILING) {
                throw new IllegalArgumentException("maxFrameBytes must be within 1024.." + TransportLimits.MAX_FRAME_BYTES_CEILING
                        + ", got " + maxFrameBytes);
            }
            this.maxFrameBytes = maxFrameBytes;
            return this;
        }

        /**
         * For a stream-port URI ({@code virtio:NAME}): where the port comes from, overriding the
         * {@link StreamPorts} registry (tests, the SPICE port channel).
         */
        public Builder streamPort(Supplier<StreamPort> source) {
            this.streamPort = Objects.requireNonNull(source, "streamPort must not be null");
            return this;
        }

        public VmcEndpoint build() {
            if (channel == null) {
                throw new IllegalStateException("channel must be set");
            }
            if (software == null) {
                throw new IllegalStateException("software must be set");
            }
            if (streamPort != null && channel.kind() != ChannelUri.Kind.STREAM_PORT) {
                throw new IllegalStateException("streamPort is only for stream-port channels, not " + channel);
            }
            return new VmcEndpoint(this);
        }
    }

}
