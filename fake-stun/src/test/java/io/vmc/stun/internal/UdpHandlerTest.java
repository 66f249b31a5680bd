package io.vmc.stun.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.vmc.stun.Rule;
import io.vmc.stun.TranslationTable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.vmc.stun.internal.Rfc5769VectorsTest.REQUEST;
import static io.vmc.stun.internal.Rfc5769VectorsTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;

/** Request handling and hostile input, one EmbeddedChannel per test. */
@Timeout(30)
class UdpHandlerTest {
    static final InetSocketAddress CLIENT = new InetSocketAddress(addr("10.0.0.5"), 40000);
    static final InetSocketAddress SERVER = new InetSocketAddress(addr("10.0.0.1"), 3478);
    static final byte[] TID = bytes("01 02 03 04 05 06 07 08 09 0a 0b 0c");

    final TranslationTable table = new TranslationTable();
    final StunResponder responder = new StunResponder(table, "fake-stun test");
    final EmbeddedChannel ch = new EmbeddedChannel(new UdpHandler(responder));

    @AfterEach
    void close() {
        assertThat(ch.finishAndReleaseAll()).as("no response left unread").isFalse();
    }

    static InetAddress addr(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends one datagram; returns the decoded response or null if none. */
    StunMessage exchange(byte[] request, InetSocketAddress from) {
        ch.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(request), SERVER, from));
        DatagramPacket out = ch.readOutbound();
        if (out == null) {
            return null;
        }
        try {
            assertThat(out.recipient()).isEqualTo(from);
            return StunMessage.decode(ByteBufUtil.getBytes(out.content()));
        } finally {
            out.release();
        }
    }

    StunMessage exchange(byte[] request) {
        return exchange(request, CLIENT);
    }

    static byte[] binding(boolean fingerprint) {
        return StunMessage.bindingRequest(TID).encoder().fingerprint(fingerprint).toBytes();
    }

    static byte[] classicBinding(byte[] tid16) {
        byte[] m = new byte[20];
        m[1] = 1;
        System.arraycopy(tid16, 0, m, 4, 16);
        return m;
    }

    @Test
    void bindingGetsObservedAddressSoftwareAndFingerprint() {
        StunMessage r = exchange(binding(true));
        assertThat(r.type()).isEqualTo(Stun.BINDING_SUCCESS);
        assertThat(r.transactionId()).isEqualTo(TID);
        assertThat(r.xorMappedAddress()).contains(CLIENT);
        assertThat(r.mappedAddress()).contains(CLIENT);
        assertThat(r.software()).contains("fake-stun test");
        assertThat(r.attributes().get(r.attributes().size() - 1).type()).isEqualTo(Stun.FINGERPRINT);
        assertThat(responder.answered()).isEqualTo(1);
    }

    @Test
    void bindingWithoutFingerprintIsAnswered() {
        assertThat(exchange(binding(false)).xorMappedAddress()).contains(CLIENT);
    }

    @Test
    void ipv6SourceGetsIpv6Address() {
        InetSocketAddress v6 = new InetSocketAddress(addr("2001:db8::42"), 5060);
        StunMessage r = exchange(binding(true), v6);
        assertThat(r.xorMappedAddress()).contains(v6);
        assertThat(r.mappedAddress()).contains(v6);
    }

    @Test
    void translationRuleReplacesAddressAndKeepsOrFixesPort() {
        table.setFileRules(List.of(Rule.parse("10.0.0.0/24:40000-40009 -> 192.0.2.10"),
                Rule.parse("10.0.0.0/24 -> [2001:db8::7]:3000")));
        assertThat(exchange(binding(true)).xorMappedAddress()).contains(new InetSocketAddress(addr("192.0.2.10"), 40000));
        StunMessage r = exchange(binding(true), new InetSocketAddress(addr("10.0.0.9"), 50000));
        assertThat(r.xorMappedAddress()).contains(new InetSocketAddress(addr("2001:db8::7"), 3000));
        assertThat(r.mappedAddress()).contains(new InetSocketAddress(addr("2001:db8::7"), 3000));
        assertThat(exchange(binding(true), new InetSocketAddress(addr("10.0.1.9"), 40000)).xorMappedAddress())
                .contains(new InetSocketAddress(addr("10.0.1.9"), 40000));
    }

    @Test
    void classicRfc3489ClientGetsMappedAddressOnly() {
        byte[] tid16 = bytes("11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff 00");
        StunMessage r = exchange(classicBinding(tid16));
        assertThat(r.type()).isEqualTo(Stun.BINDING_SUCCESS);
        assertThat(r.isClassic()).isTrue();
        assertThat(r.cookie()).isEqualTo(0x11223344);
        assertThat(r.mappedAddress()).contains(CLIENT);
        assertThat(r.attributes()).extracting(StunAttribute::type).containsExactly(Stun.MAPPED_ADDRESS);
    }

    @Test
    void classicChangeRequestWithoutFlagsIsAnsweredWithFlagsIs420() {
        byte[] tid16 = bytes("11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff 00");
        StunMessage noChange = new StunMessage(1, 0x11223344, Arrays.copyOfRange(tid16, 4, 16), List.of())
                .withAttribute(Stun.CHANGE_REQUEST, new byte[4]);
        assertThat(exchange(noChange.toBytes()).mappedAddress()).contains(CLIENT);
        StunMessage change = new StunMessage(1, 0x11223344, Arrays.copyOfRange(tid16, 4, 16), List.of())
                .withAttribute(Stun.CHANGE_REQUEST, bytes("00 00 00 06"));
        StunMessage r = exchange(change.toBytes());
        assertThat(r.type()).isEqualTo(Stun.BINDING_ERROR);
        assertThat(r.errorCode()).isEqualTo(420);
        // RFC 3489: an odd list is made even by repeating an entry.
        assertThat(r.unknownAttributes()).containsExactly(Stun.CHANGE_REQUEST, Stun.CHANGE_REQUEST);
    }

    @Test
    void unknownComprehensionRequiredAttributesGet420ListingThem() {
        byte[] req = StunMessage.bindingRequest(TID).withAttribute(0x7F01, new byte[3])
                .withAttribute(Stun.SOFTWARE, new byte[2]).withAttribute(0x0019, new byte[4])
                .withAttribute(0xC001, new byte[1]).withAttribute(Stun.RESPONSE_ADDRESS, new byte[8])
                .encoder().fingerprint(true).toBytes();
        StunMessage r = exchange(req);
        assertThat(r.type()).isEqualTo(Stun.BINDING_ERROR);
        assertThat(r.transactionId()).isEqualTo(TID);
        assertThat(r.errorCode()).isEqualTo(420);
        assertThat(r.unknownAttributes()).containsExactly(0x7F01, 0x0019, Stun.RESPONSE_ADDRESS);
        assertThat(r.attributes().get(r.attributes().size() - 1).type()).isEqualTo(Stun.FINGERPRINT);
    }

    @Test
    void unknownAttributeListIsCappedAtTheLimit() {
        StunMessage m = StunMessage.bindingRequest(TID);
        for (int i = 0; i < 40; i++) {
            m = m.withAttribute(0x7000 + i, new byte[0]);
        }
        StunMessage r = exchange(m.toBytes());
        assertThat(r.errorCode()).isEqualTo(420);
        assertThat(r.unknownAttributes()).hasSize(Stun.MAX_UNKNOWN_ATTRIBUTES).startsWith(0x7000, 0x7001);
    }

    @Test
    void optionalUnknownAttributesAndIceAndCredentialsAreIgnored() {
        byte[] req = StunMessage.bindingRequest(TID).withAttribute(0xC0DE, new byte[7])
                .withAttribute(Stun.PRIORITY, new byte[4]).withAttribute(Stun.ICE_CONTROLLING, new byte[8])
                .withAttribute(Stun.USE_CANDIDATE, new byte[0]).withAttribute(Stun.USERNAME, "a:b".getBytes())
                .encoder().messageIntegrity(new byte[] {1, 2, 3}).fingerprint(true).toBytes();
        assertThat(exchange(req).xorMappedAddress()).contains(CLIENT);
    }

    @Test
    void unknownAttributesAfterMessageIntegrityAreIgnored() {
        byte[] req = StunMessage.bindingRequest(TID).withAttribute(Stun.MESSAGE_INTEGRITY, new byte[20])
                .withAttribute(0x7F01, new byte[4]).toBytes();
        assertThat(exchange(req).type()).isEqualTo(Stun.BINDING_SUCCESS);
    }

    @Test
    void otherMethodsGet400() {
        byte[] allocate = new StunMessage(0x0003, Stun.MAGIC_COOKIE, TID, List.of()).encoder().fingerprint(true).toBytes();
        StunMessage r = exchange(allocate);
        assertThat(r.type()).isEqualTo(0x0113);
        assertThat(r.errorCode()).isEqualTo(400);
        assertThat(r.errorReason()).contains("Binding");
    }

    @Test
    void attributePastTheEndGets400WithCookieAndNothingWithout() {
        byte[] req = binding(false);
        byte[] bad = Arrays.copyOf(req, 28);
        bad[3] = 8;
        bad[20] = 0x00; bad[21] = 0x06; // USERNAME
        bad[22] = 0x00; bad[23] = 0x09; // 9 bytes (12 padded) where 4 remain
        StunMessage r = exchange(bad);
        assertThat(r.errorCode()).isEqualTo(400);
        assertThat(r.errorReason()).contains("past the end");
        assertThat(r.transactionId()).isEqualTo(TID);
        bad[4] = 0x55; // no magic cookie: an RFC 3489 message, too weak a signal to answer
        assertThat(exchange(bad)).isNull();
    }

    @Test
    void fingerprintNotLastGets400() {
        byte[] req = StunMessage.bindingRequest(TID).withAttribute(Stun.FINGERPRINT, new byte[4])
                .withAttribute(Stun.SOFTWARE, new byte[4]).toBytes();
        assertThat(exchange(req).errorCode()).isEqualTo(400);
    }

    @Test
    void zeroLengthAttributeIsWellFormed() {
        // A truncated attribute header cannot pass the length checks (length % 4 == 0), so the shortest
        // attribute, a bare header, must be accepted.
        byte[] req = Arrays.copyOf(binding(false), 24);
        req[3] = 4;
        req[20] = (byte) 0x80;
        req[21] = 0x22; // SOFTWARE, 0 bytes
        assertThat(exchange(req).type()).isEqualTo(Stun.BINDING_SUCCESS);
    }

    @Test
    void wrongFingerprintIsDropped() {
        byte[] req = binding(true);
        req[req.length - 1] ^= 1;
        assertThat(exchange(req)).isNull();
        assertThat(responder.dropped()).isEqualTo(1);
    }

    @Test
    void rfc5769RequestWithWrongCookieIsDropped() {
        for (int i = 4; i < 8; i++) {
            byte[] req = REQUEST.clone();
            req[i] ^= 0x10;
            assertThat(exchange(req)).as("cookie byte %d", i).isNull();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0x0011, 0x0101, 0x0111, 0x0115, 0x4001, 0x8001, 0xC001})
    void indicationsResponsesAndTopBitsAreDropped(int type) {
        byte[] req = binding(false);
        req[0] = (byte) (type >>> 8);
        req[1] = (byte) type;
        assertThat(exchange(req)).isNull();
    }

    @Test
    void truncatedMessagesAtEveryLengthAreDropped() {
        byte[] req = REQUEST;
        for (int len = 0; len < req.length; len++) {
            assertThat(exchange(Arrays.copyOf(req, len))).as("first %d bytes", len).isNull();
        }
        assertThat(responder.dropped()).isEqualTo(req.length);
        assertThat(exchange(req).type()).as("a valid message after bad ones").isEqualTo(Stun.BINDING_SUCCESS);
    }

    @Test
    void lengthFieldMismatchOrNotMultipleOf4IsDropped() {
        for (int len : new int[] {1, 2, 3, 5, 0x54, 0x5c, 0xFFFC, 0xFFFF}) {
            byte[] req = REQUEST.clone();
            req[2] = (byte) (len >>> 8);
            req[3] = (byte) len;
            assertThat(exchange(req)).as("length %d", len).isNull();
        }
        byte[] padded = Arrays.copyOf(binding(false), 23); // 3 trailing bytes, length field 0
        assertThat(exchange(padded)).isNull();
    }

    @Test
    void datagramsOfAnySizeUpTo64KiBAreDroppedIfNotStun() {
        for (int size : new int[] {Stun.MAX_REQUEST_BYTES + 4, 1 << 15, 65507, 65535}) {
            byte[] big = new byte[size];
            System.arraycopy(binding(false), 0, big, 0, 20);
            int len = Math.min(size - 20, 0xFFFF) & ~3;
            big[2] = (byte) (len >>> 8);
            big[3] = (byte) len;
            assertThat(exchange(big)).as("%d bytes", size).isNull();
        }
    }

    @Test
    void randomBytesNeverGetAnAnswerNorThrow() {
        Random rnd = new Random(7);
        for (int i = 0; i < 100_000; i++) {
            byte[] junk = new byte[rnd.nextInt(200)];
            rnd.nextBytes(junk);
            if (i % 3 == 0 && junk.length >= 20) {
                junk[0] &= 0x3F; // look more like STUN to reach deeper checks
                junk[1] = 1;
                int len = junk.length - 20;
                junk[2] = (byte) (len >>> 8);
                junk[3] = (byte) len;
            }
            StunMessage r = exchange(junk);
            if (r != null) {
                // Only possible when the bytes form a syntactically valid request: check that.
                assertThat(junk.length % 4).isZero();
                assertThat(r.transactionId()).isEqualTo(Arrays.copyOfRange(junk, 8, 20));
            }
        }
    }

    @Test
    void mutatedValidRequestsNeverThrowAndAnswerOnlyConsistentHeaders() {
        Random rnd = new Random(11);
        for (int i = 0; i < 50_000; i++) {
            byte[] req = REQUEST.clone();
            int flips = 1 + rnd.nextInt(4);
            for (int f = 0; f < flips; f++) {
                req[rnd.nextInt(req.length)] ^= (byte) (1 << rnd.nextInt(8));
            }
            StunMessage r = exchange(req);
            if (r != null) {
                ByteBuf b = Unpooled.wrappedBuffer(req);
                assertThat(b.getUnsignedShort(2)).isEqualTo(req.length - 20);
                assertThat(b.getUnsignedShort(0) & Stun.CLASS_MASK).isEqualTo(Stun.CLASS_REQUEST);
            }
        }
    }

    @Test
    void anOverloadedSocketShedsRequestsInsteadOfQueueingAnswersWithoutBound() {
        UdpHandler handler = new UdpHandler(responder);
        EmbeddedChannel slow = new EmbeddedChannel(handler);
        int highWater = 4096;
        slow.config().setWriteBufferWaterMark(new io.netty.channel.WriteBufferWaterMark(highWater / 2, highWater));
        int requests = 1000;
        Object[] batch = new Object[requests];
        for (int i = 0; i < requests; i++) {
            batch[i] = new DatagramPacket(Unpooled.wrappedBuffer(binding(true)), SERVER, CLIENT);
        }
        // One read batch: answers are written, and flushed only when the batch is complete, as with recvmmsg.
        slow.writeInbound(batch);
        int answers = 0;
        long bytes = 0;
        for (DatagramPacket out; (out = slow.readOutbound()) != null; out.release()) {
            answers++;
            bytes += out.content().readableBytes();
        }
        long perAnswer = bytes / Math.max(1, answers);
        assertThat(handler.shed()).as("shed").isPositive().isEqualTo(requests - answers);
        assertThat(bytes).as("answer bytes queued in one batch").isLessThanOrEqualTo(highWater + perAnswer);
        // Once the queue has drained, the socket answers again.
        slow.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(binding(true)), SERVER, CLIENT));
        DatagramPacket again = slow.readOutbound();
        assertThat(again).as("answer after the queue drained").isNotNull();
        again.release();
        assertThat(slow.finishAndReleaseAll()).isFalse();
    }
}
