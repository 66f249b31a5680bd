package io.vmc.agent.internal;

import io.vmc.agent.api.Device;
import io.vmc.agent.api.IceCandidate;
import io.vmc.agent.api.MediaKind;
import io.vmc.agent.api.MediaSession;
import io.vmc.agent.api.MediaSessionListener;
import io.vmc.agent.api.SdpType;
import io.vmc.agent.api.SessionOptions;
import io.vmc.agent.api.SessionState;
import io.vmc.agent.api.QualityAlert;
import io.vmc.agent.api.SessionStats;
import io.vmc.agent.api.VideoArea;
import io.vmc.agent.api.VmcException;
import io.vmc.transport.proto.CloseSession;
import io.vmc.transport.proto.CreateAnswer;
import io.vmc.transport.proto.CreateOffer;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.GetStats;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.SelectDevice;
import io.vmc.transport.proto.SendDtmf;
import io.vmc.transport.proto.SetHold;
import io.vmc.transport.proto.SetMute;
import io.vmc.transport.proto.SetStatsInterval;
import io.vmc.transport.proto.SetRemoteDescription;
import io.vmc.transport.proto.SetVideoGeometry;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/** A {@link MediaSession} whose media lives wherever agentd put it. */
final class SessionImpl implements MediaSession {
    // The engine's bounds (MediaEngine.MIN/MAX_STATS_INTERVAL_MS), checked here so a bad value fails at the caller.
    private static final Duration MIN_STATS_INTERVAL = Duration.ofSeconds(1);
    private static final Duration MAX_STATS_INTERVAL = Duration.ofHours(1);
    /** Largest SDP accepted from the app (the transport's frame limit is 256 KiB). */
    static final int MAX_SDP_CHARS = 64 * 1024;
    static final int MAX_DTMF_DIGITS = 64;
    /** The length of each digit when the app does not say (RFC 4733 senders commonly use 100 ms). */
    static final Duration DEFAULT_DTMF_DIGIT = Duration.ofMillis(100);
    private static final Pattern DTMF = Pattern.compile("[0-9A-Da-d*#]+");

    private final AgentClient client;
    private final String id;
    private final SessionOptions options;
    private final List<MediaSessionListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile SessionState state = SessionState.NEW;
    private volatile boolean muted;

