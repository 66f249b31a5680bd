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
        assertThat(dominantFrequency(plain)).isCloseTo(440, within(3.0));
        assertThat(toneShare(plain, 440)).as("share of the signal's power at 440 Hz, plain").isGreaterThan(0.5);

        assertThat(srtp).allSatisfy(p -> assertThat(p).hasSize(12 + 160 + 10));
        // encrypted payloads are noise: the tone's share is about 2/N (1e-4), a plain tone's is ~1
        assertThat(toneShare(srtp, 440)).as("share of the power at 440 Hz, SRTP").isLessThan(0.01);
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

    private static short[] pcmOf(List<byte[]> packets) {
        ByteArrayOutputStream ulaw = new ByteArrayOutputStream();
        for (byte[] p : packets) ulaw.write(p, 12, 160);
        byte[] u = ulaw.toByteArray();
        short[] pcm = new short[u.length];
        for (int i = 0; i < u.length; i++) pcm[i] = ulawToLinear(u[i]);
        return pcm;
    }

    private static double dominantFrequency(List<byte[]> packets) {
        return ToneAnalyzer.dominantFrequency(pcmOf(packets), 8000);
    }

    /** Power of the {@code hz} component over the total power (1 for a pure tone, ~2/N for noise). */
    private static double toneShare(List<byte[]> packets, double hz) {
        short[] x = pcmOf(packets);
        double re = 0;
        double im = 0;
        double total = 0;
        for (int n = 0; n < x.length; n++) {
            double w = 2 * Math.PI * hz * n / 8000;
            re += x[n] * Math.cos(w);
            im -= x[n] * Math.sin(w);
            total += (double) x[n] * x[n];
        }
        return total == 0 ? 0 : 2 * (re * re + im * im) / ((double) x.length * total);
    }

    /** ITU-T G.711 mu-law expansion. */
    private static short ulawToLinear(byte b) {
        int u = ~b & 0xff;
        int t = ((u & 0x0f) << 3) + 0x84;
        t <<= (u & 0x70) >> 4;
        return (short) ((u & 0x80) != 0 ? 0x84 - t : t - 0x84);
    }
}
