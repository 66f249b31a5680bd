package io.vmc.engine.internal.transport;

import java.util.Objects;

/** Why a DTLS-SRTP association did not come up, or ended: a kind to act on and a message for the user. */
public record DtlsFailure(Kind kind, String message) {
    public enum Kind {
        /** The peer's certificate does not hash to the {@code a=fingerprint} its SDP carried, or it sent none. */
        FINGERPRINT_MISMATCH,
        /** No complete handshake within the handshake timeout (a silent or too slow peer). */
        TIMEOUT,
        /** The peer offered or selected no SRTP protection profile the engine supports (or no use_srtp at all). */
        NO_SRTP_PROFILE,
        /** The peer sent a fatal alert. */
        PEER_ALERT,
        /** The peer closed an established association (close_notify). */
        PEER_CLOSED,
        /** Any other handshake error (bad message, unsupported parameters, a send that failed). */
        HANDSHAKE_ERROR
    }

    public DtlsFailure {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return kind + ": " + message;
    }
}
