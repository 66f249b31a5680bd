package io.vmc.engine.internal.call;

import io.vmc.engine.internal.DestinationRules;
import io.vmc.engine.internal.EngineException;
import io.vmc.engine.internal.Failure;
import io.vmc.engine.internal.RateLimiter;
import io.vmc.engine.internal.media.AudioCodec;
import io.vmc.engine.internal.media.VideoCodec;
import io.vmc.engine.internal.rtp.MediaFlow;
import io.vmc.engine.internal.rtp.QualityWatch;
import io.vmc.engine.internal.rtp.RtpHeaderExtensions;
import io.vmc.engine.internal.rtp.RtpPackets;
import io.vmc.engine.internal.rtp.VideoFlow;
import io.vmc.engine.internal.transport.IceEndpoint;
import io.vmc.engine.internal.LiveCaptures;
import io.vmc.engine.internal.ui.SwingCameraConsent;
import io.vmc.engine.EngineConfig;
import io.vmc.engine.internal.transport.Demux;
import io.vmc.engine.internal.transport.DtlsCertificate;
import io.vmc.engine.internal.transport.DtlsFailure;
import io.vmc.engine.internal.transport.DtlsLink;
import io.vmc.engine.internal.transport.DtlsNegotiationException;
import io.vmc.engine.internal.transport.DtlsRole;
import io.vmc.engine.internal.transport.DtlsSetup;
import io.vmc.engine.internal.transport.DtlsSrtpSession;
import io.vmc.engine.internal.transport.SrtpKeys;
import io.vmc.engine.sdp.Attribute;
import io.vmc.engine.sdp.Candidate;
import io.vmc.engine.sdp.Connection;
import io.vmc.engine.sdp.Crypto;
import io.vmc.engine.sdp.Direction;
import io.vmc.engine.sdp.MediaDescription;
import io.vmc.engine.sdp.RtpMap;
import io.vmc.engine.sdp.SdpParseException;
import io.vmc.engine.sdp.SdpParser;
import io.vmc.engine.sdp.SessionDescription;
import io.vmc.transport.EventSink;
import io.vmc.transport.proto.DtmfReceived;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.LocalCandidate;
import io.vmc.transport.proto.MediaKind;
import io.vmc.transport.proto.RenegotiationNeeded;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import io.vmc.transport.proto.SessionStats;
import io.vmc.transport.proto.StreamStats;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call (one vmc.v1 session): its state machine, SDP offer/answer (RFC 3264) for one audio and
 * one VP8 or H.264 video section (or, answering a video-only offer, the video section alone on the
 * lead transport, without an audio pipeline), and their transports: ICE per transport; SRTP keyed by SDES
 * (SIP peers) or DTLS-SRTP (RFC 5763/5764, WebRTC peers), and with DTLS-SRTP a BUNDLE group
 * (RFC 8843) in which video rides on the audio transport. What the peer's SDP says about BUNDLE and
 * DTLS is read by the pure helpers in {@code internal.call}. Every public method runs under the
 * call's monitor; callbacks from ICE, DTLS and media threads only touch volatile state or take the
 * monitor briefly on the engine's timer thread.
 */
