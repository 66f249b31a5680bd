package io.vmc.transport.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.protobuf.ProtobufDecoder;
import io.vmc.transport.TransportLimits;
import io.vmc.transport.internal.Counters;
import io.vmc.transport.internal.FrameDecoder;
import io.vmc.transport.internal.FrameEncoder;
import io.vmc.transport.proto.Envelope;
import io.vmc.transport.proto.Ping;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Coverage-guided fuzzing of the frame decoder and Envelope parsing. Whatever the bytes and however
 * they are split: only {@link io.vmc.transport.VmcProtocolException} / {@link DecoderException}
 * escape, the buffered bytes stay bounded, and a valid frame after the noise still decodes unless
 * the decoder gave up on the connection.
 *
 * <p>In the normal test run it fuzzes for 8 seconds: the pom runs it in its own Surefire execution
 * with {@code JAZZER_FUZZ=1}. Seeds live in {@code src/test/resources/.../FrameDecoderFuzzTestInputs};
 * libFuzzer's generated corpus goes to {@code .cifuzz-corpus} (not versioned).
 */
class FrameDecoderFuzzTest {
    private static final int SMALL_MAX = 4096;

    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "8s")
    void decoderSurvivesAnything(FuzzedDataProvider data) {
        fuzzOnce(data);
    }

    /** On demand: {@code JAZZER_FUZZ=1 mvn -pl vmc-transport test -Dtest='FrameDecoderFuzzTest#long*' -Dvmc.fuzz.long=true}. */
    @EnabledIfSystemProperty(named = "vmc.fuzz.long", matches = "true")
    @Timeout(value = 1, unit = TimeUnit.HOURS)
    @FuzzTest(maxDuration = "30m")
    void longDecoderSurvivesAnything(FuzzedDataProvider data) {
        fuzzOnce(data);
    }

    private static void fuzzOnce(FuzzedDataProvider data) {
        Counters counters = new Counters();
        FrameDecoder decoder = new FrameDecoder(SMALL_MAX, 64 * 1024, counters);
        EmbeddedChannel ch = new EmbeddedChannel(decoder, new ProtobufDecoder(Envelope.getDefaultInstance()));
        boolean failed = false;
        try {
            while (data.remainingBytes() > 0 && !failed) {
                int n = data.consumeInt(0, 512);
                byte[] chunk = data.consumeBytes(n);
                try {
                    ch.writeInbound(Unpooled.copiedBuffer(chunk));
                } catch (DecoderException e) {
                    // A typed protocol error: the connection would be closed here.
                    failed = e instanceof io.vmc.transport.VmcProtocolException;
                    if (!failed) {
                        // ProtobufDecoder on a checksummed non-Envelope: equally fatal for the connection.
                        return;
                    }
                }
                drain(ch);
                assertThat(decoder.bufferedBytes()).isLessThanOrEqualTo(SMALL_MAX + 12 + 512);
            }
            if (!failed) {
                long got;
                try {
                    ch.writeInbound(validFrame(0xC0FFEE));
                    got = drain(ch);
                    // The real frame may still sit inside a frame a fake marker promised; a second one
                    // completes any such frame or is found inside it.
                    if (got == 0) {
                        ch.writeInbound(validFrame(0xC0FFEE));
                        got = drain(ch);
                    }
                } catch (DecoderException e) {
                    // A checksummed frame in the noise that is no Envelope (found by the fuzzer: a
                    // 1-byte payload with a matching CRC) surfaces here: fatal for the connection.
                    return;
                }
                assertThat(got).isPositive();
            }
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    private static long drain(EmbeddedChannel ch) {
        long n = 0;
        Object o;
        while ((o = ch.readInbound()) != null) {
            if (o instanceof Envelope e && e.getPing().getNonce() == 0xC0FFEE) {
                n++;
            }
        }
        return n;
    }

    private static ByteBuf validFrame(long nonce) {
        EmbeddedChannel enc = new EmbeddedChannel(new FrameEncoder(TransportLimits.MAX_FRAME_BYTES, new Counters()));
        enc.writeOutbound(Unpooled.wrappedBuffer(Envelope.newBuilder().setPing(Ping.newBuilder().setNonce(nonce)).build().toByteArray()));
        ByteBuf out = Unpooled.buffer();
        ByteBuf b;
        while ((b = enc.readOutbound()) != null) {
            out.writeBytes(b);
            b.release();
        }
        return out;
    }
}
