package io.vmc.agent.daemon;

import io.vmc.agent.internal.SessionIds;
import io.vmc.engine.internal.RateLimiter;
import io.vmc.transport.proto.CloseSession;
import io.vmc.transport.proto.CreateOffer;
import io.vmc.transport.proto.CreateSession;
import io.vmc.transport.proto.Empty;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.MediaKind;
import io.vmc.transport.proto.Mode;
import io.vmc.transport.proto.ModeChanged;
import io.vmc.transport.proto.ModeReason;
import io.vmc.transport.proto.RenegotiationNeeded;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.SessionCreated;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import io.vmc.transport.proto.SelectDevice;
import io.vmc.transport.proto.SetMute;
import io.vmc.transport.proto.SetStatsInterval;
import io.vmc.transport.proto.SetVideoGeometry;
import io.vmc.transport.proto.Status;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The heart of vmc-agentd: which app owns which session, where each session lives (engine or
 * fallback), the mode and its reason, and moving sessions when the engine comes or goes.
 *
 * <p>Threads: all state is owned by one thread ({@link #loop}); transports and backends submit
 * work to it. Backend calls are asynchronous and their results come back to the loop. Nothing
 * here blocks.
 */
public final class AgentCore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AgentCore.class);

    /** agentd's default engine grace: see {@link Config#engineGrace}. */
    public static final Duration DEFAULT_ENGINE_GRACE = Duration.ofSeconds(15);

    /** Limits and behaviour. Defaults suit a desktop VM. */
    public static final class Config {
        /** Sessions one app connection may hold. */
        public int maxSessionsPerApp = 8;
        /** Sessions all apps of one user may hold together. */
        public int maxSessionsPerUser = 16;
        /** Sessions in the whole agent. */
        public int maxSessions = 64;
        /** Requests one app may have in flight. */
        public int maxInFlightPerApp = 64;
        /**
         * Requests one app may make per second, sustained (a token bucket of
         * {@link #requestBurstPerApp}); more are answered RESOURCE_EXHAUSTED at once, before they
         * reach the core's thread. Leaves room for video geometry updates at display rate.
         */
        public int requestsPerSecondPerApp = 200;
        /** Requests one app may make at once above {@link #requestsPerSecondPerApp}. */
        public int requestBurstPerApp = 400;
        /** Run sessions in the VM when no engine is connected. */
        public boolean fallbackEnabled = true;
        /**
         * How long a lost engine may take to come back (and resume its sessions) before calls
         * move to the fallback. The rule: at least an outage worth surviving (about 10 s of a lost
         * network or a SPICE client reconnecting) plus the engine's reconnect window
         * ({@code SpiceSession.RECONNECT_WINDOW}, 3 s), so that a call is not failed while its
         * engine is on its way back. The engine, in turn, keeps an absent agent's calls longer
         * than this ({@code vmc engine --agent-gone-after}, default 60 s).
         */
        public Duration engineGrace = DEFAULT_ENGINE_GRACE;
        /** Longest SDP accepted from an app. */
        public int maxSdpChars = 64 * 1024;
    }

    private final Config config;
    private final ScheduledExecutorService loop;
    private final Backend fallback;
    private final SecureRandom random = new SecureRandom();
    private final AtomicInteger appCounter = new AtomicInteger();

    // ---- loop-confined state
    private final Map<String, Entry> sessions = new LinkedHashMap<>();
    private final Map<String, Entry> byBackendId = new LinkedHashMap<>();
    private final List<App> apps = new ArrayList<>();
    /**
     * Events for backend sessions not registered yet: a backend may announce a session (state
     * NEW) before agentd has read its CreateSession answer. Bounded; replayed on registration.
     */
    private final java.util.ArrayDeque<Object[]> early = new java.util.ArrayDeque<>();
    private static final int MAX_EARLY_EVENTS = 256;
    /** Backend sessions agentd has let go of: their late events are dropped, not held. Bounded. */
    private final java.util.LinkedHashSet<String> gone = new java.util.LinkedHashSet<>();

    private void forgetKey(Backend b, String bid) {
        String k = key(b, bid);
        Entry left = byBackendId.remove(k);
        StunBridge s = stun;
        if (left != null && b == engine && s != null) {
            s.withdraw(left.id); // the engine session ended or moved away: its STUN rules end with it
        }
        gone.add(k);
        if (gone.size() > 1024) {
            gone.remove(gone.iterator().next());
        }
    }
    private Backend engine;
    /** Engine sessions let go of while the engine was away: closed if it comes back resuming. */
    private final java.util.LinkedHashSet<String> closeOnResume = new java.util.LinkedHashSet<>();
    private static final int MAX_CLOSE_ON_RESUME = 1024;
    /** fake-stun in this agentd, or null. */
    private volatile StunBridge stun;
    private boolean engineUp;
    private String engineSoftware = "";
    private int protocolVersion;
    private ScheduledFuture<?> graceTimer;
    private Mode mode = Mode.FALLBACK;
    private ModeReason reason;
    private String detail;
    private boolean closed;

    /** Counters for tests and status. */
    private final AtomicLong migrations = new AtomicLong();
    /** Times agentd went into FALLBACK, by the reason it went with (loop-confined); the start counts. */
    private final java.util.EnumMap<ModeReason, Long> fallbackEntries = new java.util.EnumMap<>(ModeReason.class);

    /**
     * @param fallback the in-VM media core, or null when fallback is not available
     * @param initialReason why there is no engine yet: NO_ENGINE, NO_CHANNEL or POLICY_FORBIDS
     */
    public AgentCore(Config config, Backend fallback, ModeReason initialReason, String initialDetail) {
        this.config = Objects.requireNonNull(config);
        this.fallback = config.fallbackEnabled ? fallback : null;
        this.reason = initialReason;
        this.detail = initialDetail;
        if (initialReason != null) {
            fallbackEntries.put(initialReason, 1L);
        }
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vmc-agentd-core");
            t.setDaemon(true);
            return t;
        });
    }

    /** Uses agentd's fake-stun for per-session translation rules; call once, before apps connect. */
    void useStun(StunBridge bridge) {
        this.stun = bridge;
    }

    /**
     * The engine's addresses for one of its sessions: translation rules for the STUN sources the
     * session's app named, until the session ends. Reports for unknown sessions change nothing.
     */
    void clientAddressesReported(io.vmc.transport.proto.ReportClientAddresses r) {
        submit(() -> {
            StunBridge s = stun;
            Entry e = engine == null ? null : byBackendId.get(key(engine, r.getSessionId()));
            if (s == null || e == null || e.removed) {
                log.debug("client addresses for engine session '{}': no such session here", abbreviate(r.getSessionId()));
                return;
            }
            if (e.options.getStunSourcesCount() == 0) {
                log.debug("session {}: the app named no STUN sources: no STUN translation", e.id);
                return;
            }
            s.apply(e.id, e.options.getStunSourcesList(), r);
        });
    }

    /** One app connection. */
    public final class App {
        final int number;
        final AppPeer peer;
        final AtomicInteger inFlight = new AtomicInteger();
        final RateLimiter rate = new RateLimiter(config.requestsPerSecondPerApp, config.requestBurstPerApp);
        boolean gone;

        App(AppPeer peer) {
            this.number = appCounter.incrementAndGet();
            this.peer = peer;
        }

        /** Serves one request from this app; the answer comes back on a backend or loop thread. */
        public CompletableFuture<Response> handle(Request request) {
            if (!rate.tryAcquire()) {
                return CompletableFuture.completedFuture(Errors.error(Error.Code.RESOURCE_EXHAUSTED, "more than "
                        + config.requestsPerSecondPerApp + " requests per second from this app (burst " + config.requestBurstPerApp + ")"));
            }
            if (inFlight.incrementAndGet() > config.maxInFlightPerApp) {
                inFlight.decrementAndGet();
                return CompletableFuture.completedFuture(Errors.error(Error.Code.RESOURCE_EXHAUSTED,
                        "more than " + config.maxInFlightPerApp + " requests in flight from this app"));
            }
            CompletableFuture<Response> out = new CompletableFuture<>();
            out.whenComplete((r, e) -> inFlight.decrementAndGet());
            try {
                loop.execute(() -> {
                    try {
                        serve(this, request, out);
                    } catch (RuntimeException e) {
                        log.warn("request {} from {} failed", request.getMethodCase(), peer.describe(), e);
                        out.complete(Errors.error(Error.Code.INTERNAL, "agentd failed: " + e));
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                out.complete(Errors.error(Error.Code.UNAVAILABLE, "vmc-agentd is shutting down"));
            }
            return out;
        }

        /** The app's connection closed: its sessions are closed on their backends. */
        public void disconnected() {
            submit(() -> appGone(this));
        }

        @Override
        public String toString() {
            return peer.describe();
        }
    }

    /** A session as the app knows it, and where it lives now. */
    private static final class Entry {
        final String id;
        final App owner;
        final SessionOptions options;
        Backend backend;            // null when orphaned (engine lost, no fallback)
        String backendId;           // null while being created or moved
        boolean negotiated;
        boolean mutedAudio;
        boolean mutedVideo;
        boolean held;
        long statsIntervalMs = -1;  // -1: as created (SessionOptions); else the app's last SetStatsInterval
        /** The app's last SetVideoGeometry per mapping id (cleared ones removed). Bounded. */
        final Map<Integer, SetVideoGeometry> videoAreas = new LinkedHashMap<>();
        /** Video areas to send once the new home has media (its overlay exists only then). */
        boolean videoAreasPending;
        /** The app's last per-session SelectDevice, by backend name and device kind: ids belong to a backend. */
        final Map<String, SelectDevice> devices = new LinkedHashMap<>();
        Backend retiredBackend;     // the previous home, kept until the peer accepted the new offer
        String retiredId;
        final List<Runnable> waiting = new ArrayList<>();
        boolean removed;

        Entry(String id, App owner, SessionOptions options) {
            this.id = id;
            this.owner = owner;
            this.options = options;
        }

        boolean ready() {
            return backend != null && backendId != null;
        }
    }

    // ------------------------------------------------------------------ apps

    /** Registers an app connection; call {@link App#disconnected()} when it closes. */
    public App appConnected(AppPeer peer) {
        App app = new App(peer);
        submit(() -> {
            apps.add(app);
            log.info("{} connected", peer.describe());
        });
        return app;
    }

    private void appGone(App app) {
        if (app.gone) {
            return;
        }
        app.gone = true;
        apps.remove(app);
        int n = 0;
        for (Entry e : new ArrayList<>(sessions.values())) {
            if (e.owner == app) {
                removeSession(e, "app disconnected");
                n++;
            }
        }
        log.info("{} disconnected; closed its {} session(s)", app.peer.describe(), n);
    }

    private void serve(App app, Request r, CompletableFuture<Response> out) {
        if (app.gone) {
            out.complete(Errors.error(Error.Code.UNAVAILABLE, "connection closed"));
            return;
        }
        switch (r.getMethodCase()) {
            case CREATE_SESSION -> createSession(app, r, out);
            case GET_STATUS -> out.complete(Response.newBuilder().setStatus(status(app)).build());
            case LIST_DEVICES -> forwardGlobal(r, out);
            case STOP_RING -> forwardGlobal(r, out);
            case SELECT_DEVICE, START_RING -> {
                if (SessionIds.of(r).isEmpty()) {
                    forwardGlobal(r, out);
                } else {
                    forwardSession(app, r, out);
                }
            }
            case REPORT_CLIENT_ADDRESSES -> out.complete(Errors.error(Error.Code.PERMISSION_DENIED,
                    "ReportClientAddresses comes from the engine, not from apps"));
            case GET_WEB_API_SECRET -> out.complete(Errors.error(Error.Code.PERMISSION_DENIED,
                    "GetWebApiSecret is served on agentd's unix socket only"));
            case METHOD_NOT_SET -> out.complete(Errors.error(Error.Code.UNIMPLEMENTED,
                    "request carries no method this agent knows"));
            default -> forwardSession(app, r, out);
        }
    }

    private Backend currentBackend() {
        if (engineUp && engine != null) {
            return engine;
        }
        return fallback;
    }

    private Response noBackend() {
        return Errors.error(Error.Code.UNAVAILABLE, "no media engine available: " + mode + " (" + reason + ")"
                + (detail.isEmpty() ? "" : ": " + detail) + (config.fallbackEnabled ? "" : "; fallback is disabled"));
    }

    private void createSession(App app, Request r, CompletableFuture<Response> out) {
        SessionOptions o = r.getCreateSession().getOptions();
        if (!o.getAudio() && !o.getVideo()) {
            out.complete(Errors.error(Error.Code.INVALID_ARGUMENT, "options: at least one of audio or video must be enabled"));
            return;
        }
        if (o.getLabel().length() > 128 || o.getAudioCodecsCount() > 16 || o.getVideoCodecsCount() > 16) {
            out.complete(Errors.error(Error.Code.INVALID_ARGUMENT, "options: label over 128 characters or more than 16 codecs"));
            return;
        }
        if (o.getStunSourcesCount() > StunBridge.MAX_SOURCES) {
            out.complete(Errors.error(Error.Code.INVALID_ARGUMENT, "options: more than " + StunBridge.MAX_SOURCES + " stun_sources"));
            return;
        }
        for (io.vmc.transport.proto.TransportAddress a : o.getStunSourcesList()) {
            String bad = StunBridge.checkSource(a);
            if (bad != null) {
                out.complete(Errors.error(Error.Code.INVALID_ARGUMENT, "options: " + bad));
                return;
            }
        }
        long ofApp = sessions.values().stream().filter(e -> e.owner == app).count();
        if (ofApp >= config.maxSessionsPerApp) {
            out.complete(Errors.error(Error.Code.RESOURCE_EXHAUSTED, "this app already has " + ofApp
                    + " sessions, the maximum per app (" + config.maxSessionsPerApp + ")"));
            return;
        }
        int uid = app.peer.uid();
        long ofUser = sessions.values().stream().filter(e -> e.owner.peer.uid() == uid).count();
        if (ofUser >= config.maxSessionsPerUser) {
            out.complete(Errors.error(Error.Code.RESOURCE_EXHAUSTED, "user " + uid + " already has " + ofUser
                    + " sessions, the maximum per user (" + config.maxSessionsPerUser + ")"));
            return;
        }
        if (sessions.size() >= config.maxSessions) {
            out.complete(Errors.error(Error.Code.RESOURCE_EXHAUSTED, "the agent holds " + sessions.size()
                    + " sessions, its maximum (" + config.maxSessions + ")"));
            return;
        }
        Backend b = currentBackend();
        if (b == null) {
            out.complete(noBackend());
            return;
        }
        Entry e = new Entry(newId(), app, o);
        e.backend = b;
        sessions.put(e.id, e);
        String appId = app.peer.describe();
        b.call(Request.newBuilder().setCreateSession(CreateSession.newBuilder().setOptions(o).setAppId(appId)).build())
                .whenComplete((resp, err) -> submit(() -> {
                    Response failure = err != null ? Errors.fromThrowable(b.name(), err)
                            : resp.hasError() ? resp
                            : !resp.hasSessionCreated() || resp.getSessionCreated().getSessionId().isEmpty()
                                    ? Errors.error(Error.Code.INTERNAL, b.name() + " answered CreateSession without a session id")
                                    : null;
                    if (failure != null) {
                        sessions.remove(e.id);
                        e.removed = true;
                        out.complete(failure);
                        return;
                    }
                    String bid = resp.getSessionCreated().getSessionId();
                    if (e.removed || e.backend != b) {
                        // app left meanwhile, or the engine came or went: drop this one
                        closeQuietly(b, bid);
                        if (e.removed) {
                            out.complete(Errors.error(Error.Code.UNAVAILABLE, "session closed while being created"));
                            return;
                        }
                    } else {
                        e.backendId = bid;
                        register(e, b, bid);
                    }
                    log.debug("{} created session {} on {} as {}", app, e.id, b.name(), bid);
                    out.complete(Response.newBuilder().setSessionCreated(SessionCreated.newBuilder().setSessionId(e.id)).build());
                    runWaiting(e);
                }));
    }

    private void forwardGlobal(Request r, CompletableFuture<Response> out) {
        Backend b = currentBackend();
        if (b == null) {
            out.complete(noBackend());
            return;
        }
        b.call(r).whenComplete((resp, err) -> out.complete(err != null ? Errors.fromThrowable(b.name(), err) : resp));
    }

    private void forwardSession(App app, Request r, CompletableFuture<Response> out) {
        String id = SessionIds.of(r);
        Entry e = id.isEmpty() ? null : sessions.get(id);
        if (e == null || e.removed) {
            out.complete(Errors.error(Error.Code.NOT_FOUND, "no session '" + abbreviate(id) + "'"));
            return;
        }
        if (e.owner != app) {
            // Another user's session does not exist for this app; the same user's is named.
            out.complete(e.owner.peer.uid() == app.peer.uid() && app.peer.uid() != AppPeer.UNKNOWN_UID
                    ? Errors.error(Error.Code.PERMISSION_DENIED, "session '" + id + "' belongs to another app")
                    : Errors.error(Error.Code.NOT_FOUND, "no session '" + abbreviate(id) + "'"));
            return;
        }
        if (r.getMethodCase() == Request.MethodCase.CLOSE_SESSION) {
            removeSession(e, "closed by the app");
            out.complete(Response.newBuilder().setEmpty(Empty.getDefaultInstance()).build());
            return;
        }
        String sdp = switch (r.getMethodCase()) {
            case CREATE_ANSWER -> r.getCreateAnswer().getRemoteSdp();
            case SET_REMOTE_DESCRIPTION -> r.getSetRemoteDescription().getSdp();
            default -> "";
        };
        if (sdp.length() > config.maxSdpChars) {
            out.complete(Errors.error(Error.Code.INVALID_ARGUMENT, "SDP of " + sdp.length()
                    + " characters exceeds the allowed maximum (" + config.maxSdpChars + ")"));
            return;
        }
        if (!e.ready()) {
            if (e.backend == null && e.backendId == null && e.waiting.isEmpty() && !moving(e)) {
                out.complete(Errors.error(Error.Code.UNAVAILABLE, "session '" + id + "' lost its media engine: "
                        + reason + (detail.isEmpty() ? "" : " (" + detail + ")")));
                return;
            }
            if (e.waiting.size() >= 64) {
                out.complete(Errors.error(Error.Code.RESOURCE_EXHAUSTED, "too many requests queued for session '" + id + "'"));
                return;
            }
            e.waiting.add(() -> forwardSession(app, r, out));
            return;
        }
        Backend b = e.backend;
        String bid = e.backendId;
        b.call(SessionIds.with(r, bid)).whenComplete((resp, err) -> submit(() -> {
            if (err != null) {
                out.complete(Errors.fromThrowable(b.name(), err));
                return;
            }
            if (!resp.hasError()) {
                afterSuccess(e, b, r);
            }
            Response fixed = resp.hasStats() ? resp.toBuilder().setStats(resp.getStats().toBuilder().setSessionId(e.id)).build() : resp;
            out.complete(fixed);
        }));
    }

    private boolean moving(Entry e) {
        return e.backend != null && e.backendId == null;
    }

    /** Video areas remembered per session for a move (the engine allows a handful per call). */
    private static final int MAX_VIDEO_AREAS_KEPT = 16;

    /** Remembers what must be re-applied if the session moves. */
    private void afterSuccess(Entry e, Backend b, Request r) {
        switch (r.getMethodCase()) {
            case CREATE_OFFER, CREATE_ANSWER -> e.negotiated = true;
            case SET_MUTE -> {
                if (r.getSetMute().getKind() == MediaKind.VIDEO) {
                    e.mutedVideo = r.getSetMute().getMuted();
                } else {
                    e.mutedAudio = r.getSetMute().getMuted();
                }
            }
            case SET_HOLD -> e.held = r.getSetHold().getHold();
            case SET_VIDEO_GEOMETRY -> {
                SetVideoGeometry g = r.getSetVideoGeometry();
                e.videoAreas.remove(g.getMappingId());
                if (!g.getClear()) {
                    if (e.videoAreas.size() >= MAX_VIDEO_AREAS_KEPT) {
                        e.videoAreas.remove(e.videoAreas.keySet().iterator().next());
                    }
                    e.videoAreas.put(g.getMappingId(), g);
                }
            }
            case SELECT_DEVICE -> e.devices.put(b.name() + "/" + r.getSelectDevice().getKind(), r.getSelectDevice());
            case SET_STATS_INTERVAL -> e.statsIntervalMs = r.getSetStatsInterval().getIntervalMs();
            case SET_REMOTE_DESCRIPTION -> {
                // the peer follows the new offer: the old home can go; a rolled-back offer keeps it
                if (r.getSetRemoteDescription().getType() != io.vmc.transport.proto.SdpType.ROLLBACK) retire(e);
            }
            default -> { }
        }
    }

    private void retire(Entry e) {
        if (e.retiredBackend != null) {
            forgetKey(e.retiredBackend, e.retiredId);
            closeQuietly(e.retiredBackend, e.retiredId);
            e.retiredBackend = null;
            e.retiredId = null;
        }
    }

    private void removeSession(Entry e, String why) {
        if (e.removed) {
            return;
        }
        e.removed = true;
        sessions.remove(e.id);
        if (e.backend != null && e.backendId != null) {
            forgetKey(e.backend, e.backendId);
            closeQuietly(e.backend, e.backendId);
        }
        retire(e);
        for (Runnable w : e.waiting) {
            w.run(); // they find the session gone and answer NOT_FOUND
        }
        e.waiting.clear();
        log.debug("session {} of {} removed: {}", e.id, e.owner, why);
    }

    private void closeQuietly(Backend b, String backendId) {
        if (b == engine && !engineUp) {
            // A new engine forgets it; one that resumes keeps it: close it then (bounded: the
            // engine's own session limit is far below).
            if (closeOnResume.size() < MAX_CLOSE_ON_RESUME) {
                closeOnResume.add(backendId);
            }
            return;
        }
        b.call(Request.newBuilder().setCloseSession(CloseSession.newBuilder().setSessionId(backendId)).build())
                .whenComplete((r, err) -> {
                    if (err != null || r.hasError()) {
                        log.debug("closing {} on {} failed: {}", backendId, b.name(), err != null ? err : r.getError());
                    }
                });
    }

    private void runWaiting(Entry e) {
        List<Runnable> w = new ArrayList<>(e.waiting);
        e.waiting.clear();
        w.forEach(Runnable::run);
    }

    // ------------------------------------------------------------------ status and mode

    private Status status(App app) {
        Status.Builder s = Status.newBuilder().setMode(mode).setReason(reason).setDetail(detail)
                .setEngineSoftware(engineUp ? engineSoftware : "").setProtocolVersion(engineUp ? protocolVersion : 0);
        int uid = app.peer.uid();
        for (Entry e : sessions.values()) {
            boolean visible = e.owner == app || uid == 0
                    || (uid != AppPeer.UNKNOWN_UID && e.owner.peer.uid() == uid);
            if (visible) {
                s.addSessionIds(e.id);
            }
        }
        return s.build();
    }

    private void setMode(Mode m, ModeReason r, String d) {
        if (m == mode && r == reason && d.equals(detail)) {
            return;
        }
        if (m == Mode.FALLBACK && mode != Mode.FALLBACK) {
            fallbackEntries.merge(r, 1L, Long::sum);
        }
        mode = m;
        reason = r;
        detail = d;
        log.info("mode {} ({}){}", m, r, d.isEmpty() ? "" : ": " + d);
        Event ev = Event.newBuilder().setModeChanged(ModeChanged.newBuilder().setMode(m).setReason(r).setDetail(d)).build();
        for (App a : apps) {
            a.peer.sendEvent(ev);
        }
    }

    /** The engine completed a handshake. {@code resumed}: it kept our sessions. */
    public void engineConnected(Backend engineBackend, String software, int version, boolean resumed) {
        submit(() -> {
            if (graceTimer != null) {
                graceTimer.cancel(false);
                graceTimer = null;
            }
            engine = engineBackend;
            engineUp = true;
            engineSoftware = software;
            protocolVersion = version;
            setMode(Mode.OPTIMIZED, ModeReason.ENGINE_CONNECTED, software);
            List<String> abandoned = new ArrayList<>(closeOnResume);
            closeOnResume.clear();
            if (resumed) {
                abandoned.forEach(id -> closeQuietly(engine, id)); // else the new engine never had them
            }
            for (Entry e : new ArrayList<>(sessions.values())) {
                boolean staleOnEngine = e.backend == engine && !resumed && e.backendId != null;
                if (e.backend != engine || staleOnEngine) {
                    move(e, engine, "media engine connected on the thin client", staleOnEngine);
                }
            }
        });
    }

    /** The channel to the engine went down. */
    public void engineDisconnected(String why) {
        submit(() -> {
            if (!engineUp) {
                return;
            }
            engineUp = false;
            if (config.engineGrace.isZero()) {
                engineGone(ModeReason.ENGINE_LOST, why);
            } else {
                graceTimer = loop.schedule(() -> {
                    graceTimer = null;
                    if (!engineUp) {
                        engineGone(ModeReason.ENGINE_LOST, why);
                    }
                }, config.engineGrace.toMillis(), TimeUnit.MILLISECONDS);
            }
        });
    }

    /** The engine speaks no common protocol version (Goodbye). */
    public void engineIncompatible(String message) {
        submit(() -> {
            engineUp = false;
            engineGone(ModeReason.ENGINE_INCOMPATIBLE, message);
        });
    }

    /** Sets the reason while no engine was ever connected (e.g. the channel appeared or vanished). */
    public void noEngine(ModeReason r, String d) {
        submit(() -> {
            if (!engineUp && reason != ModeReason.ENGINE_INCOMPATIBLE) {
                setMode(Mode.FALLBACK, r, d);
            }
        });
    }

    private void engineGone(ModeReason r, String why) {
        setMode(Mode.FALLBACK, r, why);
        for (Entry e : new ArrayList<>(sessions.values())) {
            if (e.backend == engine && engine != null) {
                if (fallback != null) {
                    move(e, fallback, "media engine lost: continuing inside the VM", true);
                } else {
                    orphan(e, "media engine lost and fallback is disabled");
                }
            }
        }
    }

    private void orphan(Entry e, String why) {
        log.warn("session {} of {} failed: {}", e.id, e.owner, why);
        if (e.backendId != null && e.backend != null) {
            byBackendId.remove(key(e.backend, e.backendId));
            closeQuietly(e.backend, e.backendId);
        }
        e.backend = null;
        e.backendId = null;
        e.owner.peer.sendEvent(Event.newBuilder().setSessionState(SessionState.newBuilder().setSessionId(e.id)
                .setState(SessionState.State.FAILED).setReason(why)).build());
        for (Runnable w : e.waiting) {
            w.run();
        }
        e.waiting.clear();
    }

    /**
     * Recreates the session on {@code target}; if it had negotiated, gets a fresh offer there and
     * tells the app to re-INVITE with it.
     *
     * @param oldDead the old home is gone (do not keep it around)
     */
    private void move(Entry e, Backend target, String why, boolean oldDead) {
        Backend old = e.backend;
        String oldId = e.backendId;
        if (old != null && oldId != null) {
            forgetKey(old, oldId);
            if (oldDead && old == engine && !engineUp) {
                closeQuietly(old, oldId); // queued: a lost engine that resumes later must not keep it
            }
        }
        retire(e);
        if (!oldDead && old != null && oldId != null) {
            e.retiredBackend = old;
            e.retiredId = oldId;
        }
        e.backend = target;
        e.backendId = null;
        migrations.incrementAndGet();
        log.info("moving session {} of {} from {} to {}: {}", e.id, e.owner, old == null ? "nowhere" : old.name(), target.name(), why);
        target.call(Request.newBuilder().setCreateSession(CreateSession.newBuilder().setOptions(e.options)
                .setAppId(e.owner.peer.describe())).build()).whenComplete((resp, err) -> submit(() -> {
                    if (e.backend != target || e.backendId != null) {
                        if (err == null && resp.hasSessionCreated()) {
                            closeQuietly(target, resp.getSessionCreated().getSessionId()); // superseded by another move
                        }
                        return;
                    }
                    if (e.removed) {
                        if (err == null && resp.hasSessionCreated()) {
                            closeQuietly(target, resp.getSessionCreated().getSessionId());
                        }
                        return;
                    }
                    if (err != null || !resp.hasSessionCreated()) {
                        String msg = err != null ? err.toString() : resp.getError().getMessage();
                        log.warn("moving session {} to {} failed: {}", e.id, target.name(), msg);
                        if (e.retiredBackend != null) {
                            // Stay where we were.
                            e.backend = e.retiredBackend;
                            e.backendId = e.retiredId;
                            e.retiredBackend = null;
                            e.retiredId = null;
                            register(e, e.backend, e.backendId);
                            runWaiting(e);
                        } else {
                            orphan(e, "could not move the call to " + target.name() + ": " + msg);
                        }
                        return;
                    }
                    String bid = resp.getSessionCreated().getSessionId();
                    e.backendId = bid;
                    register(e, target, bid);
                    reapply(e, target, bid);
                    if (e.negotiated) {
                        // a held call stays held: its first offer on the new home is a=sendonly
                        target.call(Request.newBuilder().setCreateOffer(CreateOffer.newBuilder().setSessionId(bid).setHold(e.held)).build())
                                .whenComplete((offer, oerr) -> submit(() -> {
                                    if (e.removed || !bid.equals(e.backendId)) {
                                        return;
                                    }
                                    if (oerr != null || !offer.hasDescription()) {
                                        orphan(e, "could not create an offer on " + target.name() + ": "
                                                + (oerr != null ? oerr : offer.getError().getMessage()));
                                        return;
                                    }
                                    log.info("session {} of {} moved to {}: asking the app to renegotiate", e.id, e.owner, target.name());
                                    e.owner.peer.sendEvent(Event.newBuilder().setRenegotiationNeeded(RenegotiationNeeded.newBuilder()
                                            .setSessionId(e.id).setReason(why).setOfferSdp(offer.getDescription().getSdp())).build());
                                    runWaiting(e);
                                }));
                    } else {
                        runWaiting(e);
                    }
                }));
    }

    private void reapply(Entry e, Backend b, String bid) {
        List<Request> rs = new ArrayList<>();
        if (e.mutedAudio) {
            rs.add(Request.newBuilder().setSetMute(SetMute.newBuilder().setSessionId(bid).setKind(MediaKind.AUDIO).setMuted(true)).build());
        }
        if (e.mutedVideo) {
            rs.add(Request.newBuilder().setSetMute(SetMute.newBuilder().setSessionId(bid).setKind(MediaKind.VIDEO).setMuted(true)).build());
        }
        if (e.statsIntervalMs >= 0) {
            rs.add(Request.newBuilder().setSetStatsInterval(SetStatsInterval.newBuilder().setSessionId(bid)
                    .setIntervalMs((int) e.statsIntervalMs)).build());
        }
        e.devices.forEach((backendAndKind, d) -> {
            if (backendAndKind.startsWith(b.name() + "/")) { // device ids are the backend's own
                rs.add(Request.newBuilder().setSelectDevice(d.toBuilder().setSessionId(bid)).build());
            }
        });
        // Hold goes with the move's offer (CreateOffer.hold); video areas once the new home has media.
        e.videoAreasPending = !e.videoAreas.isEmpty();
        send(b, rs);
    }

    /** The new home has media: the overlay exists now, so the app's video areas can be placed. */
    private void reapplyVideoAreas(Entry e) {
        e.videoAreasPending = false;
        List<Request> rs = new ArrayList<>();
        for (SetVideoGeometry g : e.videoAreas.values()) {
            rs.add(Request.newBuilder().setSetVideoGeometry(g.toBuilder().setSessionId(e.backendId)).build());
        }
        send(e.backend, rs);
    }

    private static void send(Backend b, List<Request> rs) {
        for (Request r : rs) {
            b.call(r).whenComplete((resp, err) -> {
                if (err != null || resp.hasError()) {
                    log.info("re-applying {} on {} after a move failed: {}", r.getMethodCase(), b.name(),
                            err != null ? err.toString() : resp.getError().getMessage());
                }
            });
        }
    }

    // ------------------------------------------------------------------ backend events

    /** An event from a backend (engine or fallback); routed to the owning app only. */
    public void onBackendEvent(Backend from, Event event) {
        submit(() -> route(from, event));
    }

    private void route(Backend from, Event ev) {
        String bid = SessionIds.of(ev);
        if (!bid.isEmpty()) {
            Entry e = byBackendId.get(key(from, bid));
            if (e == null || e.removed) {
                if (e == null && !gone.contains(key(from, bid))) {
                    if (early.size() >= MAX_EARLY_EVENTS) {
                        early.removeFirst();
                    }
                    early.addLast(new Object[] {key(from, bid), ev});
                }
                log.debug("event {} for unknown session {} on {} held", ev.getKindCase(), bid, from.name());
                return;
            }
            e.owner.peer.sendEvent(SessionIds.with(ev, e.id));
            if (e.videoAreasPending && from == e.backend && ev.hasSessionState()
                    && (ev.getSessionState().getState() == SessionState.State.CONNECTED
                            || ev.getSessionState().getState() == SessionState.State.ON_HOLD)) {
                reapplyVideoAreas(e);
            }
            if (ev.hasSessionState() && ev.getSessionState().getState() == SessionState.State.CLOSED) {
                removeSession(e, from.name() + " closed it");
            }
            return;
        }
        switch (ev.getKindCase()) {
            case DEVICE_CHANGED, RING_STOPPED, CALL_CONTROL -> {
                if (from == currentBackend()) {
                    apps.forEach(a -> a.peer.sendEvent(ev));
                }
            }
            case ENGINE_STATUS -> {
                if (from == engine && !ev.getEngineStatus().getSoftware().isEmpty()) {
                    engineSoftware = ev.getEngineStatus().getSoftware();
                }
            }
            default -> log.debug("event {} from {} not forwarded", ev.getKindCase(), from.name());
        }
    }

    // ------------------------------------------------------------------ plumbing

    private void register(Entry e, Backend b, String bid) {
        byBackendId.put(key(b, bid), e);
        gone.remove(key(b, bid));
        String k = key(b, bid);
        List<Event> replay = new ArrayList<>();
        early.removeIf(x -> {
            if (x[0].equals(k)) {
                replay.add((Event) x[1]);
                return true;
            }
            return false;
        });
        for (Event ev : replay) {
            route(b, ev);
        }
    }

    private static String key(Backend b, String id) {
        return b.name() + "/" + id;
    }

    private String newId() {
        byte[] b = new byte[8];
        random.nextBytes(b);
        return "s-" + HexFormat.of().formatHex(b);
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }

    private void submit(Runnable r) {
        try {
            loop.execute(() -> {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    log.error("agentd core task failed", e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("agentd core is closed; task dropped");
        }
    }

    /** Runs {@code query} on the loop and returns its result (for status and tests). */
    public <T> T query(java.util.function.Supplier<T> query) {
        CompletableFuture<T> f = new CompletableFuture<>();
        submit(() -> f.complete(query.get()));
        try {
            return f.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("agentd core did not answer", e);
        }
    }

    /** Sessions per backend name ("engine", "fallback", "none"), for status and tests. */
    public Map<String, Integer> sessionsByBackend() {
        return query(this::countByBackend);
    }

    private Map<String, Integer> countByBackend() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (Entry e : sessions.values()) {
            m.merge(e.backend == null ? "none" : e.backend.name(), 1, Integer::sum);
        }
        return m;
    }

    public int sessionCount() {
        return query(sessions::size);
    }

    public int appCount() {
        return query(apps::size);
    }

    public Mode mode() {
        return query(() -> mode);
    }

    public ModeReason modeReason() {
        return query(() -> reason);
    }

    public long migrations() {
        return migrations.get();
    }

    /**
     * What agentd's metrics show, taken at one instant on the loop.
     *
     * @param engineSoftware the connected engine's software string, empty while none is connected
     * @param sessionsByBackend sessions per backend name ("engine", "fallback", "none")
     * @param fallbackEntries times agentd went into FALLBACK, by reason (the start counts as one)
     * @param moves sessions moved between engine and fallback
     */
    public record Snapshot(Mode mode, ModeReason reason, String engineSoftware, int protocolVersion,
            Map<String, Integer> sessionsByBackend, int apps, Map<ModeReason, Long> fallbackEntries, long moves) {}

    /** One consistent {@link Snapshot} (a scrape asks for it; nothing is computed in between). */
    public Snapshot snapshot() {
        return query(() -> new Snapshot(mode, reason, engineUp ? engineSoftware : "", engineUp ? protocolVersion : 0,
                Map.copyOf(countByBackend()), apps.size(), Map.copyOf(fallbackEntries), migrations.get()));
    }

    @Override
    public void close() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        submit(() -> {
            closed = true;
            for (Entry e : new ArrayList<>(sessions.values())) {
                removeSession(e, "agentd shutting down");
            }
            done.complete(null);
        });
        try {
            // the CloseSession calls must be queued before the caller closes the engine channel;
            // a loaded machine can take seconds to run this loop's queue
            done.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("shutdown did not finish in 10 s: sessions may be left open on their backends", e);
        }
        loop.shutdown();
    }
}
