package io.vmc.stun.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.vmc.stun.TranslationTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** RFC 5769 "Test Vectors for STUN", typed from the RFC; MESSAGE-INTEGRITY and FINGERPRINT recomputed. */
@Timeout(10)
class Rfc5769VectorsTest {
    /** RFC 5769 section 2.1: short-term credential password. */
    static final byte[] SHORT_TERM_PASSWORD = "VOkJxbRl1RmTxUk/WvJxBt".getBytes(StandardCharsets.UTF_8);

    /** RFC 5769 section 2.1, Sample Request. */
    static final byte[] REQUEST = bytes(
            "00 01 00 58", // Request type and message length
            "21 12 a4 42", // Magic cookie
            "b7 e7 a7 01", "bc 34 d6 86", "fa 87 df ae", // Transaction ID
            "80 22 00 10", // SOFTWARE attribute header
            "53 54 55 4e", "20 74 65 73", "74 20 63 6c", "69 65 6e 74", // "STUN test client"
            "00 24 00 04", // PRIORITY attribute header
            "6e 00 01 ff", // ICE priority value
            "80 29 00 08", // ICE-CONTROLLED attribute header
            "93 2f f9 b1", "51 26 3b 36", // pseudo-random tie breaker
            "00 06 00 09", // USERNAME attribute header
            "65 76 74 6a", "3a 68 36 76", "59 20 20 20", // "evtj:h6vY" and padding (3 bytes of 0x20)
            "00 08 00 14", // MESSAGE-INTEGRITY attribute header
            "9a ea a7 0c", "bf d8 cb 56", "78 1e f2 b5", "b2 d3 f2 49", "c1 b5 71 a2", // HMAC-SHA1
            "80 28 00 04", // FINGERPRINT attribute header
            "e5 7a 3b cf"); // CRC32 fingerprint

    /** RFC 5769 section 2.2, Sample IPv4 Response: 192.0.2.1:32853. */
    static final byte[] RESPONSE_IPV4 = bytes(
            "01 01 00 3c", // Response type and message length
            "21 12 a4 42", // Magic cookie
            "b7 e7 a7 01", "bc 34 d6 86", "fa 87 df ae", // Transaction ID
            "80 22 00 0b", // SOFTWARE attribute header
            "74 65 73 74", "20 76 65 63", "74 6f 72 20", // "test vector" and padding 0x20
            "00 20 00 08", // XOR-MAPPED-ADDRESS attribute header
            "00 01 a1 47", // family IPv4, xor'd port
            "e1 12 a6 43", // xor'd IPv4 address
            "00 08 00 14", // MESSAGE-INTEGRITY attribute header
            "2b 91 f5 99", "fd 9e 90 c3", "8c 74 89 f9", "2a f9 ba 53", "f0 6b e7 d7", // HMAC-SHA1
            "80 28 00 04", // FINGERPRINT attribute header
            "c0 7d 4c 96"); // CRC32 fingerprint

    /** RFC 5769 section 2.3, Sample IPv6 Response: [2001:db8:1234:5678:11:2233:4455:6677]:32853. */
    static final byte[] RESPONSE_IPV6 = bytes(
            "01 01 00 48", // Response type and message length
            "21 12 a4 42", // Magic cookie
            "b7 e7 a7 01", "bc 34 d6 86", "fa 87 df ae", // Transaction ID
            "80 22 00 0b", // SOFTWARE attribute header
            "74 65 73 74", "20 76 65 63", "74 6f 72 20", // "test vector" and padding 0x20
            "00 20 00 14", // XOR-MAPPED-ADDRESS attribute header
            "00 02 a1 47", // family IPv6, xor'd port
            "01 13 a9 fa", "a5 d3 f1 79", "bc 25 f4 b5", "be d2 b9 d9", // xor'd IPv6 address
            "00 08 00 14", // MESSAGE-INTEGRITY attribute header
            "a3 82 95 4e", "4b e6 7b f1", "17 84 c9 7c", "82 92 c2 75", "bf e3 ed 41", // HMAC-SHA1
            "80 28 00 04", // FINGERPRINT attribute header
            "c8 fb 0b 4c"); // CRC32 fingerprint