public final class Call {
    private static final Logger LOG = LoggerFactory.getLogger(Call.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Most ICE restarts, local or remote, per {@link #RESTART_WINDOW_MS}; more are refused with RESOURCE_EXHAUSTED. */
    public static final int MAX_ICE_RESTARTS = 5;
    /** The window of {@link #MAX_ICE_RESTARTS}. */
    public static final long RESTART_WINDOW_MS = 30_000;
    /** How long a replaced ICE endpoint keeps receiving after the switch: the peer switches a moment later. */
    static final long RETIRE_GRACE_MS = 2_000;

    private final String id;
    private final SessionOptions options;
    private final EngineConfig config;
    private final EventSink events;
    private final ScheduledExecutorService timer;
    private final List<AudioCodec> codecs;
    private final String cname = "vmc-" + HexFormat.of().formatHex(randomBytes(6));
    private final byte[] key80 = randomBytes(Crypto.KEY_AND_SALT_BYTES);
    private final byte[] key32 = randomBytes(Crypto.KEY_AND_SALT_BYTES);
    private final byte[] videoKey32 = randomBytes(Crypto.KEY_AND_SALT_BYTES);
    /** Reads and writes this call's SDP; Call applies what it decides to transports and flows. */
    private final Negotiator negotiator;

    // The two m= sections. Audio's transport is also the BUNDLE group's: once bundled, video's
    // transport is the same object; an unbundled video section has its own.
    private final MediaSection<MediaFlow, MediaFlow.Params> audioSection = new MediaSection<>("0");
    private final MediaSection<VideoFlow, VideoFlow.Params> videoSection = new MediaSection<>("1");
    private final java.util.ArrayDeque<Long> restartTimes = new java.util.ArrayDeque<>();
    private boolean remoteUsesIce;
    private final Signaling signaling = new Signaling();
    private boolean negotiated;
    private Direction wanted = Direction.SENDRECV;        // hold: SENDONLY
    private Direction wantedBeforeOffer = Direction.SENDRECV; // restored by a rollback of a hold/resume offer
    private final HoldState hold = new HoldState();
    private boolean muted;
    private String pulseSource;
    private String pulseSink;
    private volatile SessionState.State state = SessionState.State.NEW;
    private volatile boolean connected;
    private volatile boolean consentLost;
    private volatile String localAddr = "";
    private volatile String remoteAddr = "";
    private volatile long statsIntervalMs;      // 0: the app asks with GetStats; pushed otherwise
    private long lastStatsPushMillis;           // timer thread only
    private final QualityWatch quality = new QualityWatch(); // timer thread only
    private boolean closed;

    private final java.util.function.Consumer<List<Candidate>> candidatesGathered;
    /** Where the client may send at all (policy, address classes); checked where the guest names a destination. */
    private final DestinationRules destinations;
    /** What this session may send per second, in bytes, audio and video together (policy media.max-send-kbps). */
    private final RateLimiter sendCeiling;
    /** Failures by category, for the engine's metrics and the call-detail record. */
    private final java.util.function.Consumer<Failure> failures;

    // video (VP8 RFC 7741, H.264 RFC 6184; see VideoCodec): a second m= section, bundled on the
    // audio transport or with a transport and SDES key of its own; see the README's "Video" section
    private final List<VideoCodec> videoCodecs;
    private final boolean videoWanted;
    private final String videoDisabledReason;
    private final byte[] videoKey = randomBytes(Crypto.KEY_AND_SALT_BYTES);
    private io.vmc.overlay.VideoOverlay overlay;
    private boolean videoRemoteSet;

    // camera consent (CameraPolicy.ASK): asked once when the session is announced; the call does not
    // wait: video is negotiated as usual and the sender starts only when the user allows
    private enum Camera { NOT_NEEDED, PENDING, ALLOWED, DENIED }
    private volatile Camera camera;
    private String cameraDeniedReason;
    private java.util.concurrent.CompletableFuture<io.vmc.engine.CameraConsent.Answer> cameraQuestion;
    /** Null unless the session shares the screen (SessionOptions.screen_share) instead of the camera. */
    private final ScreenShare screenShare;

    // what the user sees of this call's captures (microphone, camera, screen); set by announce
    private String appId = "";
    private LiveCaptures captures = new LiveCaptures();
    private LiveCaptures.Capture micShown;     // while the microphone capture runs
    private LiveCaptures.Capture cameraShown;  // while the camera sends
    private boolean micStoppedByUser;          // for the rest of the call: the guest cannot unmute

    // DTLS-SRTP (RFC 5763/5764) and BUNDLE (RFC 8843): one DtlsLink per transport; with BUNDLE
    // the video section rides on the audio transport and packets are told apart by MID, SSRC and
    // payload type (RTP) and sender SSRC (RTCP). Flows keyed by DTLS start when the keys come.
    private final java.util.function.Supplier<DtlsCertificate> certificates;
    private DtlsCertificate certificate;
    private boolean usesDtls;                   // the negotiated media is keyed by DTLS
    private volatile boolean bundled;           // video shares the audio transport (both sections hold the same MediaTransport)
    /**
     * Answered an offer without usable audio: no audio pipeline, and video rides on the lead
     * transport (audioSection.transport, the one the call's ICE, DTLS and state follow) as if bundled.
     */
    private volatile boolean videoOnly;
    /**
     * The m= lines of the last description exchanged, in order, each with its mid and what it
     * carries here. Trickled candidates name their section by them, both ways; re-offers keep them.
     */
    private List<Negotiator.Line> lines = List.of();
    /** The MID header extension's id on the bundled transport (see {@link HeaderExtensions}), -1 when not negotiated. */
    private volatile int midExtensionId = -1;
    /** Bundled RTP packets that their MID header extension routed (a counter for tests and metrics). */
    private final AtomicLong routedByMid = new AtomicLong();
    private final String msid = "vmc-" + HexFormat.of().formatHex(randomBytes(8));
    // self view: a second overlay fed from the sender, shown at the app's self-view mapping
    private io.vmc.overlay.VideoOverlay selfOverlay;
    private int selfViewMapping = -1;
    private io.vmc.overlay.VideoArea selfViewArea;

    public Call(String id, SessionOptions options, EngineConfig config, EventSink events,
                        ScheduledExecutorService timer, java.util.function.Consumer<List<Candidate>> candidatesGathered,
                        java.util.function.Consumer<Failure> failures, java.util.function.Supplier<DtlsCertificate> certificates) {
        this.id = id;
        this.certificates = certificates;
        if (options.getDtlsSrtp() && options.getSrtp() == SessionOptions.SrtpPolicy.SRTP_DISABLED) {
            throw EngineException.invalid("dtls_srtp needs SRTP: srtp must not be SRTP_DISABLED");
        }
        this.candidatesGathered = candidatesGathered;
        this.failures = failures;
        this.options = options;
        this.config = config;
        this.events = events;
        this.timer = timer;
        this.destinations = DestinationRules.of(config);
        double bytesPerSecond = config.maxSendKbps() * 125.0;
        this.sendCeiling = new RateLimiter(bytesPerSecond, Math.max(4096, bytesPerSecond / 4)); // a quarter second at once: a key frame
        List<AudioCodec> allowed = new ArrayList<>();
        for (String n : config.audioCodecs()) {
            allowed.add(AudioCodec.fromName(n).orElseThrow());
        }
        List<AudioCodec> list = new ArrayList<>();
        if (options.getAudioCodecsCount() == 0) {
            list.addAll(allowed);
        } else {
            for (String n : options.getAudioCodecsList()) {
                AudioCodec c = AudioCodec.fromName(n).orElseThrow(() -> EngineException.invalid("unknown audio codec \"" + n + "\""));
                if (!list.contains(c) && allowed.contains(c)) list.add(c);
            }
            if (list.isEmpty()) {
                throw failed(Failure.POLICY, EngineException.precondition("none of the audio codecs " + options.getAudioCodecsList()
                        + " is allowed by the client policy (allowed: " + config.audioCodecs() + ")"));
            }
        }
        this.codecs = List.copyOf(list);
        List<VideoCodec> wantedVideo = new ArrayList<>();
        if (options.getVideoCodecsCount() == 0) {
            wantedVideo.addAll(List.of(VideoCodec.values()));
        } else {
            for (String n : options.getVideoCodecsList()) {
                VideoCodec c = VideoCodec.fromName(n).orElseThrow(() -> EngineException.invalid("unknown video codec \"" + n + "\""));
                if (!wantedVideo.contains(c)) wantedVideo.add(c);
            }
        }
        this.videoCodecs = options.getVideo() ? VideoCodec.usable(wantedVideo, VideoCodec::hasElement) : List.of();
        if (options.getVideo() && !config.videoEnabled()) {
            videoWanted = false;
            videoDisabledReason = "video disabled by the client policy; the call is audio-only";
            failures.accept(Failure.POLICY);
        } else if (options.getVideo() && !options.getScreenShare() && config.videoSource().isCamera()
                && config.cameraPolicy() == EngineConfig.CameraPolicy.DENY) {
            videoWanted = false;
            videoDisabledReason = "video disabled: camera use denied by policy (" + config.videoSource() + "); the call is audio-only";
            failures.accept(Failure.POLICY);
        } else if (options.getVideo() && videoCodecs.isEmpty()) {
            videoWanted = false;
            List<String> why = new ArrayList<>();
            for (VideoCodec c : wantedVideo) c.unavailability(VideoCodec::hasElement).ifPresent(why::add);
            videoDisabledReason = "video disabled: no usable video codec (" + String.join("; ", why) + "); the call is audio-only";
            failures.accept(Failure.MEDIA);
        } else {
            videoWanted = options.getVideo();
            videoDisabledReason = null;
        }
        if (options.getScreenShare()) {
            if (!options.getVideo()) throw EngineException.invalid("screen_share needs video=true");
            if (config.screenSource() == null) {
                throw EngineException.precondition("this engine shows no SPICE display to share (vmc engine --spice)");
            }
            screenShare = new ScreenShare(id, config, events::emit, timer);
        } else {
            screenShare = null;
        }
        if (!videoWanted || !config.videoSource().isCamera() || screenShare != null) {
            camera = Camera.NOT_NEEDED;
        } else {
            camera = config.cameraPolicy() == EngineConfig.CameraPolicy.ASK ? Camera.PENDING : Camera.ALLOWED;
        }
        this.negotiator = new Negotiator(
                new Negotiator.Capabilities(codecs, videoCodecs, videoWanted, config.opusDtx(), options.getSrtp(), options.getDtlsSrtp(),
                        screenShare != null),
                new Negotiator.Keys(key80, key32, videoKey, videoKey32, () -> certificate().fingerprint().toSdp(), msid),
                RANDOM.nextLong() & Long.MAX_VALUE, failures);
    }

    /** The engine's DTLS certificate, taken on first use (making one is not free). */
    private DtlsCertificate certificate() {
        if (certificate == null) certificate = certificates.get();
        return certificate;
    }

    public String id() { return id; }

    /** The app that created the call (CreateSession's app_id, guest text). */
    public synchronized String appId() { return appId; }

    /** Where this call registers its live captures ({@link LiveCaptures#show}). */
    public synchronized LiveCaptures captures() { return captures; }

    public SessionState.State state() { return state; }

    // ------------------------------------------------------------------ offer/answer

    public synchronized String createOffer(boolean iceRestart) {
        ensureOpen();
        signaling.checkCreateOffer();
        checkCanOffer();
        if (iceRestart) {
            if (!negotiated) throw EngineException.precondition("no negotiated call to restart ICE for (the first offer gathers fresh candidates anyway)");
            if (!remoteUsesIce) throw EngineException.precondition("the peer does not use ICE (plain RTP to " + remoteAddr + "): there is no ICE to restart");
            countRestart("local");
            startRestart(false, true);
            MediaTransport ownVideo = ownVideoTransport();
            if (ownVideo != null && ownVideo.hasRemoteCredentials()) startRestart(true, true);
        }
        ensureIce(false, true);
        // a re-offer keeps what was negotiated: DTLS-SRTP once the call uses it (also when we answered a browser)
        boolean dtlsOffer = options.getDtlsSrtp() || (negotiated && usesDtls);
        Negotiator.VideoTransport video = null;
        if (videoWanted) {
            // Once bundled, video shares the audio transport. A first DTLS offer marks video
            // bundle-only (RFC 8843 section 7.2.1: port 0, audio's ICE credentials, no candidates):
            // BUNDLE answerers refuse bundled sections whose ICE credentials differ (webrtcbin:
            // "different ice-ufrag values in bundle"), and one agent per section cannot share them.
            // A peer that does not bundle declines that video and keeps audio. SDES offers (SIP
            // peers) give video its own transport.
            boolean bundleOnly = dtlsOffer && !bundled && ownVideoTransport() == null;
            video = bundled ? Negotiator.VideoTransport.SHARED : bundleOnly ? Negotiator.VideoTransport.BUNDLE_ONLY : Negotiator.VideoTransport.OWN;
            if (video == Negotiator.VideoTransport.OWN) ensureIce(true, true);
        }
        SessionDescription sdp = negotiator.offer(new Negotiator.Offer(dtlsOffer, audioSection.mid, videoSection.mid, local(audioSection.transport.newest()), video,
                video == Negotiator.VideoTransport.OWN ? local(videoSection.transport.newest()) : null, wants(), lines));
        signaling.offered(sdp);
        lines(sdp, ownLine(sdp, audioSection.mid), video == null ? null : ownLine(sdp, videoSection.mid));
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
        boolean firstTime = audioSection.transport == null;
        checkTransportChange(offer, m, withIce, firstTime);
        boolean restart = needsRestart(offer, m, withIce, firstTime);
        boolean vRestart = a.videoIceOffered() && needsVideoRestart(offer, vOffer);
        if (restart || vRestart) countRestart("remote");
        if (restart) startRestart(false, false);
        if (vRestart) startRestart(true, false);
        lines(offer, a.videoOnly() ? null : a.audioOffer(), a.video() != null ? vOffer : null);
        ensureIce(false, false);
        if (a.videoRejection() != null) {
            LOG.info("session {}: video rejected: {}", id, a.videoRejection());
            emitState(state, "video rejected: " + a.videoRejection() + "; the call is audio-only");
        }
        if (!a.unknownBundleMids().isEmpty()) {
            LOG.info("session {}: the offer's BUNDLE group names unknown or repeated mids {}: ignored", id, a.unknownBundleMids());
        }
        Negotiator.Section v = a.video();
        if (v != null && !a.videoBundled()) ensureIce(true, false);
        SessionDescription answer = negotiator.writeAnswer(a, local(audioSection.transport.newest()),
                v != null && !a.videoBundled() ? local(videoSection.transport.newest()) : null);

        signaling.answered();
        settled();
        applyTransport(offer, m, withIce, firstTime);
        usesDtls = a.lead().dtls() != null;
        videoOnly = a.videoOnly();
        bundle(a.videoBundled());
        midExtensionId = bundled ? HeaderExtensions.negotiatedMidId(m) : -1;
        // our re-offers keep the peer's mids (RFC 8843 section 7.5)
        if (a.audioOffer() != null && usableMid(a.audioOffer()) != null) audioSection.mid = usableMid(a.audioOffer());
        if (v != null && usableMid(vOffer) != null) videoSection.mid = usableMid(vOffer);
        if (usesDtls) configureDtls(false, a.lead().dtls());
        if (v != null) {
            if (v.dtls() != null && !a.videoBundled()) configureDtls(true, v.dtls());
            applyVideo(offer, vOffer, withIce, videoParams(v));
        }
        hold.peerSaid(offer.direction(m));
        if (videoOnly) {
            negotiated = true; // no audio pipeline: the video flow alone carries the call
            updateHoldState();
        } else {
            applyMedia(audioParams(a.audio()), a.audio().direction());
        }
        dropUnansweredVideoRestart();
        tagMids();
        return answer.toString();
    }

    public synchronized void setRemoteDescription(io.vmc.transport.proto.SdpType type, String sdp) {
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
        boolean provisional = type == io.vmc.transport.proto.SdpType.PRANSWER;
        SessionDescription answer = Negotiator.parse(sdp);
        signaling.checkRemoteAnswer(answer, provisional, remoteUsesIce || usesDtls);
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
        checkTransportChange(answer, m, withIce, !negotiated);
        boolean vUsable = vAns != null && !vAns.isRejected();
        boolean vIceAnswered = vUsable && answer.attribute(vAns, "ice-ufrag").isPresent();
        // an answer that changes the peer's credentials although we did not restart: restart with it
        boolean restart = needsRestart(answer, m, withIce, !negotiated);
        boolean vRestart = vIceAnswered && needsVideoRestart(answer, vAns);
        if (restart || vRestart) countRestart("remote");
        if (restart) startRestart(false, true);
        if (vRestart) startRestart(true, true);
        signaling.remoteAnswered(answer, provisional);
        if (!provisional) settled();
        applyTransport(answer, m, withIce, !negotiated);
        usesDtls = r.audio().dtls() != null;
        if (usesDtls) {
            configureDtls(false, r.audio().dtls());
            // RFC 8843 section 7.3: the answer's group says whether video moved onto the audio transport
            if (r.bundled() || !videoRemoteSet) bundle(r.bundled());
            midExtensionId = bundled ? HeaderExtensions.negotiatedMidId(m) : -1;
        }
        hold.peerSaid(answer.direction(m));
        applyMedia(audioParams(r.audio()), r.audio().direction());
        boolean hasVideoTransport = videoSection.transport != null;
        lines(answer, m, vUsable && hasVideoTransport ? vAns : null);
        if (vUsable && !hasVideoTransport) {
            LOG.info("session {}: the peer did not bundle the bundle-only video section: video off", id);
        }
        if (vUsable && hasVideoTransport) {
            if (r.videoError() != null) throw EngineException.invalid(r.videoError());
            Negotiator.Section v = r.video();
            if (usesDtls && !bundled) {
                if (v.dtls() == null) throw failed(Failure.DTLS_SRTP, EngineException.invalid("the video answer has no usable DTLS terms (a=fingerprint, a=setup)"));
                configureDtls(true, v.dtls());
            }
            applyVideo(answer, vAns, vIceAnswered || bundled, videoParams(v));
        }
        dropUnansweredVideoRestart();
        tagMids();
    }

    private static MediaDescription ownLine(SessionDescription own, String mid) {
        return own.media().stream().filter(m -> m.attribute("mid").orElse("").equals(mid)).findFirst().orElse(null);
    }

    /** Records the description's m= lines: which is our audio, which our video, the others rejected. */
    private void lines(SessionDescription sdp, MediaDescription audio, MediaDescription video) {
        // (a description of ours has one line of each kind; the peer's may have more, only the chosen ones count)
        lines = sdp.media().stream().map(m -> Negotiator.Line.of(m, m == audio ? MediaKind.AUDIO : m == video ? MediaKind.VIDEO : null)).toList();
    }

    /** The index of the line that carries this kind, or -1. */
    private int lineOf(MediaKind kind) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).kind() == kind) return i;
        }
        return -1;
    }

    /** Our RTP in a bundle carries its section's MID once the MID extension is negotiated (RFC 8843 section 15). */
    private void tagMids() {
        int ext = midExtensionId;
        MediaFlow f = audioSection.flow;
        if (f != null) f.setMid(ext, audioSection.mid);
        VideoFlow v = videoSection.flow;
        if (v != null) v.setMid(bundled ? ext : -1, videoSection.mid);
    }

    /** What this exchange wants beyond the call's capabilities: hold, camera, the running video codec, the DTLS role. */
    private Negotiator.Wants wants() {
        VideoFlow running = videoSection.flow;
        return new Negotiator.Wants(audioWantedDirection(), videoWantedDirection(), running == null ? null : running.params().codec(),
                running == null ? -1 : running.params().recvPt(), dtlsRole());
    }

    private DtlsRole dtlsRole() {
        DtlsLink l = dtlsOf(audioSection.transport);
        return l == null ? null : l.role();
    }

    private static Negotiator.LocalIce local(IceEndpoint e) {
        return new Negotiator.LocalIce(e.localUfrag(), e.localPassword(), e.localCandidates(), e.defaultAddress());
    }

    private MediaFlow.Params audioParams(Negotiator.Section s) {
        Negotiator.Sdes k = s.sdes();
        return new MediaFlow.Params(s.audioCodec(), s.sendPt(), s.recvPt(), s.sendDtmfPt(), s.recvDtmfPt(),
                k == null ? null : k.suite(), k == null ? null : k.localKey(), k == null ? null : k.remoteKey(), cname);
    }

    private static VideoFlow.Params videoParams(Negotiator.Section s) {
        Negotiator.Sdes k = s.sdes();
        return new VideoFlow.Params(s.videoCodec(), s.sendPt(), s.recvPt(), k == null ? null : k.suite(),
                k == null ? null : k.localKey(), k == null ? null : k.remoteKey(), s.direction().sends(), s.direction().receives());
    }

    /** A video restart whose section the peer rejected or left without ICE: nothing will ever complete it. */
    private void dropUnansweredVideoRestart() {
        MediaTransport own = ownVideoTransport();
        if (own != null) own.dropUnansweredRestart();
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
        boolean video;
        if (lines.isEmpty()) {
            video = false; // nothing exchanged yet: refused below as "no offer or answer yet"
        } else {
            List<String> mids = lines.stream().map(Negotiator.Line::mid).toList();
            int line = mid.isEmpty() ? mLineIndex : mids.indexOf(mid);
            if (line < 0) throw EngineException.invalid("candidate for mid \"" + mid + "\": no m= section has that mid (mids: " + mids + ")");
            if (line >= lines.size()) {
                throw EngineException.invalid("candidate for m_line_index " + mLineIndex + ": the session description has " + lines.size() + " m= sections");
            }
            MediaKind kind = lines.get(line).kind();
            if (kind == null) {
                LOG.debug("session {}: ignored a candidate of m-line {}, which this call rejected", id, line);
                return;
            }
            video = kind == MediaKind.VIDEO;
        }
        Optional<Candidate> c;
        try {
            c = SdpParser.parseCandidate(candidate);
        } catch (IllegalArgumentException e) {
            throw EngineException.invalid("candidate: " + e.getMessage());
        }
        if (c.isEmpty()) return; // TCP or mDNS: not usable, silently ignored as RFC 8839 allows
        // during an ICE restart trickled candidates belong to the new generation
        MediaTransport t = video ? videoSection.transport : audioSection.transport; // the same one when bundled
        IceEndpoint target = t == null ? null : t.newest();
        if (target == null) throw EngineException.precondition(video ? "no video section negotiated" : "no offer or answer yet");
        Optional<String> why = destinations.refusal(c.get().address(), ownAddresses());
        if (why.isPresent()) {
            LOG.warn("session {}: refused trickled ICE candidate {}: {}", id, c.get().address().getHostAddress(), why.get());
            throw failed(Failure.POLICY, new EngineException(Error.Code.PERMISSION_DENIED, "ICE candidate refused: " + why.get()));
        }
        if (!target.addRemoteCandidate(c.get())) {
            throw new EngineException(Error.Code.RESOURCE_EXHAUSTED, "remote candidate refused (limit " + IceEndpoint.MAX_REMOTE_CANDIDATES + " or not applicable)");
        }
        target.startIfReady();
    }

    private void applyTransport(SessionDescription sdp, MediaDescription m, boolean withIce, boolean firstTime) {
        remoteUsesIce = withIce;
        if (withIce) {
            String ufrag = sdp.attribute(m, "ice-ufrag").orElseThrow();
            String pwd = sdp.attribute(m, "ice-pwd").orElseThrow();
            // the first endpoint, or a restart's (the answer to ours, or the peer's we are answering);
            // a re-offer without ICE restart keeps the selected pair
            IceEndpoint target = audioSection.transport.takeRemoteCredentials(ufrag, pwd, firstTime);
            if (target == null) return;
            addCandidates(target, m);
            target.startIfReady();
        } else {
            InetSocketAddress target = plainTarget(sdp, m, "");
            IceEndpoint ice = audioSection.transport.current();
            if (firstTime) {
                ice.usePlainRemote(target);
            } else if (!target.equals(ice.remoteAddress()) || ice.proposedRemote() != null) {
                // media keeps going to the old address until the new one sends an authenticated packet
                LOG.info("session {}: the peer announces a new media address {} (now {})", id, hostPort(target), remoteAddr);
                ice.proposePlainRemote(target);
            }
        }
    }

    /** The section's candidates that the destination rules allow (checked and reported by {@link #checkCandidates}). */
    private void addCandidates(IceEndpoint target, MediaDescription m) {
        List<InetAddress> own = ownAddresses();
        for (String v : m.attributes("candidate")) {
            Optional<Candidate> c = SdpParser.parseCandidate(v);
            if (c.isPresent() && destinations.refusal(c.get().address(), own).isEmpty()) target.addRemoteCandidate(c.get());
        }
    }

    /**
     * Validates a section's candidates before anything changes: a malformed one is an error; one at an
     * address the policy refuses is left out, logged once and reported in a state event; a section
     * whose candidates are all refused is refused (nothing would be sent anyway, and the app learns why).
     */
    private void checkCandidates(MediaDescription m, String what) {
        List<InetAddress> own = ownAddresses();
        List<String> refused = new ArrayList<>();
        int usable = 0;
        for (String v : m.attributes("candidate")) {
            Optional<Candidate> c;
            try {
                c = SdpParser.parseCandidate(v);
            } catch (IllegalArgumentException e) {
                throw EngineException.invalid(what + " candidate: " + e.getMessage());
            }
            if (c.isEmpty()) continue;
            Optional<String> why = destinations.refusal(c.get().address(), own);
            if (why.isPresent()) refused.add(why.get()); else usable++;
        }
        if (refused.isEmpty()) return;
        String text = what + ": " + refused.size() + " ICE candidate(s) refused: " + String.join("; ", new java.util.LinkedHashSet<>(refused));
        if (usable == 0) {
            LOG.warn("session {}: {}; no candidate left", id, text);
            throw failed(Failure.POLICY, new EngineException(Error.Code.PERMISSION_DENIED, text + "; no candidate left"));
        }
        LOG.warn("session {}: {}; checks go to the {} other(s)", id, text, usable);
        emitState(state, text);
    }

    private InetSocketAddress plainTarget(SessionDescription sdp, MediaDescription m, String what) {
        Connection c = sdp.connection(m);
        if (c == null) throw EngineException.invalid(what + "no c= line and no ICE candidates: nowhere to send media");
        InetAddress a = c.inetAddress();
        if (a.isAnyLocalAddress() || a.isMulticastAddress()) {
            throw EngineException.invalid(what + "c= address " + c.address() + " cannot receive media");
        }
        if (m.port() == 0) throw EngineException.invalid(what + "m= port 0");
        Optional<String> why = destinations.refusal(a, ownAddresses());
        if (why.isPresent()) {
            LOG.warn("session {}: refused media destination {}:{}: {}", id, c.address(), m.port(), why.get());
            throw failed(Failure.POLICY, new EngineException(Error.Code.PERMISSION_DENIED, what + "media to " + c.address() + ":" + m.port() + " refused: " + why.get()));
        }
        return new InetSocketAddress(a, m.port());
    }

    /** The thin client's interface addresses now (they change: DHCP, VPN, Wi-Fi), and the configured ICE addresses. */
    private List<InetAddress> ownAddresses() {
        List<InetAddress> out = new ArrayList<>(config.iceAddresses());
        try {
            out.addAll(IceEndpoint.interfaceAddresses());
        } catch (IOException e) {
            LOG.debug("cannot list interface addresses: {}", e.toString());
        }
        return out;
    }

    /** Refuses a renegotiation that switches between ICE and plain RTP (before anything is changed). */
    private void checkTransportChange(SessionDescription sdp, MediaDescription m, boolean withIce, boolean firstTime) {
        if (!withIce && config.requireIce()) {
            LOG.warn("session {}: refused SDP without ICE: the client policy requires ICE", id);
            throw failed(Failure.POLICY, new EngineException(Error.Code.PERMISSION_DENIED, "the peer's SDP has no ICE (a=ice-ufrag/a=ice-pwd) and the client policy requires ICE (media.require-ice)"));
        }
        if (withIce) checkCandidates(m, m.media());
        MediaDescription v = Negotiator.videoSection(sdp);
        if (videoWanted && v != null && v != m && !v.isRejected()) { // before anything changes, like the audio section
            if (withIce) checkCandidates(v, "video"); else plainTarget(sdp, v, "video: ");
        }
        if (firstTime || withIce == remoteUsesIce) {
            if (!withIce) plainTarget(sdp, m, "");
            return;
        }
        throw new EngineException(Error.Code.UNIMPLEMENTED, withIce
                ? "the peer used plain RTP and now offers ICE: switching a running call to ICE is not supported"
                : "the peer used ICE and now offers plain RTP: switching a running call from ICE to plain RTP is not supported");
    }

    /** New ice-ufrag or ice-pwd from the peer on a running ICE call (RFC 8839 section 4.4.1.1.2). */
    private boolean needsRestart(SessionDescription sdp, MediaDescription m, boolean withIce, boolean firstTime) {
        return !firstTime && withIce && audioSection.transport.peerRestarts(sdp, m);
    }

    /** The same for an unbundled video section with ICE of its own. */
    private boolean needsVideoRestart(SessionDescription sdp, MediaDescription vm) {
        MediaTransport own = ownVideoTransport();
        return videoRemoteSet && own != null && !own.current().isPlainMode() && own.peerRestarts(sdp, vm);
    }

    /** Rate limit: a storm of restarts (each binds sockets and runs checks) is refused, the call goes on. */
    private void countRestart(String who) {
        long now = System.nanoTime() / 1_000_000;
        while (!restartTimes.isEmpty() && now - restartTimes.peekFirst() > RESTART_WINDOW_MS) restartTimes.removeFirst();
        if (restartTimes.size() >= MAX_ICE_RESTARTS) {
            throw new EngineException(Error.Code.RESOURCE_EXHAUSTED, "too many ICE restarts: " + who + " restart refused ("
                    + MAX_ICE_RESTARTS + " per " + RESTART_WINDOW_MS / 1000 + " s allowed); media stays on " + remoteAddr);
        }
        restartTimes.addLast(now);
    }

    /** New agent, credentials and candidates for audio's (or the unbundled video's) transport; an unfinished earlier restart is dropped. */
    private void startRestart(boolean video, boolean controlling) {
        (video ? ownVideoTransport() : audioSection.transport).restart(gather(video, controlling, false));
        LOG.info("session {}: {}ICE restart ({}), media stays on the old pair until the new checks complete", id,
                video ? "video " : "", controlling ? "controlling" : "controlled");
    }

    /** The restart's checks completed: send through the new pair from now on, retire the old endpoint. */
    private synchronized void promote(IceEndpoint e, boolean video) {
        MediaTransport t = video ? ownVideoTransport() : audioSection.transport;
        if (closed || t == null || !t.promote(e)) return; // superseded or closed meanwhile
        LOG.info("session {}: {}ICE restart complete: {} -> {}", id, video ? "video " : "", hostPort(e.localAddress()), hostPort(e.remoteAddress()));
        if (video) return; // the call's addresses, consent and state follow the audio transport
        localAddr = hostPort(e.localAddress());
        remoteAddr = hostPort(e.remoteAddress());
        emitState(state, "ICE restart: selected " + remoteAddr);
        if (consentLost) {
            consentLost = false; // e.g. the old network went away; the new pair has fresh consent
            if (audioSection.flow != null) audioSection.flow.setConsent(true);
        }
        connected = true;
        updateHoldState();
    }

    private synchronized void restartFailed(IceEndpoint e, boolean video, String reason) {
        if (closed) return;
        MediaTransport t = video ? ownVideoTransport() : audioSection.transport;
        if (t == null || !t.dropFailedRestart(e)) return; // a retired or superseded endpoint
        failures.accept(Failure.ICE);
        LOG.warn("session {}: {}ICE restart failed ({}); media stays on the old pair", id, video ? "video " : "", reason);
        emitState(state, (video ? "video " : "") + "ICE restart failed: " + reason + "; media stays on " + (video ? "the old pair" : remoteAddr));
    }

    private void applyMedia(MediaFlow.Params p, Direction dir) {
        negotiated = true;
        audioSection.negotiated = dir;
        if (usesDtls) {
            audioSection.awaitingKeys = p;
            DtlsLink link = dtlsOf(audioSection.transport);
            DtlsSrtpSession s = link == null ? null : link.session();
            if (s == null) {
                if (audioSection.flow != null) audioSection.flow.setDirection(dir.sends(), dir.receives());
                updateHoldState();
                return; // the flow starts with the keys (onDtlsKeys)
            }
            p = withKeys(p, s.keys());
        }
        if (audioSection.flow != null && sameMedia(audioSection.flow.params(), p)) {
            audioSection.flow.setDirection(dir.sends(), dir.receives());
        } else {
            if (audioSection.flow != null) {
                audioSection.nextSeq = audioSection.flow.nextSeq();
                audioSection.flow.close();
            }
            try {
                audioSection.flow = new MediaFlow(p, config, id, pulseSource, pulseSink, audioSection.ssrc, audioSection.nextSeq, timer, new FlowIo());
            } catch (IOException | RuntimeException e) {
                audioSection.flow = null;
                failures.accept(Failure.MEDIA);
                setState(SessionState.State.FAILED, "media pipeline: " + e.getMessage());
                throw new EngineException(Error.Code.INTERNAL, "cannot start the media pipeline: " + e.getMessage(), e);
            }
            audioSection.flow.setDirection(dir.sends(), dir.receives());
            audioSection.flow.setMuted(muted || micStoppedByUser);
            tagMids();
            audioSection.flow.start();
        }
        showMicrophone(dir.sends());
        updateHoldState();
    }

    /** Why the call is on hold (we hold, or the peer cut a way both sides asked for), or null. */
    private String holdReason() {
        MediaSection<?, ?> lead = videoOnly ? videoSection : audioSection;
        return hold.reason(wanted != Direction.SENDRECV, lead.local, lead.negotiated);
    }

    /** Shows the microphone on the thin client while this call sends it; a user's stop ends that for the call. */
    private void showMicrophone(boolean live) {
        if (live && micShown == null && !micStoppedByUser && !closed) {
            micShown = captures.show(appId, LiveCaptures.Kind.MICROPHONE, microphoneLabel(),
                    () -> runAsync(this::microphoneStoppedByUser));
        } else if (!live && micShown != null) {
            micShown.close();
            micShown = null;
        }
    }

    private String microphoneLabel() {
        return pulseSource != null ? pulseSource : config.audioSource().toString();
    }

    private synchronized void microphoneStoppedByUser() {
        micShown = null;
        if (closed || micStoppedByUser) return;
        micStoppedByUser = true;
        if (audioSection.flow != null) audioSection.flow.setMuted(true);
        captureStopped(io.vmc.transport.proto.CaptureKind.CAPTURE_MICROPHONE, "microphone stopped by the user on the thin client ("
                + microphoneLabel() + "); the call goes on without sending sound, and the app cannot unmute it");
    }

    private synchronized void cameraStoppedByUser() {
        cameraShown = null;
        if (closed || camera == Camera.DENIED) return;
        camera = Camera.DENIED;
        cameraDeniedReason = "camera stopped by the user on the thin client (" + config.videoSource() + ")";
        if (videoSection.flow != null) {
            videoSection.flow.setSelfView(false);
            videoSection.flow.stopSending();
        }
        if (selfOverlay != null) selfOverlay.clearVideoArea();
        captureStopped(io.vmc.transport.proto.CaptureKind.CAPTURE_CAMERA, cameraDeniedReason
                + "; the call goes on without sending video");
    }

    private void captureStopped(io.vmc.transport.proto.CaptureKind kind, String reason) {
        LOG.info("session {}: {}", id, reason);
        events.emit(Event.newBuilder().setCaptureStopped(io.vmc.transport.proto.CaptureStopped.newBuilder()
                .setSessionId(id).setKind(kind).setReason(reason)).build());
        emitState(state, reason);
    }

    /** Shows the camera while this call sends it (allowed, or needing no consent). */
    private void showCamera() {
        boolean live = videoSection.flow != null && videoSection.flow.hasSender() && config.videoSource().isCamera()
                && (camera == Camera.ALLOWED || camera == Camera.NOT_NEEDED) && !closed;
        if (live && cameraShown == null) {
            cameraShown = captures.show(appId, LiveCaptures.Kind.CAMERA, cameraSource().toString(),
                    () -> runAsync(this::cameraStoppedByUser));
        } else if (!live && cameraShown != null) {
            cameraShown.close();
            cameraShown = null;
        }
    }

    private static MediaFlow.Params withKeys(MediaFlow.Params p, SrtpKeys k) {
        return new MediaFlow.Params(p.codec(), p.sendPt(), p.recvPt(), p.sendDtmfPt(), p.recvDtmfPt(),
                k.suite(), k.localKeyAndSalt(), k.remoteKeyAndSalt(), p.cname());
    }

    private static VideoFlow.Params withKeys(VideoFlow.Params p, SrtpKeys k) {
        return new VideoFlow.Params(p.codec(), p.sendPt(), p.recvPt(), k.suite(), k.localKeyAndSalt(), k.remoteKeyAndSalt(),
                p.send(), p.receive());
    }

    /** The audio (or the unbundled video) transport's DTLS link, made on first use, with what this exchange decided. */
    private void configureDtls(boolean video, DtlsSetup.Association a) {
        (video ? videoSection.transport : audioSection.transport).dtls(certificate(), new DtlsListener()).configure(a);
    }

    private final class DtlsListener implements DtlsLink.Listener {
        @Override
        public void onKeys(DtlsLink link, DtlsSrtpSession s) {
            LOG.info("session {}: DTLS-SRTP connected as {} ({}, {}, {} ms)", id, s.role(), s.keys().profile(), s.cipherSuite(),
                    s.handshakeNanos() / 1_000_000);
            runAsync(() -> onDtlsKeys(link, s));
        }

        @Override
        public void onFailed(DtlsLink link, DtlsFailure f) {
            runAsync(() -> onDtlsFailed(link, f));
        }
    }

    private synchronized void onDtlsKeys(DtlsLink link, DtlsSrtpSession s) {
        if (closed || link.session() != s) return; // closed, or a newer association replaced it
        if (link == dtlsOf(audioSection.transport) && audioSection.awaitingKeys != null) {
            try {
                applyMedia(audioSection.awaitingKeys, audioSection.negotiated);
            } catch (EngineException e) {
                LOG.warn("session {}: cannot start audio with the DTLS keys: {}", id, e.getMessage());
            }
        }
        if (link == dtlsOf(videoSection.transport) && videoSection.awaitingKeys != null) { // audio's too when bundled
            VideoFlow.Params p = withKeys(videoSection.awaitingKeys, s.keys());
            VideoFlow f = videoSection.flow;
            if (f != null && sameVideo(f.params(), p)) return;
            if (f != null) {
                videoSection.nextSeq = f.nextSeq();
                f.close();
                videoSection.flow = null;
            }
            startVideoFlow(p);
        }
    }

    private synchronized void onDtlsFailed(DtlsLink link, DtlsFailure f) {
        if (closed) return;
        failures.accept(Failure.DTLS_SRTP);
        LOG.warn("session {}: DTLS-SRTP failed: {}", id, f);
        if (link == dtlsOf(audioSection.transport)) {
            setState(SessionState.State.FAILED, "DTLS-SRTP: " + f.message());
        } else {
            emitState(state, "video disabled: DTLS-SRTP: " + f.message());
        }
    }

    private static boolean sameMedia(MediaFlow.Params a, MediaFlow.Params b) {
        return a.codec() == b.codec() && a.sendPt() == b.sendPt() && a.recvPt() == b.recvPt()
                && a.sendDtmfPt() == b.sendDtmfPt() && a.recvDtmfPt() == b.recvDtmfPt()
                && Arrays.equals(a.localKey(), b.localKey()) && Arrays.equals(a.remoteKey(), b.remoteKey());
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

    // ------------------------------------------------------------------ call control

    public synchronized void setMute(boolean mute) {
        ensureOpen();
        if (!mute && micStoppedByUser) {
            throw new EngineException(Error.Code.PERMISSION_DENIED, "the user stopped the microphone on the thin client:"
                    + " it stays off for the rest of this call");
        }
        muted = mute;
        if (audioSection.flow != null) audioSection.flow.setMuted(mute);
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
        if (audioSection.flow != null && hold) audioSection.flow.setDirection(true, false);
        if (videoSection.flow != null && hold) videoSection.flow.setDirection(true, false);
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

    public synchronized void sendDtmf(String digits, int durationMs) {
        ensureOpen();
        if (videoOnly) throw EngineException.precondition("this call runs video only: there is no audio to send DTMF on");
        if (audioSection.flow == null) throw EngineException.precondition("no media yet");
        if (audioSection.flow.params().sendDtmfPt() < 0) throw EngineException.precondition("the peer did not negotiate telephone-event");
        audioSection.flow.sendDtmf(digits, durationMs);
    }

    /** How often a call's microphone or speaker may fail before the call fails: no endless switching. */
    static final int MAX_DEVICE_LOSSES = 3;
    private final int[] deviceLosses = new int[2]; // [microphone, speaker], under this
    private volatile java.util.function.Consumer<Boolean> onDeviceLost = mic -> { };

    /** Runs (with true for the microphone) after a failed device was replaced by the default one. */
    public void onDeviceLost(java.util.function.Consumer<Boolean> listener) {
        onDeviceLost = listener;
    }

    private void deviceLost(boolean microphone, String message) {
        synchronized (this) {
            if (state == SessionState.State.CLOSED || state == SessionState.State.FAILED) return;
            if (++deviceLosses[microphone ? 0 : 1] > MAX_DEVICE_LOSSES) {
                LOG.warn("session {}: media error: {} (the {} failed {} times)", id, message,
                        microphone ? "microphone" : "speaker", MAX_DEVICE_LOSSES);
                failures.accept(Failure.MEDIA);
                setState(SessionState.State.FAILED, "media: " + message);
                return;
            }
            LOG.warn("session {}: {} failed ({}); going on with the default one", id, microphone ? "microphone" : "speaker", message);
            selectDevice(null, microphone);
        }
        onDeviceLost.accept(microphone);
    }

    public synchronized void selectDevice(String pulseName, boolean microphone) {
        ensureOpen();
        if (microphone) pulseSource = pulseName; else pulseSink = pulseName;
        if (microphone && micShown != null) { // the indicator names the device now in use
            micShown.close();
            micShown = null;
            showMicrophone(true);
        }
        if (audioSection.flow != null) {
            try {
                if (microphone) audioSection.flow.switchMicrophone(pulseName); else audioSection.flow.switchSpeaker(pulseName);
            } catch (RuntimeException e) {
                throw new EngineException(Error.Code.INTERNAL, "cannot switch to device: " + e.getMessage(), e);
            }
        }
    }

    // ------------------------------------------------------------------ the camera (issue 20 part 3)

    /** The camera v4l2src opens when none is named: where a lost camera's call goes on. */
    static final String DEFAULT_CAMERA = "/dev/video0";
    private EngineConfig.VideoSource cameraNow;   // the user's choice for this call; null: the config's
    private int cameraLosses;
    private volatile java.util.function.BiConsumer<String, String> onCameraLost = (gone, now) -> { };

    /** Runs with the lost camera's and the new one's device (null: none, video stopped) after a camera failed. */
    public void onCameraLost(java.util.function.BiConsumer<String, String> listener) {
        onCameraLost = listener;
    }

    private EngineConfig.VideoSource cameraSource() {
        return cameraNow != null ? cameraNow : config.videoSource();
    }

    /**
     * The user chose another camera for this call ({@code device}, a /dev/videoN; null for the
     * default): the running video stream goes on from it, same SSRC, and the indicator names it.
     */
    public synchronized void selectCamera(String device) {
        ensureOpen();
        String none = screenShare != null ? "this call shares the screen, it sends no camera"
                : !videoWanted ? "this call has no video" + (videoDisabledReason != null ? " (" + videoDisabledReason + ")" : "")
                : !config.videoSource().isRealCamera() ? "this call sends " + config.videoSource() + ", not a camera"
                : camera == Camera.DENIED ? "the camera is off for this call: " + cameraDeniedReason
                : videoSection.flow != null && videoSection.flow.camera() == null ? "this call sends no video (it only receives)"
                : null;
        if (none != null) throw EngineException.precondition(none);
        cameraNow = EngineConfig.VideoSource.camera(device);
        VideoFlow f = videoSection.flow;
        if (f != null) {
            try {
                f.switchCamera(cameraNow);
            } catch (RuntimeException e) {
                throw new EngineException(Error.Code.INTERNAL, "cannot switch to camera " + cameraNow + ": " + e.getMessage(), e);
            }
        }
        if (cameraShown != null) { // the indicator names the camera now in use
            cameraShown.close();
            cameraShown = null;
        }
        showCamera();
    }

    /** The camera failed mid-call: go on with the default one if it is another, else stop sending video and say why. */
    private synchronized void cameraLost(String message) {
        VideoFlow f = videoSection.flow;
        if (closed || f == null || f.camera() == null) return;
        if (!cameraSource().isRealCamera()) { // a test pattern: nothing to fall back to, nothing unplugged
            LOG.warn("session {}: video error: {}", id, message);
            return;
        }
        String gone = cameraSource().device();
        String lost = "camera " + (gone == null ? DEFAULT_CAMERA : gone) + " failed (" + message + ")";
        if (gone != null && !gone.equals(DEFAULT_CAMERA) && java.nio.file.Files.exists(java.nio.file.Path.of(DEFAULT_CAMERA))
                && ++cameraLosses <= MAX_DEVICE_LOSSES) {
            LOG.warn("session {}: {}; going on with the default camera", id, lost);
            selectCamera(null);
            emitState(state, lost + "; video goes on from the default camera");
            onCameraLost.accept(gone, DEFAULT_CAMERA);
            return;
        }
        camera = Camera.DENIED;
        cameraDeniedReason = lost;
        f.setSelfView(false);
        f.stopSending();
        if (selfOverlay != null) selfOverlay.clearVideoArea();
        showCamera();
        captureStopped(io.vmc.transport.proto.CaptureKind.CAPTURE_CAMERA, lost + "; no other camera: the call goes on without sending video");
        onCameraLost.accept(gone == null ? DEFAULT_CAMERA : gone, null);
    }

    // ------------------------------------------------------------------ ICE and media callbacks

    private final class FlowIo implements MediaFlow.Io {
        @Override
        public void send(byte[] buf, int off, int len) throws IOException {
            IceEndpoint e = currentOf(audioSection.transport);
            if (e != null) e.send(buf, off, len);
        }

        @Override
        public void dtmfReceived(String digit, int durationMs) {
            events.emit(Event.newBuilder().setDtmfReceived(DtmfReceived.newBuilder()
                    .setSessionId(id).setDigit(digit).setDurationMs(durationMs)).build());
        }

        @Override
        public void deviceLost(boolean microphone, String message) {
            runAsync(() -> Call.this.deviceLost(microphone, message)); // not on GStreamer's bus thread
        }

        @Override
        public void mediaError(String message) {
            LOG.warn("session {}: media error: {}", id, message);
            if (state != SessionState.State.FAILED) failures.accept(Failure.MEDIA);
            setState(SessionState.State.FAILED, "media: " + message);
        }
    }

    /** An ICE listener that knows its endpoint, to tell the running endpoint from a restart's. */
    private abstract static class EndpointListener implements IceEndpoint.Listener {
        /** The endpoint this listener belongs to; set right after it is built, before any check runs. */
        volatile IceEndpoint self;
    }

    private final class IceListener extends EndpointListener {

        @Override
        public void onIceConnected(InetSocketAddress local, InetSocketAddress remote) {
            IceEndpoint me = self;
            if (me != null && me != currentOf(audioSection.transport)) {
                runAsync(() -> promote(me, false)); // an ICE restart completed
                return;
            }
            localAddr = hostPort(local);
            remoteAddr = hostPort(remote);
            connected = true;
            DtlsLink l = dtlsOf(audioSection.transport);
            if (l != null) l.iceConnected();
            // ice4j may call us holding its own locks: take the session's monitor on another thread
            // (plain mode calls in from a request that already holds it; that is fine either way)
            runAsync(() -> {
                synchronized (Call.this) {
                    if (closed) return;
                    String held = negotiated ? holdReason() : null;
                    if (held != null) {
                        setState(SessionState.State.ON_HOLD, "connected, " + held);
                    } else {
                        IceEndpoint now = currentOf(audioSection.transport);
                        setState(SessionState.State.CONNECTED, (now != null && now.isPlainMode() ? "plain RTP to " : "ICE selected ") + remoteAddr);
                    }
                }
            });
        }

        @Override
        public void onIceFailed(String reason) {
            IceEndpoint me = self;
            runAsync(() -> {
                synchronized (Call.this) {
                    if (me != null && me != currentOf(audioSection.transport)) {
                        restartFailed(me, false, reason);
                    } else if (!closed && state != SessionState.State.FAILED) {
                        failures.accept(Failure.ICE);
                        setState(SessionState.State.FAILED, reason);
                    }
                }
            });
        }

        @Override
        public boolean onPacket(byte[] buf, int off, int len) {
            return route(buf, off, len);
        }
    }

    /**
     * The audio transport's receive path (RFC 7983, then RFC 8843 section 9): DTLS to the link; RTP
     * by its MID header extension when negotiated and the packet has one (SRTP leaves the header in
     * the clear), else by the SSRC a stream has locked, else by payload type; RTCP by its sender SSRC, which SRTCP leaves in the clear, and to both streams
     * while neither knows the sender (each authenticates its own copy).
     */
    private boolean route(byte[] buf, int off, int len) {
        if (Demux.classify(buf, off, len) == Demux.Kind.DTLS) {
            DtlsLink l = dtlsOf(audioSection.transport);
            if (l != null) l.receive(buf, off, len);
            return false;
        }
        MediaFlow f = audioSection.flow;
        VideoFlow v = bundled ? videoSection.flow : null;
        if (v == null) return f != null && f.onPacket(buf, off, len);
        if (videoOnly) return v.onPacket(buf, off, len);
        if (len < 8) return false;
        if (!RtpPackets.looksLikeRtcp(buf, off, len)) {
            int midId = midExtensionId;
            String mid = midId > 0 ? RtpHeaderExtensions.mid(buf, off, len, midId) : null;
            if (mid != null && mid.equals(videoSection.mid)) {
                routedByMid.incrementAndGet();
                return v.onPacket(buf, off, len);
            }
            if (mid != null && mid.equals(audioSection.mid)) {
                routedByMid.incrementAndGet();
                return f != null && f.onPacket(buf, off, len);
            }
            long ssrc = RtpPackets.ssrc(buf, off);
            if (ssrc == v.remoteSsrc()) return v.onPacket(buf, off, len);
            if (f != null && ssrc == f.remoteSsrc()) return f.onPacket(buf, off, len);
            if (RtpPackets.payloadType(buf, off) == v.params().recvPt()) return v.onPacket(buf, off, len);
            return f != null && f.onPacket(buf, off, len);
        }
        long sender = RtpPackets.readU32(buf, off + 4);
        if (sender == v.remoteSsrc()) return v.onPacket(buf, off, len);
        if (f == null || sender == f.remoteSsrc()) return f != null && f.onPacket(buf, off, len);
        byte[] copy = Arrays.copyOfRange(buf, off, off + len);
        boolean audio = f.onPacket(buf, off, len);
        return v.onPacket(copy, 0, copy.length) || audio;
    }

    /** Called every stats interval by the engine: consent check (RFC 7675) and the Stats event. */
    public void tick() {
        IceEndpoint e = currentOf(audioSection.transport);
        MediaFlow f = audioSection.flow;
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
        if ((f != null || videoSection.flow != null) && !closed) {
            SessionStats st = stats();
            for (StreamStats a : st.getStreamsList()) {
                if (a.getKind() == MediaKind.AUDIO) {
                    boolean relayed = a.getLocalCandidateType().equals("relay") || a.getRemoteCandidateType().equals("relay");
                    quality.update(id, a.getMos(), a.getFractionLost(), relayed)
                            .forEach(q -> events.emit(Event.newBuilder().setQualityAlert(q).build()));
                }
            }
            long now = System.currentTimeMillis();
            long every = statsIntervalMs;
            // A little slack so that a 1 s subscription on a 1 s tick does not skip every other tick.
            if (every > 0 && now - lastStatsPushMillis >= every - 100) {
                lastStatsPushMillis = now;
                events.emit(Event.newBuilder().setStats(st).build());
            }
        }
    }

    /** How often stats are pushed as events: 0 for never (the app asks), else milliseconds. */
    public void setStatsInterval(long millis) {
        statsIntervalMs = millis;
    }

    public SessionStats stats() {
        SessionStats.Builder b = SessionStats.newBuilder().setSessionId(id).setTimestampMs(System.currentTimeMillis());
        MediaFlow f = audioSection.flow;
        IceEndpoint ai = currentOf(audioSection.transport);
        if (f != null) {
            MediaFlow.Snapshot s = f.snapshot();
            b.addStreams(StreamStats.newBuilder()
                    .setKind(MediaKind.AUDIO)
                    .setCodec(f.params().codec().sdpName())
                    .setEncrypted(f.params().encrypted())
                    .setPacketsSent(s.packetsSent()).setBytesSent(s.bytesSent())
                    .setPacketsReceived(s.packetsReceived()).setBytesReceived(s.bytesReceived())
                    .setPacketsLost(s.packetsLost()).setFractionLost(s.fractionLost())
                    .setJitterMs(s.jitterMs()).setRttMs(Math.max(0, s.rttMs())).setMos(s.mos())
                    .setLocalAddress(localAddr).setRemoteAddress(remoteAddr)
                    .setLocalCandidateType(ai == null ? "" : ai.selectedLocalType())
                    .setRemoteCandidateType(ai == null ? "" : ai.selectedRemoteType())
                    .setAudioLevelDbov(s.levelDbov()));
        }
        VideoFlow v = videoSection.flow;
        IceEndpoint vi = currentOf(videoSection.transport);
        if (v != null) {
            StreamStats.Builder vs = StreamStats.newBuilder()
                    .setKind(MediaKind.VIDEO).setCodec(v.params().codec().sdpName()).setEncrypted(v.params().encrypted())
                    .setPacketsSent(v.packetsSent()).setBytesSent(v.bytesSent())
                    .setPacketsReceived(v.packetsReceived()).setBytesReceived(v.bytesReceived())
                    .setFramesDecoded(v.framesDecoded())
                    .setPacketsLost(v.packetsLost()).setFractionLost(v.fractionLost())
                    .setJitterMs(v.jitterMs()).setRttMs(Math.max(0, v.rttMs()));
            if (vi != null && vi.localAddress() != null) vs.setLocalAddress(hostPort(vi.localAddress()));
            if (vi != null && vi.remoteAddress() != null) vs.setRemoteAddress(hostPort(vi.remoteAddress()));
            if (vi != null) vs.setLocalCandidateType(vi.selectedLocalType()).setRemoteCandidateType(vi.selectedRemoteType());
            b.addStreams(vs);
        }
        return b.build();
    }

    /** Counters that the protocol has no field for (drops by reason), for tests and metrics. */
    public Map<String, Long> counters() {
        Map<String, Long> out = new LinkedHashMap<>();
        MediaFlow f = audioSection.flow;
        if (f != null) {
            MediaFlow.Snapshot s = f.snapshot();
            out.put("packetsSent", s.packetsSent());
            out.put("packetsReceived", s.packetsReceived());
            s.drops().forEach(out::put);
        }
        IceEndpoint e = currentOf(audioSection.transport);
        // the metrics file drops by kind from the name: a video-only call's transport drops video
        out.put(videoOnly ? "videoUntrustedSource" : "untrustedSource", e == null ? 0 : e.droppedUntrusted());
        out.put("heldUnverified", e == null ? 0 : e.heldUnverified());
        out.put("probesSent", e == null ? 0 : e.probesSent());
        out.put("overSendCeiling", e == null ? 0 : e.overCeiling());
        out.put("routedByMid", routedByMid.get());
        IceEndpoint ve = currentOf(ownVideoTransport());
        if (ve != null) {
            out.put("videoHeldUnverified", ve.heldUnverified());
            out.put("videoProbesSent", ve.probesSent());
            out.put("videoOverSendCeiling", ve.overCeiling());
        }
        VideoFlow v = videoSection.flow;
        if (v != null) out.putAll(v.counters());
        return out;
    }

    /** The local media address as announced (default candidate), for tests and tools. */
    public synchronized InetSocketAddress localMediaAddress() {
        IceEndpoint e = currentOf(audioSection.transport);
        return e == null ? null : e.defaultAddress();
    }

    public synchronized void close(String reason) {
        if (closed) return;
        closed = true;
        if (micShown != null) micShown.close();
        if (cameraShown != null) cameraShown.close();
        if (audioSection.flow != null) audioSection.flow.close();
        if (cameraQuestion != null) cameraQuestion.cancel(false); // takes the prompt down
        if (screenShare != null) screenShare.ended(io.vmc.transport.proto.ScreenShareEnded.Reason.CALL_ENDED, reason);
        if (videoSection.flow != null) videoSection.flow.close();
        if (overlay != null) overlay.close();
        if (selfOverlay != null) selfOverlay.close();
        MediaTransport ownVideo = ownVideoTransport();
        if (audioSection.transport != null) audioSection.transport.close();
        if (ownVideo != null) ownVideo.close();
        state = SessionState.State.CLOSED;
        emitState(SessionState.State.CLOSED, reason);
    }

    // ------------------------------------------------------------------ helpers

    /** The audio transport (or with {@code video} the unbundled video's own), made with its first endpoint once. */
    private void ensureIce(boolean video, boolean controlling) {
        if ((video ? ownVideoTransport() : audioSection.transport) != null) return;
        MediaTransport t = new MediaTransport(gather(video, controlling, true), timer, RETIRE_GRACE_MS);
        if (video) videoSection.transport = t; else audioSection.transport = t;
    }

    /** Whether video rides on the audio transport from now on; a video transport of its own that it replaces is closed. */
    private void bundle(boolean on) {
        bundled = on;
        MediaTransport own = ownVideoTransport();
        if (on) {
            if (own != null) own.close();
            videoSection.transport = audioSection.transport;
        } else if (videoSection.transport == audioSection.transport) {
            videoSection.transport = null;
        }
    }

    /** Video's transport when it is its own (not bundled), else null. */
    private MediaTransport ownVideoTransport() {
        MediaTransport v = videoSection.transport;
        return v == audioSection.transport ? null : v;
    }

    private static IceEndpoint currentOf(MediaTransport t) {
        return t == null ? null : t.current();
    }

    private static DtlsLink dtlsOf(MediaTransport t) {
        return t == null ? null : t.dtls();
    }

    /**
     * Gathers a new endpoint for the audio transport (the BUNDLE group's) or, with {@code video}, for
     * an unbundled video section, and announces its candidates (trickle events; audio's also go to
     * the client's address list).
     */
    private IceEndpoint gather(boolean video, boolean controlling, boolean first) {
        EndpointListener l = video ? new VideoIceListener() : new IceListener();
        String what = video ? "video: " : "";
        IceEndpoint e;
        try {
            e = new IceEndpoint(config, controlling, l, sendCeiling);
        } catch (IOException | RuntimeException x) {
            String why = "cannot gather ICE candidates" + (video ? " for video: " : ": ") + x.getMessage();
            failures.accept(!video && config.iceRelayOnly() ? Failure.TURN : Failure.ICE);
            // relay-only without a relay can never connect: say so in the state, too (a failed restart leaves the call as it is)
            if (!video && first && config.iceRelayOnly()) setState(SessionState.State.FAILED, why);
            throw new EngineException(Error.Code.UNAVAILABLE, why, x);
        }
        l.self = e;
        for (String p : e.turnProblems()) {
            failures.accept(Failure.TURN);
            emitState(state, what + p + "; the call goes on without that relay");
        }
        // a video-only call's lead transport is its video section's (known from the lines before videoOnly is set)
        boolean ofVideo = video || lineOf(MediaKind.AUDIO) < 0 && lineOf(MediaKind.VIDEO) >= 0;
        int index = lineOf(ofVideo ? MediaKind.VIDEO : MediaKind.AUDIO);
        String mid = index >= 0 && lines.get(index).mid() != null ? lines.get(index).mid() : ofVideo ? videoSection.mid : audioSection.mid;
        if (index < 0) index = ofVideo ? 1 : 0; // before our first offer: audio, then video
        for (Candidate c : e.localCandidates()) {
            LocalCandidate.Builder lc = LocalCandidate.newBuilder().setSessionId(id).setCandidate(c.toString()).setMid(mid);
            if (index != 0) lc.setMLineIndex(index);
            events.emit(Event.newBuilder().setLocalCandidate(lc).build());
        }
        LocalCandidate.Builder end = LocalCandidate.newBuilder().setSessionId(id).setMid(mid).setEndOfCandidates(true);
        if (index != 0) end.setMLineIndex(index);
        events.emit(Event.newBuilder().setLocalCandidate(end).build());
        if (!video) candidatesGathered.accept(e.localCandidates());
        return e;
    }

    /** First negotiation of the video stream; a later re-offer keeps the running flow. */
    private void applyVideo(SessionDescription sdp, MediaDescription m, boolean withIce, VideoFlow.Params p) {
        videoSection.negotiated = Direction.of(p.send(), p.receive());
        boolean renegotiation = videoRemoteSet;
        if (videoRemoteSet) {
            if (!bundled) applyVideoTransport(sdp, m, withIce);
        } else {
            videoRemoteSet = true;
            if (bundled) {
                LOG.debug("session {}: video bundled on the audio transport", id);
            } else if (withIce) {
                IceEndpoint e = videoSection.transport.takeRemoteCredentials(sdp.attribute(m, "ice-ufrag").orElseThrow(),
                        sdp.attribute(m, "ice-pwd").orElseThrow(), true);
                addCandidates(e, m);
                e.startIfReady();
            } else {
                videoSection.transport.current().usePlainRemote(plainTarget(sdp, m, "video: "));
            }
        }
        if (usesDtls) {
            videoSection.awaitingKeys = p;
            DtlsLink link = dtlsOf(videoSection.transport);
            DtlsSrtpSession s = link == null ? null : link.session();
            if (s == null) {
                if (videoSection.flow != null) videoSection.flow.setDirection(p.send(), p.receive());
                return; // the flow starts with the keys (onDtlsKeys)
            }
            p = withKeys(p, s.keys());
        }
        VideoFlow f = videoSection.flow;
        if (f != null) {
            if (sameVideo(f.params(), p)) {
                f.setDirection(p.send(), p.receive()); // re-offer (hold/resume): same codec and keys
                return;
            }
            // new keys (the peer's media moved to a new endpoint): a new flow with the new keys
            LOG.info("session {}: video keys or payload types changed: restarting the video flow", id);
            videoSection.nextSeq = f.nextSeq();
            f.close();
            videoSection.flow = null;
        } else if (renegotiation) {
            return; // the video pipeline failed before: the call stays audio-only
        }
        startVideoFlow(p);
    }

    private void startVideoFlow(VideoFlow.Params p) {
        if (overlay == null && p.receive() && config.overlayParentWindow() != 0) {
            overlay = attachOverlay("remote-" + id);
        }
        if (selfOverlay == null && p.send() && camera != Camera.DENIED && screenShare == null && config.overlayParentWindow() != 0) {
            selfOverlay = attachOverlay("self-" + id);
        }
        boolean cameraOk = camera == Camera.NOT_NEEDED || camera == Camera.ALLOWED;
        try {
            videoSection.flow = new VideoFlow(p, config.withVideoSource(cameraSource()), overlay, selfOverlay, cameraOk, screenShare == null, videoSection.ssrc, videoSection.nextSeq, cname,
                    timer, new VideoIo());
        } catch (RuntimeException e) {
            // video failing must not take the call down: go on audio-only and say why
            LOG.warn("session {}: video pipeline failed: {}", id, e.toString());
            failures.accept(Failure.MEDIA);
            emitState(state, "video disabled: pipeline failed: " + e.getMessage());
            if (selfOverlay != null) selfOverlay.close();
            selfOverlay = null;
            showCamera();
            return;
        }
        tagMids();
        if (screenShare != null) screenShare.attach(videoSection.flow);
        if (cameraOk && selfViewArea != null) showSelfView();
        showCamera();
    }

    /** A video re-offer: the restart's credentials and candidates, or a plain peer's new address. */
    private void applyVideoTransport(SessionDescription sdp, MediaDescription m, boolean withIce) {
        MediaTransport t = ownVideoTransport();
        if (t == null) return;
        if (withIce) {
            if (!t.awaitsRestartCredentials()) return; // no restart: keep the selected pair
            IceEndpoint pv = t.takeRemoteCredentials(sdp.attribute(m, "ice-ufrag").orElseThrow(),
                    sdp.attribute(m, "ice-pwd").orElseThrow(), false);
            addCandidates(pv, m);
            pv.startIfReady();
        } else if (t.current().isPlainMode()) {
            t.current().proposePlainRemote(plainTarget(sdp, m, "video: "));
        }
    }

    private static boolean sameVideo(VideoFlow.Params a, VideoFlow.Params b) {
        return a.codec() == b.codec() && a.sendPt() == b.sendPt() && a.recvPt() == b.recvPt()
                && Arrays.equals(a.localKey(), b.localKey()) && Arrays.equals(a.remoteKey(), b.remoteKey());
    }

    private io.vmc.overlay.VideoOverlay attachOverlay(String name) {
        if (!io.vmc.overlay.OverlaySupport.isAvailable()) {
            LOG.warn("session {}: no video overlay: {}", id, io.vmc.overlay.OverlaySupport.unavailabilityCause().toString());
            return null;
        }
        int[] insets = config.overlayInsets();
        try {
            io.vmc.overlay.OverlayOptions.Builder b = io.vmc.overlay.OverlayOptions.builder()
                    .parentWindow(config.overlayParentWindow()).displayName(config.overlayDisplay())
                    .displayInsets(insets[0], insets[1], insets[2], insets[3]).name(name);
            if (config.overlayMonitors() != null) b.monitors(config.overlayMonitors());
            return io.vmc.overlay.VideoOverlay.attach(b.build());
        } catch (io.vmc.overlay.OverlayException | RuntimeException e) {
            LOG.warn("session {}: no video overlay: {}", id, e.toString());
            return null;
        }
    }

    /**
     * Applies a validated geometry update from the guest: to the self view when {@code selfView} is
     * set or when it clears the self view's mapping, to the remote video's overlay otherwise.
     *
     * @param area null to clear the mapping
     */
    public synchronized void setVideoArea(int mappingId, boolean selfView, io.vmc.overlay.VideoArea area) {
        ensureOpen();
        if (selfView || (area == null && mappingId == selfViewMapping)) {
            setSelfViewArea(mappingId, area);
            return;
        }
        if (config.overlayParentWindow() == 0) throw EngineException.precondition("the engine has no overlay window (--overlay-window)");
        if (overlay == null) throw EngineException.precondition("no remote video in this session (yet)");
        if (area == null) overlay.clearVideoArea(); else overlay.setVideoArea(area);
    }

    /**
     * The self view shows what this call sends. Accepted before the video is negotiated or while
     * the camera prompt is open (shown from when the sender runs); refused when nothing will be sent.
     */
    private void setSelfViewArea(int mappingId, io.vmc.overlay.VideoArea area) {
        if (area == null) {
            if (mappingId != selfViewMapping) return; // clearing an unknown self view: nothing to do
            selfViewMapping = -1;
            selfViewArea = null;
            if (selfOverlay != null) selfOverlay.clearVideoArea();
            if (videoSection.flow != null) videoSection.flow.setSelfView(false);
            return;
        }
        if (!videoWanted) {
            if (videoDisabledReason != null) throw new EngineException(Error.Code.PERMISSION_DENIED, "no self view: " + videoDisabledReason);
            throw EngineException.precondition("no self view: this session has no video");
        }
        if (camera == Camera.DENIED) throw new EngineException(Error.Code.PERMISSION_DENIED, "no self view: " + cameraDeniedReason);
        if (config.overlayParentWindow() == 0) throw EngineException.precondition("the engine has no overlay window (--overlay-window)");
        if (videoRemoteSet && (videoSection.flow == null || !videoSection.flow.hasSender())) {
            throw EngineException.precondition("no self view: this call sends no video");
        }
        selfViewMapping = mappingId;
        selfViewArea = area;
        if (selfOverlay != null && (camera == Camera.NOT_NEEDED || camera == Camera.ALLOWED)) showSelfView();
    }

    private void showSelfView() {
        selfOverlay.setVideoArea(selfViewArea);
        videoSection.flow.setSelfView(true);
    }

    /** Send direction for video: a camera the user denied only receives. */
    private Direction videoWantedDirection() {
        Direction w = wanted.intersect(videoSection.local);
        return camera == Camera.DENIED ? w.intersect(Direction.RECVONLY) : w;
    }

    private Direction audioWantedDirection() {
        return wanted.intersect(audioSection.local);
    }

    /**
     * The app's transceiver directions for the next offer or answer (W3C RTCRtpTransceiver.direction):
     * a kind the app only receives (or not at all) is never sent, whatever the peer says. Null keeps
     * that kind's direction as it was.
     */
    public synchronized void setLocalDirections(Direction audio, Direction video) {
        ensureOpen();
        if (audio != null) audioSection.local = audio;
        if (video != null) videoSection.local = video;
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
            MediaTransport ownVideo = ownVideoTransport();
            if (audioSection.transport != null) audioSection.transport.dropUnansweredRestart();
            if (ownVideo != null) ownVideo.dropUnansweredRestart();
            if (!negotiated) {
                // a first offer rolled back: its transports go too, so that answering the peer's
                // offer next starts them fresh in the answerer's (controlled) ICE role
                if (audioSection.transport != null) audioSection.transport.close();
                if (ownVideo != null) ownVideo.close();
                audioSection.transport = null;
                videoSection.transport = null;
            }
            wanted = wantedBeforeOffer;
            if (audioSection.flow != null) audioSection.flow.setDirection(audioSection.negotiated.sends(), audioSection.negotiated.receives());
            VideoFlow vf = videoSection.flow;
            if (vf != null) vf.setDirection(videoSection.negotiated.sends(), videoSection.negotiated.receives());
        }
        LOG.info("session {}: {} rolled back; the call goes on as last negotiated", id,
                what == Signaling.RolledBack.LOCAL_OFFER ? "our pending offer" : "the peer's pending offer");
    }

    private void askCamera(String appId, io.vmc.engine.CameraConsent consent) {
        io.vmc.engine.CameraConsent.Question q = new io.vmc.engine.CameraConsent.Question(id,
                SwingCameraConsent.shownText(appId), SwingCameraConsent.shownText(options.getLabel()),
                config.videoSource().toString(), config.cameraPromptTimeout());
        emitState(state, "waiting for the user to allow the camera (" + config.videoSource() + "); video is not sent until then");
        java.util.concurrent.CompletableFuture<io.vmc.engine.CameraConsent.Answer> f;
        try {
            f = consent.ask(q);
            if (f == null) throw new IllegalStateException("the camera prompt returned no answer");
        } catch (RuntimeException e) {
            f = java.util.concurrent.CompletableFuture.failedFuture(e);
        }
        java.util.concurrent.CompletableFuture<io.vmc.engine.CameraConsent.Answer> question = f;
        synchronized (this) {
            if (closed) {
                question.cancel(false); // closed before the question was up: take it down at once
                return;
            }
            cameraQuestion = question;
        }
        // the answer arrives on the prompt's thread (AWT): hop to the engine's timer, never block it
        question.whenComplete((a, t) -> runAsync(() -> cameraAnswered(a, t)));
        long ms = config.cameraPromptTimeout().toMillis();
        try {
            timer.schedule(() -> question.cancel(false), ms, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            question.cancel(false);
        }
    }

    private synchronized void cameraAnswered(io.vmc.engine.CameraConsent.Answer a, Throwable t) {
        if (closed || camera != Camera.PENDING) return;
        if (a == io.vmc.engine.CameraConsent.Answer.ALLOW && t == null) {
            camera = Camera.ALLOWED;
            emitState(state, "camera allowed by the user: sending video from " + config.videoSource());
            if (videoSection.flow != null) {
                videoSection.flow.startSending();
                if (selfViewArea != null && selfOverlay != null) showSelfView();
            }
            showCamera();
            return;
        }
        String why;
        if (t instanceof java.util.concurrent.CancellationException) {
            why = ": no answer within " + config.cameraPromptTimeout().toSeconds() + " s";
        } else if (t != null) {
            Throwable c = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
            why = ": " + c.getMessage(); // e.g. no display to show the camera prompt on
        } else {
            why = " by the user";
        }
        camera = Camera.DENIED;
        failures.accept(Failure.CAMERA);
        cameraDeniedReason = "camera use denied" + why + " (" + config.videoSource() + ")";
        LOG.info("session {}: {}", id, cameraDeniedReason);
        emitState(state, "video send disabled: " + cameraDeniedReason + "; the call goes on without sending video");
        selfViewMapping = -1;
        selfViewArea = null;
        if (videoSection.flow != null) videoSection.flow.setSelfView(false);
        if (selfOverlay != null) selfOverlay.clearVideoArea();
    }

    private final class VideoIo implements MediaFlow.Io {
        @Override
        public void send(byte[] buf, int off, int len) throws IOException {
            IceEndpoint e = currentOf(videoSection.transport);
            if (e != null) e.send(buf, off, len);
        }

        @Override
        public void dtmfReceived(String digit, int durationMs) {
        }

        @Override
        public void mediaError(String message) {
            LOG.warn("session {}: video error: {}", id, message);
        }

        @Override
        public void cameraLost(String message) {
            runAsync(() -> Call.this.cameraLost(message)); // not on GStreamer's bus thread
        }
    }

    private final class VideoIceListener extends EndpointListener {

        @Override
        public void onIceConnected(InetSocketAddress local, InetSocketAddress remote) {
            IceEndpoint me = self;
            if (me != null && me != currentOf(ownVideoTransport())) {
                runAsync(() -> promote(me, true));
                return;
            }
            LOG.debug("session {}: video ICE selected {} -> {}", id, local, remote);
            DtlsLink l = dtlsOf(ownVideoTransport());
            if (l != null) l.iceConnected();
        }

        @Override
        public void onIceFailed(String reason) {
            IceEndpoint me = self;
            if (me != null && me != currentOf(ownVideoTransport())) {
                runAsync(() -> restartFailed(me, true, reason));
                return;
            }
            LOG.warn("session {}: video ICE failed: {}", id, reason);
            failures.accept(Failure.ICE);
            runAsync(() -> emitState(state, "video disabled: ICE failed: " + reason));
        }

        @Override
        public boolean onPacket(byte[] buf, int off, int len) {
            if (Demux.classify(buf, off, len) == Demux.Kind.DTLS) {
                DtlsLink l = dtlsOf(ownVideoTransport());
                if (l != null) l.receive(buf, off, len);
                return false;
            }
            VideoFlow f = videoSection.flow;
            return f != null && f.onPacket(buf, off, len);
        }
    }

    /** A section's a=mid if it is a usable token (at most 32 characters, RFC 5888 token characters), else null. */
    private static String usableMid(MediaDescription m) {
        String mid = m.attribute("mid").map(String::strip).orElse("");
        return mid.matches("[A-Za-z0-9!#$%&'*+.^_`{|}~-]{1,32}") ? mid : null;
    }

    /** Counts a failure and returns the exception that reports it, for {@code throw failed(...)}. */
    private EngineException failed(Failure f, EngineException e) {
        failures.accept(f);
        return e;
    }

    private void ensureOpen() {
        if (closed) throw new EngineException(Error.Code.NOT_FOUND, "session " + id + " is closed");
    }

    private void setState(SessionState.State s, String reason) {
        if (closed && s != SessionState.State.CLOSED) return;
        if (state == s) return;
        if (state == SessionState.State.FAILED && s != SessionState.State.CLOSED) return;
        state = s;
        emitState(s, reason);
    }

    private void emitState(SessionState.State s, String reason) {
        events.emit(Event.newBuilder().setSessionState(SessionState.newBuilder()
                .setSessionId(id).setState(s).setReason(reason == null ? "" : reason)).build());
    }

    private void runAsync(Runnable r) {
        try {
            timer.execute(r);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("session {}: engine shutting down, dropped a state update", id);
        }
    }

    private static String hostPort(InetSocketAddress a) {
        String h = a.getAddress().getHostAddress();
        return (h.contains(":") ? "[" + h + "]" : h) + ":" + a.getPort();
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /**
     * Emits the NEW state and, under {@link EngineConfig.CameraPolicy#ASK}, puts the camera question
     * to the user; called once by the engine after registering the session.
     */
    /** StartScreenShare: asks the user; completes once the screen is sent, or with the refusal. */
    public java.util.concurrent.CompletableFuture<Void> startScreenShare(io.vmc.transport.proto.StartScreenShare m,
            io.vmc.engine.internal.ui.OnePromptAtATime gate, io.vmc.engine.ScreenShareConsent consent) {
        ScreenShare s;
        String app;
        LiveCaptures shownTo;
        synchronized (this) {
            ensureOpen();
            if (screenShare == null) throw EngineException.precondition("this session was not created with screen_share");
            s = screenShare;
            app = appId;
            shownTo = captures;
        }
        return s.start(m, app, options.getLabel(), gate, consent, shownTo);
    }

    public void stopScreenShare() {
        ensureOpen();
        if (screenShare == null) throw EngineException.precondition("this session was not created with screen_share");
        screenShare.stop();
    }

    public void announce(String appId, io.vmc.engine.CameraConsent consent, LiveCaptures captures) {
        synchronized (this) {
            this.appId = appId;
            this.captures = captures;
        }
        emitState(SessionState.State.NEW, options.getLabel());
        if (videoDisabledReason != null) emitState(SessionState.State.NEW, videoDisabledReason);
        if (camera == Camera.PENDING) askCamera(appId, consent);
    }
}
