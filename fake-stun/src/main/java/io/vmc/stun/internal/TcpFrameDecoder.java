package io.vmc.stun.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;

/**
 * Cuts a TCP byte stream into STUN messages (RFC 8489 section 6.2.2: back to back, no extra framing).
 * STUN over TCP has no resynchronisation point, so a header that cannot be STUN (top bits set, no magic
 * cookie, length not a multiple of 4 or above {@link Stun#MAX_REQUEST_BYTES}) fails the connection.
 */
public final class TcpFrameDecoder extends ByteToMessageDecoder {
    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.readableBytes() >= Stun.HEADER_BYTES) {
            int base = in.readerIndex();
            int type = in.getUnsignedShort(base);
            int length = in.getUnsignedShort(base + 2);
            int cookie = in.getInt(base + 4);
            if ((type & 0xC000) != 0 || cookie != Stun.MAGIC_COOKIE) {
                throw new StunProtocolException(String.format(
                        "not a STUN header: type 0x%04x, cookie 0x%08x (expected 0x%08x)", type, cookie, Stun.MAGIC_COOKIE));
            }
            if ((length & 3) != 0 || Stun.HEADER_BYTES + length > Stun.MAX_REQUEST_BYTES) {
                throw new StunProtocolException("message length " + length + " is not a multiple of 4 or exceeds "
                        + "the allowed maximum (" + (Stun.MAX_REQUEST_BYTES - Stun.HEADER_BYTES) + ")");
            }
            if (in.readableBytes() < Stun.HEADER_BYTES + length) {
                return;
            }
            out.add(in.readRetainedSlice(Stun.HEADER_BYTES + length));
        }
    }
}
