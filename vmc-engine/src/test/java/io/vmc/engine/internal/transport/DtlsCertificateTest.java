package io.vmc.engine.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class DtlsCertificateTest {
    @Test
    void selfSignedEcdsaP256ValidAroundNow() throws Exception {
        Instant now = Instant.parse("2026-12-01T10:00:00Z");
        DtlsCertificate c = DtlsCertificate.generate(now, new SecureRandom());
        X509Certificate x = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(c.encoded()));
        x.verify(x.getPublicKey()); // self-signed
        assertThat(x.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(((ECPublicKey) x.getPublicKey()).getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
        assertThat(x.getNotBefore().toInstant()).isEqualTo(now.minus(Duration.ofDays(1)));
        assertThat(x.getNotAfter().toInstant()).isEqualTo(now.plus(DtlsCertificate.VALIDITY));
        assertThat(x.getSubjectX500Principal().getName()).startsWith("CN=vmc-");
        assertThat(c.fingerprint().algorithm()).isEqualTo("sha-256");
    }

    @Test
    void holderKeepsOneCertificateUntilItIsOldThenRenews() {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
        DtlsCertificateHolder h = new DtlsCertificateHolder(clock, new SecureRandom());
        DtlsCertificate first = h.current();
        clock.now = clock.now.plus(DtlsCertificateHolder.RENEW_AFTER).minusSeconds(1);
        assertThat(h.current()).isSameAs(first);
        clock.now = clock.now.plusSeconds(1);
        DtlsCertificate second = h.current();
        assertThat(second).isNotSameAs(first);
        assertThat(second.fingerprint()).isNotEqualTo(first.fingerprint());
        assertThat(second.created()).isEqualTo(clock.now);
        // a call that took the first one still has it, unchanged
        assertThat(first.fingerprint().matches(first.encoded())).isTrue();
        assertThat(h.current()).isSameAs(second);
    }

    @Test
    void twoEnginesHaveDifferentIdentities() {
        assertThat(new DtlsCertificateHolder().current().fingerprint()).isNotEqualTo(new DtlsCertificateHolder().current().fingerprint());
    }

    static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    }
}
