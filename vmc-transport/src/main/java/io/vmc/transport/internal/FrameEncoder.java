package io.vmc.transport.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/** Prepends the {@link FrameFormat} header (magic, length, CRC32C) to a serialized Envelope. */
@Sharable
public final class FrameEncoder extends MessageToMessageEncoder<ByteBuf> {
    private final int maxFrameBytes;
    private final Counters counters;

    public FrameEncoder(int maxFrameBytes, Counters counters) {
        super(ByteBuf.class);
        this.maxFrameBytes = maxFrameBytes;
        this.counters = counters;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, ByteBuf payload, List<Object> out) {
        int len = payload.readableBytes();
        if (len > maxFrameBytes) {
            throw new EncoderException("frame length " + len + " exceeds the allowed maximum (" + maxFrameBytes + ")");
        }
        ByteBuf header = ctx.alloc().buffer(FrameFormat.HEADER_BYTES);
        header.writeInt(FrameFormat.MAGIC);
        header.writeInt(len);
        header.writeInt(FrameFormat.crc(len, payload, payload.readerIndex()));
        counters.framesSent.increment();
        out.add(header);
        out.add(payload.retain());
    }
}
