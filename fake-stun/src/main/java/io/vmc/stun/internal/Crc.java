package io.vmc.stun.internal;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;

import java.util.zip.CRC32;

/** FINGERPRINT arithmetic (RFC 8489 section 14.7) without allocating on pooled buffers. */
public final class Crc {
    private static final FastThreadLocal<CRC32> CRC = new FastThreadLocal<>() {
        @Override
        protected CRC32 initialValue() {
            return new CRC32();
        }
    };

    private Crc() {
    }

    /** FINGERPRINT value for {@code length} bytes of {@code buf} starting at absolute {@code index}. */
    public static int fingerprint(ByteBuf buf, int index, int length) {
        CRC32 crc = CRC.get();
        crc.reset();
        if (buf.nioBufferCount() == 1) {
            crc.update(buf.internalNioBuffer(index, length));
        } else if (buf.hasArray()) {
            crc.update(buf.array(), buf.arrayOffset() + index, length);
        } else {
            for (int i = 0; i < length; i++) {
                crc.update(buf.getByte(index + i));
            }
        }
        return (int) crc.getValue() ^ Stun.FINGERPRINT_XOR;
    }

    public static int fingerprint(byte[] bytes, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, offset, length);
        return (int) crc.getValue() ^ Stun.FINGERPRINT_XOR;
    }
}
