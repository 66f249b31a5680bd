package io.vmc.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.protobuf.ProtobufDecoder;
import io.netty.handler.codec.protobuf.ProtobufEncoder;
import io.vmc.transport.TransportLimits;
import io.vmc.transport.VmcProtocolException;
import io.vmc.transport.proto.Envelope;
import io.vmc.transport.proto.Ping;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FrameCodecTest {
    private final Counters counters = new Counters();

    /** A Ping envelope, as a frame: magic, length, CRC32C, payload. */
    static byte[] frame(long nonce) {
        Envelope e = Envelope.newBuilder().setAck(7).setPing(Ping.newBuilder().setNonce(nonce)).build();
        return frameOf(e.toByteArray());
    }

    static byte[] frameOf(byte[] payload) {
        EmbeddedChannel enc = new EmbeddedChannel(new FrameEncoder(TransportLimits.MAX_FRAME_BYTES, new Counters()));
        enc.writeOutbound(Unpooled.copiedBuffer(payload));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuf b;
        while ((b = enc.readOutbound()) != null) {
            byte[] a = new byte[b.readableBytes()];
            b.readBytes(a);
            b.release();
            out.writeBytes(a);
        }
        return out.toByteArray();
    }

    private EmbeddedChannel decoder() {
        return new EmbeddedChannel(new FrameDecoder(TransportLimits.MAX_FRAME_BYTES, counters),
                new ProtobufDecoder(Envelope.getDefaultInstance()));
    }

    private static List<Long> nonces(EmbeddedChannel ch) {
        List<Long> out = new ArrayList<>();
        Object o;
        while ((o = ch.readInbound()) != null) {
            out.add(((Envelope) o).getPing().getNonce());
        }
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void wireFixture() {
        // Envelope{ack: 7, ping: {nonce: 1}} = 10 07 62 02 08 01 (6 bytes)
        byte[] expected = {
            (byte) 0xD5, 0x1E, 0x7A, (byte) 0xC3, // sync marker
            0x00, 0x00, 0x00, 0x06,               // payload length
            0, 0, 0, 0,                           // CRC32C(length bytes + payload), patched below
            0x10, 0x07, 0x62, 0x02, 0x08, 0x01,   // payload
        };
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(expected, 4, 4);
        crc.update(expected, 12, 6);
        int c = (int) crc.getValue();
        expected[8] = (byte) (c >>> 24);
        expected[9] = (byte) (c >>> 16);
        expected[10] = (byte) (c >>> 8);
        expected[11] = (byte) c;
        assertThat(frame(1)).isEqualTo(expected);
    }

    @Test
    void roundTripThroughFullPipeline() {
        EmbeddedChannel out = new EmbeddedChannel(new FrameEncoder(TransportLimits.MAX_FRAME_BYTES, counters), new ProtobufEncoder());
        out.writeOutbound(Envelope.newBuilder().setPing(Ping.newBuilder().setNonce(42)).build());
        EmbeddedChannel in = decoder();
        ByteBuf b;
        while ((b = out.readOutbound()) != null) {
            in.writeInbound(b);
        }
        assertThat(nonces(in)).containsExactly(42L);
    }

    @Test
    void splitAtEveryBytePositionDecodesTheSame() {
        byte[] stream = concat(frame(1), frame(2), frame(3));
        for (int a = 0; a <= stream.length; a++) {
            for (int b = a; b <= stream.length; b += 3) {
                EmbeddedChannel ch = decoder();
                ch.writeInbound(Unpooled.copiedBuffer(stream, 0, a));
                ch.writeInbound(Unpooled.copiedBuffer(stream, a, b - a));
                ch.writeInbound(Unpooled.copiedBuffer(stream, b, stream.length - b));
                assertThat(nonces(ch)).as("split at %d and %d", a, b).containsExactly(1L, 2L, 3L);
                assertThat(ch.finishAndReleaseAll()).isFalse();
            }
        }
        assertThat(counters.bytesSkipped.sum()).isZero();
    }

    @Test
    void oneByteAtATime() {
        byte[] stream = concat(frame(1), frame(2));
        EmbeddedChannel ch = decoder();
        for (byte b : stream) {
            ch.writeInbound(Unpooled.copiedBuffer(new byte[] {b}));
        }
        assertThat(nonces(ch)).containsExactly(1L, 2L);
    }

    @Test
    void garbageBeforeAndBetweenFramesIsSkippedAndCounted() {
        byte[] garbage = "hello, this is not a frame".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        EmbeddedChannel ch = decoder();
        ch.writeInbound(Unpooled.copiedBuffer(concat(garbage, frame(1), garbage, garbage, frame(2))));
        assertThat(nonces(ch)).containsExactly(1L, 2L);
        assertThat(counters.bytesSkipped.sum()).isEqualTo(3L * garbage.length);
    }

    @Test
    void truncatedFrameThenValidFrameRecovers() {
        byte[] f1 = frame(1);
        for (int cut = 1; cut < f1.length; cut++) {
            Counters c = new Counters();
            EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(TransportLimits.MAX_FRAME_BYTES, c),
                    new ProtobufDecoder(Envelope.getDefaultInstance()));
            byte[] truncated = java.util.Arrays.copyOf(f1, cut);
            ch.writeInbound(Unpooled.copiedBuffer(concat(truncated, frame(2), frame(3))));
            assertThat(nonces(ch)).as("cut at %d", cut).containsExactly(2L, 3L);
        }
    }

    @Test
    void tornFrameWithLargeLengthDoesNotSwallowFollowingFrames() {
        // A writer died after the header of a 200 KB frame and 5 bytes of payload.
        java.nio.ByteBuffer torn = java.nio.ByteBuffer.allocate(17);
        torn.putInt(FrameFormat.MAGIC).putInt(200_000).putInt(0).put(new byte[5]);
        EmbeddedChannel ch = decoder();
        ch.writeInbound(Unpooled.copiedBuffer(concat(torn.array(), frame(1))));
        assertThat(nonces(ch)).containsExactly(1L);
        ch.writeInbound(Unpooled.copiedBuffer(frame(2)));
        assertThat(nonces(ch)).containsExactly(2L);
        assertThat(counters.tornFrames.sum()).isEqualTo(1);
        assertThat(counters.bytesSkipped.sum()).isEqualTo(17);
    }

    @Test
    void tornFrameFollowedByFrameArrivingByteByByte() {
        java.nio.ByteBuffer torn = java.nio.ByteBuffer.allocate(15);
        torn.putInt(FrameFormat.MAGIC).putInt(100_000).putInt(0).put(new byte[3]);
        EmbeddedChannel ch = decoder();
        ch.writeInbound(Unpooled.copiedBuffer(torn.array()));
        for (byte b : concat(frame(1), frame(2))) {
            ch.writeInbound(Unpooled.copiedBuffer(new byte[] {b}));
        }
        assertThat(nonces(ch)).containsExactly(1L, 2L);
    }

    @Test
    void oversizedLengthIsSkippedNotAllocated() {
        java.nio.ByteBuffer huge = java.nio.ByteBuffer.allocate(12);
        huge.putInt(FrameFormat.MAGIC).putInt(Integer.MAX_VALUE).putInt(0);
        EmbeddedChannel ch = decoder();
        ch.writeInbound(Unpooled.copiedBuffer(concat(huge.array(), frame(1))));
        assertThat(nonces(ch)).containsExactly(1L);
        assertThat(counters.oversizedLengths.sum()).isEqualTo(1);
        huge = java.nio.ByteBuffer.allocate(12);
        huge.putInt(FrameFormat.MAGIC).putInt(TransportLimits.MAX_FRAME_BYTES + 1).putInt(0);
        ch.writeInbound(Unpooled.copiedBuffer(concat(huge.array(), frame(2))));
        assertThat(nonces(ch)).containsExactly(2L);
    }

    @Test
    void badChecksumIsSkippedAndTheNextFrameDecodes() {
        byte[] bad = frame(1);
        bad[bad.length - 1] ^= 0x01;
        byte[] badLen = frame(5);
        badLen[7] ^= 0x01; // length off by one: the checksum covers it
        EmbeddedChannel ch = decoder();
        ch.writeInbound(Unpooled.copiedBuffer(concat(bad, frame(2), badLen, frame(3))));
        assertThat(nonces(ch)).containsExactly(2L, 3L);
        assertThat(counters.badChecksums.sum()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void unknownFieldsAreKept() {
        // Envelope with field 99 (varint 1) from a newer peer, plus a ping.
        byte[] payload = concat(Envelope.newBuilder().setPing(Ping.newBuilder().setNonce(9)).build().toByteArray(),
                new byte[] {(byte) 0x98, 0x06, 0x01});
        EmbeddedChannel ch = decoder();
        ch.writeInbound(Unpooled.copiedBuffer(frameOf(payload)));
        Envelope e = ch.readInbound();
        assertThat(e.getPing().getNonce()).isEqualTo(9);
        assertThat(e.getUnknownFields().hasField(99)).isTrue();
    }

    @Test
    void checksummedFrameThatIsNotProtobufIsAProtocolError() {
        EmbeddedChannel ch = decoder();
        assertThatThrownBy(() -> ch.writeInbound(Unpooled.copiedBuffer(frameOf(new byte[] {(byte) 0xFF, (byte) 0xFF}))))
                .isInstanceOf(io.netty.handler.codec.DecoderException.class);
    }

    @Test
    void persistentGarbageClosesWithTypedError() {
        EmbeddedChannel ch = decoder();
        Random r = new Random(1);
        byte[] chunk = new byte[64 * 1024];
        assertThatThrownBy(() -> {
            for (int i = 0; i < 32; i++) {
                r.nextBytes(chunk);
                ch.writeInbound(Unpooled.copiedBuffer(chunk.clone()));
            }
        }).isInstanceOf(VmcProtocolException.class)
                .hasMessageContaining("without a valid frame")
                .hasMessageContaining("(" + TransportLimits.MAX_GARBAGE_BYTES + ")");
        // Afterwards everything is discarded; nothing is buffered.
        ch.writeInbound(Unpooled.copiedBuffer(frame(1)));
        assertThat(nonces(ch)).isEmpty();
    }

    @Test
    void randomBytesNeverThrowAnythingButProtocolErrorsAndValidFramesStillDecode() {
        Random r = new Random(42);
        for (int round = 0; round < 200; round++) {
            EmbeddedChannel ch = decoder();
            byte[] noise = new byte[r.nextInt(4096)];
            r.nextBytes(noise);
            if (noise.length > 8 && r.nextBoolean()) {
                int at = r.nextInt(noise.length - 4);
                noise[at] = (byte) 0xD5;
                noise[at + 1] = 0x1E;
                noise[at + 2] = 0x7A;
                noise[at + 3] = (byte) 0xC3;
            }
            ch.writeInbound(Unpooled.copiedBuffer(concat(noise, frame(1), frame(2))));
            List<Long> got = nonces(ch);
            // A fake marker in the noise may promise a long frame that swallows the real ones
            // until a complete frame is seen inside it; then they decode.
            ch.writeInbound(Unpooled.copiedBuffer(frame(3)));
            got.addAll(nonces(ch));
            assertThat(got).contains(3L);
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void encoderRefusesOversizedFrames() {
        EmbeddedChannel enc = new EmbeddedChannel(new FrameEncoder(1024, counters));
        assertThatThrownBy(() -> enc.writeOutbound(Unpooled.copiedBuffer(new byte[1025])))
                .isInstanceOf(EncoderException.class).hasMessageContaining("frame length 1025 exceeds the allowed maximum (1024)");
    }
}
