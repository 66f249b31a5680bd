package io.vmc.engine.internal.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmc.engine.internal.transport.DtlsNegotiationException;
import io.vmc.engine.internal.transport.DtlsSetup;
import io.vmc.engine.sdp.SdpParser;
import io.vmc.engine.sdp.SessionDescription;
import org.junit.jupiter.api.Test;

class DtlsTermsTest {
    static final String FP = "sha-256 1D:A0:3A:DF:75:CC:4F:E3:2C:7D:94:D2:C8:FF:CA:9A:6D:89:73:03:EB:D9:CF:97:68:28:BD:0B:72:54:F1:FB";

    private static SessionDescription sdp(String session, String media) throws Exception {
        return SdpParser.parse("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n" + session
                + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 127.0.0.1\r\n" + media + "a=rtpmap:111 opus/48000/2\r\n");
    }

    private static DtlsTerms terms(String session, String media, boolean offer) throws Exception {
        SessionDescription s = sdp(session, media);
        return DtlsTerms.of(s, s.media().get(0), offer);
    }

    @Test
    void mediaLevelFirstThenSessionLevel() throws Exception {
        DtlsTerms t = terms("a=fingerprint:" + FP + "\r\n", "a=setup:actpass\r\na=tls-id:abc\r\n", true);
        assertThat(t.fingerprint().toSdp()).isEqualToIgnoringCase(FP);
        assertThat(t.setup()).isEqualTo(DtlsSetup.ACTPASS);
        assertThat(t.tlsId()).isEqualTo("abc");
    }

    @Test
    void missingSetupTakesTheRfc4145Default() throws Exception {
        assertThat(terms("", "a=fingerprint:" + FP + "\r\n", true).setup()).isEqualTo(DtlsSetup.ACTIVE);
        assertThat(terms("", "a=fingerprint:" + FP + "\r\n", false).setup()).isEqualTo(DtlsSetup.PASSIVE);
    }

    @Test
    void anUnusableFingerprintIsSkippedForAUsableOne() throws Exception {
        DtlsTerms t = terms("", "a=fingerprint:md5 00:11\r\na=fingerprint:" + FP + "\r\n", true);
        assertThat(t.fingerprint().algorithm()).isEqualTo("sha-256");
    }

    @Test
    void hostileValuesAreRefusedWithAReason() {
        assertThatThrownBy(() -> terms("", "", true)).isInstanceOf(DtlsNegotiationException.class).hasMessageContaining("without a=fingerprint");
        assertThatThrownBy(() -> terms("", "a=fingerprint:sha-256 ZZ\r\n", true)).isInstanceOf(DtlsNegotiationException.class);
        assertThatThrownBy(() -> terms("", "a=fingerprint:" + FP + "\r\na=setup:sideways\r\n", true))
                .isInstanceOf(DtlsNegotiationException.class).hasMessageContaining("sideways");
        String longValue = "sha-256 " + "AB:".repeat(300);
        assertThatThrownBy(() -> terms("", "a=fingerprint:" + longValue.substring(0, 900) + "\r\n", true))
                .isInstanceOf(DtlsNegotiationException.class);
    }
}
