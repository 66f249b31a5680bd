package io.vmc.engine.internal.call;

import io.vmc.engine.CameraConsent;
import io.vmc.engine.EngineConfig;
import io.vmc.engine.ScreenShareConsent;
import io.vmc.engine.internal.EngineException;
import io.vmc.engine.internal.Failure;
import io.vmc.engine.internal.LiveCaptures;
import io.vmc.engine.internal.rtp.MediaFlow;
import io.vmc.engine.internal.rtp.RtpFlow;
import io.vmc.engine.internal.rtp.VideoFlow;
import io.vmc.engine.internal.transport.DtlsCertificate;
import io.vmc.engine.internal.transport.DtlsFailure;
import io.vmc.engine.internal.transport.DtlsLink;
import io.vmc.engine.internal.transport.DtlsSrtpSession;
import io.vmc.engine.internal.transport.IceEndpoint;
import io.vmc.engine.internal.transport.SrtpKeys;
import io.vmc.engine.internal.ui.OnePromptAtATime;
import io.vmc.engine.sdp.Candidate;
import io.vmc.engine.sdp.Crypto;
import io.vmc.engine.sdp.Direction;
import io.vmc.engine.sdp.MediaDescription;
import io.vmc.engine.sdp.SdpParser;
import io.vmc.engine.sdp.SessionDescription;
import io.vmc.overlay.VideoArea;
import io.vmc.transport.EventSink;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.MediaKind;
import io.vmc.transport.proto.RenegotiationNeeded;
import io.vmc.transport.proto.ScreenShareEnded;
import io.vmc.transport.proto.SdpType;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import io.vmc.transport.proto.SessionStats;
import io.vmc.transport.proto.StartScreenShare;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call (one vmc.v1 session): its state machine and the orchestration of SDP offer/answer
 * (RFC 3264) for one audio and one VP8 or H.264 video section (or, answering a video-only offer,
 * the video section alone on the lead transport, without an audio pipeline). The pure
 * {@link Negotiator} decides; this class applies what it decided to its {@link MediaSection}s and
 * their transports ({@link CallTransports}: ICE, SRTP keyed by SDES or DTLS-SRTP, the BUNDLE group
 * of RFC 8843), after {@link PeerAddresses} checked where the peer's SDP would make it send. The
 * captures and their consent are {@link CallCaptures}, the overlays {@link VideoView}, the
 * statistics {@link CallStats}. Every public method runs under the call's monitor; callbacks from
 * ICE, DTLS and media threads only touch volatile state or take the monitor on the engine's timer thread.
 */
