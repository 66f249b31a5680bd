package io.vmc.transport.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.vmc.transport.TransportLimits;
import io.vmc.transport.VmcProtocolException;
import java.util.List;

/**
 * Splits the byte stream into {@link FrameFormat} frames and emits each payload, resynchronizing
 * past anything that is not a valid frame.
 *
 * <ul>
 *   <li>Bytes before a sync marker are skipped and counted.
 *   <li>A length above the maximum is skipped (one byte, then search again), never allocated.
 *   <li>A bad checksum skips one byte and searches again: a real frame may start inside.
 *   <li>A <em>torn</em> frame (a writer died mid-frame, the next writer started a new frame) has
 *       a valid header whose length swallows the following frames. While such a frame is
 *       incomplete the decoder looks inside the buffered bytes for a complete frame with a valid
 *       checksum; if it finds one, the torn frame is abandoned and decoding continues there. So
 *       recovery takes one complete frame, not {@code LENGTH} more bytes.
 *   <li>More than {@link TransportLimits#MAX_GARBAGE_BYTES} skipped without a valid frame raises
 *       {@link VmcProtocolException}; the session handler logs it once and closes.
 * </ul>
 *
 * Memory: at most one maximum frame plus one read is buffered.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    private static final int MAX_CANDIDATES = 8;

    private final int maxFrameBytes;
    private final int maxGarbageBytes;
    private final Counters counters;

    private long garbageSinceFrame;
    private boolean failed;

    // Lookahead inside an incomplete frame, as offsets from readerIndex (the frame start).
    private int lookFrom;
    private final int[] candidates = new int[MAX_CANDIDATES];
    private int candidateCount;

    public FrameDecoder(int maxFrameBytes, Counters counters) {
        this(maxFrameBytes, TransportLimits.MAX_GARBAGE_BYTES, counters);
    }

    public FrameDecoder(int maxFrameBytes, int maxGarbageBytes, Counters counters) {
        if (maxFrameBytes <= 0 || maxFrameBytes > TransportLimits.MAX_FRAME_BYTES_CEILING) {
            throw new IllegalArgumentException("maxFrameBytes " + maxFrameBytes + " is out of range (1.."
                    + TransportLimits.MAX_FRAME_BYTES_CEILING + ")");
        }
        this.maxFrameBytes = maxFrameBytes;
        this.maxGarbageBytes = maxGarbageBytes;
        this.counters = counters;
    }

    /** Bytes held while waiting for the rest of a frame (bounded by one maximum frame plus one read). */
    public int bufferedBytes() {
        return actualReadableBytes();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.isReadable()) {
            int start = in.readerIndex();
            int magicAt = indexOfMagic(in, start, in.writerIndex());
            if (magicAt < 0) {
                // Keep up to 3 bytes: they may be the start of a marker.
                skip(in, Math.max(0, in.readableBytes() - 3));
                return;
            }
            skip(in, magicAt - start);
            if (in.readableBytes() < FrameFormat.HEADER_BYTES) {
                return;
            }
            int frameStart = in.readerIndex();
            long len = in.getUnsignedInt(frameStart + 4);
            if (len > maxFrameBytes) {
                counters.oversizedLengths.increment();
                skip(in, 1);
                continue;
            }
            int total = FrameFormat.HEADER_BYTES + (int) len;
            if (in.readableBytes() < total) {
                int torn = findCompleteFrameInside(in, frameStart);
                if (torn > 0) {
                    counters.tornFrames.increment();
                    skip(in, torn);
                    continue;
                }
                return;
            }
            int crc = in.getInt(frameStart + 8);
            if (crc != FrameFormat.crc((int) len, in, frameStart + FrameFormat.HEADER_BYTES)) {
                counters.badChecksums.increment();
                skip(in, 1);
                continue;
            }
            out.add(in.retainedSlice(frameStart + FrameFormat.HEADER_BYTES, (int) len));
            in.skipBytes(total);
            resetLookahead();
            garbageSinceFrame = 0;
            counters.framesReceived.increment();
        }
    }

    private void skip(ByteBuf in, int n) {
        if (n <= 0) {
            return;
        }
        in.skipBytes(n);
        resetLookahead();
        counters.bytesSkipped.add(n);
        garbageSinceFrame += n;
        if (garbageSinceFrame > maxGarbageBytes) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw new VmcProtocolException("skipped " + garbageSinceFrame
                    + " bytes without a valid frame, more than the allowed maximum (" + maxGarbageBytes
                    + "): the peer is not speaking vmc.v1 framing");
        }
    }

    private void resetLookahead() {
        lookFrom = 1;
        candidateCount = 0;
    }

    /**
     * Looks for a complete, checksummed frame starting inside the incomplete frame at
     * {@code frameStart}. Each byte is scanned for a marker once; markers whose frame is not yet
     * complete are remembered (up to {@link #MAX_CANDIDATES}) and checked again on the next read.
     *
     * @return offset from {@code frameStart} of such a frame, or -1
     */
    private int findCompleteFrameInside(ByteBuf in, int frameStart) {
        int readable = in.writerIndex() - frameStart;
        for (int i = 0; i < candidateCount; i++) {
            int verdict = check(in, frameStart, candidates[i], readable);
            if (verdict == 1) {
                return candidates[i];
            }
            if (verdict == -1) {
                System.arraycopy(candidates, i + 1, candidates, i, candidateCount - i - 1);
                candidateCount--;
                i--;
            }
        }
        int from = Math.max(lookFrom, 1);
        int end = frameStart + readable;
        while (true) {
            int at = indexOfMagic(in, frameStart + from, end);
            if (at < 0) {
                lookFrom = Math.max(from, readable - 3);
                return -1;
            }
            int off = at - frameStart;
            from = off + 1;
            int verdict = check(in, frameStart, off, readable);
            if (verdict == 1) {
                return off;
            }
            if (verdict == 0 && candidateCount < MAX_CANDIDATES) {
                candidates[candidateCount++] = off;
            }
        }
    }

    /** 1 = complete valid frame at off; 0 = maybe (incomplete); -1 = not a frame. */
    private int check(ByteBuf in, int frameStart, int off, int readable) {
        if (readable - off < FrameFormat.HEADER_BYTES) {
            return 0;
        }
        long len = in.getUnsignedInt(frameStart + off + 4);
        if (len > maxFrameBytes) {
            return -1;
        }
        if (readable - off < FrameFormat.HEADER_BYTES + len) {
            return 0;
        }
        int crc = in.getInt(frameStart + off + 8);
        return crc == FrameFormat.crc((int) len, in, frameStart + off + FrameFormat.HEADER_BYTES) ? 1 : -1;
    }

    private static int indexOfMagic(ByteBuf in, int from, int to) {
        int i = from;
        while (i + 4 <= to) {
            int at = in.indexOf(i, to - 3, (byte) 0xD5);
            if (at < 0) {
                return -1;
            }
            if (in.getInt(at) == FrameFormat.MAGIC) {
                return at;
            }
            i = at + 1;
        }
        return -1;
    }
}
