package io.vmc.transport.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.vmc.transport.VmcProtocolException;
import io.vmc.transport.proto.Envelope;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The last inbound handler: hands channel events to the {@link Session}. One per channel. */
public final class SessionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(SessionHandler.class);

    private final Session session;
    private final boolean attachOnActive;

    /**
     * @param attachOnActive attach when the channel becomes active; {@code false} when the owner
     *     attaches later itself (the server first lets the application see the connection)
     */
    public SessionHandler(Session session, boolean attachOnActive) {
        this.session = session;
        this.attachOnActive = attachOnActive;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (attachOnActive) {
            session.attach(ctx.channel());
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Envelope e) {
            session.onEnvelope(ctx.channel(), e);
        } else {
            io.netty.util.ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        session.onReadComplete(ctx.channel());
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        session.onWritable(ctx.channel());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        session.detach(ctx.channel());
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof VmcProtocolException) {
            session.protocolViolation(ctx.channel(), cause);
        } else if (cause instanceof DecoderException) {
            // ProtobufDecoder: a checksummed frame that is not an Envelope.
            session.protocolViolation(ctx.channel(), new VmcProtocolException(
                    "a frame with a valid checksum is not a vmc.v1 Envelope: " + cause.getMessage(), cause));
        } else if (cause instanceof IOException) {
            log.debug("{}: I/O error", session.label(), cause);
            session.closeChannel(ctx.channel(), "I/O error: " + cause.getMessage());
        } else {
            log.warn("{}: unexpected error, closing the connection", session.label(), cause);
            session.closeChannel(ctx.channel(), "internal error: " + cause);
        }
    }
}
