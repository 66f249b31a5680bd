package io.vmc.stun.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.vmc.stun.TranslationTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import static io.vmc.stun.internal.Rfc5769VectorsTest.REQUEST;
import static io.vmc.stun.internal.Rfc5769VectorsTest.TRANSACTION_ID;
import static org.assertj.core.api.Assertions.assertThat;

@Timeout(30)
class TcpFrameDecoderTest {
    EmbeddedChannel channel() {
        return new EmbeddedChannel(new TcpFrameDecoder(), new TcpHandler(new StunResponder(new TranslationTable(), null),
                new java.net.InetSocketAddress("192.0.2.1", 5000)));
    }

    static List<StunMessage> responses(EmbeddedChannel ch) {
        List<StunMessage> out = new ArrayList<>();
        ByteBuf b;
        ByteBuf all = Unpooled.buffer();
        while ((b = ch.readOutbound()) != null) {
            all.writeBytes(b);
            b.release();
        }
        while (all.readableBytes() >= 20) {
            int len = 20 + all.getUnsignedShort(all.readerIndex() + 2);
            out.add(StunMessage.decode(ByteBufUtil.getBytes(all.readSlice(len))));
        }
        assertThat(all.readableBytes()).isZero();
        return out;
    }

    @Test
    void messagesSplitAtEveryBytePositionDecodeTheSame() {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        stream.writeBytes(REQUEST);
        byte[] second = StunMessage.bindingRequest(new byte[12]).encoder().fingerprint(true).toBytes();
        stream.writeBytes(second);
        byte[] bytes = stream.toByteArray();
        for (int split = 0; split <= bytes.length; split++) {
            EmbeddedChannel ch = channel();
            ch.writeInbound(Unpooled.wrappedBuffer(bytes, 0, split));
            ch.writeInbound(Unpooled.wrappedBuffer(bytes, split, bytes.length - split));
            List<StunMessage> r = responses(ch);
            assertThat(r).as("split at %d", split).hasSize(2);
            assertThat(r.get(0).transactionId()).isEqualTo(TRANSACTION_ID);
            assertThat(r.get(1).transactionId()).isEqualTo(new byte[12]);
            assertThat(ch.isOpen()).isTrue();
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void byteByByteDeliveryWorks() {
        EmbeddedChannel ch = channel();
        for (byte b : REQUEST) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        assertThat(responses(ch)).hasSize(1);
        ch.finishAndReleaseAll();
    }

    @Test
    void wrongCookieClosesTheConnection() {
        EmbeddedChannel ch = channel();
        byte[] bad = REQUEST.clone();
        bad[5] ^= 1;
        ch.writeInbound(Unpooled.wrappedBuffer(bad));
        assertThat(ch.isOpen()).isFalse();
        assertThat((Object) ch.readOutbound()).isNull();
        ch.finishAndReleaseAll();
    }

    @Test
    void oversizedOrUnalignedLengthClosesWithoutBuffering() {
        for (int len : new int[] {0xFFFC, Stun.MAX_REQUEST_BYTES, 6}) {
            EmbeddedChannel ch = channel();
            byte[] header = StunMessage.bindingRequest(new byte[12]).toBytes();
            header[2] = (byte) (len >>> 8);
            header[3] = (byte) len;
            ch.writeInbound(Unpooled.wrappedBuffer(header));
            assertThat(ch.isOpen()).as("length %d", len).isFalse();
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void malformedButFramedRequestGets400AndTheNextOneIsAnswered() {
        EmbeddedChannel ch = channel();
        byte[] bad = StunMessage.bindingRequest(new byte[12]).withAttribute(Stun.USERNAME, new byte[4]).toBytes();
        bad[23] = 100; // USERNAME length past the end
        ch.writeInbound(Unpooled.wrappedBuffer(bad), Unpooled.wrappedBuffer(REQUEST));
        List<StunMessage> r = responses(ch);
        assertThat(r).extracting(StunMessage::errorCode).containsExactly(400, -1);
        assertThat(ch.isOpen()).isTrue();
        ch.finishAndReleaseAll();
    }
}
