package io.vmc.transport.internal;

import io.netty.buffer.ByteBuf;
import java.util.zip.CRC32C;

/**
 * The frame layout. All integers big-endian.
 *
 * <pre>
 *  0        4        8        12
 *  +--------+--------+--------+--------------------+
 *  | MAGIC  | LENGTH | CRC32C | payload (LENGTH)   |
 *  +--------+--------+--------+--------------------+
 *  MAGIC  = D5 1E 7A C3: sync marker, not ASCII and not a likely protobuf prefix
 *  LENGTH = payload bytes, at most the configured maximum frame size
 *  CRC32C = over the 4 LENGTH bytes followed by the payload
 * </pre>
 *
 * The checksum covers the length so that a corrupted length is caught as well.
 */
public final class FrameFormat {
    private FrameFormat() {}

    public static final int MAGIC = 0xD51E7AC3;
    public static final int HEADER_BYTES = 12;

    /** CRC32C over the 4 big-endian bytes of {@code len} followed by {@code len} bytes of {@code buf} at {@code index}. */
    public static int crc(int len, ByteBuf buf, int index) {
        CRC32C crc = new CRC32C();
        crc.update(len >>> 24);
        crc.update(len >>> 16);
        crc.update(len >>> 8);
        crc.update(len);
        if (len > 0) {
            if (buf.hasArray()) {
                crc.update(buf.array(), buf.arrayOffset() + index, len);
            } else {
                for (java.nio.ByteBuffer b : buf.nioBuffers(index, len)) {
                    crc.update(b);
                }
            }
        }
        return (int) crc.getValue();
    }
}
