package io.vmc.engine.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of what the DTLS transport parses from the network and from SDP: the
 * record check, BouncyCastle's handshake behind it (as server and as client, on the calling thread,
 * over whatever datagrams the fuzzer makes), and the {@code a=fingerprint}/{@code a=setup} values.
 * Only typed failures may come out: no other exception, no hang, no completed handshake.
 *
 * <p>The normal test run fuzzes each target for a few seconds (the pom's {@code fuzz} execution sets
 * {@code JAZZER_FUZZ=1}); without it the seeds alone run as regression inputs. Seeds are kept in
 * {@code src/test/resources/io/vmc/engine/internal/transport/DtlsFuzzTestInputs/dtlsInputSurvivesAnything/}:
 * a role byte (even: we are the server), then the datagrams of a real handshake's other side
 * (captured with {@link Flights}), each prefixed by its length (two bytes, big-endian), as
 * {@link #datagrams} reads them; one with a ClientHello claiming 16 MiB; SDP values. libFuzzer's generated corpus goes to {@code .cifuzz-corpus} (not
 * versioned).
 */
class DtlsFuzzTest {
    private static final DtlsCertificate CERT = DtlsCertificate.generate(Instant.now(), new SecureRandom());
    private static final Fingerprint PEER = DtlsCertificate.generate(Instant.now(), new SecureRandom()).fingerprint();
    private static final DtlsSrtpEndpoint ENDPOINT = new DtlsSrtpEndpoint(CERT, SrtpProfile.DEFAULT_PREFERENCE, (b, o, n) -> { },
            new DtlsSrtpEndpoint.Listener() {
                @Override public void onConnected(DtlsSrtpSession session) { }
                @Override public void onFailed(DtlsFailure failure) { }
            }, Duration.ofSeconds(2));

    /**
     * One target (Jazzer fuzzes one per run): the first byte picks our DTLS role, the rest are
     * datagrams; the same bytes also go to the SDP value parsers.
     */
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "10s")
    void dtlsInputSurvivesAnything(byte[] data) {
        if (data.length == 0) return;
        List<byte[]> ds = datagrams(java.util.Arrays.copyOfRange(data, 1, data.length));
        for (byte[] d : ds) checkRecords(d);
        DtlsRole role = (data[0] & 1) == 0 ? DtlsRole.SERVER : DtlsRole.CLIENT;
        long t0 = System.nanoTime();
        DtlsFailure f = ENDPOINT.handshakeOver(role, PEER, ds);
        // no peer holds PEER's key, so nothing completes; it ends at once, with a reason
        assertThat(f).isNotNull();
        assertThat(f.message()).isNotBlank();
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(3));
        sdpValues(new String(data, StandardCharsets.ISO_8859_1));
    }

    private static void checkRecords(byte[] d) {
        String why = DtlsRecords.check(d, 0, d.length);
        if (why == null) {
            // what passes is a whole number of records that fit the datagram
            int pos = 0;
            while (pos < d.length) pos += DtlsRecords.RECORD_HEADER_BYTES + DtlsRecords.u16(d, pos + 11);
            assertThat(pos).isEqualTo(d.length);
        } else {
            assertThat(why).isNotBlank();
        }
        byte[] random = DtlsRecords.clientHelloRandom(d, 0, d.length);
        if (random != null) assertThat(random).hasSize(32);
    }

    private static void sdpValues(String s) {
        try {
            Fingerprint f = Fingerprint.parse(s);
            assertThat(Fingerprint.parse(f.toSdp())).isEqualTo(f);
        } catch (DtlsNegotiationException expected) {
            assertThat(expected.getMessage().length()).isLessThan(400);
        }
        for (boolean inOffer : new boolean[] {true, false}) {
            try {
                DtlsSetup.parse(s, inOffer);
            } catch (DtlsNegotiationException expected) {
                assertThat(expected.getMessage().length()).isLessThan(400);
            }
        }
    }

    /** The fuzzer's bytes as datagrams: a two-byte length, then that many bytes (cut short at the end). */
    static List<byte[]> datagrams(byte[] data) {
        List<byte[]> out = new ArrayList<>();
        int pos = 0;
        while (pos + 2 <= data.length && out.size() < 64) {
            int n = Math.min((data[pos] & 0xff) << 8 | (data[pos + 1] & 0xff), data.length - pos - 2);
            out.add(java.util.Arrays.copyOfRange(data, pos + 2, pos + 2 + n));
            pos += 2 + n;
        }
        return out;
    }
}
