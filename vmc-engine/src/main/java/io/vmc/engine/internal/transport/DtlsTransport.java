package io.vmc.engine.internal.transport;

/**
 * What a call uses of DTLS-SRTP, one per ICE transport (one per BUNDLE group): our fingerprint for
 * the SDP, a start in the role {@code a=setup} gave ({@link DtlsSetup}) with the fingerprint the
 * peer's SDP gave, the DTLS datagrams the demultiplexer finds on the ICE socket, and a restart
 * when a new offer/answer needs a new association ({@link DtlsSetup#needsNewAssociation}). The
 * outcome comes to a {@link DtlsSrtpEndpoint.Listener}: {@link DtlsSrtpSession#keys()} key the
 * call's SRTP (audio and video each make their {@code SrtpContext} from them, as they do from SDES
 * keys), or a {@link DtlsFailure} whose message the call reports as its reason. The implementation
 * is {@link DtlsSrtpEndpoint}.
 */
public interface DtlsTransport extends AutoCloseable {
    /** For {@code a=fingerprint}: the certificate this transport presents. */
    Fingerprint localFingerprint();

    /** Starts the handshake; DTLS datagrams that came before are kept for it. */
    void start(DtlsRole role, Fingerprint remoteFingerprint);

    /** Replaces the association with a new handshake (new keys follow through the listener). */
    void restart(DtlsRole role, Fingerprint remoteFingerprint);

    /** A datagram whose first byte is in 20..63 ({@link Demux.Kind#DTLS}), from the ICE-selected peer. Never blocks. */
    void receive(byte[] buf, int off, int len);

    @Override
    void close();
}