    /** RFC 5769 section 2.4, Sample Request with Long-Term Authentication. */
    static final byte[] REQUEST_LONG_TERM = bytes(
            "00 01 00 60", // Request type and message length
            "21 12 a4 42", // Magic cookie
            "78 ad 34 33", "c6 ad 72 c0", "29 da 41 2e", // Transaction ID
            "00 06 00 12", // USERNAME attribute header
            "e3 83 9e e3", "83 88 e3 83", "aa e3 83 83", "e3 82 af e3", "82 b9 00 00", // username, padding
            "00 15 00 1c", // NONCE attribute header
            "66 2f 2f 34", "39 39 6b 39", "35 34 64 36", "4f 4c 33 34", "6f 4c 39 46", "53 54 76 79",
            "36 34 73 41", // nonce value
            "00 14 00 0b", // REALM attribute header
            "65 78 61 6d", "70 6c 65 2e", "6f 72 67 00", // "example.org" and padding
            "00 08 00 14", // MESSAGE-INTEGRITY attribute header
            "f6 70 24 65", "6d d6 4a 3e", "02 b8 e0 71", "2e 85 c9 a2", "8c a8 96 66"); // HMAC-SHA1

    static final byte[] TRANSACTION_ID = bytes("b7 e7 a7 01", "bc 34 d6 86", "fa 87 df ae");

    static byte[] bytes(String... groups) {
        return ByteBufUtil.decodeHexDump(String.join("", groups).replace(" ", ""));
    }

