package io.vmc.engine.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class DtlsSetupTest {
    @Test
    void offerIsActpassAndTheAnswerPicksActive() {
        assertThat(DtlsSetup.offer()).isEqualTo(DtlsSetup.ACTPASS);
        assertThat(DtlsSetup.answer(DtlsSetup.ACTPASS)).isEqualTo(new DtlsSetup.Answer(DtlsSetup.ACTIVE, DtlsRole.CLIENT));
        assertThat(DtlsSetup.offererRole(DtlsSetup.ACTIVE)).isEqualTo(DtlsRole.SERVER);
    }

    @Test
    void everyOfferAndAnswerGivesOppositeRoles() {
        for (DtlsSetup offered : new DtlsSetup[] {DtlsSetup.ACTPASS, DtlsSetup.ACTIVE, DtlsSetup.PASSIVE}) {
            DtlsSetup.Answer a = DtlsSetup.answer(offered);
            assertThat(a.setup()).isIn(DtlsSetup.ACTIVE, DtlsSetup.PASSIVE);
            DtlsRole offerer = DtlsSetup.offererRole(a.setup());
            assertThat(offerer).as("offer %s", offered).isNotEqualTo(a.role());
            if (offered == DtlsSetup.ACTIVE) assertThat(offerer).isEqualTo(DtlsRole.CLIENT);
            if (offered == DtlsSetup.PASSIVE) assertThat(offerer).isEqualTo(DtlsRole.SERVER);
        }
    }

    @Test
    void refusedValues() {
        assertThatThrownBy(() -> DtlsSetup.answer(DtlsSetup.HOLDCONN)).isInstanceOf(DtlsNegotiationException.class).hasMessageContaining("holdconn");
        assertThatThrownBy(() -> DtlsSetup.offererRole(DtlsSetup.ACTPASS)).isInstanceOf(DtlsNegotiationException.class).hasMessageContaining("must be active or passive");
        assertThatThrownBy(() -> DtlsSetup.offererRole(DtlsSetup.HOLDCONN)).isInstanceOf(DtlsNegotiationException.class);
        assertThatThrownBy(() -> DtlsSetup.parse("sometimes", true)).isInstanceOf(DtlsNegotiationException.class).hasMessageContaining("'sometimes'");
        assertThatThrownBy(() -> DtlsSetup.parse("x".repeat(10_000), true)).hasMessageContaining("...").matches(e -> e.getMessage().length() < 200);
    }

    @Test
    void parseIsLenientInCaseAndSpaceAndDefaultsPerRfc4145() {
        assertThat(DtlsSetup.parse(" ActPass\r", true)).isEqualTo(DtlsSetup.ACTPASS);
        assertThat(DtlsSetup.parse("passive", false)).isEqualTo(DtlsSetup.PASSIVE);
        assertThat(DtlsSetup.parse(null, true)).isEqualTo(DtlsSetup.ACTIVE);
        assertThat(DtlsSetup.parse(null, false)).isEqualTo(DtlsSetup.PASSIVE);
        for (DtlsSetup s : DtlsSetup.values()) assertThat(DtlsSetup.parse(s.sdpValue(), true)).isEqualTo(s);
    }

    @Test
    void newAssociationOnlyWhenRoleFingerprintOrTlsIdChange() {
        Fingerprint f1 = DtlsCertificate.generate(Instant.now(), new SecureRandom()).fingerprint();
        Fingerprint f2 = DtlsCertificate.generate(Instant.now(), new SecureRandom()).fingerprint();
        DtlsSetup.Association a = new DtlsSetup.Association(DtlsRole.CLIENT, f1, null);
        assertThat(DtlsSetup.needsNewAssociation(null, a)).isTrue();
        // an ICE restart with the same DTLS parameters keeps the association
        assertThat(DtlsSetup.needsNewAssociation(a, new DtlsSetup.Association(DtlsRole.CLIENT, Fingerprint.parse(f1.toSdp().toLowerCase()), null))).isFalse();
        assertThat(DtlsSetup.needsNewAssociation(a, new DtlsSetup.Association(DtlsRole.SERVER, f1, null))).isTrue();
        assertThat(DtlsSetup.needsNewAssociation(a, new DtlsSetup.Association(DtlsRole.CLIENT, f2, null))).isTrue();
        assertThat(DtlsSetup.needsNewAssociation(a, new DtlsSetup.Association(DtlsRole.CLIENT, f1, "abc"))).isTrue();
        DtlsSetup.Association t = new DtlsSetup.Association(DtlsRole.CLIENT, f1, "abc");
        assertThat(DtlsSetup.needsNewAssociation(t, new DtlsSetup.Association(DtlsRole.CLIENT, f1, "abc"))).isFalse();
        assertThat(DtlsSetup.needsNewAssociation(t, new DtlsSetup.Association(DtlsRole.CLIENT, f1, "abd"))).isTrue();
        assertThat(DtlsSetup.needsNewAssociation(t, a)).isTrue();
    }
}
