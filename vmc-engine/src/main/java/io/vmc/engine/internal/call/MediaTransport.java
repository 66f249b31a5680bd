package io.vmc.engine.internal.call;

import io.vmc.engine.internal.transport.DtlsCertificate;
import io.vmc.engine.internal.transport.DtlsLink;
import io.vmc.engine.internal.transport.IceEndpoint;
import io.vmc.engine.sdp.MediaDescription;
import io.vmc.engine.sdp.SessionDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One ICE/DTLS transport of a call: the one a BUNDLE group shares (<a href="https://www.rfc-editor.org/rfc/rfc8843">RFC
 * 8843</a>), or an unbundled section's own. Both sections of a bundled call hold the same instance.
 * It keeps the generations of ICE endpoints apart (<a href="https://www.rfc-editor.org/rfc/rfc8445#section-9">RFC 8445
 * section 9</a>): the endpoint media goes through, the endpoint of a pending restart that replaces
 * it once its checks complete, and replaced endpoints that keep receiving for a grace period while
 * the peer switches. It also holds the peer's ICE credentials and the transport's DTLS-SRTP link
 * (RFC 5764), which sends through whichever endpoint is current.
 *
 * <p>The call decides when to restart, promote or drop; this class only keeps the state straight.
 * Threads: under the call's monitor, except {@link #current()} and {@link #dtls()}, which the send
 * and receive threads read, and the retiring list, which the timer also touches (under this object).
 */
final class MediaTransport implements AutoCloseable {
    private final ScheduledExecutorService timer;
    private final long retireGraceMs;
    private volatile IceEndpoint current;
    private IceEndpoint pending;
    private final List<IceEndpoint> retiring = new ArrayList<>();
    private String remoteUfrag;
    private String remotePwd;
    private volatile DtlsLink dtls;

    /**
     * @param first the transport's first endpoint, gathered
     * @param timer closes retired endpoints after {@code retireGraceMs}
     */
    MediaTransport(IceEndpoint first, ScheduledExecutorService timer, long retireGraceMs) {
        this.current = first;
        this.timer = timer;
        this.retireGraceMs = retireGraceMs;
    }

    /** The endpoint media goes through now. */
    IceEndpoint current() {
        return current;
    }

    /** The endpoint of a restart whose checks have not completed, or null. */
    IceEndpoint pending() {
        return pending;
    }

    /**
     * The newest endpoint: a pending restart's, else the current one. The next SDP carries its
     * credentials and candidates, and trickled candidates belong to it.
     */
    IceEndpoint newest() {
        return pending != null ? pending : current;
    }

    /** How many replaced endpoints still receive (for tests). */
    synchronized int retiringCount() {
        return retiring.size();
    }

    /** Starts a restart with a freshly gathered endpoint; an unfinished earlier restart is dropped. */
    void restart(IceEndpoint fresh) {
        if (pending != null) pending.close();
        pending = fresh;
    }

    /** Whether a restart runs for which the peer's new credentials have not come yet (our offer is out). */
    boolean awaitsRestartCredentials() {
        return pending != null && !pending.hasRemoteCredentials();
    }

    /** Drops a restart that never got the peer's credentials (rejected, rolled back, or answered without ICE). */
    void dropUnansweredRestart() {
        if (awaitsRestartCredentials()) {
            pending.close();
            pending = null;
        }
    }

    /**
     * The peer's ICE credentials from an offer or answer, for the endpoint that takes them: the first
     * endpoint with {@code first}, else a restart's that awaits them; null when no endpoint does (a
     * re-offer without restart keeps the selected pair).
     */
    IceEndpoint takeRemoteCredentials(String ufrag, String pwd, boolean first) {
        IceEndpoint target = first ? current : awaitsRestartCredentials() ? pending : null;
        if (target == null) return null;
        remoteUfrag = ufrag;
        remotePwd = pwd;
        target.setRemoteCredentials(ufrag, pwd);
        return target;
    }

    /** Whether the peer gave ICE credentials to this transport yet. */
    boolean hasRemoteCredentials() {
        return remoteUfrag != null;
    }

    /**
     * Whether this section's {@code a=ice-ufrag}/{@code a=ice-pwd} differ from what the peer gave
     * before (<a href="https://www.rfc-editor.org/rfc/rfc8839#section-4.4.1.1.2">RFC 8839 section
     * 4.4.1.1.2</a>): the peer restarts. Never while our own restart awaits these credentials.
     */
    boolean peerRestarts(SessionDescription sdp, MediaDescription m) {
        if (remoteUfrag == null || awaitsRestartCredentials()) return false;
        return !sdp.attribute(m, "ice-ufrag").orElseThrow().equals(remoteUfrag)
                || !sdp.attribute(m, "ice-pwd").orElseThrow().equals(remotePwd);
    }

    /**
     * A restart's checks completed on {@code e}: it becomes current and the old endpoint retires.
     *
     * @return false when {@code e} is not the pending endpoint (superseded or dropped meanwhile)
     */
    boolean promote(IceEndpoint e) {
        if (e == null || e != pending) return false;
        IceEndpoint old = current;
        current = e;
        pending = null;
        retire(old);
        return true;
    }

    /**
     * A restart's checks failed on {@code e}: the restart is dropped, media stays on the current endpoint.
     *
     * @return false when {@code e} is not the pending endpoint (a retired or superseded one)
     */
    boolean dropFailedRestart(IceEndpoint e) {
        if (e == null || e != pending) return false;
        pending = null;
        e.close();
        return true;
    }

    /** Keeps a replaced endpoint receiving for the grace period, then closes it. */
    private void retire(IceEndpoint old) {
        if (old == null) return;
        synchronized (this) {
            retiring.add(old);
        }
        try {
            timer.schedule(() -> {
                synchronized (this) {
                    retiring.remove(old);
                }
                old.close();
            }, retireGraceMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException x) {
            synchronized (this) {
                retiring.remove(old);
            }
            old.close();
        }
    }

    /** The DTLS link, or null while the call has not negotiated DTLS on this transport. */
    DtlsLink dtls() {
        return dtls;
    }

    /**
     * The DTLS link, made on first use; it sends through the current endpoint and is told at once
     * when that endpoint already has a selected pair.
     */
    DtlsLink dtls(DtlsCertificate certificate, DtlsLink.Listener listener) {
        DtlsLink link = dtls;
        if (link == null) {
            link = new DtlsLink(certificate, (b, o, n) -> {
                IceEndpoint e = current;
                if (e != null) e.send(b, o, n);
            }, listener);
            dtls = link;
            IceEndpoint e = current;
            if (e != null && e.remoteAddress() != null) link.iceConnected();
        }
        return link;
    }

    /** Closes every endpoint (current, pending, retiring) and the DTLS link. */
    @Override
    public void close() {
        current.close();
        if (pending != null) pending.close();
        pending = null;
        DtlsLink l = dtls;
        if (l != null) l.close();
        List<IceEndpoint> left;
        synchronized (this) {
            left = List.copyOf(retiring);
            retiring.clear();
        }
        left.forEach(IceEndpoint::close);
    }
}
