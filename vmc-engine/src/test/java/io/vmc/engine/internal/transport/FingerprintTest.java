package io.vmc.engine.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class FingerprintTest {
    private static final DtlsCertificate CERT = DtlsCertificate.generate(Instant.now(), new SecureRandom());

    @Test
    void sdpFormIsUpperCaseColonHexOfTheDerSha256() throws Exception {
        Fingerprint f = CERT.fingerprint();
        String sdp = f.toSdp();
        assertThat(sdp).matches("sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}");
        byte[] d = MessageDigest.getInstance("SHA-256").digest(CERT.encoded());
        assertThat(sdp.substring(8).replace(":", "")).isEqualToIgnoringCase(java.util.HexFormat.of().formatHex(d));
        assertThat(Fingerprint.parse(sdp)).isEqualTo(f).hasSameHashCodeAs(f);
        assertThat(f.matches(CERT.encoded())).isTrue();
    }

    @Test
    void parseAcceptsWhatStacksWrite() {
        String sdp = CERT.fingerprint().toSdp();
        assertThat(Fingerprint.parse(sdp.toLowerCase())).isEqualTo(CERT.fingerprint());
        assertThat(Fingerprint.parse("SHA-256 " + sdp.substring(8) + "\r")).isEqualTo(CERT.fingerprint());
        for (String alg : new String[] {"sha-1", "sha-224", "sha-384", "sha-512"}) {
            Fingerprint g = Fingerprint.of(alg, CERT.encoded());
            assertThat(Fingerprint.parse(g.toSdp())).isEqualTo(g);
            assertThat(g.matches(CERT.encoded())).isTrue();
            assertThat(g).isNotEqualTo(CERT.fingerprint());
        }
    }

    @Test
    void otherCertificateDoesNotMatch() {
        DtlsCertificate other = DtlsCertificate.generate(Instant.now(), new SecureRandom());
        assertThat(CERT.fingerprint().matches(other.encoded())).isFalse();
        assertThat(CERT.fingerprint()).isNotEqualTo(other.fingerprint());
    }

    @Test
    void hostileValuesAreRefusedWithAReason() {
        String hex = CERT.fingerprint().toSdp().substring(8);
        assertThatThrownBy(() -> Fingerprint.parse(null)).hasMessageContaining("no a=fingerprint");
        assertThatThrownBy(() -> Fingerprint.parse("")).isInstanceOf(DtlsNegotiationException.class);
        assertThatThrownBy(() -> Fingerprint.parse("sha-256")).hasMessageContaining("no hash name");
        assertThatThrownBy(() -> Fingerprint.parse("md5 " + hex)).hasMessageContaining("'md5' is not supported");
        assertThatThrownBy(() -> Fingerprint.parse("sha-256 " + hex.substring(3))).hasMessageContaining("needs 32");
        assertThatThrownBy(() -> Fingerprint.parse("sha-256 " + hex + ":AB")).hasMessageContaining("needs 32");
        assertThatThrownBy(() -> Fingerprint.parse("sha-256 " + hex.replace(':', '-'))).hasMessageContaining("separated by ':'");
        assertThatThrownBy(() -> Fingerprint.parse("sha-256 " + "ZZ" + hex.substring(2))).hasMessageContaining("non-hex");
        assertThatThrownBy(() -> Fingerprint.parse("sha-256 " + "x".repeat(100_000))).hasMessageContaining("more than the allowed 256");
        // each truncation of a valid value is refused, never an exception other than the typed one
        String sdp = CERT.fingerprint().toSdp();
        for (int i = 0; i < sdp.length(); i++) {
            String cut = sdp.substring(0, i);
            assertThatThrownBy(() -> Fingerprint.parse(cut)).isInstanceOf(DtlsNegotiationException.class);
        }
    }
}
