package io.vmc.engine.internal.transport;

import java.util.Locale;
import java.util.Objects;

/**
 * {@code a=setup} (<a href="https://www.rfc-editor.org/rfc/rfc4145#section-4">RFC 4145 section 4</a>)
 * and the DTLS role it decides (<a href="https://www.rfc-editor.org/rfc/rfc8842#section-5.3">RFC 8842
 * section 5.3</a>): pure functions from what was offered and answered to who sends the ClientHello.
 */
public enum DtlsSetup {
    ACTPASS("actpass"),
    ACTIVE("active"),
    PASSIVE("passive"),
    HOLDCONN("holdconn");

    private final String sdp;

    DtlsSetup(String sdp) {
        this.sdp = sdp;
    }

    /** The attribute value, as in {@code a=setup:actpass}. */
    public String sdpValue() {
        return sdp;
    }

    /**
     * Parses an attribute value; {@code null} (no {@code a=setup}) gives the RFC 4145 section 4
     * default: "active" in an offer, "passive" in an answer.
     *
     * @throws DtlsNegotiationException for any other value
     */
    public static DtlsSetup parse(String value, boolean inOffer) {
        if (value == null) return inOffer ? ACTIVE : PASSIVE;
        String v = value.strip().toLowerCase(Locale.ROOT);
        for (DtlsSetup s : values()) {
            if (s.sdp.equals(v)) return s;
        }
        throw new DtlsNegotiationException("a=setup value '" + shorten(value) + "' is not actpass, active, passive or holdconn");
    }

    /** What an offer carries: always actpass (RFC 8842 section 5.3: the answerer chooses). */
    public static DtlsSetup offer() {
        return ACTPASS;
    }

    /** The answerer's choice: its {@code a=setup} value and the DTLS role that follows from it. */
    public record Answer(DtlsSetup setup, DtlsRole role) {
        public Answer {
            Objects.requireNonNull(setup, "setup");
            Objects.requireNonNull(role, "role");
        }
    }

    /**
     * The answer to an offer's {@code a=setup}. To actpass the engine answers active and is the DTLS
     * client: RFC 5763 section 5 recommends it, because the handshake then starts together with the
     * answer instead of one round trip after it.
     *
     * @throws DtlsNegotiationException for holdconn (no connection wanted: nothing to key SRTP with)
     */
    public static Answer answer(DtlsSetup offered) {
        return switch (offered) {
            case ACTPASS, PASSIVE -> new Answer(ACTIVE, DtlsRole.CLIENT);
            case ACTIVE -> new Answer(PASSIVE, DtlsRole.SERVER);
            case HOLDCONN -> throw new DtlsNegotiationException("the offer has a=setup:holdconn: no DTLS association to key SRTP with");
        };
    }

    /**
     * The offerer's DTLS role once the answer is in: the opposite of the answerer's.
     *
     * @throws DtlsNegotiationException when the answer is actpass or holdconn (RFC 8842 section 5.3:
     *     the answerer must pick a side)
     */
    public static DtlsRole offererRole(DtlsSetup answered) {
        return switch (answered) {
            case ACTIVE -> DtlsRole.SERVER;
            case PASSIVE -> DtlsRole.CLIENT;
            case ACTPASS, HOLDCONN -> throw new DtlsNegotiationException(
                    "the answer has a=setup:" + answered.sdp + "; an answer must be active or passive");
        };
    }

    /**
     * What a DTLS association is bound to, from one offer/answer exchange: the engine's role, the
     * peer's certificate fingerprint and its {@code a=tls-id} (RFC 8842 section 4, null when absent).
     */
    public record Association(DtlsRole localRole, Fingerprint remoteFingerprint, String remoteTlsId) {
        public Association {
            Objects.requireNonNull(localRole, "localRole");
            Objects.requireNonNull(remoteFingerprint, "remoteFingerprint");
        }
    }

    /**
     * Whether a new offer/answer needs a new DTLS association (a new handshake and new SRTP keys),
     * after <a href="https://www.rfc-editor.org/rfc/rfc8842#section-5.2">RFC 8842 section 5.2</a>:
     * the roles changed, the peer's fingerprint changed, or its tls-id changed (a tls-id that appears
     * or disappears counts as a change). An ICE restart by itself keeps the association (ICE
     * restarts change the 5-tuple but not the DTLS peer); a peer that wants a new one after an ICE
     * restart says so with one of the above, which is what browsers do.
     */
    public static boolean needsNewAssociation(Association current, Association next) {
        if (current == null) return true;
        return current.localRole() != next.localRole()
                || !current.remoteFingerprint().equals(next.remoteFingerprint())
                || !Objects.equals(current.remoteTlsId(), next.remoteTlsId());
    }

    static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
