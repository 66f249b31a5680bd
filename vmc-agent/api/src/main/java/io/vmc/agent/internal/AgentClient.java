package io.vmc.agent.internal;

import io.vmc.agent.api.AgentStatus;
import io.vmc.agent.api.Device;
import io.vmc.agent.api.DeviceListener;
import io.vmc.agent.api.MediaSession;
import io.vmc.agent.api.Mode;
import io.vmc.agent.api.ModeChange;
import io.vmc.agent.api.ModeListener;
import io.vmc.agent.api.ModeReason;
import io.vmc.agent.api.SessionOptions;
import io.vmc.agent.api.Vmc;
import io.vmc.agent.api.VmcException;
import io.vmc.transport.proto.CreateSession;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.GetStatus;
import io.vmc.transport.proto.ListDevices;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.SelectDevice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Vmc} implementation: one connection to vmc-agentd, one dispatcher thread.
 *
 * <p>Threads: the channel's I/O threads complete raw futures and deliver events; everything the
 * app sees (listeners, futures of the {@code *Async} methods) is handed to {@link #dispatcher}.
 * Blocking methods wait on the raw futures, so they may be called from a listener without
 * deadlocking the dispatcher.
 */
public final class AgentClient implements Vmc, ApiChannel.Listener {
    private static final Logger log = LoggerFactory.getLogger(AgentClient.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    /** Events for a session id the client does not know yet (its CreateSession answer is in flight). */
    private static final int MAX_EARLY_EVENTS = 64;

    private final ThreadPoolExecutor dispatcher;
    private final java.util.concurrent.atomic.AtomicBoolean cutOff = new java.util.concurrent.atomic.AtomicBoolean();
    private final Duration requestTimeout;
    private final String appName;
    private volatile ApiChannel channel;
    private final Map<String, SessionImpl> sessions = new ConcurrentHashMap<>();
    private final Deque<Event> earlyEvents = new ArrayDeque<>();
    private final List<ModeListener> modeListeners = new CopyOnWriteArrayList<>();
    private final List<DeviceListener> deviceListeners = new CopyOnWriteArrayList<>();
    private final List<io.vmc.agent.api.ThinClientListener> thinClientListeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile ModeChange mode = ModeChange.of(Mode.FALLBACK, ModeReason.UNKNOWN, "not yet reported by the agent");
    // A GetStatus answer and a ModeChanged event can cross: the event that the I/O thread hands on
    // while the answer is on its way is newer (or the same state). modeEvents counts applied events,
    // so that a status fetched around one never overwrites it with the older mode.
    private final Object modeLock = new Object();
    private long modeEvents; // guarded by modeLock

    private AgentClient(String appName, Duration requestTimeout) {
        this.appName = appName;
        this.requestTimeout = requestTimeout;
        int n = INSTANCES.incrementAndGet();
        this.dispatcher = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "vmc-dispatcher-" + n);
            t.setDaemon(true);
            return t;
        });
    }

    /** Connects over the transport to the agent's unix socket. */
    public static Vmc connect(Path socket, String appName, Duration connectTimeout, Duration requestTimeout) {
        if (!Files.exists(socket)) {
            throw new VmcException(VmcException.Reason.UNAVAILABLE, "no vmc-agentd socket at " + socket
                    + " (is vmc-agentd running? set " + SOCKET_ENV + " to use another path)");
        }
        return connect(l -> TransportApiChannel.open(socket, appName, l, connectTimeout), appName, requestTimeout);
    }

    /** Connects through {@code opener}, which builds a channel reporting to the given listener. */
    public static AgentClient connect(Function<ApiChannel.Listener, ApiChannel> opener, String appName,
            Duration requestTimeout) {
        AgentClient c = new AgentClient(appName, requestTimeout);
        try {
            c.channel = opener.apply(c);
            c.applyStatus(c.modeEventsSoFar(), c.status());
            return c;
        } catch (RuntimeException e) {
            c.close();
            if (e instanceof VmcException) {
                throw e;
            }
            throw new VmcException(VmcException.Reason.UNAVAILABLE, "cannot connect to vmc-agentd: " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ requests

    /** Sends a request; the future completes on an I/O thread, exceptionally with VmcException. */
    CompletableFuture<Response> rpc(Request.Builder request) {
        if (closed.get()) {
            return CompletableFuture.failedFuture(new VmcException(VmcException.Reason.CLOSED, "this Vmc instance is closed"));
        }
        ApiChannel ch = channel;
        CompletableFuture<Response> f;
        try {
            f = ch.call(request.setDeadlineMs((int) Math.min(Integer.MAX_VALUE, requestTimeout.toMillis())).build());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(translate(e));
        }
        return f.orTimeout(requestTimeout.toMillis() + 500, TimeUnit.MILLISECONDS).handle((r, e) -> {
            if (e != null) {
                throw translate(e);
            }
            if (r.hasError()) {
                throw ProtoMapping.fromProto(r.getError());
            }
            return r;
        });
    }

    static VmcException translate(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof VmcException v) {
            return v;
        }
        if (e instanceof io.vmc.transport.VmcTransportException t) {
            return ProtoMapping.fromProto(io.vmc.transport.proto.Error.newBuilder().setCode(t.code())
                    .setMessage("vmc-agentd: " + t.getMessage()).build());
        }
        if (e instanceof TimeoutException) {
            return new VmcException(VmcException.Reason.DEADLINE_EXCEEDED, "vmc-agentd did not answer in time", e);
        }
        if (e instanceof CancellationException) {
            return new VmcException(VmcException.Reason.CLOSED, "request cancelled", e);
        }
        return new VmcException(VmcException.Reason.UNAVAILABLE, "request to vmc-agentd failed: " + e, e);
    }

    /** Waits for a raw future (never completed on the dispatcher, so safe from listeners). */
    static <T> T await(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException | CancellationException e) {
            throw translate(e);
        }
    }

    /** The same outcome, delivered on the dispatcher thread. */
    <T> CompletableFuture<T> onDispatcher(CompletableFuture<T> f) {
        CompletableFuture<T> out = new CompletableFuture<>();
        f.whenComplete((v, e) -> {
            try {
                dispatcher.execute(() -> {
                    if (e != null) {
                        out.completeExceptionally(translate(e));
                    } else {
                        out.complete(v);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException rejected) {
                // Instance closed: complete where we are rather than never.
                if (e != null) {
                    out.completeExceptionally(translate(e));
                } else {
                    out.complete(v);
                }
            }
        });
        return out;
    }

    /**
     * Listener calls that may wait for the dispatcher. More means the app's listeners have stopped
     * returning: rather than hold its events without bound, the library disconnects from agentd
     * (which closes the app's sessions), as agentd does with an app that does not read.
     */
    static final int MAX_WAITING_EVENTS = 4096;

    void dispatch(Runnable r) {
        if (dispatcher.getQueue().size() >= MAX_WAITING_EVENTS) {
            if (cutOff.compareAndSet(false, true)) {
                log.error("{} VMC events wait for this app's listeners, which have not returned; disconnecting from "
                        + "vmc-agentd (the app's calls end there) instead of holding more", MAX_WAITING_EVENTS);
                close();
            }
            return;
        }
        try {
            dispatcher.execute(() -> {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    log.warn("a VMC listener threw; the event is dropped for this listener", e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("event after close dropped");
        }
    }

    // ------------------------------------------------------------------ Vmc

    CompletableFuture<MediaSession> newSessionRaw(SessionOptions options) {
        Objects.requireNonNull(options, "options must not be null");
        return rpc(Request.newBuilder().setCreateSession(CreateSession.newBuilder()
                .setOptions(ProtoMapping.toProto(options)).setAppId(appName))).thenApply(r -> {
                    if (!r.hasSessionCreated() || r.getSessionCreated().getSessionId().isEmpty()) {
                        throw new VmcException(VmcException.Reason.INTERNAL, "agent answered CreateSession without a session id: " + r.getResultCase());
                    }
                    SessionImpl s = new SessionImpl(this, r.getSessionCreated().getSessionId(), options);
                    sessions.put(s.id(), s);
                    replayEarlyEvents(s);
                    return s;
                });
    }

    @Override
    public MediaSession newSession(SessionOptions options) {
        return await(newSessionRaw(options));
    }

    @Override
    public CompletableFuture<MediaSession> newSessionAsync(SessionOptions options) {
        return onDispatcher(newSessionRaw(options));
    }

    @Override
    public List<MediaSession> sessions() {
        return List.copyOf(sessions.values());
    }

    private CompletableFuture<List<Device>> devicesRaw() {
        return rpc(Request.newBuilder().setListDevices(ListDevices.getDefaultInstance()))
                .thenApply(r -> ProtoMapping.fromProto(r.getDevices()));
    }

    @Override
    public List<Device> devices() {
        return await(devicesRaw());
    }

    @Override
    public CompletableFuture<List<Device>> devicesAsync() {
        return onDispatcher(devicesRaw());
    }

    /** A request whose response carries nothing but success. */
    private CompletableFuture<Void> voidRpc(Request.Builder request) {
        return rpc(request).thenApply(r -> null);
    }

    private CompletableFuture<Void> selectDeviceRaw(Device device) {
        Objects.requireNonNull(device, "device must not be null");
        return voidRpc(Request.newBuilder().setSelectDevice(SelectDevice.newBuilder()
                .setDeviceId(device.id()).setKind(ProtoMapping.toProto(device.kind()))));
    }

    @Override
    public void selectDevice(Device device) {
        await(selectDeviceRaw(device));
    }

    @Override
    public CompletableFuture<Void> selectDeviceAsync(Device device) {
        return onDispatcher(selectDeviceRaw(device));
    }

    private CompletableFuture<Void> selectRingerRaw(Device speaker) {
        Objects.requireNonNull(speaker, "speaker must not be null");
        if (speaker.kind() != io.vmc.agent.api.DeviceKind.SPEAKER) {
            throw new IllegalArgumentException("a ringer must be a SPEAKER, " + speaker + " is not");
        }
        return voidRpc(Request.newBuilder().setSelectDevice(SelectDevice.newBuilder()
                .setDeviceId(speaker.id()).setKind(ProtoMapping.toProto(speaker.kind())).setRinger(true)));
    }

    @Override
    public void selectRinger(Device speaker) {
        await(selectRingerRaw(speaker));
    }

    @Override
    public CompletableFuture<Void> selectRingerAsync(Device speaker) {
        return onDispatcher(selectRingerRaw(speaker));
    }

    private CompletableFuture<Void> startRingRaw(io.vmc.agent.api.Ring ring) {
        Objects.requireNonNull(ring, "ring must not be null");
        return voidRpc(Request.newBuilder().setStartRing(ProtoMapping.toProto(ring)));
    }

    @Override
    public void startRing(io.vmc.agent.api.Ring ring) {
        await(startRingRaw(ring));
    }

    @Override
    public CompletableFuture<Void> startRingAsync(io.vmc.agent.api.Ring ring) {
        return onDispatcher(startRingRaw(ring));
    }

    private CompletableFuture<Void> stopRingRaw() {
        return voidRpc(Request.newBuilder().setStopRing(io.vmc.transport.proto.StopRing.getDefaultInstance()));
    }

    @Override
    public void stopRing() {
        await(stopRingRaw());
    }

    @Override
    public CompletableFuture<Void> stopRingAsync() {
        return onDispatcher(stopRingRaw());
    }

    @Override
    public void addThinClientListener(io.vmc.agent.api.ThinClientListener listener) {
        thinClientListeners.add(Objects.requireNonNull(listener, "listener must not be null"));
    }

    @Override
    public void removeThinClientListener(io.vmc.agent.api.ThinClientListener listener) {
        thinClientListeners.remove(listener);
    }

    @Override
    public Mode mode() {
        return mode.mode();
    }

    @Override
    public ModeReason modeReason() {
        return mode.reason();
    }

    @Override
    public ModeChange modeInfo() {
        return mode;
    }

    @Override
    public AgentStatus status() {
        return await(statusRaw());
    }

    @Override
    public CompletableFuture<AgentStatus> statusAsync() {
        return onDispatcher(statusRaw());
    }

    private CompletableFuture<AgentStatus> statusRaw() {
        return rpc(Request.newBuilder().setGetStatus(GetStatus.getDefaultInstance()))
                .thenApply(r -> ProtoMapping.fromProto(r.getStatus()));
    }

    @Override
    public void addModeListener(ModeListener listener) {
        modeListeners.add(Objects.requireNonNull(listener, "listener must not be null"));
    }

    @Override
    public void removeModeListener(ModeListener listener) {
        modeListeners.remove(listener);
    }

    @Override
    public void addDeviceListener(DeviceListener listener) {
        deviceListeners.add(Objects.requireNonNull(listener, "listener must not be null"));
    }

    @Override
    public void removeDeviceListener(DeviceListener listener) {
        deviceListeners.remove(listener);
    }

    @Override
    public boolean isConnected() {
        ApiChannel ch = channel;
        return !closed.get() && ch != null && ch.isConnected();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        ApiChannel ch = channel;
        if (ch != null) {
            // The agent closes our sessions when the connection goes; closing the channel is enough.
            for (SessionImpl s : sessions.values()) {
                s.markClosed("Vmc instance closed");
            }
            sessions.clear();
            try {
                ch.close();
            } catch (RuntimeException e) {
                log.debug("closing the agent channel failed", e);
            }
        }
        dispatcher.shutdown();
    }

    private long modeEventsSoFar() {
        synchronized (modeLock) {
            return modeEvents;
        }
    }

    /**
     * Takes the mode of a status asked for when {@code eventsBefore} events had been applied, unless
     * an event came since (it is at least as new). Returns the new mode if it changed, else null.
     */
    private ModeChange applyStatus(long eventsBefore, AgentStatus st) {
        ModeChange m = ModeChange.of(st.mode(), st.reason(), st.detail());
        synchronized (modeLock) {
            if (modeEvents != eventsBefore || m.equals(mode)) {
                return null;
            }
            mode = m;
            return m;
        }
    }

    void forget(SessionImpl s) {
        sessions.remove(s.id(), s);
    }

    // ------------------------------------------------------------------ events (I/O thread)

    @Override
    public void onEvent(Event e) {
        switch (e.getKindCase()) {
            case MODE_CHANGED -> {
                ModeChange m = ModeChange.of(ProtoMapping.fromProto(e.getModeChanged().getMode()),
                        ProtoMapping.fromProto(e.getModeChanged().getReason()), e.getModeChanged().getDetail());
                boolean changed;
                synchronized (modeLock) {
                    modeEvents++;
                    changed = !m.equals(mode);
                    mode = m;
                }
                if (changed) {
                    dispatch(() -> modeListeners.forEach(l -> l.onModeChanged(m)));
                }
            }
            case DEVICE_CHANGED -> {
                Device d = ProtoMapping.fromProto(e.getDeviceChanged().getDevice());
                if (d != null) {
                    DeviceListener.Change c = ProtoMapping.fromProto(e.getDeviceChanged().getChange());
                    dispatch(() -> deviceListeners.forEach(l -> l.onDeviceChanged(d, c)));
                }
            }
            case RING_STOPPED -> {
                MediaSession s = sessions.get(e.getRingStopped().getSessionId());
                var reason = ProtoMapping.fromProto(e.getRingStopped().getReason());
                dispatch(() -> thinClientListeners.forEach(l -> l.onRingStopped(s, reason)));
            }
            case CAPTURE_STOPPED -> {
                MediaSession s = sessions.get(e.getCaptureStopped().getSessionId());
                var kind = ProtoMapping.fromProto(e.getCaptureStopped().getKind());
                String reason = e.getCaptureStopped().getReason();
                if (kind != null) dispatch(() -> thinClientListeners.forEach(l -> l.onCaptureStopped(s, kind, reason)));
            }
            case CALL_CONTROL -> {
                var action = ProtoMapping.fromProto(e.getCallControl().getAction());
                if (action != null) {
                    MediaSession s = sessions.get(e.getCallControl().getSessionId());
                    String key = e.getCallControl().getKey();
                    dispatch(() -> thinClientListeners.forEach(l -> l.onCallControl(s, action, key)));
                }
            }
            case ACTIVE_DEVICE -> {
                Device now = ProtoMapping.fromProto(e.getActiveDevice().getDevice());
                Device removed = ProtoMapping.fromProto(e.getActiveDevice().getReplaced());
                MediaSession s = sessions.get(e.getActiveDevice().getSessionId());
                if (now != null && removed != null) {
                    dispatch(() -> thinClientListeners.forEach(l -> l.onActiveDevice(s, now, removed)));
                }
            }
            case ENGINE_STATUS, KIND_NOT_SET -> { }
            default -> {
                String id = SessionIds.of(e);
                SessionImpl s = id.isEmpty() ? null : sessions.get(id);
                if (s != null) {
                    s.onEvent(e);
                } else if (!id.isEmpty()) {
                    synchronized (earlyEvents) {
                        if (earlyEvents.size() >= MAX_EARLY_EVENTS) {
                            earlyEvents.removeFirst();
                        }
                        earlyEvents.addLast(e);
                    }
                }
            }
        }
    }

    private void replayEarlyEvents(SessionImpl s) {
        List<Event> mine = new ArrayList<>();
        synchronized (earlyEvents) {
            earlyEvents.removeIf(e -> {
                if (SessionIds.of(e).equals(s.id())) {
                    mine.add(e);
                    return true;
                }
                return false;
            });
        }
        mine.forEach(s::onEvent);
    }

    @Override
    public void onConnected(boolean resumed) {
        if (resumed || closed.get()) {
            return;
        }
        // A new agent (restart) or a new connection: our sessions are gone over there.
        for (SessionImpl s : sessions.values()) {
            s.markFailed("connection to vmc-agentd was re-established without its sessions");
        }
        sessions.clear();
        CompletableFuture.runAsync(() -> {
            try {
                long events = modeEventsSoFar();
                ModeChange m = applyStatus(events, status());
                if (m != null) {
                    dispatch(() -> modeListeners.forEach(l -> l.onModeChanged(m)));
                }
            } catch (VmcException e) {
                log.debug("status after reconnect failed", e);
            }
        }, dispatcher);
    }

    @Override
    public void onDisconnected(String why) {
        log.debug("vmc-agentd connection down: {}", why);
    }

    String appName() {
        return appName;
    }
}
