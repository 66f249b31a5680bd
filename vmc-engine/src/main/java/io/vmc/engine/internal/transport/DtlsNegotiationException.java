package io.vmc.engine.internal.transport;

/** An SDP value for DTLS-SRTP ({@code a=setup}, {@code a=fingerprint}) that cannot be used; the message says why. */
public final class DtlsNegotiationException extends IllegalArgumentException {
    public DtlsNegotiationException(String message) {
        super(message);
    }
}
