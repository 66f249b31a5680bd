package io.vmc.engine.internal.transport;

import java.util.Objects;

/**
 * The DTLS-SRTP side of one ICE transport (one per BUNDLE group): it starts the handshake once both
 * the negotiated terms (our role, the peer's fingerprint) and a selected ICE pair are there, so
 * that the first flight goes out at once instead of after a retransmission timeout; it restarts the
 * handshake when a new offer/answer needs a new association (<a href="https://www.rfc-editor.org/rfc/rfc8842#section-5.2">RFC
 * 8842 section 5.2</a>); and it hands the keys or the failure to the call. An ICE restart keeps the
 * association: the {@link PacketSender} sends through whatever pair the call uses now.
 *
 * <p>Threads: {@link #configure} and {@link #iceConnected} on any thread; {@link #receive} on the
 * socket's receive thread; the listener on the DTLS thread.
 */
public final class DtlsLink implements AutoCloseable {
    /** Outcomes, on the DTLS thread. */
    public interface Listener {
        void onKeys(DtlsLink link, DtlsSrtpSession session);

        void onFailed(DtlsLink link, DtlsFailure failure);
    }

    private final DtlsTransport transport;
    private DtlsSetup.Association wanted;
    private DtlsSetup.Association running;
    private boolean iceUp;
    private volatile DtlsSrtpSession session;

    public DtlsLink(DtlsCertificate certificate, PacketSender sender, Listener listener) {
        Objects.requireNonNull(listener, "listener");
        this.transport = new DtlsSrtpEndpoint(certificate, sender, new DtlsSrtpEndpoint.Listener() {
            @Override
            public void onConnected(DtlsSrtpSession s) {
                session = s;
                listener.onKeys(DtlsLink.this, s);
            }

            @Override
            public void onFailed(DtlsFailure f) {
                listener.onFailed(DtlsLink.this, f);
            }
        });
    }

    /** What the latest offer/answer decided; a change that needs a new association restarts the handshake. */
    public synchronized void configure(DtlsSetup.Association a) {
        wanted = Objects.requireNonNull(a, "association");
        startIfReady();
    }

    /** The ICE transport has a selected pair: DTLS may send. */
    public synchronized void iceConnected() {
        iceUp = true;
        startIfReady();
    }

    private void startIfReady() {
        if (!iceUp || wanted == null || wanted.equals(running)) return;
        if (running == null) {
            transport.start(wanted.localRole(), wanted.remoteFingerprint());
        } else if (DtlsSetup.needsNewAssociation(running, wanted)) {
            session = null;
            transport.restart(wanted.localRole(), wanted.remoteFingerprint());
        }
        running = wanted;
    }

    /** Our role in the association that runs or is about to, or null before the first offer/answer. */
    public synchronized DtlsRole role() {
        return wanted == null ? null : wanted.localRole();
    }

    /** The keys of the established association, or null while none is. */
    public DtlsSrtpSession session() {
        return session;
    }

    /** A DTLS datagram ({@link Demux.Kind#DTLS}) from the peer; never blocks. */
    public void receive(byte[] buf, int off, int len) {
        transport.receive(buf, off, len);
    }

    /** Counters of the endpoint (drops by reason), for stats and tests. */
    public DtlsSrtpEndpoint.Counters counters() {
        return ((DtlsSrtpEndpoint) transport).counters();
    }

    @Override
    public void close() {
        transport.close();
    }
}