    SessionImpl(AgentClient client, String id, SessionOptions options) {
        this.client = client;
        this.id = id;
        this.options = options;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public SessionOptions options() {
        return options;
    }

    @Override
    public SessionState state() {
        return state;
    }

    private CompletableFuture<Response> rpc(Request.Builder r) {
        if (closed.get()) {
            return CompletableFuture.failedFuture(new VmcException(VmcException.Reason.CLOSED, "session " + id + " is closed"));
        }
        return client.rpc(r);
    }

    private static String sdpOf(Response r, String what) {
        if (!r.hasDescription() || r.getDescription().getSdp().isEmpty()) {
            throw new VmcException(VmcException.Reason.INTERNAL, what + " returned no SDP (" + r.getResultCase() + ")");
        }
        return r.getDescription().getSdp();
    }

    private CompletableFuture<String> offerRaw(boolean iceRestart) {
        return rpc(Request.newBuilder().setCreateOffer(CreateOffer.newBuilder().setSessionId(id).setIceRestart(iceRestart)))
                .thenApply(r -> sdpOf(r, "CreateOffer"));
    }

    @Override
    public String createOffer() {
        return AgentClient.await(offerRaw(false));
    }

    @Override
    public CompletableFuture<String> createOfferAsync() {
        return client.onDispatcher(offerRaw(false));
    }

    @Override
    public String createIceRestartOffer() {
        return AgentClient.await(offerRaw(true));
    }

    @Override
    public CompletableFuture<String> createIceRestartOfferAsync() {
        return client.onDispatcher(offerRaw(true));
    }

    private static String checkSdp(String name, String sdp) {
        Objects.requireNonNull(sdp, name + " must not be null");
        if (sdp.isBlank()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
        if (sdp.length() > MAX_SDP_CHARS) {
            throw new IllegalArgumentException(name + " is " + sdp.length() + " characters, more than the allowed " + MAX_SDP_CHARS);
        }
        return sdp;
    }

    private CompletableFuture<String> answerRaw(String remoteOfferSdp) {
        checkSdp("remoteOfferSdp", remoteOfferSdp);
        return rpc(Request.newBuilder().setCreateAnswer(CreateAnswer.newBuilder().setSessionId(id).setRemoteSdp(remoteOfferSdp)))
                .thenApply(r -> sdpOf(r, "CreateAnswer"));
    }

    @Override
    public String createAnswer(String remoteOfferSdp) {
        return AgentClient.await(answerRaw(remoteOfferSdp));
    }

    @Override
    public CompletableFuture<String> createAnswerAsync(String remoteOfferSdp) {
        return client.onDispatcher(answerRaw(remoteOfferSdp));
    }

    private CompletableFuture<Void> remoteRaw(SdpType type, String sdp) {
        Objects.requireNonNull(type, "type must not be null");
        checkSdp("sdp", sdp);
        return rpc(Request.newBuilder().setSetRemoteDescription(SetRemoteDescription.newBuilder()
                .setSessionId(id).setType(ProtoMapping.toProto(type)).setSdp(sdp))).thenApply(r -> null);
    }

    @Override
    public void setRemoteDescription(SdpType type, String sdp) {
        AgentClient.await(remoteRaw(type, sdp));
    }

    @Override
    public CompletableFuture<Void> setRemoteDescriptionAsync(SdpType type, String sdp) {
        return client.onDispatcher(remoteRaw(type, sdp));
    }

    private CompletableFuture<Void> rollbackRaw() {
        return rpc(Request.newBuilder().setSetRemoteDescription(SetRemoteDescription.newBuilder()
                .setSessionId(id).setType(io.vmc.transport.proto.SdpType.ROLLBACK))).thenApply(r -> null);
    }

    @Override
    public void rollback() {
        AgentClient.await(rollbackRaw());
    }

    @Override
    public CompletableFuture<Void> rollbackAsync() {
        return client.onDispatcher(rollbackRaw());
    }

    private CompletableFuture<Void> candidateRaw(IceCandidate c) {
        Objects.requireNonNull(c, "candidate must not be null");
        return rpc(Request.newBuilder().setAddRemoteCandidate(ProtoMapping.toProto(id, c))).thenApply(r -> null);
    }

    @Override
    public void addRemoteCandidate(IceCandidate candidate) {
        AgentClient.await(candidateRaw(candidate));
    }

    @Override
    public CompletableFuture<Void> addRemoteCandidateAsync(IceCandidate candidate) {
        return client.onDispatcher(candidateRaw(candidate));
    }

    private CompletableFuture<Void> screenShareRaw(io.vmc.agent.api.ScreenShare share) {
        Objects.requireNonNull(share, "share must not be null");
        var m = io.vmc.transport.proto.StartScreenShare.newBuilder().setSessionId(id).setMaxFps(share.maxFps()).setTitle(share.title());
        if (share.area() != null) {
            m.setArea(ProtoMapping.toProto(share.area())).setScreenWidth(share.screenWidth()).setScreenHeight(share.screenHeight());
        }
        return rpc(Request.newBuilder().setStartScreenShare(m)).thenApply(r -> null);
    }

    private CompletableFuture<Void> stopScreenShareRaw() {
        return rpc(Request.newBuilder().setStopScreenShare(io.vmc.transport.proto.StopScreenShare.newBuilder().setSessionId(id)))
                .thenApply(r -> null);
    }

    @Override
    public void startScreenShare(io.vmc.agent.api.ScreenShare share) {
        AgentClient.await(screenShareRaw(share));
    }

    @Override
    public CompletableFuture<Void> startScreenShareAsync(io.vmc.agent.api.ScreenShare share) {
        return client.onDispatcher(screenShareRaw(share));
    }

    @Override
    public void stopScreenShare() {
        AgentClient.await(stopScreenShareRaw());
    }

    @Override
    public CompletableFuture<Void> stopScreenShareAsync() {
        return client.onDispatcher(stopScreenShareRaw());
    }

    private CompletableFuture<Void> muteRaw(MediaKind kind, boolean mute) {
        Objects.requireNonNull(kind, "kind must not be null");
        return rpc(Request.newBuilder().setSetMute(SetMute.newBuilder().setSessionId(id)
                .setKind(ProtoMapping.toProto(kind)).setMuted(mute))).thenApply(r -> {
                    if (kind == MediaKind.AUDIO) {
                        muted = mute;
                    }
                    return null;
                });
    }

    private CompletableFuture<Void> muteAllRaw(boolean mute) {
        CompletableFuture<Void> audio = muteRaw(MediaKind.AUDIO, mute);
        return options.video() ? audio.thenCompose(v -> muteRaw(MediaKind.VIDEO, mute)) : audio;
    }

    @Override
    public void setMute(boolean mute) {
        AgentClient.await(muteAllRaw(mute));
    }

    @Override
    public CompletableFuture<Void> setMuteAsync(boolean mute) {
        return client.onDispatcher(muteAllRaw(mute));
    }

    @Override
    public void setMute(MediaKind kind, boolean mute) {
        AgentClient.await(muteRaw(kind, mute));
    }

    @Override
    public CompletableFuture<Void> setMuteAsync(MediaKind kind, boolean mute) {
        return client.onDispatcher(muteRaw(kind, mute));
    }

    @Override
    public boolean isMuted() {
        return muted;
    }

    private CompletableFuture<Void> holdRaw(boolean hold) {
        return rpc(Request.newBuilder().setSetHold(SetHold.newBuilder().setSessionId(id).setHold(hold))).thenApply(r -> null);
    }

    @Override
    public void hold() {
        AgentClient.await(holdRaw(true));
    }

    @Override
    public void resume() {
        AgentClient.await(holdRaw(false));
    }

    @Override
    public CompletableFuture<Void> holdAsync() {
        return client.onDispatcher(holdRaw(true));
    }

    @Override
    public CompletableFuture<Void> resumeAsync() {
        return client.onDispatcher(holdRaw(false));
    }

    private CompletableFuture<Void> dtmfRaw(String digits, Duration perDigit) {
        Objects.requireNonNull(digits, "digits must not be null");
        Objects.requireNonNull(perDigit, "perDigit must not be null");
        if (digits.isEmpty() || digits.length() > MAX_DTMF_DIGITS || !DTMF.matcher(digits).matches()) {
            throw new IllegalArgumentException("digits must be 1.." + MAX_DTMF_DIGITS + " of 0-9 * # A-D, was '" + digits + "'");
        }
        long ms = perDigit.toMillis();
        if (ms < 40 || ms > 2000) {
            throw new IllegalArgumentException("perDigit must be 40 ms to 2 s, was " + perDigit);
        }
        return rpc(Request.newBuilder().setSendDtmf(SendDtmf.newBuilder().setSessionId(id)
                .setDigits(digits.toUpperCase(java.util.Locale.ROOT)).setDurationMs((int) ms))).thenApply(r -> null);
    }

    @Override
    public void sendDtmf(String digits) {
        sendDtmf(digits, DEFAULT_DTMF_DIGIT);
    }

    @Override
    public void sendDtmf(String digits, Duration perDigit) {
        AgentClient.await(dtmfRaw(digits, perDigit));
    }

    @Override
    public CompletableFuture<Void> sendDtmfAsync(String digits) {
        return sendDtmfAsync(digits, DEFAULT_DTMF_DIGIT);
    }

    @Override
    public CompletableFuture<Void> sendDtmfAsync(String digits, Duration perDigit) {
        return client.onDispatcher(dtmfRaw(digits, perDigit));
    }

    private CompletableFuture<Void> selectDeviceRaw(Device device) {
        Objects.requireNonNull(device, "device must not be null");
        return rpc(Request.newBuilder().setSelectDevice(SelectDevice.newBuilder().setSessionId(id)
                .setDeviceId(device.id()).setKind(ProtoMapping.toProto(device.kind())))).thenApply(r -> null);
    }

    @Override
    public void selectDevice(Device device) {
        AgentClient.await(selectDeviceRaw(device));
    }

    @Override
    public CompletableFuture<Void> selectDeviceAsync(Device device) {
        return client.onDispatcher(selectDeviceRaw(device));
    }

    private CompletableFuture<Void> videoRaw(VideoArea area) {
        Objects.requireNonNull(area, "area must not be null");
        return rpc(Request.newBuilder().setSetVideoGeometry(ProtoMapping.toProto(id, area))).thenApply(r -> null);
    }

    @Override
    public void setVideoArea(VideoArea area) {
        AgentClient.await(videoRaw(area));
    }

    @Override
    public CompletableFuture<Void> setVideoAreaAsync(VideoArea area) {
        return client.onDispatcher(videoRaw(area));
    }

    private CompletableFuture<Void> clearVideoRaw(int mappingId) {
        if (mappingId < 0 || mappingId > 255) {
            throw new IllegalArgumentException("mappingId must be in 0..255, was " + mappingId);
        }
        return rpc(Request.newBuilder().setSetVideoGeometry(SetVideoGeometry.newBuilder()
                .setSessionId(id).setMappingId(mappingId).setClear(true))).thenApply(r -> null);
    }

    @Override
    public void clearVideoArea(int mappingId) {
        AgentClient.await(clearVideoRaw(mappingId));
    }

    @Override
    public CompletableFuture<Void> clearVideoAreaAsync(int mappingId) {
        return client.onDispatcher(clearVideoRaw(mappingId));
    }

    private CompletableFuture<SessionStats> statsRaw() {
        return rpc(Request.newBuilder().setGetStats(GetStats.newBuilder().setSessionId(id)))
                .thenApply(r -> ProtoMapping.fromProto(id, r.getStats()));
    }

    @Override
    public SessionStats stats() {
        return AgentClient.await(statsRaw());
    }

    @Override
    public CompletableFuture<SessionStats> statsAsync() {
        return client.onDispatcher(statsRaw());
    }

    private CompletableFuture<Void> statsIntervalRaw(Duration interval) {
        Objects.requireNonNull(interval, "interval must not be null");
        if (interval.isNegative() || (!interval.isZero() && interval.compareTo(MIN_STATS_INTERVAL) < 0)
                || interval.compareTo(MAX_STATS_INTERVAL) > 0) {
            throw new IllegalArgumentException("interval must be zero (no pushed stats) or between "
                    + MIN_STATS_INTERVAL + " and " + MAX_STATS_INTERVAL + ", was " + interval);
        }
        return rpc(Request.newBuilder().setSetStatsInterval(SetStatsInterval.newBuilder().setSessionId(id)
                .setIntervalMs((int) interval.toMillis()))).thenApply(r -> null);
    }

    @Override
    public void setStatsInterval(Duration interval) {
        AgentClient.await(statsIntervalRaw(interval));
    }

    @Override
    public CompletableFuture<Void> setStatsIntervalAsync(Duration interval) {
        return client.onDispatcher(statsIntervalRaw(interval));
    }

    @Override
    public void addListener(MediaSessionListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener must not be null"));
    }

    @Override
    public void removeListener(MediaSessionListener listener) {
        listeners.remove(listener);
    }

    private CompletableFuture<Void> closeRaw() {
        if (closed.get()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Response> f = client.rpc(Request.newBuilder().setCloseSession(CloseSession.newBuilder().setSessionId(id)));
        markClosed("closed by the app");
        return f.handle((r, e) -> null); // closing is best effort: the agent frees the session with the connection anyway
    }

    @Override
    public void close() {
        try {
            AgentClient.await(closeRaw());
        } catch (VmcException e) {
            // never throws
        }
    }

    @Override
    public CompletableFuture<Void> closeAsync() {
        return client.onDispatcher(closeRaw());
    }

    void markClosed(String reason) {
        terminate(SessionState.CLOSED, reason);
    }

    void markFailed(String reason) {
        terminate(SessionState.FAILED, reason);
    }

    private void terminate(SessionState s, String reason) {
        if (closed.compareAndSet(false, true)) {
            client.forget(this);
            synchronized (this) {
                if (state.isTerminal()) {
                    return;
                }
                state = s;
            }
            client.dispatch(() -> listeners.forEach(l -> l.onStateChange(this, s, reason)));
        }
    }

    /** An event from the agent about this session (I/O thread). */
    void onEvent(Event e) {
        switch (e.getKindCase()) {
            case SESSION_STATE -> {
                SessionState s = ProtoMapping.fromProto(e.getSessionState().getState());
                String reason = e.getSessionState().getReason();
                if (s.isTerminal()) {
                    closed.set(true);
                    client.forget(this);
                }
                synchronized (this) {
                    if (state.isTerminal()) {
                        return;
                    }
                    state = s;
                }
                client.dispatch(() -> listeners.forEach(l -> l.onStateChange(this, s, reason)));
            }
            case LOCAL_CANDIDATE -> {
                IceCandidate c;
                try {
                    c = ProtoMapping.fromProto(e.getLocalCandidate());
                } catch (IllegalArgumentException bad) {
                    return; // malformed candidate from the engine: nothing useful to forward
                }
                client.dispatch(() -> listeners.forEach(l -> l.onLocalCandidate(this, c)));
            }
            case STATS -> {
                SessionStats st = ProtoMapping.fromProto(id, e.getStats());
                client.dispatch(() -> listeners.forEach(l -> l.onStats(this, st)));
            }
            case QUALITY_ALERT -> {
                QualityAlert q = ProtoMapping.fromProto(e.getQualityAlert());
                if (q != null) {
                    client.dispatch(() -> listeners.forEach(l -> l.onQualityAlert(this, q)));
                }
            }
            case SCREEN_SHARE_ENDED -> {
                String why = e.getScreenShareEnded().getReason() + (e.getScreenShareEnded().getDetail().isEmpty() ? ""
                        : ": " + e.getScreenShareEnded().getDetail());
                client.dispatch(() -> listeners.forEach(l -> l.onScreenShareEnded(this, why)));
            }
            case DTMF_RECEIVED -> {
                String d = e.getDtmfReceived().getDigit();
                if (d.length() == 1) {
                    char digit = d.charAt(0);
                    int dur = (int) Math.min(Integer.toUnsignedLong(e.getDtmfReceived().getDurationMs()), 60_000L); // uint32
                    client.dispatch(() -> listeners.forEach(l -> l.onDtmf(this, digit, dur)));
                }
            }
            case RENEGOTIATION_NEEDED -> {
                String offer = e.getRenegotiationNeeded().getOfferSdp();
                String reason = e.getRenegotiationNeeded().getReason();
                client.dispatch(() -> listeners.forEach(l -> l.onRenegotiationNeeded(this, offer, reason)));
            }
            default -> { }
        }
    }

    @Override
    public String toString() {
        return "MediaSession{" + id + ", " + state + "}";
    }
}
