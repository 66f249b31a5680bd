package io.vmc.engine.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Hostile inputs for the inbound DTLS check, on the datagrams of a real handshake. */
@Timeout(30)
class DtlsRecordsTest {
    static Flights flights;

    @BeforeAll
    static void capture() throws Exception {
        flights = Flights.capture();
    }

    static List<byte[]> all() {
        List<byte[]> l = new ArrayList<>(flights.fromClient);
        l.addAll(flights.fromServer);
        return l;
    }

    @Test
    void everyDatagramOfARealHandshakePasses() {
        assertThat(all()).hasSizeGreaterThanOrEqualTo(4);
        for (byte[] d : all()) {
            assertThat(DtlsRecords.check(d, 0, d.length)).isNull();
            byte[] shifted = new byte[d.length + 7];
            System.arraycopy(d, 0, shifted, 7, d.length);
            assertThat(DtlsRecords.check(shifted, 7, d.length)).isNull();
        }
    }

    @Test
    void everyTruncationIsRefusedUnlessItEndsOnARecordBoundary() {
        for (byte[] d : all()) {
            List<Integer> boundaries = recordBoundaries(d);
            for (int cut = 0; cut < d.length; cut++) {
                String why = DtlsRecords.check(d, 0, cut);
                if (boundaries.contains(cut) && cut > 0) assertThat(why).as("cut at boundary %d", cut).isNull();
                else assertThat(why).as("cut at %d of %d", cut, d.length).isNotNull();
            }
        }
    }

    @Test
    void oversizedHandshakeLengthIsRefused() {
        byte[] hello = flights.clientHello();
        int hs = DtlsRecords.RECORD_HEADER_BYTES;
        // claim a 16 MiB ClientHello whose first fragment is the real body: BouncyCastle would allocate 16 MiB for it
        hello[hs + 1] = (byte) 0xff;
        hello[hs + 2] = (byte) 0xff;
        hello[hs + 3] = (byte) 0xff;
        assertThat(DtlsRecords.check(hello, 0, hello.length)).contains("handshake message length 16777215 exceeds the allowed maximum (32768)");
        byte[] justOver = flights.clientHello();
        int len = DtlsRecords.MAX_HANDSHAKE_MESSAGE_BYTES + 1;
        justOver[hs + 1] = (byte) (len >> 16);
        justOver[hs + 2] = (byte) (len >> 8);
        justOver[hs + 3] = (byte) len;
        assertThat(DtlsRecords.check(justOver, 0, justOver.length)).contains("exceeds the allowed maximum");
    }

    @Test
    void badHeadersAreRefused() {
        byte[] h = flights.clientHello();
        byte[] b = h.clone();
        b[0] = 19;
        assertThat(DtlsRecords.check(b, 0, b.length)).contains("unknown content type 19");
        b = h.clone();
        b[0] = 25;
        assertThat(DtlsRecords.check(b, 0, b.length)).contains("connection IDs");
        b = h.clone();
        b[1] = 3; b[2] = 3; // TLS 1.2, not DTLS
        assertThat(DtlsRecords.check(b, 0, b.length)).contains("is not DTLS");
        b = h.clone();
        b[11] = (byte) 0xff; b[12] = (byte) 0xff;
        assertThat(DtlsRecords.check(b, 0, b.length)).contains("exceeds the allowed maximum");
        b = h.clone();
        b[12]++;
        assertThat(DtlsRecords.check(b, 0, b.length)).contains("bytes follow");
        b = h.clone();
        int hs = DtlsRecords.RECORD_HEADER_BYTES;
        b[hs + 6] = 0x10; // fragment_offset far beyond the message
        assertThat(DtlsRecords.check(b, 0, b.length)).contains("beyond its message length");
        byte[] emptyHandshake = Arrays.copyOf(h, DtlsRecords.RECORD_HEADER_BYTES);
        emptyHandshake[11] = 0; emptyHandshake[12] = 0;
        assertThat(DtlsRecords.check(emptyHandshake, 0, emptyHandshake.length)).contains("empty handshake record");
        assertThat(DtlsRecords.check(new byte[0], 0, 0)).contains("shorter than a DTLS record header");
        // a valid datagram after bad ones still passes: the check keeps no state
        assertThat(DtlsRecords.check(h, 0, h.length)).isNull();
    }

    @Test
    void clientHelloRandomIsFoundOnlyInClientHellos() {
        byte[] h = flights.clientHello();
        byte[] r = DtlsRecords.clientHelloRandom(h, 0, h.length);
        assertThat(r).hasSize(32).isEqualTo(Arrays.copyOfRange(h, 13 + 12 + 2, 13 + 12 + 2 + 32));
        for (byte[] s : flights.fromServer) assertThat(DtlsRecords.clientHelloRandom(s, 0, s.length)).isNull();
        for (int cut = 0; cut < 13 + 12 + 34; cut++) assertThat(DtlsRecords.clientHelloRandom(h, 0, cut)).isNull();
    }

    @Test
    void randomBytesNeverThrow() {
        Random rnd = new Random(17);
        int refused = 0;
        for (int i = 0; i < 100_000; i++) {
            byte[] b = new byte[rnd.nextInt(200)];
            rnd.nextBytes(b);
            if (b.length > 0) b[0] = (byte) (20 + rnd.nextInt(44));
            if (b.length > 2 && rnd.nextBoolean()) { b[1] = (byte) 0xfe; b[2] = (byte) 0xfd; }
            if (DtlsRecords.check(b, 0, b.length) != null) refused++;
            DtlsRecords.clientHelloRandom(b, 0, b.length);
        }
        assertThat(refused).isGreaterThan(99_000);
    }

    static List<Integer> recordBoundaries(byte[] d) {
        List<Integer> out = new ArrayList<>();
        int pos = 0;
        while (pos + 13 <= d.length) {
            pos += 13 + DtlsRecords.u16(d, pos + 11);
            out.add(pos);
        }
        return out;
    }
}
