package io.vmc.agent.web;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.vmc.agent.daemon.AgentCore;
import io.vmc.agent.daemon.AppPeer;
import io.vmc.agent.daemon.Errors;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One accepted WebSocket: an app of {@link AgentCore} like one on the unix socket (same limits,
 * same isolation), whose user is the uid of the secret it presented. It lives as long as its
 * WebSocket; when that closes, its sessions close.
 *
 * <p>Threads: frames arrive on the channel's event loop; answers and events are serialized and
 * written there. While the client reads too slowly for the channel to stay writable, nothing more
 * is read from it (TCP pushes back on a flooding client); events beyond
 * {@link WebApi#MAX_PENDING_EVENTS} are dropped.
 */
final class WebApiConnection extends SimpleChannelInboundHandler<WebSocketFrame> implements AppPeer {
    private static final Logger log = LoggerFactory.getLogger(WebApiConnection.class);

    private final Channel channel;
    private final int number;
    private final int uid;
    private final String origin;
    private final AtomicInteger pendingEvents = new AtomicInteger();
    private final AtomicBoolean droppedEvents = new AtomicBoolean();
    private AgentCore.App app;

    WebApiConnection(Channel channel, int number, int uid, String origin) {
        this.channel = channel;
        this.number = number;
        this.uid = uid;
        this.origin = origin;
    }

    /** Registers with the core; the channel's close ends the app. */
    void start(AgentCore core) {
        app = core.appConnected(this);
        channel.closeFuture().addListener(f -> app.disconnected());
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (frame instanceof TextWebSocketFrame t) {
            onText(t.text());
        } else if (frame instanceof PingWebSocketFrame) {
            ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
        } else if (frame instanceof CloseWebSocketFrame) {
            ctx.writeAndFlush(frame.retainedDuplicate()).addListener(ChannelFutureListener.CLOSE);
        } else if (!(frame instanceof PongWebSocketFrame)) {
            close(WebSocketCloseStatus.INVALID_MESSAGE_TYPE, "send JSON in text messages; binary messages are not part of the web API");
        }
    }

    private void onText(String text) {
        JsonFrames.Inbound in = JsonFrames.parse(text);
        if (in.error() != null) {
            write(in.error());
            return;
        }
        Request r = in.request();
        long id = r.getId();
        if (r.hasGetWebApiSecret()) {
            write(Errors.error(Error.Code.PERMISSION_DENIED, "GetWebApiSecret is served on agentd's unix socket only").toBuilder().setId(id).build());
            return;
        }
        app.handle(r).whenComplete((resp, err) -> {
            Response out = err != null ? Errors.error(Error.Code.INTERNAL, r.getMethodCase().name().toLowerCase(java.util.Locale.ROOT)
                    + " failed: " + err) : resp;
            Response withId = out.toBuilder().setId(id).build();
            if (channel.eventLoop().inEventLoop()) {
                write(withId);
            } else {
                channel.eventLoop().execute(() -> write(withId));
            }
        });
    }

    private void write(Response r) {
        if (channel.isActive()) {
            channel.writeAndFlush(new TextWebSocketFrame(JsonFrames.response(r)));
        }
    }

    @Override
    public void sendEvent(Event event) {
        if (!channel.isActive()) {
            return;
        }
        if (pendingEvents.incrementAndGet() > WebApi.MAX_PENDING_EVENTS) {
            pendingEvents.decrementAndGet();
            if (!droppedEvents.getAndSet(true)) {
                log.warn("{} reads too slowly: more than {} events waiting; dropping events", describe(), WebApi.MAX_PENDING_EVENTS);
            }
            return;
        }
        channel.eventLoop().execute(() -> {
            pendingEvents.decrementAndGet();
            if (!channel.isActive()) {
                return;
            }
            io.netty.channel.ChannelOutboundBuffer unread = channel.unsafe().outboundBuffer();
            if (unread != null && unread.totalPendingWriteBytes() > WebApi.MAX_UNREAD_BYTES) {
                // written frames the client never reads would stay in agentd's memory: cut it off (a
                // close frame would wait behind them, so the socket just closes; its sessions end)
                log.warn("{} does not read its events: more than {} bytes wait for it; disconnecting it",
                        describe(), WebApi.MAX_UNREAD_BYTES);
                channel.close();
                return;
            }
            channel.writeAndFlush(new TextWebSocketFrame(JsonFrames.event(event)));
        });
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException) {
            // the decoder has sent the close status (1002, 1007, 1009) and closes the connection
            log.info("{}: {}; closed", describe(), cause.getMessage());
        } else if (cause instanceof TooLongFrameException) {
            log.info("{}: message over {} bytes; closing", describe(), WebApi.MAX_MESSAGE_BYTES);
            close(WebSocketCloseStatus.MESSAGE_TOO_BIG, "message larger than " + WebApi.MAX_MESSAGE_BYTES + " bytes");
        } else {
            log.info("{}: closing after {}", describe(), cause.toString());
            close(WebSocketCloseStatus.INTERNAL_SERVER_ERROR, "agentd closed the connection");
        }
    }

    private void close(WebSocketCloseStatus status, String reason) {
        if (channel.isActive()) {
            channel.writeAndFlush(new CloseWebSocketFrame(status, reason)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public int uid() {
        return uid;
    }

    @Override
    public int pid() {
        return -1;
    }

    @Override
    public String describe() {
        return "web#" + number + " (uid " + uid + (origin == null ? "" : ", origin " + abbreviate(origin)) + ")";
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
