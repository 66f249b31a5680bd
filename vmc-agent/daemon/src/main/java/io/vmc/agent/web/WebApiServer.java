package io.vmc.agent.web;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.util.concurrent.ScheduledFuture;
import io.vmc.agent.daemon.AgentCore;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * agentd's web API listener: a WebSocket on a loopback address, on agentd's own I/O threads.
 * Each upgrade request passes {@link HandshakeGate} or gets its HTTP status and is closed (one log
 * line, no app, no session); an accepted one becomes a {@link WebApiConnection}.
 *
 * <pre>{@code
 * WebApiServer web = WebApiServer.start(apiServer.tcpBootstrap(), new InetSocketAddress("127.0.0.1", 7411),
 *         List.of("chrome-extension://abcdefghijklmnopabcdefghijklmnop"), Path.of("/run/vmc/web-api.key"), core);
 * String secret = web.secretFor(1000);   // handed to uid 1000 on the unix socket only
 * }</pre>
 */
public final class WebApiServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebApiServer.class);

    private final AgentCore core;
    private final WebSecrets secrets;
    private final Set<Channel> children = ConcurrentHashMap.newKeySet();
    private final AtomicInteger numbers = new AtomicInteger();
    private final Channel serverChannel;
    private final InetSocketAddress address;
    private final HandshakeGate gate;
    private final WebSocketServerHandshakerFactory handshakers;

    private WebApiServer(ServerBootstrap bootstrap, InetSocketAddress listen, List<String> origins, WebSecrets secrets, AgentCore core)
            throws IOException {
        this.core = core;
        this.secrets = secrets;
        ChannelFuture f = bootstrap.childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                accept(ch);
            }
        }).bind(listen).awaitUninterruptibly();
        if (!f.isSuccess()) {
            throw new IOException("web API: cannot listen on " + hostLiteral(listen) + ":" + listen.getPort() + ": " + f.cause().getMessage(), f.cause());
        }
        this.serverChannel = f.channel();
        this.address = (InetSocketAddress) serverChannel.localAddress();
        Set<String> allowed = new LinkedHashSet<>();
        for (String o : origins) {
            allowed.add(WebApi.normalizeOrigin(o));
        }
        this.gate = new HandshakeGate(allowed, hostLiteral(address), address.getPort(), secrets);
        WebSocketDecoderConfig decoder = WebSocketDecoderConfig.newBuilder().maxFramePayloadLength(WebApi.MAX_MESSAGE_BYTES)
                .allowExtensions(false).allowMaskMismatch(false).closeOnProtocolViolation(true).build();
        this.handshakers = new WebSocketServerHandshakerFactory(url(), WebApi.SUBPROTOCOL, decoder);
        log.info("web API on {} (origins allowed: {})", url(), allowed.isEmpty() ? "none; clients without Origin only" : allowed);
    }

    /**
     * Listens on {@code listen} (a loopback address; port 0 picks one) with the channel class and
     * I/O threads of {@code bootstrap}.
     *
     * @param origins the admin's Origin allow-list (exact origins)
     * @param keyFile the secrets' key, made if missing (see {@link WebSecrets#load})
     * @throws IllegalArgumentException for a non-loopback address or a malformed origin
     * @throws IOException if the key cannot be read or made, or the address cannot be bound
     */
    public static WebApiServer start(ServerBootstrap bootstrap, InetSocketAddress listen, List<String> origins, Path keyFile, AgentCore core)
            throws IOException {
        if (listen.getAddress() == null || !listen.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("the web API listens on loopback only (127.0.0.0/8 or ::1), got " + listen);
        }
        origins.forEach(WebApi::normalizeOrigin);
        return new WebApiServer(bootstrap, listen, origins, WebSecrets.load(keyFile), core);
    }

    /** {@code ws://127.0.0.1:PORT/vmc.v1}. */
    public String url() {
        return "ws://" + hostLiteral(address) + ":" + address.getPort() + WebApi.PATH;
    }

    public InetSocketAddress localAddress() {
        return address;
    }

    /** The secret of user {@code uid}; give it to that user only (agentd does on the unix socket). */
    public String secretFor(int uid) {
        return secrets.secretFor(uid);
    }

    /** Open TCP connections to the web API, handshaken or not. */
    public int connections() {
        return children.size();
    }

    private static String hostLiteral(InetSocketAddress a) {
        String h = a.getAddress().getHostAddress();
        int pct = h.indexOf('%');
        if (pct >= 0) {
            h = h.substring(0, pct);
        }
        return a.getAddress() instanceof Inet6Address ? "[" + h + "]" : h;
    }

    private void accept(Channel ch) {
        if (children.size() >= WebApi.MAX_CONNECTIONS) {
            log.warn("web API: refused {}: already {} connections (the maximum)", ch.remoteAddress(), WebApi.MAX_CONNECTIONS);
            ch.close();
            return;
        }
        children.add(ch);
        ch.closeFuture().addListener(f -> children.remove(ch));
        ScheduledFuture<?> timeout = ch.eventLoop().schedule(() -> {
            log.info("web API: closed {}: no WebSocket handshake within {} s", ch.remoteAddress(), WebApi.HANDSHAKE_TIMEOUT.toSeconds());
            ch.close();
        }, WebApi.HANDSHAKE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        ch.pipeline()
                .addLast("http", new HttpServerCodec(WebApi.MAX_REQUEST_LINE_BYTES, WebApi.MAX_HEADER_BYTES, 8192))
                .addLast("http-aggregator", new HttpObjectAggregator(0))
                .addLast("gate", new Upgrade(timeout));
    }

    /** The HTTP side of one connection, until its upgrade. */
    private final class Upgrade extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final ScheduledFuture<?> timeout;

        Upgrade(ScheduledFuture<?> timeout) {
            this.timeout = timeout;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            Channel ch = ctx.channel();
            if (!req.decoderResult().isSuccess()) {
                refuse(ch, HttpResponseStatus.BAD_REQUEST, "malformed HTTP request", null);
                return;
            }
            String origin = req.headers().get(HttpHeaderNames.ORIGIN);
            HandshakeGate.Verdict v = gate.check(req.method().name(), req.uri(), req.headers());
            if (!v.accepted()) {
                refuse(ch, v.status(), v.reason(), origin);
                return;
            }
            WebSocketServerHandshaker hs = handshakers.newHandshaker(req);
            if (hs == null) {
                log.warn("web API: refused {}: unsupported WebSocket version {}", ch.remoteAddress(),
                        req.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION));
                WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ch).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            ChannelFuture done;
            try {
                done = hs.handshake(ch, req);
            } catch (RuntimeException e) {
                refuse(ch, HttpResponseStatus.BAD_REQUEST, "bad WebSocket handshake: " + e.getMessage(), origin);
                return;
            }
            done.addListener(f -> {
                if (!f.isSuccess()) {
                    log.info("web API: handshake with {} failed: {}", ch.remoteAddress(), f.cause().toString());
                    ch.close();
                    return;
                }
                timeout.cancel(false);
                WebApiConnection conn = new WebApiConnection(ch, numbers.incrementAndGet(), v.uid(), origin);
                ch.pipeline().remove(this);
                ch.pipeline().addLast("ws-aggregator", new WebSocketFrameAggregator(WebApi.MAX_MESSAGE_BYTES))
                        .addLast("vmc", conn);
                conn.start(core);
                log.info("web API: {} connected from {}", conn.describe(), ch.remoteAddress());
            });
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.info("web API: closing {} after {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }

    /** The status, a fixed reason line, and the close: nothing else reaches a refused client. */
    private static void refuse(Channel ch, HttpResponseStatus status, String reason, String origin) {
        log.warn("web API: refused {}{}: {} {}", ch.remoteAddress(), origin == null ? "" : " (Origin " + abbreviate(origin) + ")",
                status.code(), reason);
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(status.code() + " " + reason + "\n", StandardCharsets.UTF_8));
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .set(HttpHeaderNames.CONTENT_LENGTH, resp.content().readableBytes())
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        if (status.equals(HttpResponseStatus.UNAUTHORIZED)) {
            resp.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"vmc\"");
        } else if (status.equals(HttpResponseStatus.UPGRADE_REQUIRED)) {
            resp.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
        }
        ch.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
    }

    private static String abbreviate(String s) {
        return io.vmc.engine.internal.KeyValueFile.abbreviate(s);
    }

    /** Closes the listener and every web connection (their apps' sessions close). */
    @Override
    public void close() {
        serverChannel.close().awaitUninterruptibly(1000);
        for (Channel c : children) {
            c.close().awaitUninterruptibly(1000);
        }
    }
}
