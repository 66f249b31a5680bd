package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.vmc.engine.media.ToneAnalyzer;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Captures the engine's packets on the wire with tshark. With plain RTP the PCMU payloads, decoded
 * as G.711, contain the 440 Hz tone (which proves the method); with the default SRTP they do not,
 * and every packet carries the 10-byte HMAC-SHA1-80 tag.
 */
class WireEncryptionTest {
    @TempDir Path dirA;
    @TempDir Path dirB;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void payloadsOnTheWireAreEncryptedByDefault() throws Exception {
        Tools.require("tshark");
        List<byte[]> plain = capture(SessionOptions.SrtpPolicy.SRTP_DISABLED);
        List<byte[]> srtp = capture(SessionOptions.SrtpPolicy.SRTP_REQUIRED);

        assertThat(plain).allSatisfy(p -> assertThat(p).hasSize(12 + 160));
        assertThat(toneOf(plain)).isCloseTo(440, within(3.0));

        assertThat(srtp).allSatisfy(p -> assertThat(p).hasSize(12 + 160 + 10));
        double f = toneOf(srtp);
        assertThat(Math.abs(f - 440)).as("dominant frequency of encrypted payloads: %s", f).isGreaterThan(10);
        // the RTP header stays in clear (RFC 3711), the payload bytes do not repeat the plain ones
        assertThat(srtp.get(0)[0] & 0xc0).isEqualTo(0x80);
    }

    private List<byte[]> capture(SessionOptions.SrtpPolicy policy) throws Exception {
        try (TestEngine a = new TestEngine(440, dirA); TestEngine b = new TestEngine(880, dirB)) {
            String sa = a.createSession(SessionOptions.newBuilder().addAudioCodecs("PCMU").setSrtp(policy));
            String sb = b.createSession(SessionOptions.newBuilder().addAudioCodecs("PCMU").setSrtp(policy));
            String offer = a.offer(sa);
            int port = a.engine.localMediaAddress(sa).getPort();
            try (WireCapture cap = new WireCapture("udp src port " + port)) {
                a.setAnswer(sa, b.answer(sb, offer));
                a.awaitState(sa, SessionState.State.CONNECTED);
                await().atMost(Duration.ofSeconds(20)).until(() -> rtp(cap.payloads).size() >= 120);
                assertThat(a.stats(sa).getEncrypted()).isEqualTo(policy != SessionOptions.SrtpPolicy.SRTP_DISABLED);
                return rtp(cap.payloads);
            }
        }
    }

    /** RTP packets with payload type 0 (PCMU), skipping STUN and RTCP. */
    private static List<byte[]> rtp(List<byte[]> all) {
        return all.stream().filter(p -> p.length >= 12 && (p[0] & 0xc0) == 0x80 && (p[1] & 0x7f) == 0).toList();
    }

    private static double toneOf(List<byte[]> packets) {
        ByteArrayOutputStream ulaw = new ByteArrayOutputStream();
        for (byte[] p : packets) ulaw.write(p, 12, 160);
        byte[] u = ulaw.toByteArray();
        short[] pcm = new short[u.length];
        for (int i = 0; i < u.length; i++) pcm[i] = ulawToLinear(u[i]);
        return ToneAnalyzer.dominantFrequency(pcm, 8000);
    }

    /** ITU-T G.711 mu-law expansion. */
    private static short ulawToLinear(byte b) {
        int u = ~b & 0xff;
        int t = ((u & 0x0f) << 3) + 0x84;
        t <<= (u & 0x70) >> 4;
        return (short) ((u & 0x80) != 0 ? 0x84 - t : t - 0x84);
    }
}
