package io.vmc.engine;

import io.vmc.engine.internal.call.Call;
import io.vmc.engine.internal.CallRecordLog;
import io.vmc.engine.internal.CallTracker;
import io.vmc.engine.internal.EngineException;
import io.vmc.engine.internal.EngineMetrics;
import io.vmc.engine.internal.RateLimiter;
import io.vmc.engine.internal.media.VideoCodec;
import io.vmc.transport.EventSink;
import io.vmc.transport.RequestHandler;
import io.vmc.transport.proto.ActiveDevice;
import io.vmc.transport.proto.CreateSession;
import io.vmc.transport.proto.Device;
import io.vmc.transport.proto.Empty;
import io.vmc.transport.proto.EngineStatus;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.Mode;
import io.vmc.transport.proto.ModeReason;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.SdpType;
import io.vmc.transport.proto.SessionCreated;
import io.vmc.transport.proto.SessionDescription;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import io.vmc.transport.proto.Status;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client media engine: serves vmc.v1 requests (from agentd through the transport, or in
 * process in fallback mode) and emits events. Everything the guest sends is validated here, at the
 * trust boundary: identifiers, lengths, codec names, SDP, candidates, digits, rates.
 *
 * <p>Thread model: {@link #handle} never blocks; requests run on a small pool, each session
 * serialises its own requests; a scheduler drives stats, RTCP, DTMF and consent checks.
 */
public final class MediaEngine implements RequestHandler, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MediaEngine.class);
    /** Longest session id accepted from the guest. */
    public static final int MAX_ID_LENGTH = 64;
    /** Longest SDP accepted from the guest (the parser applies the same bound). */
    public static final int MAX_SDP_LENGTH = io.vmc.engine.sdp.SdpParser.MAX_SDP_BYTES;
    /** Shortest stats push interval an app may ask for (SetStatsInterval). */
    public static final long MIN_STATS_INTERVAL_MS = 1000;
    /** Longest one: beyond an hour an app should ask with GetStats. */
    public static final long MAX_STATS_INTERVAL_MS = 3_600_000;
    /** Push interval of a session whose options name none (an agentd older than SetStatsInterval). */
    public static final long LEGACY_STATS_INTERVAL_MS = 1000;
    /** Most DTMF digits per SendDtmf. */
    public static final int MAX_DTMF_DIGITS = 32;
    /** Longest label or app id. */
    public static final int MAX_LABEL_LENGTH = 256;
    /** Most codec names in SessionOptions. */
    public static final int MAX_CODECS = 16;

    private static final Pattern SESSION_ID = Pattern.compile("s[0-9a-f]{16}");
    private static final Pattern DTMF = Pattern.compile("[0-9*#A-Da-d]{1," + MAX_DTMF_DIGITS + "}");
    private static final SecureRandom RANDOM = new SecureRandom();
    /** ice4j and jitsi-srtp log through java.util.logging at INFO per packet pair; strong refs keep the levels. */
    private static final java.util.logging.Logger ICE4J_LOG = java.util.logging.Logger.getLogger("org.ice4j");
    private static final java.util.logging.Logger JITSI_LOG = java.util.logging.Logger.getLogger("org.jitsi");

    static {
        if (System.getProperty("vmc.engine.verboseIce") == null) {
            ICE4J_LOG.setLevel(java.util.logging.Level.WARNING);
            JITSI_LOG.setLevel(java.util.logging.Level.WARNING);
        }
    }

    private final EngineConfig config;
    private final EventSink events;
    private final Map<String, Call> sessions = new ConcurrentHashMap<>();
    private final ExecutorService workers;
    private final ScheduledExecutorService timer;
    private final RateLimiter requestLimiter;
    private final io.vmc.engine.internal.EngineLoad load;
    private final Devices devices;
    private final Ringing ringing;
    private final DeviceChoices choices;
    private final ActiveDevices activeDevices;
    private final HeadsetButtons headset;
    /** The camera each call was switched to (SelectDevice with a session), for the app's ActiveDevice when it fails. */
    private final Map<String, Device> callCameras = new ConcurrentHashMap<>();
    private volatile String ringerSpeaker;
    private volatile boolean closed;
    private volatile java.util.function.Consumer<io.vmc.transport.proto.ReportClientAddresses> addressReporter;
    private volatile String defaultMic;
    private volatile String defaultSpeaker;

    private final io.vmc.engine.internal.ui.OnePromptAtATime cameraConsent;
    private final ScreenShareConsent screenShareConsent;
    /** The thin client's devices the guest has live (microphone, camera, screen), shown to the user. */
    private final io.vmc.engine.internal.LiveCaptures captures = new io.vmc.engine.internal.LiveCaptures();
    /** What the engine tells its user about itself (the command's terminal lines and status window). */
    private final io.vmc.engine.internal.StatusBoard status;
    private final EngineMetrics metrics;
    private final CallTracker calls;
    private io.vmc.engine.internal.transport.DtlsCertificateHolder dtlsCertificates; // guarded by this

    public MediaEngine(EngineConfig config, EventSink events) {
        this.config = Objects.requireNonNull(config, "config");
        Objects.requireNonNull(events, "events");
        this.metrics = new EngineMetrics(config.software(), this::liveCalls);
        this.calls = new CallTracker(metrics, new CallRecordLog(config.callRecordFile()), java.time.Clock.systemUTC(),
                config.mode().name());
        this.status = new io.vmc.engine.internal.StatusBoard(config.mode().name());
        captures.addView(status::captures);
        captures.addView(new CaptureLog());
        this.events = safeSink(e -> {
            if (e.hasSessionState()) {
                callStatus(e.getSessionState());
                calls.state(e.getSessionState().getSessionId(), e.getSessionState().getState(), e.getSessionState().getReason());
                ringStateLater(e.getSessionState());
                callStateForDevices(e.getSessionState());
            }
            events.emit(e);
        });
        configureIce4j(config);
        if (config.overlayParentWindow() != 0) {
            // XInitThreads and the non-fatal X error handler must come before GStreamer touches X
            if (!io.vmc.overlay.OverlaySupport.initialize()) {
                LOG.warn("video overlay unavailable, remote video will not be drawn: {}",
                        String.valueOf(io.vmc.overlay.OverlaySupport.unavailabilityCause()));
            }
        }
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(2, r -> daemon(r, "vmc-engine-req-" + n.incrementAndGet()));
        this.timer = Executors.newScheduledThreadPool(2, r -> daemon(r, "vmc-engine-timer-" + n.incrementAndGet()));
        this.requestLimiter = new RateLimiter(config.requestsPerSecond(), config.requestBurst());
        this.devices = new Devices(this.events, timer);
        this.ringing = new Ringing(this.events, timer, config.audioSink().isPulse());
        this.choices = new DeviceChoices(config.deviceChoicesFile());
        this.activeDevices = new ActiveDevices(this.events);
        this.headset = config.headsetButtons() ? new HeadsetButtons(this.events, config.headsetInputDevice(),
                new io.vmc.engine.internal.device.HeadsetInputs(Path.of("/sys"), Path.of("/dev/input")),
                ringing::isRinging, ringing::session) : null;
        devices.onChange(this::devicesChanged);
        this.cameraConsent = new io.vmc.engine.internal.ui.OnePromptAtATime(
                config.cameraConsent() != null ? config.cameraConsent() : new io.vmc.engine.internal.ui.SwingCameraConsent());
        this.screenShareConsent = config.screenShareConsent() != null ? config.screenShareConsent()
                : new io.vmc.engine.internal.ui.SwingScreenShareConsent();
        long period = config.statsInterval().toMillis();
        timer.scheduleAtFixedRate(this::tick, period, period, TimeUnit.MILLISECONDS);
        this.load = new io.vmc.engine.internal.EngineLoad(config.maxCpuLoad(), config.maxRequestDelay(), System::nanoTime,
                io.vmc.engine.internal.EngineLoad.jvmProcessCpu());
        load.start(timer, workers);
        // every encrypted call needs SRTP: its one-time set-up (once per JVM) runs now, not in the first call's first packet
        // (-Dvmc.srtp.warmUp=false measures what it saves: docs/benchmarks.md)
        if (!"false".equals(System.getProperty("vmc.srtp.warmUp")) && SRTP_WARMED_UP.compareAndSet(false, true)) {
            warmUpInBackground("SRTP warm-up", io.vmc.engine.internal.transport.SrtpContext::warmUp);
        }
    }

    /** Runs {@code work} once on a daemon thread and logs how long it took; a failure only costs the head start. */
    private static void warmUpInBackground(String what, java.util.function.Supplier<java.time.Duration> work) {
        daemon(() -> {
            try {
                LOG.debug("{}: {} ms", what, work.get().toMillis());
            } catch (RuntimeException e) {
                LOG.debug("{} failed: {}", what, e.toString());
            }
        }, "vmc-warmup").start();
    }

    public EngineConfig config() {
        return config;
    }

    /** The live captures (engine-internal: the indicator and the status lines show them). */
    io.vmc.engine.internal.LiveCaptures captures() {
        return captures;
    }

    /** The engine's state for its user (engine-internal: the command adds its terminal and window views). */
    io.vmc.engine.internal.StatusBoard status() {
        return status;
    }

    private void callStatus(SessionState st) {
        switch (st.getState()) {
            case CLOSED -> status.callEnded(st.getSessionId());
            case FAILED -> {
                status.callState(st.getSessionId(), "FAILED: " + st.getReason());
                status.notOptimized("call " + st.getSessionId() + " failed: " + st.getReason());
            }
            default -> status.callState(st.getSessionId(), st.getState().name());
        }
    }

    /** Logs each capture as it starts and ends: the record of what the guest used, also without a display. */
    private static final class CaptureLog implements io.vmc.engine.internal.LiveCaptures.View {
        private java.util.Set<io.vmc.engine.internal.LiveCaptures.Shown> before = java.util.Set.of(); // under LiveCaptures' lock

        @Override
        public void changed(List<io.vmc.engine.internal.LiveCaptures.Shown> live) {
            for (var c : live) if (!before.contains(c)) LOG.info("device in use: {}", c.describe());
            for (var c : before) if (!live.contains(c)) LOG.info("device no longer in use: {}", c.describe());
            before = java.util.Set.copyOf(live);
        }
    }

    @Override
    public CompletableFuture<Response> handle(Request request) {
        if (closed) {
            return CompletableFuture.completedFuture(error(request, Error.Code.UNAVAILABLE, "engine is shutting down"));
        }
        if (!requestLimiter.tryAcquire()) {
            return CompletableFuture.completedFuture(error(request, Error.Code.RESOURCE_EXHAUSTED,
                    "request rate above " + config.requestsPerSecond() + "/s"));
        }
        CompletableFuture<Response> f = new CompletableFuture<>();
        try {
            workers.execute(() -> {
                try {
                    if (request.getMethodCase() == Request.MethodCase.START_SCREEN_SHARE) {
                        // answered when the user has: the worker does not wait for the prompt
                        var m = request.getStartScreenShare();
                        session(m.getSessionId()).startScreenShare(m, cameraConsent, screenShareConsent).whenComplete((v, t) -> {
                            Throwable c = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
                            if (c == null) f.complete(empty().setId(request.getId()).build());
                            else if (c instanceof EngineException e) f.complete(error(request, e.code(), e.getMessage()));
                            else f.complete(error(request, Error.Code.INTERNAL, c.toString()));
                        });
                        return;
                    }
                    f.complete(dispatch(request).setId(request.getId()).build());
                } catch (EngineException e) {
                    if (request.hasCreateSession()) {
                        status.notOptimized("call from app \"" + io.vmc.engine.internal.LiveCaptures.shownText(
                                request.getCreateSession().getAppId()) + "\" refused: " + e.getMessage());
                    }
                    f.complete(error(request, e.code(), e.getMessage()));
                } catch (RuntimeException e) {
                    LOG.warn("request {} failed", request.getMethodCase(), e);
                    f.complete(error(request, Error.Code.INTERNAL, e.getClass().getSimpleName() + ": " + e.getMessage()));
                }
            });
        } catch (RuntimeException e) {
            f.complete(error(request, Error.Code.UNAVAILABLE, "engine is shutting down"));
        }
        return f;
    }

    private Response.Builder dispatch(Request r) {
        return switch (r.getMethodCase()) {
            case CREATE_SESSION -> createSession(r.getCreateSession());
            case CREATE_OFFER -> {
                var m = r.getCreateOffer();
                Call c = session(m.getSessionId());
                if (m.getHold()) c.holdFirstOffer();
                localDirections(c, m.getAudioDirection(), m.getVideoDirection());
                yield description(SdpType.OFFER, c.createOffer(m.getIceRestart()));
            }
            case CREATE_ANSWER -> {
                var m = r.getCreateAnswer();
                checkSdp(m.getRemoteSdp(), true);
                Call c = session(m.getSessionId());
                localDirections(c, m.getAudioDirection(), m.getVideoDirection());
                yield description(SdpType.ANSWER, c.createAnswer(m.getRemoteSdp()));
            }
            case SET_REMOTE_DESCRIPTION -> {
                var m = r.getSetRemoteDescription();
                checkSdp(m.getSdp(), m.getType() == SdpType.ROLLBACK);
                session(m.getSessionId()).setRemoteDescription(m.getType(), m.getSdp());
                yield empty();
            }
            case ADD_REMOTE_CANDIDATE -> {
                var m = r.getAddRemoteCandidate();
                if (m.getCandidate().length() > 1024) throw EngineException.invalid("candidate longer than 1024 characters");
                if (m.getMid().length() > 32) throw EngineException.invalid("mid longer than 32 characters");
                if (Integer.compareUnsigned(m.getMLineIndex(), 63) > 0) throw EngineException.invalid("m_line_index " + Integer.toUnsignedString(m.getMLineIndex()) + ": at most 63");
                session(m.getSessionId()).addRemoteCandidate(m.getCandidate(), m.getMid(), m.getMLineIndex());
                yield empty();
            }
            case SET_MUTE -> {
                var m = r.getSetMute();
                if (m.getKind() == io.vmc.transport.proto.MediaKind.VIDEO) throw new EngineException(Error.Code.UNIMPLEMENTED, "video is not supported yet");
                session(m.getSessionId()).setMute(m.getMuted());
                if (headset != null) headset.muted(m.getSessionId(), m.getMuted());
                yield empty();
            }
            case SET_HOLD -> {
                var m = r.getSetHold();
                String offer = session(m.getSessionId()).setHold(m.getHold());
                yield description(SdpType.OFFER, offer);
            }
            case SEND_DTMF -> {
                var m = r.getSendDtmf();
                if (!DTMF.matcher(m.getDigits()).matches()) {
                    throw EngineException.invalid("digits must be 1-" + MAX_DTMF_DIGITS + " of 0-9 * # A-D");
                }
                int d = m.getDurationMs() == 0 ? 100 : m.getDurationMs();
                if (d < 40 || d > 2000) throw EngineException.invalid("duration_ms must be 40..2000, got " + d);
                session(m.getSessionId()).sendDtmf(m.getDigits(), d);
                yield empty();
            }
            case LIST_DEVICES -> Response.newBuilder().setDevices(devices.list());
            case SELECT_DEVICE -> {
                var m = r.getSelectDevice();
                Devices.Selected s = devices.resolve(m.getDeviceId(), m.getKind());
                if (s.kind() == Device.DeviceKind.CAMERA) {
                    selectCamera(m, s);
                    yield empty();
                }
                if (m.getRinger()) {
                    if (!m.getSessionId().isEmpty()) throw EngineException.invalid("the ringer is engine-wide: session_id must be empty");
                    if (s.microphone()) throw EngineException.invalid("device " + m.getDeviceId() + " is a microphone, a ringer must be a speaker");
                    ringerSpeaker = s.systemName();
                    choices.remember("ringer", m.getDeviceId());
                } else if (m.getSessionId().isEmpty()) {
                    // engine-wide: used by sessions created from now on
                    if (s.microphone()) defaultMic = s.systemName(); else defaultSpeaker = s.systemName();
                    choices.remember(s.microphone() ? "microphone" : "speaker", m.getDeviceId());
                } else {
                    session(m.getSessionId()).selectDevice(s.systemName(), s.microphone());
                    activeDevices.using(m.getSessionId(), s.microphone(), s.systemName(), devices.find(s.systemName(), s.microphone()));
                }
                followHeadset();
                yield empty();
            }
            case START_RING -> {
                var m = r.getStartRing();
                if (!m.getSessionId().isEmpty()) session(m.getSessionId());
                ringing.start(m, ringerSpeaker != null ? ringerSpeaker : remembered("ringer"));
                followHeadset();
                yield empty();
            }
            case START_SCREEN_SHARE -> throw new IllegalStateException("StartScreenShare is answered asynchronously");
            case STOP_SCREEN_SHARE -> {
                session(r.getStopScreenShare().getSessionId()).stopScreenShare();
                yield empty();
            }
            case STOP_RING -> {
                ringing.stop(io.vmc.transport.proto.RingStopped.Reason.STOPPED, "StopRing");
                yield empty();
            }
            case GET_STATS -> Response.newBuilder().setStats(session(r.getGetStats().getSessionId()).stats());
            case SET_STATS_INTERVAL -> {
                var m = r.getSetStatsInterval();
                session(m.getSessionId()).setStatsInterval(checkStatsInterval(m.getIntervalMs()));
                yield empty();
            }
            case CLOSE_SESSION -> {
                String id = r.getCloseSession().getSessionId();
                checkId(id);
                Call s = sessions.remove(id);
                if (s == null) throw new EngineException(Error.Code.NOT_FOUND, "no session " + id);
                closeSession(s, "closed by request");
                emitStatus();
                yield empty();
            }
            case GET_STATUS -> Response.newBuilder().setStatus(Status.newBuilder()
                    .setMode(Mode.OPTIMIZED).setReason(ModeReason.ENGINE_CONNECTED)
                    .setEngineSoftware(config.software()).setProtocolVersion(1)
                    .addAllSessionIds(sessions.keySet()));
            case SET_VIDEO_GEOMETRY -> {
                var m = r.getSetVideoGeometry();
                session(m.getSessionId()).setVideoArea(VideoGeometry.mappingId(m), m.getSelfView(), VideoGeometry.toVideoArea(m));
                yield empty();
            }
            case REPORT_CLIENT_ADDRESSES -> throw new EngineException(Error.Code.UNIMPLEMENTED, "ReportClientAddresses goes from the engine to agentd");
            case GET_WEB_API_SECRET -> throw new EngineException(Error.Code.UNIMPLEMENTED, "GetWebApiSecret is served by vmc-agentd, not the engine");
            case METHOD_NOT_SET -> throw EngineException.invalid("request has no method");
        };
    }

    private Response.Builder createSession(CreateSession m) {
        SessionOptions o = m.getOptions();
        if (m.getAppId().length() > MAX_LABEL_LENGTH) throw EngineException.invalid("app_id longer than " + MAX_LABEL_LENGTH);
        if (o.getLabel().length() > MAX_LABEL_LENGTH) throw EngineException.invalid("label longer than " + MAX_LABEL_LENGTH);
        if (o.getVideoCodecsCount() > MAX_CODECS) throw EngineException.invalid("more than " + MAX_CODECS + " video codecs");
        for (String c : o.getVideoCodecsList()) {
            if (VideoCodec.fromName(c).isEmpty()) {
                throw EngineException.invalid("unsupported video codec \"" + (c.length() > 32 ? c.substring(0, 32) + "..." : c) + "\" (supported: VP8, H264)");
            }
        }
        if (!o.getAudio()) throw EngineException.invalid("options.audio must be true: every call has an audio section (for a video-only call ask for audio and make it INACTIVE with CreateOffer/CreateAnswer audio_direction)");
        long statsIntervalMs = o.hasStatsIntervalMs() ? checkStatsInterval(o.getStatsIntervalMs()) : LEGACY_STATS_INTERVAL_MS;
        if (o.getAudioCodecsCount() > MAX_CODECS) throw EngineException.invalid("more than " + MAX_CODECS + " audio codecs");
        if (o.getSrtpValue() < 0 || o.getSrtpValue() > 2) throw EngineException.invalid("unknown srtp policy " + o.getSrtpValue());
        // for agentd's fake-stun; the engine only bounds them
        if (o.getStunSourcesCount() > 8) throw EngineException.invalid("more than 8 stun_sources");
        for (String c : o.getAudioCodecsList()) {
            if (c.length() > 32) throw EngineException.invalid("codec name longer than 32 characters");
        }
        String busy = load.refusal(sessions.size());
        if (busy != null) {
            // by measured load, not only by count: the calls in progress keep what they need
            LOG.warn("refused a session from app {}: {} ({} sessions)", m.getAppId(), busy, sessions.size());
            throw new EngineException(Error.Code.RESOURCE_EXHAUSTED, busy);
        }
        String id = "s" + HexFormat.of().formatHex(randomBytes(8));
        if (config.requireSrtp()) {
            // the guest can ask for less than the policy allows, never for more
            if (o.getSrtp() == SessionOptions.SrtpPolicy.SRTP_DISABLED) {
                LOG.warn("refused a session with srtp=SRTP_DISABLED from {}: the client policy requires SRTP", m.getAppId());
                throw new EngineException(Error.Code.PERMISSION_DENIED, "srtp=SRTP_DISABLED refused: the client policy requires SRTP (media.require-srtp)");
            }
            o = o.toBuilder().setSrtp(SessionOptions.SrtpPolicy.SRTP_REQUIRED).build();
        }
        Call s = new Call(id, o, o.getVideo() ? callConfig() : config, events, timer, c -> reportAddresses(id, c),
                f -> calls.failure(id, f), this::dtlsCertificate);
        s.setStatsInterval(statsIntervalMs);
        String mic = present(defaultMic != null ? defaultMic : remembered("microphone"), true);
        String speaker = present(defaultSpeaker != null ? defaultSpeaker : remembered("speaker"), false);
        if (mic != null) s.selectDevice(mic, true);
        if (speaker != null) s.selectDevice(speaker, false);
        trackDevices(id, mic, speaker);
        s.onDeviceLost(microphone -> activeDevices.failed(id, microphone, devices));
        s.onCameraLost((gone, now) -> cameraLost(id, gone, now));
        synchronized (sessions) {
            if (sessions.size() >= config.maxSessions()) {
                throw new EngineException(Error.Code.RESOURCE_EXHAUSTED, "session limit reached (" + config.maxSessions() + ")");
            }
            sessions.put(id, s);
            calls.started(id, m.getAppId());
        }
        status.callStarted(id, m.getAppId());
        s.announce(m.getAppId(), cameraConsent, captures);
        followHeadset();
        emitStatus();
        return Response.newBuilder().setSessionCreated(SessionCreated.newBuilder().setSessionId(id));
    }

    /**
     * The engine's DTLS certificate (RFC 8827 section 6.5: one identity, renewed weekly), made on
     * the first call that needs it, so that SDES-only engines never load the DTLS stack. That first
     * time, a throwaway handshake runs in the background: BouncyCastle's first handshake in a JVM
     * is several times slower than the next ones, and the call's own should not pay for it.
     */
    private io.vmc.engine.internal.transport.DtlsCertificate dtlsCertificate() {
        synchronized (this) {
            if (dtlsCertificates == null) {
                dtlsCertificates = new io.vmc.engine.internal.transport.DtlsCertificateHolder();
                warmUpInBackground("DTLS warm-up handshake", io.vmc.engine.internal.transport.DtlsSrtpEndpoint::warmUp);
            }
            return dtlsCertificates.current();
        }
    }

    private Call session(String id) {
        checkId(id);
        Call s = sessions.get(id);
        if (s == null) throw new EngineException(Error.Code.NOT_FOUND, "no session " + id);
        return s;
    }

    private static void checkId(String id) {
        if (id.isEmpty()) throw EngineException.invalid("session_id is empty");
        if (id.length() > MAX_ID_LENGTH || !SESSION_ID.matcher(id).matches()) {
            throw EngineException.invalid("session_id is not an id this engine issued");
        }
    }

    /** The app's transceiver directions; unspecified keeps what was set before (SENDRECV at first). */
    private static void localDirections(Call c, io.vmc.transport.proto.MediaDirection audio, io.vmc.transport.proto.MediaDirection video) {
        c.setLocalDirections(direction(audio), direction(video));
    }

    private static io.vmc.engine.sdp.Direction direction(io.vmc.transport.proto.MediaDirection d) {
        return switch (d) {
            case SENDONLY -> io.vmc.engine.sdp.Direction.SENDONLY;
            case RECVONLY -> io.vmc.engine.sdp.Direction.RECVONLY;
            case INACTIVE -> io.vmc.engine.sdp.Direction.INACTIVE;
            case SENDRECV -> io.vmc.engine.sdp.Direction.SENDRECV;
            case MEDIA_DIRECTION_UNSPECIFIED -> null;
            default -> throw EngineException.invalid("unknown media direction " + d);
        };
    }

    private static void checkSdp(String sdp, boolean emptyAllowed) {
        if (sdp.isEmpty() && !emptyAllowed) throw EngineException.invalid("sdp is empty");
        if (sdp.length() > MAX_SDP_LENGTH) throw EngineException.invalid("sdp of " + sdp.length() + " characters exceeds " + MAX_SDP_LENGTH);
    }

    private static long checkStatsInterval(long ms) {
        if (ms != 0 && (ms < MIN_STATS_INTERVAL_MS || ms > MAX_STATS_INTERVAL_MS)) {
            throw EngineException.invalid("stats interval_ms " + ms + " must be 0 (no pushed stats) or between "
                    + MIN_STATS_INTERVAL_MS + " and " + MAX_STATS_INTERVAL_MS);
        }
        return ms;
    }

    private void tick() {
        for (Call s : sessions.values()) {
            try {
                s.tick();
                calls.sample(s.id(), s.stats(), s.counters());
            } catch (RuntimeException e) {
                LOG.warn("session {} tick failed: {}", s.id(), e.toString());
            }
        }
    }

    private static final Map<String, Device.DeviceKind> KIND_OF_CHOICE = Map.of("microphone", Device.DeviceKind.MICROPHONE,
            "speaker", Device.DeviceKind.SPEAKER, "ringer", Device.DeviceKind.SPEAKER, "camera", Device.DeviceKind.CAMERA);

    /**
     * SelectDevice of a camera: with a session, that call's camera now (the video stream goes on);
     * without, the calls created from now on. Remembered either way.
     */
    private void selectCamera(io.vmc.transport.proto.SelectDevice m, Devices.Selected s) {
        if (m.getRinger()) throw EngineException.invalid("device " + m.getDeviceId() + " is a camera, a ringer must be a speaker");
        if (!m.getSessionId().isEmpty()) {
            session(m.getSessionId()).selectCamera(s.systemName()); // says why a call has no camera to switch
            Device d = devices.cameraAt(s.systemName());
            if (d != null) callCameras.put(m.getSessionId(), d);
        } else if (!config.videoSource().isRealCamera()) {
            throw EngineException.precondition("this engine sends " + config.videoSource()
                    + ", not a camera, so there is no camera to choose (vmc engine --camera)");
        }
        choices.remember("camera", m.getDeviceId());
    }

    /** A call's camera failed: tell the app which camera it goes on with, if any (ActiveDevice). */
    private void cameraLost(String session, String gone, String now) {
        Device replaced = callCameras.remove(session);
        if (replaced == null) replaced = devices.cameraAt(gone);
        Device current = now == null ? null : devices.cameraAt(now);
        if (current != null) callCameras.put(session, current);
        ActiveDevice.Builder b = ActiveDevice.newBuilder().setSessionId(session).setReason(ActiveDevice.Reason.DEVICE_REMOVED);
        if (replaced != null) b.setReplaced(replaced);
        if (current != null) b.setDevice(current);
        events.emit(Event.newBuilder().setActiveDevice(b).build());
    }

    /**
     * The configuration of a new call: with the camera the user chose (now or in an earlier run) if
     * it is here, else the engine's own. The camera policy applies to it as to any camera.
     */
    private EngineConfig callConfig() {
        String path = remembered("camera"); // this run's choice too: choices keeps it in memory
        return path == null ? config : config.withVideoSource(EngineConfig.VideoSource.camera(path));
    }

    /** The PulseAudio name of the device remembered for {@code key}, if it is present now. */
    private String remembered(String key) {
        String id = choices.get(key);
        if (id == null) return null;
        boolean used = switch (key) {
            case "microphone" -> !config.audioSource().isTone();
            case "camera" -> config.videoSource().isRealCamera();
            default -> config.audioSink().isPulse(); // speaker, ringer
        };
        if (!used) return null;
        try {
            return devices.resolve(id, KIND_OF_CHOICE.get(key)).systemName();
        } catch (EngineException | IllegalStateException e) {
            LOG.info("remembered {} {} is not here now: using the default", key, id);
            return null;
        }
    }

    /** {@code pulseName} if it is in the device list now; null (the default device) when it went away. */
    private String present(String pulseName, boolean microphone) {
        if (pulseName == null || devices.find(pulseName, microphone) != null) return pulseName;
        LOG.info("{} {} is not here now: using the default", microphone ? "microphone" : "speaker", pulseName);
        return null;
    }

    /** Remembers which devices a new call uses, so that their removal moves the call (PulseAudio only). */
    private void trackDevices(String session, String mic, String speaker) {
        try {
            if (!config.audioSource().isTone()) {
                Device d = mic != null ? devices.find(mic, true) : defaultDevice(true);
                activeDevices.using(session, true, d == null ? null : mic != null ? mic : devices.resolve(d.getId(), d.getKind()).systemName(), d);
            }
            if (config.audioSink().isPulse()) {
                Device d = speaker != null ? devices.find(speaker, false) : defaultDevice(false);
                activeDevices.using(session, false, d == null ? null : speaker != null ? speaker : devices.resolve(d.getId(), d.getKind()).systemName(), d);
            }
        } catch (EngineException e) {
            LOG.debug("session {}: device list unavailable ({}): a removed device will end the call", session, e.getMessage());
        }
    }

    private Device defaultDevice(boolean microphone) {
        devices.list();
        return devices.find(null, microphone);
    }

    private void devicesChanged() {
        if (closed) return;
        activeDevices.devicesChanged(devices, sessions::get);
        followHeadset();
    }

    private void callStateForDevices(SessionState st) {
        if (headset != null) headset.sessionState(st.getSessionId(), st.getState());
        if (st.getState() == SessionState.State.CLOSED || st.getState() == SessionState.State.FAILED) {
            activeDevices.ended(st.getSessionId());
            callCameras.remove(st.getSessionId());
        }
    }

    /** Points the headset buttons at the audio devices in use now: the calls', else the chosen or default ones. */
    private void followHeadset() {
        if (headset == null || closed) return;
        List<HeadsetButtons.InUse> inUse = new java.util.ArrayList<>();
        try {
            if (config.headsetInputDevice() == null && (!config.audioSource().isTone() || config.audioSink().isPulse())) {
                for (boolean mic : new boolean[] {true, false}) {
                    List<String> names = new java.util.ArrayList<>(activeDevices.pulseNames(mic));
                    String chosen = mic ? defaultMic : defaultSpeaker;
                    if (names.isEmpty()) names.add(chosen != null ? chosen : remembered(mic ? "microphone" : "speaker"));
                    for (String n : names) {
                        HeadsetButtons.InUse u = devices.inUse(n, mic);
                        if (u != null) inUse.add(u);
                    }
                }
            }
        } catch (EngineException e) {
            LOG.debug("headset buttons: no device list ({})", e.getMessage());
        }
        headset.follow(inUse);
    }

    /** Off the session's thread: stopping a ring waits for its pipeline. */
    private void ringStateLater(SessionState st) {
        if (ringing == null || closed) return;
        try {
            timer.execute(() -> ringing.sessionState(st.getSessionId(), st.getState()));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // engine shutting down: close() stops the ring
        }
    }

    private void emitStatus() {
        events.emit(Event.newBuilder().setEngineStatus(EngineStatus.newBuilder()
                .setSoftware(config.software()).setActiveSessions(sessions.size())).build());
    }

    /**
     * The engine's metrics in the Prometheus text format (what {@code vmc engine --metrics} serves):
     * calls by outcome and state, failures by reason, media packets and bytes, candidate types in
     * use, end-of-call MOS. No label names a call; see the admin guide's "Monitoring".
     */
    public String metricsText() {
        return metrics.text();
    }

    /** The engine's metrics, for the command's HTTP endpoint and its agent-connection gauge. */
    EngineMetrics metrics() {
        return metrics;
    }

    private List<CallTracker.LiveCall> liveCalls() {
        return calls.live();
    }

    /** Closes a session removed from {@link #sessions} and writes its call-detail record. */
    private void closeSession(Call s, String reason) {
        io.vmc.transport.proto.SessionStats last = s.stats();
        Map<String, Long> counters = s.counters();
        try {
            s.close(reason);
        } finally {
            calls.ended(s.id(), last, counters, reason);
        }
    }

    /**
     * Where to send the client's own addresses (host and server-reflexive) whenever a session
     * gathers candidates: agentd feeds them to fake-stun's translation table.
     */
    public void setClientAddressReporter(java.util.function.Consumer<io.vmc.transport.proto.ReportClientAddresses> reporter) {
        this.addressReporter = reporter;
    }

    private void reportAddresses(String sessionId, java.util.List<io.vmc.engine.sdp.Candidate> candidates) {
        var r = addressReporter;
        if (r == null) return;
        var b = io.vmc.transport.proto.ReportClientAddresses.newBuilder().setSessionId(sessionId);
        for (var c : candidates) {
            var ta = io.vmc.transport.proto.TransportAddress.newBuilder().setIp(c.address().getHostAddress()).setPort(c.port());
            if (c.type().equals("host")) b.addHost(ta); else if (c.type().equals("srflx")) b.addServerReflexive(ta);
        }
        try {
            r.accept(b.build());
        } catch (RuntimeException e) {
            LOG.warn("reporting client addresses failed: {}", e.toString());
        }
    }

    /** Ids of the open sessions. */
    public List<String> sessionIds() {
        return List.copyOf(sessions.keySet());
    }

    /** Drop counters by reason for a session (bad length, wrong SSRC, auth failure, untrusted source...). */
    public Map<String, Long> counters(String sessionId) {
        return session(sessionId).counters();
    }

    /** The announced local media address of a session (its default candidate). */
    public InetSocketAddress localMediaAddress(String sessionId) {
        return session(sessionId).localMediaAddress();
    }

    /**
     * Ends every session, e.g. when a new agent connects without resuming: the sessions of the
     * agent before it have no owner left to control or close them (agentd restarted or was killed).
     */
    public void closeAllSessions(String reason) {
        for (String id : List.copyOf(sessions.keySet())) {
            Call s = sessions.remove(id);
            if (s == null) continue;
            try {
                closeSession(s, reason);
            } catch (RuntimeException e) {
                LOG.warn("closing session {}: {}", s.id(), e.toString());
            }
        }
        emitStatus();
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        closeAllSessions("engine shutdown");
        ringing.close();
        if (headset != null) headset.close();
        devices.close();
        load.close();
        timer.shutdownNow();
        workers.shutdownNow();
    }

    private static Response.Builder empty() {
        return Response.newBuilder().setEmpty(Empty.getDefaultInstance());
    }

    private static Response.Builder description(SdpType t, String sdp) {
        return Response.newBuilder().setDescription(SessionDescription.newBuilder().setType(t).setSdp(sdp));
    }

    private static Response error(Request r, Error.Code code, String message) {
        return Response.newBuilder().setId(r.getId())
                .setError(Error.newBuilder().setCode(code).setMessage(message == null ? "" : message)).build();
    }

    private static EventSink safeSink(EventSink sink) {
        return e -> {
            try {
                sink.emit(e);
            } catch (RuntimeException ex) {
                LOG.warn("event sink failed: {}", ex.toString());
            }
        };
    }

    private static final java.util.concurrent.atomic.AtomicBoolean SRTP_WARMED_UP = new java.util.concurrent.atomic.AtomicBoolean();

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /** ice4j reads its settings once from system properties (Typesafe config); set ours unless the user did. */
    private static synchronized void configureIce4j(EngineConfig config) {
        setDefault("ice4j.harvest.mapping.aws.enabled", "false");
        setDefault("ice4j.harvest.udp.use-dynamic-ports", "true");
        setDefault("ice4j.consent-freshness.interval", config.consentInterval().toMillis() + " milliseconds");
        setDefault("ice4j.consent-freshness.max-wait-interval", "500 milliseconds");
        setDefault("ice4j.consent-freshness.max-retransmissions", "6");
        setDefault("ice4j.ice.termination-delay", "3 seconds");
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) System.setProperty(key, value);
    }
}
