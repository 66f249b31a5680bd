package io.vmc.engine.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.engine.sdp.Crypto;
import io.vmc.engine.sdp.MediaDescription;
import io.vmc.engine.sdp.SdpParser;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SdesChoiceTest {
    static final byte[] K1 = key(1);
    static final byte[] K2 = key(2);
    static final byte[] PEER = key(3);

    static byte[] key(int fill) {
        byte[] k = new byte[Crypto.KEY_AND_SALT_BYTES];
        java.util.Arrays.fill(k, (byte) fill);
        return k;
    }

    static MediaDescription audio(String... cryptoLines) throws Exception {
        StringBuilder sdp = new StringBuilder("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
                + "m=audio 4000 RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n");
        for (String c : cryptoLines) sdp.append("a=crypto:").append(c).append("\r\n");
        return SdpParser.parse(sdp.toString()).media().get(0);
    }

    static String line(int tag, String suite, byte[] key) {
        return tag + " " + suite + " inline:" + Base64.getEncoder().encodeToString(key);
    }

    @Test
    void theAnswererTakesTheFirstSupportedLine() throws Exception {
        MediaDescription m = audio("1 AES_256_CM_HMAC_SHA1_80 inline:" + Base64.getEncoder().encodeToString(new byte[46]),
                line(3, Crypto.AES_CM_128_HMAC_SHA1_32, PEER), line(4, Crypto.AES_CM_128_HMAC_SHA1_80, K1));
        Crypto c = SdesChoice.firstSupported(m).orElseThrow();
        assertThat(c.tag()).isEqualTo(3);
        assertThat(c.suite()).isEqualTo(Crypto.AES_CM_128_HMAC_SHA1_32);
        assertThat(c.keyAndSalt()).isEqualTo(PEER);
        assertThat(SdesChoice.firstSupported(audio())).isEmpty();
    }

    @Test
    void theOffererFindsTheLineTheAnswerAcceptedByTagAndSuite() throws Exception {
        List<Crypto> offered = List.of(new Crypto(1, Crypto.AES_CM_128_HMAC_SHA1_80, K1), new Crypto(2, Crypto.AES_CM_128_HMAC_SHA1_32, K2));
        SdesChoice.Answered a = SdesChoice.answered(audio(line(2, Crypto.AES_CM_128_HMAC_SHA1_32, PEER)), offered).orElseThrow();
        assertThat(a.ours().keyAndSalt()).isEqualTo(K2);
        assertThat(a.remote().keyAndSalt()).isEqualTo(PEER);
        // a tag we offered with another suite, or a tag we never offered, is no answer
        assertThat(SdesChoice.answered(audio(line(1, Crypto.AES_CM_128_HMAC_SHA1_32, PEER),
                line(7, Crypto.AES_CM_128_HMAC_SHA1_80, PEER)), offered)).isEmpty();
        assertThat(SdesChoice.answered(audio(), offered)).isEmpty();
    }
}