    @Test
    void sampleRequestDecodesAndItsIntegrityAndFingerprintCheck() {
        StunMessage m = StunMessage.decode(REQUEST); // decode() verifies FINGERPRINT
        assertThat(m.type()).isEqualTo(Stun.BINDING_REQUEST);
        assertThat(m.isClassic()).isFalse();
        assertThat(m.transactionId()).isEqualTo(TRANSACTION_ID);
        assertThat(m.software()).contains("STUN test client");
        assertThat(m.attribute(Stun.USERNAME)).hasValueSatisfying(v -> assertThat(new String(v, StandardCharsets.UTF_8)).isEqualTo("evtj:h6vY"));
        assertThat(m.attribute(Stun.PRIORITY)).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("6e 00 01 ff")));
        assertThat(m.attributes()).extracting(StunAttribute::type).containsExactly(
                Stun.SOFTWARE, Stun.PRIORITY, Stun.ICE_CONTROLLED, Stun.USERNAME, Stun.MESSAGE_INTEGRITY, Stun.FINGERPRINT);
        assertThat(StunMessage.computeMessageIntegrity(REQUEST, SHORT_TERM_PASSWORD))
                .hasValueSatisfying(mac -> assertThat(mac).isEqualTo(m.attribute(Stun.MESSAGE_INTEGRITY).orElseThrow()));
        assertThat(Crc.fingerprint(REQUEST, 0, REQUEST.length - 8)).isEqualTo(Unpooled.wrappedBuffer(REQUEST).getInt(REQUEST.length - 4));
    }

    @Test
    void sampleRequestIsReproducedByteForByteByTheEncoder() {
        StunMessage m = StunMessage.decode(REQUEST);
        List<StunAttribute> body = m.attributes().subList(0, 4); // without MESSAGE-INTEGRITY, FINGERPRINT
        byte[] encoded = new StunMessage(m.type(), m.cookie(), m.transactionId(), body).encoder()
                .padding(0x20).messageIntegrity(SHORT_TERM_PASSWORD).fingerprint(true).toBytes();
        assertThat(encoded).isEqualTo(REQUEST);
    }

    @Test
    void ipv4ResponseDecodesToTheSampleAddress() throws Exception {
        StunMessage m = StunMessage.decode(RESPONSE_IPV4);
        assertThat(m.type()).isEqualTo(Stun.BINDING_SUCCESS);
        assertThat(m.xorMappedAddress()).contains(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853));
        assertThat(m.software()).contains("test vector");
        assertThat(StunMessage.computeMessageIntegrity(RESPONSE_IPV4, SHORT_TERM_PASSWORD))
                .hasValueSatisfying(mac -> assertThat(mac).isEqualTo(m.attribute(Stun.MESSAGE_INTEGRITY).orElseThrow()));
    }

    @Test
    void ipv6ResponseDecodesToTheSampleAddress() throws Exception {
        StunMessage m = StunMessage.decode(RESPONSE_IPV6);
        assertThat(m.xorMappedAddress()).contains(new InetSocketAddress(
                InetAddress.getByName("2001:db8:1234:5678:11:2233:4455:6677"), 32853));
        assertThat(StunMessage.computeMessageIntegrity(RESPONSE_IPV6, SHORT_TERM_PASSWORD))
                .hasValueSatisfying(mac -> assertThat(mac).isEqualTo(m.attribute(Stun.MESSAGE_INTEGRITY).orElseThrow()));
    }

    @Test
    void responsesAreReproducedByteForByteFromTheirAddresses() throws Exception {
        for (var c : List.of(new Object[] {"192.0.2.1", RESPONSE_IPV4},
                new Object[] {"2001:db8:1234:5678:11:2233:4455:6677", RESPONSE_IPV6})) {
            StunMessage header = new StunMessage(Stun.BINDING_SUCCESS, Stun.MAGIC_COOKIE, TRANSACTION_ID, List.of());
            byte[] xma = header.encodeAddress(new InetSocketAddress(InetAddress.getByName((String) c[0]), 32853), true);
            StunMessage m = header.withAttribute(Stun.SOFTWARE, "test vector".getBytes(StandardCharsets.UTF_8))
                    .withAttribute(Stun.XOR_MAPPED_ADDRESS, xma);
            byte[] encoded = m.encoder().padding(0x20).messageIntegrity(SHORT_TERM_PASSWORD).fingerprint(true).toBytes();
            assertThat(encoded).as("%s", c[0]).isEqualTo((byte[]) c[1]);
        }
    }

    @Test
    void longTermRequestIntegrityMatchesTheSaslPreparedKey() throws Exception {
        StunMessage m = StunMessage.decode(REQUEST_LONG_TERM);
        String username = new String(m.attribute(Stun.USERNAME).orElseThrow(), StandardCharsets.UTF_8);
        assertThat(username).isEqualTo("\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9"); // マトリックス
        assertThat(new String(m.attribute(Stun.NONCE).orElseThrow(), StandardCharsets.UTF_8)).isEqualTo("f//499k954d6OL34oL9FSTvy64sA");
        assertThat(new String(m.attribute(Stun.REALM).orElseThrow(), StandardCharsets.UTF_8)).isEqualTo("example.org");
        // Password "The<U+00AD>M<U+00AA>tr<U+2168>x" after SASLprep is "TheMatrIX" (RFC 5769 section 2.4).
        byte[] key = MessageDigest.getInstance("MD5").digest((username + ":example.org:TheMatrIX").getBytes(StandardCharsets.UTF_8));
        assertThat(StunMessage.computeMessageIntegrity(REQUEST_LONG_TERM, key))
                .hasValueSatisfying(mac -> assertThat(mac).isEqualTo(m.attribute(Stun.MESSAGE_INTEGRITY).orElseThrow()));
    }

    @Test
    void serverAnswersTheSampleRequestWithAValidResponse() throws Exception {
        StunResponder responder = new StunResponder(new TranslationTable(), "test vector");
        InetSocketAddress source = new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853);
        ByteBuf out = responder.respond(Unpooled.wrappedBuffer(REQUEST), source, UnpooledByteBufAllocator.DEFAULT);
        byte[] response = ByteBufUtil.getBytes(out);
        out.release();
        StunMessage m = StunMessage.decode(response); // FINGERPRINT verified
        assertThat(m.type()).isEqualTo(Stun.BINDING_SUCCESS);
        assertThat(m.transactionId()).isEqualTo(TRANSACTION_ID);
        assertThat(m.xorMappedAddress()).contains(source);
        assertThat(m.mappedAddress()).contains(source);
        assertThat(m.software()).contains("test vector");
        // Same XOR-MAPPED-ADDRESS bytes as the RFC's sample response.
        assertThat(m.attribute(Stun.XOR_MAPPED_ADDRESS).orElseThrow()).isEqualTo(bytes("00 01 a1 47", "e1 12 a6 43"));
        assertThat(Arrays.copyOfRange(response, 0, 2)).isEqualTo(bytes("01 01"));
    }
}
