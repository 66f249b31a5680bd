package io.vmc.engine.sdp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SdpParserTest {
    /** An offer as a SIP phone (baresip 1.0) sends it: plain RTP, no ICE, static and dynamic types. */
    static final String SIP_OFFER = String.join("\r\n",
            "v=0",
            "o=- 1419437406 3591454431 IN IP4 127.0.0.1",
            "s=-",
            "c=IN IP4 127.0.0.1",
            "t=0 0",
            "m=audio 10304 RTP/AVP 96 0 8 101",
            "b=AS:64",
            "a=rtpmap:96 opus/48000/2",
            "a=fmtp:96 stereo=1;sprop-stereo=1",
            "a=rtpmap:101 telephone-event/8000",
            "a=fmtp:101 0-15",
            "a=ptime:20",
            "a=sendrecv",
            "") ;

    static final String ICE_OFFER = String.join("\r\n",
            "v=0",
            "o=vmc 42 1 IN IP4 127.0.0.1",
            "s=vmc",
            "t=0 0",
            "m=audio 40000 RTP/SAVP 111 0",
            "c=IN IP4 127.0.0.1",
            "a=mid:0",
            "a=rtcp-mux",
            "a=ice-ufrag:abcd",
            "a=ice-pwd:0123456789abcdefghijklmn",
            "a=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host",
            "a=candidate:2 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active",
            "a=candidate:3 1 udp 2130706431 abcd-1234.local 40002 typ host",
            "a=rtpmap:111 opus/48000/2",
            "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4",
            "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20",
            "a=crypto:3 AEAD_AES_256_GCM inline:AAAA",
            "a=sendonly",
            "");

    @Test
    void parsesAPlainSipOffer() throws Exception {
        SessionDescription d = SdpParser.parse(SIP_OFFER);
        MediaDescription m = d.media().get(0);
        assertThat(m.port()).isEqualTo(10304);
        assertThat(m.isSecure()).isFalse();
        assertThat(d.connection(m).address()).isEqualTo("127.0.0.1");
        assertThat(m.rtpMaps()).containsKeys(96, 0, 8, 101);
        assertThat(m.rtpMaps().get(0).encoding()).isEqualTo("PCMU");
        assertThat(m.rtpMaps().get(96).clockRate()).isEqualTo(48000);
        assertThat(m.fmtp(101)).isEqualTo("0-15");
        assertThat(d.direction(m)).isEqualTo(Direction.SENDRECV);
        assertThat(m.hasAttribute("ice-ufrag")).isFalse();
    }

    @Test
    void parsesIceAndCrypto() throws Exception {
        SessionDescription d = SdpParser.parse(ICE_OFFER);
        MediaDescription m = d.media().get(0);
        assertThat(d.direction(m)).isEqualTo(Direction.SENDONLY);
        assertThat(m.attributes("candidate")).hasSize(3);
        assertThat(SdpParser.parseCandidate(m.attributes("candidate").get(0))).get()
                .satisfies(c -> {
                    assertThat(c.port()).isEqualTo(40000);
                    assertThat(c.type()).isEqualTo("host");
                });
        assertThat(SdpParser.parseCandidate(m.attributes("candidate").get(1))).isEmpty(); // tcp ignored
        assertThat(SdpParser.parseCandidate(m.attributes("candidate").get(2))).isEmpty(); // mDNS ignored
        assertThat(SdpParser.parseCrypto(m.attributes("crypto").get(0))).isNull(); // MKI unsupported
        assertThat(SdpParser.parseCrypto(m.attributes("crypto").get(1))).isNotNull();
        assertThat(SdpParser.parseCrypto(m.attributes("crypto").get(2))).isNull(); // other suite
    }

    @Test
    void generatedSdpParsesBack() throws Exception {
        SessionDescription d = SdpParser.parse(ICE_OFFER);
        SessionDescription again = SdpParser.parse(d.toString());
        assertThat(again.toString()).isEqualTo(d.toString());
        assertThat(d.toString()).contains("\r\n").doesNotContain("\n\n");
    }

    @Test
    void acceptsBareLineFeeds() throws Exception {
        assertThat(SdpParser.parse(SIP_OFFER.replace("\r\n", "\n")).media()).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "x",
        "v=1\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n",
        "o=- 1 1 IN IP4 1.2.3.4\r\nv=0\r\n",
        "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 70000 RTP/AVP 0\r\nc=IN IP4 1.2.3.4\r\n",
        "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 5000 RTP/AVP 128\r\nc=IN IP4 1.2.3.4\r\n",
        "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 5000 RTP/AVP -1\r\nc=IN IP4 1.2.3.4\r\n",
        "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 5000 RTP/AVP 99999999999999999999999\r\nc=IN IP4 1.2.3.4\r\n",
        "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\nc=IN IP4 evil.example.com\r\n",
        "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\nc=IN IP4 224.2.1.1/127\r\n",
        "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n",
        "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 5000 RTP/AVP 96\r\nc=IN IP4 1.2.3.4\r\na=rtpmap:96 opus/0\r\n",
        "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 5000 RTP/AVP 96\r\nc=IN IP4 1.2.3.4\r\na=rtpmap:96 op us/48000\r\n",
        "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 5000 RTP/SAVP 0\r\nc=IN IP4 1.2.3.4\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:c2hvcnQ=\r\n",
        "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\nc=IN IP4 1.2.3.4\r\na=candidate:1 1 udp 1 1.2.3.4 5 typ nonsense\r\n",
        "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\nc=IN IP4 1.2.3.4\r\na=ice-pwd:short\r\n",
        "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\nc=IN IP4 1.2.3.4\r\na=ptime:0\r\n",
        "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nq=what\r\n",
        "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\na=tool:\u0000evil\r\n",
    })
    void rejectsBrokenSdpWithAClearMessage(String sdp) {
        assertThatThrownBy(() -> SdpParser.parse(sdp)).isInstanceOf(SdpParseException.class)
                .hasMessageStartingWith("SDP");
    }

    @Test
    void errorsNameTheLine() {
        String bad = SIP_OFFER.replace("a=ptime:20", "a=ptime:abc");
        assertThatThrownBy(() -> SdpParser.parse(bad)).hasMessageContaining("line 12").hasMessageContaining("a=ptime");
    }

    @Test
    void refusesOversizedDocumentsAndFloods() {
        StringBuilder big = new StringBuilder(SIP_OFFER);
        while (big.length() <= SdpParser.MAX_SDP_BYTES) big.append("a=x-pad:").append("y".repeat(500)).append("\r\n");
        assertThatThrownBy(() -> SdpParser.parse(big.toString())).hasMessageContaining("exceeds the allowed maximum");

        StringBuilder flood = new StringBuilder(ICE_OFFER);
        for (int i = 0; i < SdpParser.MAX_CANDIDATES; i++) {
            flood.append("a=candidate:").append(i + 10).append(" 1 udp 1 10.0.0.1 ").append(1000 + i).append(" typ host\r\n");
        }
        assertThatThrownBy(() -> SdpParser.parse(flood.toString())).hasMessageContaining("candidates");

        assertThatThrownBy(() -> SdpParser.parse(SIP_OFFER.replace("a=ptime:20", "a=tool:" + "z".repeat(2000))))
                .hasMessageContaining("exceeds the allowed maximum");
        StringBuilder media = new StringBuilder("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\n");
        for (int i = 0; i <= SdpParser.MAX_MEDIA; i++) media.append("m=audio 5000 RTP/AVP 0\r\n");
        assertThatThrownBy(() -> SdpParser.parse(media.toString())).hasMessageContaining("media sections");
    }

    @Test
    void truncationAtEveryPositionNeverThrowsAnythingElse() {
        for (int i = 0; i < ICE_OFFER.length(); i++) {
            String t = ICE_OFFER.substring(0, i);
            try {
                SdpParser.parse(t);
            } catch (SdpParseException expected) {
                // fine: a clear error
            }
        }
    }

    @Test
    void randomBytesAndMutationsNeverThrowAnythingElse() {
        Random r = new Random(7);
        for (int n = 0; n < 3000; n++) {
            char[] c = ICE_OFFER.toCharArray();
            int flips = 1 + r.nextInt(8);
            for (int k = 0; k < flips; k++) c[r.nextInt(c.length)] = (char) r.nextInt(256);
            try {
                SdpParser.parse(new String(c));
            } catch (SdpParseException expected) {
                // fine
            }
        }
        for (int n = 0; n < 500; n++) {
            byte[] b = new byte[r.nextInt(400)];
            r.nextBytes(b);
            try {
                SdpParser.parse("v=0\r\n" + new String(b, java.nio.charset.StandardCharsets.ISO_8859_1));
            } catch (SdpParseException expected) {
                // fine
            }
        }
    }

    @Test
    void candidateParserRejectsGarbage() {
        assertThatThrownBy(() -> SdpParser.parseCandidate("1 1 udp 1 evil.example.com 5000 typ host"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an IP literal");
        assertThatThrownBy(() -> SdpParser.parseCandidate("1 1 udp 1 1.2.3.4 70000 typ host"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SdpParser.parseCandidate("1 1 udp")).isInstanceOf(IllegalArgumentException.class);
        assertThat(SdpParser.parseCandidate("candidate:1 1 UDP 2130706431 ::1 5000 typ host")).isPresent();
    }
}
