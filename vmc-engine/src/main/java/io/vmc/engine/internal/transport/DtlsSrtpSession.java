package io.vmc.engine.internal.transport;

/**
 * One completed DTLS-SRTP handshake: the negotiated profile, the SRTP keys it exported, and what
 * was verified.
 *
 * @param role the engine's DTLS role
 * @param keys SRTP master keys and salts for both directions
 * @param peerFingerprint the fingerprint the peer's certificate matched
 * @param cipherSuite the DTLS cipher suite (IANA name), for logs and stats
 * @param extendedMasterSecret whether RFC 7627 was negotiated (every current WebRTC stack does)
 * @param handshakeNanos from the start of the handshake to its completion on this side
 */
public record DtlsSrtpSession(DtlsRole role, SrtpKeys keys, Fingerprint peerFingerprint, String cipherSuite,
        boolean extendedMasterSecret, long handshakeNanos) {
}