public final class Call {
    private static final Logger LOG = LoggerFactory.getLogger(Call.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Most ICE restarts, local or remote, per {@link #RESTART_WINDOW_MS}; more are refused with RESOURCE_EXHAUSTED. */
    public static final int MAX_ICE_RESTARTS = 5;
    /** The window of {@link #MAX_ICE_RESTARTS}. */
    public static final long RESTART_WINDOW_MS = 30_000;
    /** How often a call's microphone, speaker or camera may fail before the call fails (or stops video): no endless switching. */
    static final int MAX_DEVICE_LOSSES = 3;

    private final String id;
    final SessionOptions options;
    private final EngineConfig config;
    final EventSink events;
    final ScheduledExecutorService timer;
    /** Failures by category, for the engine's metrics and the call-detail record. */
    final Consumer<Failure> failures;
    /** The codecs and whether video is wanted, decided once from the options and the policy. */
    final MediaChoice media;
    /** Null unless the session shares the screen (SessionOptions.screen_share) instead of the camera. */
    final ScreenShare screenShare;
    private final String cname = "vmc-" + HexFormat.of().formatHex(randomBytes(6));
    private final String msid = "vmc-" + HexFormat.of().formatHex(randomBytes(8));
    /** Reads and writes this call's SDP; Call applies what it decides to transports and flows. */
    private final Negotiator negotiator;

    // The two m= sections. Audio's transport is also the BUNDLE group's: once bundled, video's
    // transport is the same object; an unbundled video section has its own.
    final MediaSection<MediaFlow, MediaFlow.Params> audio = new MediaSection<>(MediaKind.AUDIO, "0");
    final MediaSection<VideoFlow, VideoFlow.Params> video = new MediaSection<>(MediaKind.VIDEO, "1");
    final SectionLines lines = new SectionLines();
    final BundleDemux demux = new BundleDemux();
    final CallTransports transports;
    private final PeerAddresses peers;
    final CallCaptures captures;
    final VideoView view;
    private final CallStats statistics = new CallStats(this);
    final AudioDevices devices = new AudioDevices(this);

    private final Signaling signaling = new Signaling();
    private boolean negotiated;
    private Direction wanted = Direction.SENDRECV;        // hold: SENDONLY
    private Direction wantedBeforeOffer = Direction.SENDRECV; // restored by a rollback of a hold/resume offer
    private final HoldState hold = new HoldState();
    private boolean muted;
    private volatile SessionState.State state = SessionState.State.NEW;
    private volatile boolean connected;
    private volatile boolean consentLost;
    private volatile String localAddr = "";
    private volatile String remoteAddr = "";
    private boolean closed;
    private boolean usesDtls;                   // the negotiated media is keyed by DTLS
    /**
     * Answered an offer without usable audio: no audio pipeline, and video rides on the lead
     * transport (audio.transport, the one the call's ICE, DTLS and state follow) as if bundled.
     */
    private volatile boolean videoOnly;
    private boolean videoRemoteSet;

    public Call(String id, SessionOptions options, EngineConfig config, EventSink events,
                        ScheduledExecutorService timer, Consumer<List<Candidate>> candidatesGathered,
                        Consumer<Failure> failures, Supplier<DtlsCertificate> certificates) {
        this.id = id;
        if (options.getDtlsSrtp() && options.getSrtp() == SessionOptions.SrtpPolicy.SRTP_DISABLED) {
            throw EngineException.invalid("dtls_srtp needs SRTP: srtp must not be SRTP_DISABLED");
        }
        this.failures = failures;
        this.options = options;
        this.config = config;
        this.events = events;
        this.timer = timer;
        this.media = MediaChoice.of(options, config, failures);
        if (options.getScreenShare()) {
            if (!options.getVideo()) throw EngineException.invalid("screen_share needs video=true");
            if (config.screenSource() == null) {
                throw EngineException.precondition("this engine shows no SPICE display to share (vmc engine --spice)");
            }
            screenShare = new ScreenShare(id, config, events::emit, timer);
        } else {
            screenShare = null;
        }
        this.captures = new CallCaptures(this, config, media.videoWanted() && config.videoSource().isCamera() && screenShare == null);
        this.view = new VideoView(this, config);
        this.transports = new CallTransports(this, config, candidatesGathered, certificates);
        this.peers = new PeerAddresses(this, config);
        this.negotiator = new Negotiator(
                new Negotiator.Capabilities(media.audioCodecs(), media.videoCodecs(), media.videoWanted(), config.opusDtx(), options.getSrtp(),
                        options.getDtlsSrtp(), screenShare != null),
                new Negotiator.Keys(randomBytes(Crypto.KEY_AND_SALT_BYTES), randomBytes(Crypto.KEY_AND_SALT_BYTES),
                        randomBytes(Crypto.KEY_AND_SALT_BYTES), randomBytes(Crypto.KEY_AND_SALT_BYTES),
                        () -> transports.certificate().fingerprint().toSdp(), msid),
                RANDOM.nextLong() & Long.MAX_VALUE, failures);
    }

    public String id() { return id; }

    /** The app that created the call (CreateSession's app_id, guest text). */
    public synchronized String appId() { return captures.appId(); }

    /** Where this call registers its live captures ({@link LiveCaptures#show}). */
    public synchronized LiveCaptures captures() { return captures.captures(); }

    public SessionState.State state() { return state; }

    // ------------------------------------------------------------------ offer/answer

    public synchronized String createOffer(boolean iceRestart) {
        ensureOpen();
        signaling.checkCreateOffer();
        checkCanOffer();
        if (iceRestart) {
            if (!negotiated) throw EngineException.precondition("no negotiated call to restart ICE for (the first offer gathers fresh candidates anyway)");
            if (!transports.remoteUsesIce()) throw EngineException.precondition("the peer does not use ICE (plain RTP to " + remoteAddr + "): there is no ICE to restart");
            transports.spendRestart("local");
            transports.restart(audio, true);
            MediaTransport ownVideo = transports.ownVideo();
            if (ownVideo != null && ownVideo.hasRemoteCredentials()) transports.restart(video, true);
        }
        transports.ensure(audio, true);
        // a re-offer keeps what was negotiated: DTLS-SRTP once the call uses it (also when we answered a browser)
        boolean dtlsOffer = options.getDtlsSrtp() || (negotiated && usesDtls);
        Negotiator.VideoTransport videoTransport = null;
        if (media.videoWanted()) {
            // Once bundled, video shares the audio transport. A first DTLS offer marks video
            // bundle-only (RFC 8843 section 7.2.1: port 0, audio's ICE credentials, no candidates):
            // BUNDLE answerers refuse bundled sections whose ICE credentials differ (webrtcbin:
            // "different ice-ufrag values in bundle"), and one agent per section cannot share them.
            // A peer that does not bundle declines that video and keeps audio. SDES offers (SIP
            // peers) give video its own transport.
            boolean bundled = transports.bundled();
            boolean bundleOnly = dtlsOffer && !bundled && transports.ownVideo() == null;
            videoTransport = bundled ? Negotiator.VideoTransport.SHARED
                    : bundleOnly ? Negotiator.VideoTransport.BUNDLE_ONLY : Negotiator.VideoTransport.OWN;
            if (videoTransport == Negotiator.VideoTransport.OWN) transports.ensure(video, true);
        }
        SessionDescription sdp = negotiator.offer(new Negotiator.Offer(dtlsOffer, audio.mid, video.mid,
                CallTransports.local(audio.transport.newest()), videoTransport,
                videoTransport == Negotiator.VideoTransport.OWN ? CallTransports.local(video.transport.newest()) : null, wants(), lines.list()));
        signaling.offered(sdp);
        lines.record(sdp, SectionLines.own(sdp, audio.mid), videoTransport == null ? null : SectionLines.own(sdp, video.mid));
        if (state == SessionState.State.NEW) setState(SessionState.State.CONNECTING, "offer created");
        return sdp.toString();
    }

    public synchronized String createAnswer(String remoteSdp) {
        ensureOpen();
        String offerText = remoteSdp == null || remoteSdp.isEmpty() ? signaling.remoteOffer() : remoteSdp;
        if (offerText == null) throw EngineException.precondition("no remote offer: pass remote_sdp or call SetRemoteDescription(OFFER) first");
        signaling.checkCreateAnswer();
        SessionDescription offer = Negotiator.parse(offerText);
        Negotiator.Answering a = negotiator.readOffer(offer, wants());
        if (negotiated && a.videoOnly() != videoOnly) {
            throw new EngineException(Error.Code.UNIMPLEMENTED, videoOnly
                    ? "the re-offer adds an audio section to this video-only call: adding audio to a running call is not supported; start a new session for audio"
                    : "the re-offer has no usable audio section: turning a running call with audio into a video-only one is not supported; start a new session for it");
        }
        MediaDescription m = a.leadOffer();
        MediaDescription vOffer = a.videoOffer();
        boolean withIce = a.lead().usesIce();
        boolean firstTime = audio.transport == null;
        peers.check(offer, m, withIce, firstTime, transports.remoteUsesIce(), media.videoWanted());
        boolean restart = !firstTime && withIce && transports.peerRestarts(audio, offer, m);
        boolean vRestart = a.videoIceOffered() && videoRemoteSet && transports.peerRestarts(video, offer, vOffer);
        if (restart || vRestart) transports.spendRestart("remote");
        if (restart) transports.restart(audio, false);
        if (vRestart) transports.restart(video, false);
        lines.record(offer, a.videoOnly() ? null : a.audioOffer(), a.video() != null ? vOffer : null);
        transports.ensure(audio, false);
        if (a.videoRejection() != null) {
            LOG.info("session {}: video rejected: {}", id, a.videoRejection());
            note("video rejected: " + a.videoRejection() + "; the call is audio-only");
        }
        if (!a.unknownBundleMids().isEmpty()) {
            LOG.info("session {}: the offer's BUNDLE group names unknown or repeated mids {}: ignored", id, a.unknownBundleMids());
        }
        Negotiator.Section v = a.video();
        if (v != null && !a.videoBundled()) transports.ensure(video, false);
        SessionDescription answer = negotiator.writeAnswer(a, CallTransports.local(audio.transport.newest()),
                v != null && !a.videoBundled() ? CallTransports.local(video.transport.newest()) : null);

        signaling.answered();
        settled();
        applyLeadTransport(offer, m, withIce, firstTime);
        usesDtls = a.lead().dtls() != null;
        videoOnly = a.videoOnly();
        transports.bundle(a.videoBundled());
        demux.midExtension(transports.bundled() ? HeaderExtensions.negotiatedMidId(m) : -1);
        // our re-offers keep the peer's mids (RFC 8843 section 7.5)
        if (a.audioOffer() != null && SectionLines.usableMid(a.audioOffer()) != null) audio.mid = SectionLines.usableMid(a.audioOffer());
        if (v != null && SectionLines.usableMid(vOffer) != null) video.mid = SectionLines.usableMid(vOffer);
        if (usesDtls) transports.configureDtls(audio, a.lead().dtls());
        if (v != null) {
            if (v.dtls() != null && !a.videoBundled()) transports.configureDtls(video, v.dtls());
            applyVideo(offer, vOffer, withIce, FlowParams.video(v));
        }
        hold.peerSaid(offer.direction(m));
        if (videoOnly) {
            negotiated = true; // no audio pipeline: the video flow alone carries the call
            updateHoldState();
        } else {
            applyAudio(FlowParams.audio(a.audio(), cname), a.audio().direction());
        }
        transports.dropUnansweredVideoRestart();
        tagMids();
        return answer.toString();
    }

    public synchronized void setRemoteDescription(SdpType type, String sdp) {
        ensureOpen();
        switch (type) {
            case OFFER -> {
                Negotiator.parse(sdp); // validate now, answer in CreateAnswer
                signaling.checkRemoteOffer();
                signaling.remoteOffered(sdp);
                return;
            }
            case ROLLBACK -> {
                rollback();
                return;
            }
            case ANSWER, PRANSWER -> { }
            default -> throw EngineException.invalid("type must be OFFER, ANSWER, PRANSWER or ROLLBACK");
        }
        boolean provisional = type == SdpType.PRANSWER;
        SessionDescription answer = Negotiator.parse(sdp);
        signaling.checkRemoteAnswer(answer, provisional, transports.remoteUsesIce() || usesDtls);
        SessionDescription localOffer = signaling.localOffer();
        if (signaling.repeatsProvisional(answer)) {
            signaling.remoteAnswered(answer, provisional); // the 200 OK repeats the 183's SDP: nothing changes
            settled();
            return;
        }
        Negotiator.Answered r = negotiator.readAnswer(answer, localOffer, wants());
        MediaDescription m = r.audioAnswer();
        MediaDescription vAns = r.videoAnswer();
        boolean withIce = r.audio().usesIce();
        peers.check(answer, m, withIce, !negotiated, transports.remoteUsesIce(), media.videoWanted());
        boolean vUsable = vAns != null && !vAns.isRejected();
        boolean vIceAnswered = vUsable && answer.attribute(vAns, "ice-ufrag").isPresent();
        // an answer that changes the peer's credentials although we did not restart: restart with it
        boolean restart = negotiated && withIce && transports.peerRestarts(audio, answer, m);
        boolean vRestart = vIceAnswered && videoRemoteSet && transports.peerRestarts(video, answer, vAns);
        if (restart || vRestart) transports.spendRestart("remote");
        if (restart) transports.restart(audio, true);
        if (vRestart) transports.restart(video, true);
        signaling.remoteAnswered(answer, provisional);
        if (!provisional) settled();
        applyLeadTransport(answer, m, withIce, !negotiated);
        usesDtls = r.audio().dtls() != null;
        if (usesDtls) {
            transports.configureDtls(audio, r.audio().dtls());
            // RFC 8843 section 7.3: the answer's group says whether video moved onto the audio transport
            if (r.bundled() || !videoRemoteSet) transports.bundle(r.bundled());
            demux.midExtension(transports.bundled() ? HeaderExtensions.negotiatedMidId(m) : -1);
        }
        hold.peerSaid(answer.direction(m));
        applyAudio(FlowParams.audio(r.audio(), cname), r.audio().direction());
        boolean hasVideoTransport = video.transport != null;
        lines.record(answer, m, vUsable && hasVideoTransport ? vAns : null);
        if (vUsable && !hasVideoTransport) {
            LOG.info("session {}: the peer did not bundle the bundle-only video section: video off", id);
        }
        if (vUsable && hasVideoTransport) {
            if (r.videoError() != null) throw EngineException.invalid(r.videoError());
            Negotiator.Section v = r.video();
            if (usesDtls && !transports.bundled()) {
                if (v.dtls() == null) throw failed(Failure.DTLS_SRTP, EngineException.invalid("the video answer has no usable DTLS terms (a=fingerprint, a=setup)"));
                transports.configureDtls(video, v.dtls());
            }
            applyVideo(answer, vAns, vIceAnswered || transports.bundled(), FlowParams.video(v));
        }
        transports.dropUnansweredVideoRestart();
        tagMids();
    }

    /** Our RTP in a bundle carries its section's MID once the MID extension is negotiated (RFC 8843 section 15). */
    private void tagMids() {
        int ext = demux.midExtension();
        RtpFlow a = audio.flow;
        if (a != null) a.setMid(ext, audio.mid);
        RtpFlow v = video.flow;
        if (v != null) v.setMid(transports.bundled() ? ext : -1, video.mid);
    }

    /** What this exchange wants beyond the call's capabilities: hold, camera, the running video codec, the DTLS role. */
    private Negotiator.Wants wants() {
        VideoFlow running = video.flow;
        return new Negotiator.Wants(wanted.intersect(audio.local), videoWantedDirection(), running == null ? null : running.params().codec(),
                running == null ? -1 : running.params().recvPt(), transports.dtlsRole());
    }

    /** Send direction for video: a camera the user denied only receives. */
    private Direction videoWantedDirection() {
        Direction w = wanted.intersect(video.local);
        return captures.cameraDenied() ? w.intersect(Direction.RECVONLY) : w;
    }

    public synchronized void addRemoteCandidate(String candidate) {
        addRemoteCandidate(candidate, "", 0);
    }

    /**
     * A trickled remote candidate for the section with this mid or, without a mid, at this m-line
     * index of the last description exchanged (JSEP: the mid wins). A candidate of a section this
     * call rejected (a data channel, a second audio line) is ignored; a section that does not
     * exist is INVALID_ARGUMENT.
     */
    public synchronized void addRemoteCandidate(String candidate, String mid, int mLineIndex) {
        ensureOpen();
        if (candidate == null || candidate.isEmpty()) return; // end of candidates
        MediaKind kind = lines.kindOf(mid, mLineIndex);
        if (kind == null) {
            LOG.debug("session {}: ignored a candidate of a section this call rejected (mid \"{}\", m-line {})", id, mid, mLineIndex);
            return;
        }
        Optional<Candidate> c;
        try {
            c = SdpParser.parseCandidate(candidate);
        } catch (IllegalArgumentException e) {
            throw EngineException.invalid("candidate: " + e.getMessage());
        }
        if (c.isEmpty()) return; // TCP or mDNS: not usable, silently ignored as RFC 8839 allows
        // during an ICE restart trickled candidates belong to the new generation
        boolean ofVideo = kind == MediaKind.VIDEO;
        MediaTransport t = (ofVideo ? video : audio).transport; // the same one when bundled
        IceEndpoint target = t == null ? null : t.newest();
        if (target == null) throw EngineException.precondition(ofVideo ? "no video section negotiated" : "no offer or answer yet");
        peers.checkTrickled(c.get());
        if (!target.addRemoteCandidate(c.get())) {
            throw new EngineException(Error.Code.RESOURCE_EXHAUSTED, "remote candidate refused (limit " + IceEndpoint.MAX_REMOTE_CANDIDATES + " or not applicable)");
        }
        target.startIfReady();
    }

    /** The peer's addresses for the lead transport (the call follows whether it uses ICE). */
    private void applyLeadTransport(SessionDescription sdp, MediaDescription m, boolean withIce, boolean firstTime) {
        transports.remoteUsesIce(withIce);
        peers.apply(audio.transport, sdp, m, withIce, firstTime, "");
    }

    /**
     * With DTLS-SRTP, a section's parameters wait for the keys of its transport's link: null while
     * they have not come (the running flow's direction still follows); else, and without DTLS, the
     * parameters to apply.
     */
    private <P> P keyed(MediaSection<?, P> s, P p, Direction dir, BiFunction<P, SrtpKeys, P> withKeys) {
        if (!usesDtls) return p;
        s.awaitingKeys = p;
        DtlsLink link = CallTransports.link(s);
        DtlsSrtpSession k = link == null ? null : link.session();
        if (k == null) {
            RtpFlow f = s.flow;
            if (f != null) f.setDirection(dir.sends(), dir.receives());
            return null; // the flow starts with the keys (onDtlsKeys)
        }
        return withKeys.apply(p, k.keys());
    }

    /** Audio as negotiated: the running flow when only its direction changed, else a new one; a pipeline that fails fails the call. */
    private void applyAudio(MediaFlow.Params params, Direction dir) {
        negotiated = true;
        audio.negotiated = dir;
        MediaFlow.Params p = keyed(audio, params, dir, FlowParams::withKeys);
        if (p == null) {
            updateHoldState();
            return;
        }
        MediaFlow f = audio.flow;
        if (f != null && FlowParams.sameMedia(f.params(), p)) {
            f.setDirection(dir.sends(), dir.receives());
        } else {
            audio.closeFlow();
            try {
                f = new MediaFlow(p, config, id, devices.source(), devices.sink(), audio.ssrc, audio.nextSeq, timer, new SectionIo(this, audio));
            } catch (IOException | RuntimeException e) {
                failures.accept(Failure.MEDIA);
                setState(SessionState.State.FAILED, "media pipeline: " + e.getMessage());
                throw new EngineException(Error.Code.INTERNAL, "cannot start the media pipeline: " + e.getMessage(), e);
            }
            audio.flow = f;
            f.setDirection(dir.sends(), dir.receives());
            f.setMuted(muted || captures.micStoppedByUser());
            tagMids();
            f.start();
        }
        captures.showMicrophone(dir.sends());
        updateHoldState();
    }

    /** Video as negotiated (the first time, or a re-offer that keeps the running flow); a pipeline that fails leaves the call audio-only. */
    private void applyVideo(SessionDescription sdp, MediaDescription m, boolean withIce, VideoFlow.Params params) {
        video.negotiated = Direction.of(params.send(), params.receive());
        boolean renegotiation = videoRemoteSet;
        videoRemoteSet = true;
        if (transports.bundled()) {
            if (!renegotiation) LOG.debug("session {}: video bundled on the audio transport", id);
        } else {
            peers.apply(transports.ownVideo(), sdp, m, withIce, !renegotiation, "video: ");
        }
        VideoFlow.Params p = keyed(video, params, video.negotiated, FlowParams::withKeys);
        if (p == null) return;
        VideoFlow f = video.flow;
        if (f != null) {
            if (FlowParams.sameMedia(f.params(), p)) {
                f.setDirection(p.send(), p.receive()); // re-offer (hold/resume): same codec and keys
                return;
            }
            // new keys (the peer's media moved to a new endpoint): a new flow with the new keys
            LOG.info("session {}: video keys or payload types changed: restarting the video flow", id);
            video.closeFlow();
        } else if (renegotiation) {
            return; // the video pipeline failed before: the call stays audio-only
        }
        startVideoFlow(p);
    }

    private void startVideoFlow(VideoFlow.Params p) {
        view.attach(p, !captures.cameraDenied() && screenShare == null);
        boolean cameraOk = captures.cameraOk();
        try {
            video.flow = new VideoFlow(p, config.withVideoSource(captures.cameraSource()), view.remote(), view.self(), cameraOk,
                    screenShare == null, video.ssrc, video.nextSeq, cname, timer, new SectionIo(this, video));
        } catch (RuntimeException e) {
            // video failing must not take the call down: go on audio-only and say why
            LOG.warn("session {}: video pipeline failed: {}", id, e.toString());
            failures.accept(Failure.MEDIA);
            note("video disabled: pipeline failed: " + e.getMessage());
            view.flowFailed();
            captures.showCamera();
            return;
        }
        tagMids();
        if (screenShare != null) screenShare.attach(video.flow);
        if (cameraOk) view.showSelfViewIfMapped();
        captures.showCamera();
    }

    /** The keys of a DTLS association came (on the timer): the sections of its transport start their flows with them. */
    synchronized void onDtlsKeys(DtlsLink link, DtlsSrtpSession s) {
        if (closed || link.session() != s) return; // closed, or a newer association replaced it
        if (link == CallTransports.link(audio) && audio.awaitingKeys != null) {
            try {
                applyAudio(audio.awaitingKeys, audio.negotiated);
            } catch (EngineException e) {
                LOG.warn("session {}: cannot start audio with the DTLS keys: {}", id, e.getMessage());
            }
        }
        if (link == CallTransports.link(video) && video.awaitingKeys != null) { // audio's too when bundled
            VideoFlow.Params p = FlowParams.withKeys(video.awaitingKeys, s.keys());
            VideoFlow f = video.flow;
            if (f != null && FlowParams.sameMedia(f.params(), p)) return;
            video.closeFlow();
            startVideoFlow(p);
        }
    }

    synchronized void onDtlsFailed(DtlsLink link, DtlsFailure f) {
        if (closed) return;
        failures.accept(Failure.DTLS_SRTP);
        LOG.warn("session {}: DTLS-SRTP failed: {}", id, f);
        if (link == CallTransports.link(audio)) {
            setState(SessionState.State.FAILED, "DTLS-SRTP: " + f.message());
        } else {
            note("video disabled: DTLS-SRTP: " + f.message());
        }
    }

    /** An offer/answer exchange completed: a later rollback goes back to what it agreed. */
    private void settled() {
        wantedBeforeOffer = wanted;
    }

    /**
     * JSEP rollback (RFC 9429 section 4.1.10.2): the pending offer is discarded and the call goes on
     * as last negotiated: an ICE restart the offer started is dropped (media never left the old
     * pair), a hold the offer announced is undone on the flows.
     */
    private void rollback() {
        Signaling.RolledBack what = signaling.rollback();
        if (what == Signaling.RolledBack.LOCAL_OFFER) {
            transports.rollback(!negotiated);
            wanted = wantedBeforeOffer;
            audio.restoreDirection();
            video.restoreDirection();
        }
        LOG.info("session {}: {} rolled back; the call goes on as last negotiated", id,
                what == Signaling.RolledBack.LOCAL_OFFER ? "our pending offer" : "the peer's pending offer");
    }

    // ------------------------------------------------------------------ call control

    public synchronized void setMute(boolean mute) {
        ensureOpen();
        if (!mute && captures.micStoppedByUser()) {
            throw new EngineException(Error.Code.PERMISSION_DENIED, "the user stopped the microphone on the thin client:"
                    + " it stays off for the rest of this call");
        }
        muted = mute;
        if (audio.flow != null) audio.flow.setMuted(mute);
    }

    /**
     * A held call that moved here (agentd recreates it on a new engine or the fallback): the
     * first offer already says a=sendonly, so the call never comes back un-held on the wire.
     */
    public synchronized void holdFirstOffer() {
        ensureOpen();
        if (negotiated) throw EngineException.precondition("the call is negotiated: use SetHold");
        wanted = Direction.SENDONLY;
        wantedBeforeOffer = wanted; // where a rollback goes back to: the call was held before it moved
    }

    /** Hold or resume: applies locally at once and returns the re-offer the app must send to the peer. */
    public synchronized String setHold(boolean hold) {
        ensureOpen();
        if (!negotiated) throw EngineException.precondition("no negotiated call to hold");
        checkCanOffer();
        if (signaling.state() != Signaling.State.STABLE) throw EngineException.precondition("an offer is already pending (signaling state " + signaling.state() + ")");
        wantedBeforeOffer = wanted;
        wanted = hold ? Direction.SENDONLY : Direction.SENDRECV;
        if (hold) {
            for (MediaSection<?, ?> s : List.of(audio, video)) {
                RtpFlow f = s.flow;
                if (f != null) f.setDirection(true, false);
            }
        }
        String offer = createOffer(false);
        events.emit(Event.newBuilder().setRenegotiationNeeded(RenegotiationNeeded.newBuilder()
                .setSessionId(id).setReason(hold ? "hold" : "resume").setOfferSdp(offer)).build());
        return offer;
    }

    /** Our offers always lead with audio (see Negotiator#offer): a video-only call cannot re-offer itself yet. */
    private void checkCanOffer() {
        if (videoOnly) {
            throw new EngineException(Error.Code.UNIMPLEMENTED, "this call runs video only (it answered a video-only offer) and cannot"
                    + " make offers itself: hold, resume and ICE restarts of it come from the peer's re-offers");
        }
    }

    /**
     * The app's transceiver directions for the next offer or answer (W3C RTCRtpTransceiver.direction):
     * a kind the app only receives (or not at all) is never sent, whatever the peer says. Null keeps
     * that kind's direction as it was.
     */
    public synchronized void setLocalDirections(Direction audio, Direction video) {
        ensureOpen();
        if (audio != null) this.audio.local = audio;
        if (video != null) this.video.local = video;
    }

    public synchronized void sendDtmf(String digits, int durationMs) {
        ensureOpen();
        if (videoOnly) throw EngineException.precondition("this call runs video only: there is no audio to send DTMF on");
        if (audio.flow == null) throw EngineException.precondition("no media yet");
        if (audio.flow.params().sendDtmfPt() < 0) throw EngineException.precondition("the peer did not negotiate telephone-event");
        audio.flow.sendDtmf(digits, durationMs);
    }

    /** Why the call is on hold (we hold, or the peer cut a way both sides asked for), or null. */
    private String holdReason() {
        MediaSection<?, ?> lead = videoOnly ? video : audio;
        return hold.reason(wanted != Direction.SENDRECV, lead.local, lead.negotiated);
    }

    private void updateHoldState() {
        if (!connected) return;
        String held = holdReason();
        if (held != null) {
            setState(SessionState.State.ON_HOLD, held);
        } else if (!consentLost) {
            setState(SessionState.State.CONNECTED, "media flowing");
        }
    }

    // ------------------------------------------------------------------ devices

    /** Runs (with true for the microphone) after a failed device was replaced by the default one. */
    public void onDeviceLost(Consumer<Boolean> listener) {
        devices.onLost(listener);
    }

    public synchronized void selectDevice(String pulseName, boolean microphone) {
        ensureOpen();
        devices.select(pulseName, microphone);
    }

    /** Runs with the lost camera's and the new one's device (null: none, video stopped) after a camera failed. */
    public void onCameraLost(BiConsumer<String, String> listener) {
        captures.onCameraLost(listener);
    }

    /**
     * The user chose another camera for this call ({@code device}, a /dev/videoN; null for the
     * default): the running video stream goes on from it, same SSRC, and the indicator names it.
     */
    public synchronized void selectCamera(String device) {
        ensureOpen();
        captures.selectCamera(device);
    }

    /**
     * Applies a validated geometry update from the guest: to the self view when {@code selfView} is
     * set or when it clears the self view's mapping, to the remote video's overlay otherwise.
     *
     * @param area null to clear the mapping
     */
    public synchronized void setVideoArea(int mappingId, boolean selfView, VideoArea area) {
        ensureOpen();
        view.setVideoArea(mappingId, selfView, area);
    }

    // ------------------------------------------------------------------ ICE callbacks (TransportListener)

    /** The lead transport's pair was selected (ice4j's thread, or a request for a plain peer): volatile state only. */
    void selected(InetSocketAddress local, InetSocketAddress remote) {
        localAddr = hostPort(local);
        remoteAddr = hostPort(remote);
        connected = true;
    }

    /** After {@link #selected}, on the timer: the state says where media goes. */
    synchronized void connectedState() {
        if (closed) return;
        String held = negotiated ? holdReason() : null;
        if (held != null) {
            setState(SessionState.State.ON_HOLD, "connected, " + held);
        } else {
            IceEndpoint now = CallTransports.current(audio.transport);
            setState(SessionState.State.CONNECTED, (now != null && now.isPlainMode() ? "plain RTP to " : "ICE selected ") + remoteAddr);
        }
    }

    /** A restart's checks completed (on the timer): send through the new pair from now on, retire the old endpoint. */
    synchronized void restartCompleted(IceEndpoint e, MediaSection<?, ?> s) {
        MediaTransport t = transports.of(s);
        if (closed || t == null || !t.promote(e)) return; // superseded or closed meanwhile
        LOG.info("session {}: {}ICE restart complete: {} -> {}", id, s.prefix(), hostPort(e.localAddress()), hostPort(e.remoteAddress()));
        if (s.isVideo()) return; // the call's addresses, consent and state follow the lead transport
        localAddr = hostPort(e.localAddress());
        remoteAddr = hostPort(e.remoteAddress());
        note("ICE restart: selected " + remoteAddr);
        if (consentLost) {
            consentLost = false; // e.g. the old network went away; the new pair has fresh consent
            if (audio.flow != null) audio.flow.setConsent(true);
        }
        connected = true;
        updateHoldState();
    }

    /** ICE failed on an endpoint (on the timer): a restart's is dropped; the lead's fails the call, video's only video. */
    synchronized void iceFailed(IceEndpoint e, MediaSection<?, ?> s, String reason) {
        if (e != null && e != CallTransports.current(transports.of(s))) {
            if (closed) return;
            MediaTransport t = transports.of(s);
            if (t == null || !t.dropFailedRestart(e)) return; // a retired or superseded endpoint
            failures.accept(Failure.ICE);
            LOG.warn("session {}: {}ICE restart failed ({}); media stays on the old pair", id, s.prefix(), reason);
            note(s.prefix() + "ICE restart failed: " + reason + "; media stays on " + (s.isVideo() ? "the old pair" : remoteAddr));
        } else if (s.isVideo()) {
            LOG.warn("session {}: video ICE failed: {}", id, reason);
            failures.accept(Failure.ICE);
            note("video disabled: ICE failed: " + reason);
        } else if (!closed && state != SessionState.State.FAILED) {
            failures.accept(Failure.ICE);
            setState(SessionState.State.FAILED, reason);
        }
    }

    /** A non-DTLS datagram on a transport (its receive thread): to the flows that ride on it. */
    boolean receive(MediaSection<?, ?> s, byte[] buf, int off, int len) {
        if (s.isVideo()) return demux.route(null, null, video.flow, video.mid, true, buf, off, len);
        return demux.route(audio.flow, audio.mid, transports.bundled() ? video.flow : null, video.mid, videoOnly, buf, off, len);
    }

    // ------------------------------------------------------------------ stats

    /** Called every stats interval by the engine: consent check (RFC 7675) and the Stats event. */
    public void tick() {
        IceEndpoint e = CallTransports.current(audio.transport);
        MediaFlow f = audio.flow;
        if (e != null && connected && !closed) {
            boolean lost = System.currentTimeMillis() - e.lastConsentMillis() > config.consentTimeout().toMillis();
            if (lost != consentLost) {
                consentLost = lost;
                if (f != null) f.setConsent(!lost);
                if (lost) {
                    failures.accept(Failure.ICE);
                    setState(SessionState.State.DISCONNECTED, "consent expired: no STUN response from " + remoteAddr);
                } else {
                    synchronized (this) {
                        updateHoldState();
                    }
                }
            }
        }
        if ((f != null || video.flow != null) && !closed) statistics.tick();
    }

    /** How often stats are pushed as events: 0 for never (the app asks), else milliseconds. */
    public void setStatsInterval(long millis) {
        statistics.interval(millis);
    }

    public SessionStats stats() {
        return statistics.stats();
    }

    /** Counters that the protocol has no field for (drops by reason), for tests and metrics. */
    public Map<String, Long> counters() {
        return statistics.counters();
    }

    /** The local media address as announced (default candidate), for tests and tools. */
    public synchronized InetSocketAddress localMediaAddress() {
        IceEndpoint e = CallTransports.current(audio.transport);
        return e == null ? null : e.defaultAddress();
    }

    String localAddr() { return localAddr; }

    String remoteAddr() { return remoteAddr; }

    boolean videoOnly() { return videoOnly; }

    /** The video section was negotiated once (its flow may have failed since). */
    boolean videoRemoteSet() { return videoRemoteSet; }

    // ------------------------------------------------------------------ lifecycle

    public synchronized void close(String reason) {
        if (closed) return;
        closed = true;
        captures.close(); // the indicator entries and the camera prompt go
        if (audio.flow != null) audio.flow.close();
        if (screenShare != null) screenShare.ended(ScreenShareEnded.Reason.CALL_ENDED, reason);
        if (video.flow != null) video.flow.close();
        view.close();
        transports.close();
        state = SessionState.State.CLOSED;
        emitState(SessionState.State.CLOSED, reason);
    }

    /** StartScreenShare: asks the user; completes once the screen is sent, or with the refusal. */
    public CompletableFuture<Void> startScreenShare(StartScreenShare m, OnePromptAtATime gate, ScreenShareConsent consent) {
        ScreenShare s;
        String app;
        LiveCaptures shownTo;
        synchronized (this) {
            ensureOpen();
            if (screenShare == null) throw EngineException.precondition("this session was not created with screen_share");
            s = screenShare;
            app = captures.appId();
            shownTo = captures.captures();
        }
        return s.start(m, app, options.getLabel(), gate, consent, shownTo);
    }

    public void stopScreenShare() {
        ensureOpen();
        if (screenShare == null) throw EngineException.precondition("this session was not created with screen_share");
        screenShare.stop();
    }

    /**
     * Emits the NEW state and, under {@link EngineConfig.CameraPolicy#ASK}, puts the camera question
     * to the user; called once by the engine after registering the session.
     */
    public void announce(String appId, CameraConsent consent, LiveCaptures liveCaptures) {
        synchronized (this) {
            captures.shownTo(appId, liveCaptures);
        }
        emitState(SessionState.State.NEW, options.getLabel());
        if (media.videoDisabledReason() != null) emitState(SessionState.State.NEW, media.videoDisabledReason());
        if (captures.cameraPending()) captures.askCamera(appId, consent);
    }

    // ------------------------------------------------------------------ helpers

    boolean isClosed() {
        return closed;
    }

    /** Counts a failure and returns the exception that reports it, for {@code throw failed(...)}. */
    EngineException failed(Failure f, EngineException e) {
        failures.accept(f);
        return e;
    }

    private void ensureOpen() {
        if (closed) throw new EngineException(Error.Code.NOT_FOUND, "session " + id + " is closed");
    }

    void setState(SessionState.State s, String reason) {
        if (closed && s != SessionState.State.CLOSED) return;
        if (state == s) return;
        if (state == SessionState.State.FAILED && s != SessionState.State.CLOSED) return;
        state = s;
        emitState(s, reason);
    }

    /** A state event that keeps the state and says what happened (a refusal, a degradation, a prompt). */
    void note(String reason) {
        emitState(state, reason);
    }

    private void emitState(SessionState.State s, String reason) {
        events.emit(Event.newBuilder().setSessionState(SessionState.newBuilder()
                .setSessionId(id).setState(s).setReason(reason == null ? "" : reason)).build());
    }

    /** Runs on the engine's timer thread (never blocks the caller: ICE, DTLS, GStreamer, AWT threads). */
    void runAsync(Runnable r) {
        try {
            timer.execute(r);
        } catch (RejectedExecutionException e) {
            LOG.debug("session {}: engine shutting down, dropped a state update", id);
        }
    }

    static String hostPort(InetSocketAddress a) {
        String h = a.getAddress().getHostAddress();
        return (h.contains(":") ? "[" + h + "]" : h) + ":" + a.getPort();
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
