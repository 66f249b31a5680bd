package io.vmc.engine.internal.call;

import io.vmc.engine.EngineConfig;
import io.vmc.engine.internal.EngineException;
import io.vmc.engine.internal.Failure;
import io.vmc.engine.internal.RateLimiter;
import io.vmc.engine.internal.transport.DtlsCertificate;
import io.vmc.engine.internal.transport.DtlsFailure;
import io.vmc.engine.internal.transport.DtlsLink;
import io.vmc.engine.internal.transport.DtlsRole;
import io.vmc.engine.internal.transport.DtlsSetup;
import io.vmc.engine.internal.transport.DtlsSrtpSession;
import io.vmc.engine.internal.transport.IceEndpoint;
import io.vmc.engine.sdp.Candidate;
import io.vmc.engine.sdp.MediaDescription;
import io.vmc.engine.sdp.SessionDescription;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.LocalCandidate;
import io.vmc.transport.proto.SessionState;
import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A call's transports ({@link MediaTransport}): the lead one, which audio's section holds and the
 * BUNDLE group shares (a bundled video section holds the same object), and an unbundled video
 * section's own. Makes them with their first endpoint, gathers and announces candidates, bundles,
 * restarts ICE within the {@link RestartBudget}, and keys them by DTLS. A section stands for its
 * transport slot: audio's for the lead transport, video's for video's own. Under the call's
 * monitor; {@link #bundled()} is read by the receive threads.
 */
final class CallTransports {
    private static final Logger LOG = LoggerFactory.getLogger(Call.class);
    /** How long a replaced ICE endpoint keeps receiving after the switch: the peer switches a moment later. */
    static final long RETIRE_GRACE_MS = 2_000;

    private final Call call;
    private final EngineConfig config;
    private final MediaSection<?, ?> audio;
    private final MediaSection<?, ?> video;
    /** What this session may send per second, in bytes, audio and video together (policy media.max-send-kbps). */
    private final RateLimiter sendCeiling;
    private final Consumer<List<Candidate>> candidatesGathered;
    private final Supplier<DtlsCertificate> certificates;
    private final RestartBudget restarts = new RestartBudget(Call.MAX_ICE_RESTARTS, Call.RESTART_WINDOW_MS);
    private DtlsCertificate certificate;
    /** Video shares the lead transport (both sections hold the same MediaTransport). */
    private volatile boolean bundled;
    /** The peer's last SDP used ICE (a running call cannot switch). */
    private boolean remoteUsesIce;

    CallTransports(Call call, EngineConfig config, Consumer<List<Candidate>> candidatesGathered, Supplier<DtlsCertificate> certificates) {
        this.call = call;
        this.config = config;
        this.audio = call.audio;
        this.video = call.video;
        this.candidatesGathered = candidatesGathered;
        this.certificates = certificates;
        double bytesPerSecond = config.maxSendKbps() * 125.0;
        this.sendCeiling = new RateLimiter(bytesPerSecond, Math.max(4096, bytesPerSecond / 4)); // a quarter second at once: a key frame
    }

    /** The engine's DTLS certificate, taken on first use (making one is not free). */
    DtlsCertificate certificate() {
        if (certificate == null) certificate = certificates.get();
        return certificate;
    }

    boolean bundled() {
        return bundled;
    }

    boolean remoteUsesIce() {
        return remoteUsesIce;
    }

    void remoteUsesIce(boolean withIce) {
        remoteUsesIce = withIce;
    }

    /** The lead transport for audio's section, video's own (not the shared one) for video's; null when there is none. */
    MediaTransport of(MediaSection<?, ?> s) {
        return s == audio ? audio.transport : ownVideo();
    }

    /** Video's transport when it is its own (not bundled), else null. */
    MediaTransport ownVideo() {
        MediaTransport v = video.transport;
        return v == audio.transport ? null : v;
    }

    static IceEndpoint current(MediaTransport t) {
        return t == null ? null : t.current();
    }

    /** The DTLS link of the transport this section's media goes through (the shared one when bundled), or null. */
    static DtlsLink link(MediaSection<?, ?> s) {
        MediaTransport t = s.transport;
        return t == null ? null : t.dtls();
    }

    /** The lead transport's DTLS role, once it has a link. */
    DtlsRole dtlsRole() {
        DtlsLink l = link(audio);
        return l == null ? null : l.role();
    }

    static Negotiator.LocalIce local(IceEndpoint e) {
        return new Negotiator.LocalIce(e.localUfrag(), e.localPassword(), e.localCandidates(), e.defaultAddress());
    }

    /** The section's transport slot, made with its first endpoint once. */
    void ensure(MediaSection<?, ?> s, boolean controlling) {
        if (of(s) != null) return;
        s.transport = new MediaTransport(gather(s, controlling, true), call.timer, RETIRE_GRACE_MS);
    }

    /** Whether video rides on the lead transport from now on; a video transport of its own that it replaces is closed. */
    void bundle(boolean on) {
        bundled = on;
        MediaTransport own = ownVideo();
        if (on) {
            if (own != null) own.close();
            video.transport = audio.transport;
        } else if (video.transport == audio.transport) {
            video.transport = null;
        }
    }

    /**
     * Gathers a new endpoint for the section's transport slot and announces its candidates (trickle
     * events; the lead transport's also go to the client's address list).
     */
    private IceEndpoint gather(MediaSection<?, ?> s, boolean controlling, boolean first) {
        boolean ownVideo = s == video;
        TransportListener l = new TransportListener(call, s);
        String what = ownVideo ? "video: " : "";
        IceEndpoint e;
        try {
            e = new IceEndpoint(config, controlling, l, sendCeiling);
        } catch (IOException | RuntimeException x) {
            String why = "cannot gather ICE candidates" + (ownVideo ? " for video: " : ": ") + x.getMessage();
            call.failures.accept(!ownVideo && config.iceRelayOnly() ? Failure.TURN : Failure.ICE);
            // relay-only without a relay can never connect: say so in the state, too (a failed restart leaves the call as it is)
            if (!ownVideo && first && config.iceRelayOnly()) call.setState(SessionState.State.FAILED, why);
            throw new EngineException(Error.Code.UNAVAILABLE, why, x);
        }
        l.self = e;
        for (String p : e.turnProblems()) {
            call.failures.accept(Failure.TURN);
            call.note(what + p + "; the call goes on without that relay");
        }
        SectionLines.Place place = call.lines.placeOf(ownVideo, audio.mid, video.mid);
        for (Candidate c : e.localCandidates()) {
            LocalCandidate.Builder lc = LocalCandidate.newBuilder().setSessionId(call.id()).setCandidate(c.toString()).setMid(place.mid());
            if (place.index() != 0) lc.setMLineIndex(place.index());
            call.events.emit(Event.newBuilder().setLocalCandidate(lc).build());
        }
        LocalCandidate.Builder end = LocalCandidate.newBuilder().setSessionId(call.id()).setMid(place.mid()).setEndOfCandidates(true);
        if (place.index() != 0) end.setMLineIndex(place.index());
        call.events.emit(Event.newBuilder().setLocalCandidate(end).build());
        if (!ownVideo) candidatesGathered.accept(e.localCandidates());
        return e;
    }

    /** Spends one restart of the budget, or refuses it: the call goes on where it is. */
    void spendRestart(String who) {
        restarts.spend(System.nanoTime() / 1_000_000, who, call.remoteAddr());
    }

    /** New agent, credentials and candidates for the section's transport; an unfinished earlier restart is dropped. */
    void restart(MediaSection<?, ?> s, boolean controlling) {
        of(s).restart(gather(s, controlling, false));
        LOG.info("session {}: {}ICE restart ({}), media stays on the old pair until the new checks complete", call.id(),
                s.prefix(), controlling ? "controlling" : "controlled");
    }

    /** New ice-ufrag or ice-pwd from the peer for a running ICE transport (RFC 8839 section 4.4.1.1.2). */
    boolean peerRestarts(MediaSection<?, ?> s, SessionDescription sdp, MediaDescription m) {
        MediaTransport t = of(s);
        return t != null && !t.current().isPlainMode() && t.peerRestarts(sdp, m);
    }

    /** A video restart whose section the peer rejected or left without ICE: nothing will ever complete it. */
    void dropUnansweredVideoRestart() {
        MediaTransport own = ownVideo();
        if (own != null) own.dropUnansweredRestart();
    }

    /** The DTLS link of the section's transport slot, made on first use, with what this exchange decided. */
    void configureDtls(MediaSection<?, ?> s, DtlsSetup.Association a) {
        of(s).dtls(certificate(), new DtlsLink.Listener() {
            @Override
            public void onKeys(DtlsLink link, DtlsSrtpSession k) {
                LOG.info("session {}: DTLS-SRTP connected as {} ({}, {}, {} ms)", call.id(), k.role(), k.keys().profile(), k.cipherSuite(),
                        k.handshakeNanos() / 1_000_000);
                call.runAsync(() -> call.onDtlsKeys(link, k));
            }

            @Override
            public void onFailed(DtlsLink link, DtlsFailure f) {
                call.runAsync(() -> call.onDtlsFailed(link, f));
            }
        }).configure(a);
    }

    /**
     * A rolled-back offer: restarts it started are dropped; a first offer's transports go too, so
     * that answering the peer's offer next starts them fresh in the answerer's (controlled) ICE role.
     */
    void rollback(boolean firstOffer) {
        MediaTransport ownVideo = ownVideo();
        if (audio.transport != null) audio.transport.dropUnansweredRestart();
        if (ownVideo != null) ownVideo.dropUnansweredRestart();
        if (firstOffer) {
            if (audio.transport != null) audio.transport.close();
            if (ownVideo != null) ownVideo.close();
            audio.transport = null;
            video.transport = null;
        }
    }

    void close() {
        MediaTransport ownVideo = ownVideo();
        if (audio.transport != null) audio.transport.close();
        if (ownVideo != null) ownVideo.close();
    }
}
