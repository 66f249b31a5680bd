package io.vmc.stun.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.LongAdder;

/**
 * One datagram in, at most one datagram out. Writes are flushed once per read batch. When the socket
 * cannot take more (the channel's write queue is above its high water mark, see {@code StunServer}),
 * requests are shed unanswered: under overload the client retransmits, while a queue that grows with
 * the load would only turn the overload into memory.
 */
@ChannelHandler.Sharable
public final class UdpHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(UdpHandler.class);

    private final StunResponder responder;
    private final LongAdder shed = new LongAdder();

    public UdpHandler(StunResponder responder) {
        this.responder = responder;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket packet)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (!ctx.channel().isWritable()) {
                shed.increment();
                return;
            }
            ByteBuf response = responder.respond(packet.content(), packet.sender(), ctx.alloc());
            if (response != null) {
                ctx.write(new DatagramPacket(response, packet.sender()), ctx.voidPromise());
            }
        } finally {
            packet.release();
        }
    }

    /** Requests not answered because the socket's write queue was full. */
    public long shed() {
        return shed.sum();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A send to an unreachable peer, for example: nothing to do for a stateless server.
        log.debug("UDP {}: {}", ctx.channel().localAddress(), cause.toString());
    }
}
