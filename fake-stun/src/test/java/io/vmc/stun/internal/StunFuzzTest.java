package io.vmc.stun.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.vmc.stun.Rule;
import io.vmc.stun.TranslationTable;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of what fake-stun reads from the network: the message decoder, the
 * responder (as over UDP, from a source that has a translation rule) and the TCP framing. Only
 * {@link StunProtocolException} may come out of the decoder; the responder answers or drops, never
 * throws, and what it answers is a valid STUN message of bounded size with the request's transaction
 * id; the TCP path either answers or closes the connection with a typed error.
 *
 * <p>The normal test run fuzzes for a few seconds (the pom's {@code fuzz} execution sets
 * {@code JAZZER_FUZZ=1}); without it the seeds alone run as regression inputs. Seeds, in
 * {@code src/test/resources/io/vmc/stun/internal/StunFuzzTestInputs/stunInputSurvivesAnything/}:
 * the RFC 5769 request, a binding request with FINGERPRINT, a classic (RFC 3489) request.
 */
class StunFuzzTest {
    private static final InetSocketAddress SOURCE = new InetSocketAddress("10.0.0.5", 40000);
    private static final StunResponder RESPONDER = responder();

    private static StunResponder responder() {
        TranslationTable table = new TranslationTable();
        table.setDynamicRules("fuzz", List.of(Rule.parse("10.0.0.5 -> 203.0.113.9")));
        return new StunResponder(table, "fuzz");
    }

    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "8s")
    void stunInputSurvivesAnything(byte[] data) {
        try {
            StunMessage m = StunMessage.decode(data);
            assertThat(m.attributes().size()).isLessThanOrEqualTo(data.length / 4);
            m.xorMappedAddress();
            m.mappedAddress();
            m.unknownAttributes();
            m.software();
        } catch (StunProtocolException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }

        ByteBuf request = Unpooled.wrappedBuffer(data);
        ByteBuf response = RESPONDER.respond(request, SOURCE, ByteBufAllocator.DEFAULT);
        assertThat(request.readerIndex()).isZero();
        if (response != null) {
            try {
                assertThat(response.readableBytes()).isLessThanOrEqualTo(Stun.MAX_REQUEST_BYTES + 512);
                StunMessage answer = StunMessage.decode(response);
                assertThat(answer.transactionId()).isEqualTo(java.util.Arrays.copyOfRange(data, 8, 20));
            } finally {
                response.release();
            }
        }

        EmbeddedChannel tcp = new EmbeddedChannel(new TcpFrameDecoder(), new TcpHandler(RESPONDER, SOURCE));
        try {
            // a header that cannot be STUN closes the connection (TcpHandler), nothing is thrown
            tcp.writeInbound(Unpooled.wrappedBuffer(data));
            if (tcp.isOpen()) tcp.writeInbound(Unpooled.wrappedBuffer(data));
        } finally {
            tcp.finishAndReleaseAll();
        }
    }
}
