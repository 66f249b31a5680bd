package io.vmc.stun.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;

/** Answers framed requests on one TCP connection; closes it on a framing error or when idle. */
public final class TcpHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(TcpHandler.class);

    private final StunResponder responder;
    private final InetSocketAddress fixedRemote;
    private InetSocketAddress remote;

    public TcpHandler(StunResponder responder) {
        this(responder, null);
    }

    /** With a given peer address, for channels that have no IP peer (tests on EmbeddedChannel). */
    TcpHandler(StunResponder responder, InetSocketAddress remote) {
        this.responder = responder;
        this.fixedRemote = remote;
    }

    private InetSocketAddress remote(ChannelHandlerContext ctx) {
        if (remote == null) {
            remote = fixedRemote != null ? fixedRemote : (InetSocketAddress) ctx.channel().remoteAddress();
        }
        return remote;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            ByteBuf response = responder.respond(frame, remote(ctx), ctx.alloc());
            if (response != null) {
                ctx.write(response, ctx.voidPromise());
            }
        } finally {
            frame.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("TCP {} closed: {}", ctx.channel().remoteAddress(), cause.getMessage());
        ctx.close();
    }
}
