package io.vmc.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vmc.agent.api.MediaSession;
import io.vmc.agent.api.MediaSessionListener;
import io.vmc.agent.api.Mode;
import io.vmc.agent.api.ModeChange;
import io.vmc.agent.api.ModeReason;
import io.vmc.agent.api.SdpType;
import io.vmc.agent.api.SessionOptions;
import io.vmc.agent.api.SessionState;
import io.vmc.agent.api.Vmc;
import io.vmc.agent.api.VmcException;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.SessionState.State;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The core's bookkeeping with scripted backends, through the real client library. */
@Timeout(30)
class AgentCoreTest {
    private final FakeBackend engine = new FakeBackend("engine");
    private final FakeBackend fallback = new FakeBackend("fallback");
    private AgentCore core;
    private final List<Vmc> clients = new ArrayList<>();

    @BeforeEach
    void start() {
        startCore(true);
    }

    private void startCore(boolean withFallback) {
        AgentCore.Config cfg = new AgentCore.Config();
        cfg.maxSessionsPerApp = 5;
        cfg.fallbackEnabled = withFallback;
        cfg.engineGrace = Duration.ofMillis(100);
        core = new AgentCore(cfg, fallback, io.vmc.transport.proto.ModeReason.NO_ENGINE, "nobody on the channel");
        engine.events = e -> core.onBackendEvent(engine, e);
        fallback.events = e -> core.onBackendEvent(fallback, e);
    }

    @AfterEach
    void stop() {
        clients.forEach(Vmc::close);
        core.close();
    }

    private Vmc app(int uid, int pid) {
        Vmc v = DirectLink.connect(core, uid, pid);
        clients.add(v);
        return v;
    }

    private String engineIdOf(String prefix) {
        return engine.sessions.keySet().stream().filter(k -> k.startsWith(prefix)).findFirst().orElseThrow();
    }

    @Test
    void offerAnswerStatsCloseAreForwardedWithTheBackendsIds() {
        core.engineConnected(engine, "vmc-engine/test", 1, false);
        Vmc vmc = app(1000, 1);
        await().until(() -> vmc.mode() == Mode.OPTIMIZED);
        MediaSession call = vmc.newSession(SessionOptions.audioOnly());
        assertThat(call.id()).startsWith("s-");
        String offer = call.createOffer();
        assertThat(offer).contains("engine offer engine-1");
        call.setRemoteDescription(SdpType.ANSWER, "v=0\r\n");
        assertThat(call.stats().sessionId()).isEqualTo(call.id());
        assertThat(call.stats().audio()).get().extracting(s -> s.codec()).isEqualTo("opus");
        call.setMute(true);
        call.hold();
        call.sendDtmf("12#");
        assertThat(engine.requests).extracting(Request::getMethodCase).contains(Request.MethodCase.SET_MUTE,
                Request.MethodCase.SET_HOLD, Request.MethodCase.SEND_DTMF);
        assertThat(engine.requests.stream().filter(Request::hasSendDtmf).findFirst().orElseThrow().getSendDtmf().getSessionId())
                .isEqualTo("engine-1");
        call.close();
        assertThat(call.state()).isEqualTo(SessionState.CLOSED);
        await().until(() -> engine.sessions.isEmpty());
        assertThatThrownBy(call::createOffer).isInstanceOf(VmcException.class)
                .extracting(e -> ((VmcException) e).reason()).isEqualTo(VmcException.Reason.CLOSED);
    }

    @Test
    void eventsGoOnlyToTheOwningApp() {
        core.engineConnected(engine, "vmc-engine/test", 1, false);
        Vmc a = app(1000, 1);
        Vmc b = app(1000, 2);
        MediaSession sa = a.newSession(SessionOptions.audioOnly());
        MediaSession sb = b.newSession(SessionOptions.audioOnly());
        List<String> seenA = new CopyOnWriteArrayList<>();
        List<String> seenB = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        sa.addListener(new MediaSessionListener() {
            @Override
            public void onStateChange(MediaSession s, SessionState st, String r) {
                seenA.add(s.id() + ":" + st);
                threads.add(Thread.currentThread().getName());
            }
        });
        sb.addListener(new MediaSessionListener() {
            @Override
            public void onStateChange(MediaSession s, SessionState st, String r) {
                seenB.add(s.id() + ":" + st);
            }
        });
        engine.emitState("engine-1", State.CONNECTED);
        await().until(() -> seenA.size() == 1);
        assertThat(seenA).containsExactly(sa.id() + ":CONNECTED");
        assertThat(threads).allMatch(t -> t.startsWith("vmc-dispatcher-"));
        engine.emitState("engine-2", State.CONNECTING);
        await().until(() -> seenB.size() == 1);
        assertThat(seenA).hasSize(1);
        assertThat(sa.state()).isEqualTo(SessionState.CONNECTED);
    }

    @Test
    void appsCannotTouchEachOthersSessions() throws Exception {
        core.engineConnected(engine, "vmc-engine/test", 1, false);
        Vmc alice = app(1000, 1);
        Vmc aliceOther = app(1000, 2);
        Vmc bob = app(1001, 3);
        MediaSession call = alice.newSession(SessionOptions.audioOnly());
        // Forge requests with alice's session id from other apps, through the raw API.
        io.vmc.agent.internal.AgentClient other = (io.vmc.agent.internal.AgentClient) aliceOther;
        assertThatThrownBy(() -> rawClose(aliceOther, call.id())).hasMessageContaining("belongs to another app");
        assertThatThrownBy(() -> rawClose(bob, call.id())).hasMessageContaining("no session");
        assertThat(bob.status().sessionIds()).isEmpty();
        assertThat(aliceOther.status().sessionIds()).containsExactly(call.id()); // same user may list
        assertThat(alice.status().sessionIds()).containsExactly(call.id());
        assertThat(other.isConnected()).isTrue();
        assertThat(call.createOffer()).isNotEmpty(); // still alive
    }

    private static void rawClose(Vmc vmc, String id) throws Exception {
        java.lang.reflect.Method m = io.vmc.agent.internal.AgentClient.class.getDeclaredMethod("rpc", Request.Builder.class);
        m.setAccessible(true);
        @SuppressWarnings("unchecked")
        java.util.concurrent.CompletableFuture<io.vmc.transport.proto.Response> f =
                (java.util.concurrent.CompletableFuture<io.vmc.transport.proto.Response>) m.invoke(vmc,
                        Request.newBuilder().setCloseSession(io.vmc.transport.proto.CloseSession.newBuilder().setSessionId(id)));
        try {
            f.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw (RuntimeException) e.getCause();
        }
    }

    @Test
    void anAppsSessionsAreClosedWhenItGoes() {
        core.engineConnected(engine, "vmc-engine/test", 1, false);
        Vmc a = app(1000, 1);
        Vmc b = app(1000, 2);
        a.newSession(SessionOptions.audioOnly());
        a.newSession(SessionOptions.audioOnly());
        MediaSession kept = b.newSession(SessionOptions.audioOnly());
        assertThat(engine.sessions).hasSize(3);
        ((io.vmc.agent.internal.AgentClient) a).close();
        await().until(() -> engine.sessions.size() == 1);
        assertThat(core.sessionCount()).isEqualTo(1);
        assertThat(kept.createOffer()).isNotEmpty();
    }

    @Test
    void sessionLimitsAnswerResourceExhaustedAndSpareOthers() {
        core.engineConnected(engine, "vmc-engine/test", 1, false);
        Vmc greedy = app(1000, 1);
        Vmc polite = app(1000, 2);
        for (int i = 0; i < 5; i++) {
            greedy.newSession(SessionOptions.audioOnly());
        }
        assertThatThrownBy(() -> greedy.newSession(SessionOptions.audioOnly())).isInstanceOf(VmcException.class)
                .extracting(e -> ((VmcException) e).reason()).isEqualTo(VmcException.Reason.RESOURCE_EXHAUSTED);
        assertThat(polite.newSession(SessionOptions.audioOnly()).createOffer()).isNotEmpty();
    }

    @Test
    void engineComesAndGoesMidCallWithRenegotiation() {
        Vmc vmc = app(1000, 1);
        assertThat(vmc.mode()).isEqualTo(Mode.FALLBACK);
        assertThat(vmc.modeReason()).isEqualTo(ModeReason.NO_ENGINE);
        List<ModeChange> modes = new CopyOnWriteArrayList<>();
        vmc.addModeListener(modes::add);
        List<String> offers = new CopyOnWriteArrayList<>();
        MediaSession call = vmc.newSession(SessionOptions.audioOnly());
        call.addListener(new MediaSessionListener() {
            @Override
            public void onRenegotiationNeeded(MediaSession s, String newOffer, String reason) {
                offers.add(newOffer);
            }
        });
        assertThat(call.createOffer()).contains("fallback offer");
        call.setRemoteDescription(SdpType.ANSWER, "v=0\r\n");
        call.setMute(true);

        core.engineConnected(engine, "vmc-engine/test", 1, false);
        await().until(() -> offers.size() == 1);
        assertThat(offers.get(0)).contains("engine offer");
        assertThat(modes).extracting(ModeChange::mode).containsExactly(Mode.OPTIMIZED);
        assertThat(engine.requests).anyMatch(r -> r.hasSetMute() && r.getSetMute().getMuted()); // re-applied
        assertThat(fallback.sessions).hasSize(1); // kept until the peer follows
        call.setRemoteDescription(SdpType.ANSWER, "v=0\r\n");
        await().until(fallback.sessions::isEmpty);
        assertThat(core.sessionsByBackend()).containsEntry("engine", 1);

        core.engineDisconnected("keepalive timeout");
        await().until(() -> offers.size() == 2);
        assertThat(offers.get(1)).contains("fallback offer");
        await().until(() -> modes.size() == 2);
        assertThat(modes.get(1).mode()).isEqualTo(Mode.FALLBACK);
        assertThat(modes.get(1).reason()).isEqualTo(ModeReason.ENGINE_LOST);
        assertThat(vmc.status().reason()).isEqualTo(ModeReason.ENGINE_LOST);
    }

    @Test
    void aMovedCallKeepsHoldMuteDevicesAndVideoAreas() {
        core.engineConnected(engine, "vmc-engine/test", 1, false);
        Vmc vmc = app(1000, 1);
        List<String> offers = new CopyOnWriteArrayList<>();
        MediaSession call = vmc.newSession(SessionOptions.audioVideo());
        call.addListener(new MediaSessionListener() {
            @Override
            public void onRenegotiationNeeded(MediaSession s, String newOffer, String reason) {
                offers.add(newOffer);
            }
        });
        call.createOffer();
        call.setRemoteDescription(SdpType.ANSWER, "v=0\r\n");
        io.vmc.agent.api.Device mic = vmc.devices().get(0);
        call.selectDevice(mic);
        call.setMute(true);
        call.setVideoArea(io.vmc.agent.api.VideoArea.builder().mappingId(3).area(io.vmc.agent.api.Rect.of(10, 20, 640, 360))
                .screenSize(1920, 1080).build());
        call.hold();
        int before = engine.requests.size();

        core.engineDisconnected("engine killed"); // grace 100 ms: the call moves to the fallback
        await().until(() -> offers.size() == 1);
        call.setRemoteDescription(SdpType.ANSWER, "v=0\r\n");
        core.engineConnected(engine, "vmc-engine/test", 1, false); // a new engine process: nothing resumed
        await().until(() -> offers.size() == 2);
        call.setRemoteDescription(SdpType.ANSWER, "v=0\r\n");
        String home = "engine-2";
        engine.emitState(home, State.ON_HOLD); // the new home has media: video areas follow
        await().until(() -> engine.requests.stream().skip(before).anyMatch(Request::hasSetVideoGeometry));

        List<Request> after = engine.requests.subList(before, engine.requests.size());
        assertThat(after).filteredOn(Request::hasCreateOffer).singleElement()
                .satisfies(r -> assertThat(r.getCreateOffer().getHold()).as("the offer is on hold").isTrue());
        assertThat(fallback.requests).filteredOn(Request::hasCreateOffer).singleElement()
                .satisfies(r -> assertThat(r.getCreateOffer().getHold()).isTrue());
        assertThat(after).filteredOn(Request::hasSetMute).extracting(r -> r.getSetMute().getKind() + ":" + r.getSetMute().getMuted())
                .containsExactlyInAnyOrder("AUDIO:true", "VIDEO:true");
        assertThat(after).filteredOn(Request::hasSelectDevice).singleElement().satisfies(r -> {
            assertThat(r.getSelectDevice().getDeviceId()).isEqualTo("mic-1");
            assertThat(r.getSelectDevice().getSessionId()).isEqualTo(home);
        });
        assertThat(fallback.requests).as("engine device ids mean nothing to the fallback").noneMatch(Request::hasSelectDevice);
        assertThat(after).filteredOn(Request::hasSetVideoGeometry).singleElement().satisfies(r -> {
            assertThat(r.getSetVideoGeometry().getMappingId()).isEqualTo(3);
            assertThat(r.getSetVideoGeometry().getArea().getWidth()).isEqualTo(640);
            assertThat(r.getSetVideoGeometry().getSessionId()).isEqualTo(home);
        });

        call.resume(); // an app that resumes is not put back on hold by the next move
        core.engineDisconnected("engine killed again");
        await().until(() -> offers.size() == 3);
        assertThat(fallback.requests).filteredOn(Request::hasCreateOffer).last()
                .satisfies(r -> assertThat(r.getCreateOffer().getHold()).isFalse());
    }

    @Test
    void anEngineResumingAfterTheGraceIsToldToCloseWhatAgentdLetGo() {
        core.engineConnected(engine, "vmc-engine/test", 1, false);
        Vmc vmc = app(1000, 1);
        MediaSession moved = vmc.newSession(SessionOptions.audioOnly());
        moved.createOffer();
        MediaSession closed = vmc.newSession(SessionOptions.audioOnly());
        core.engineDisconnected("channel cut");
        await().until(() -> core.sessionsByBackend().getOrDefault("fallback", 0) == 2); // grace over: both moved
        closed.close();
        assertThat(engine.sessions).containsOnlyKeys("engine-1", "engine-2"); // the engine is away: nothing sent yet
        core.engineConnected(engine, "vmc-engine/test", 1, true); // the same engine resumes, it still runs both
        await().until(() -> !engine.sessions.containsKey("engine-1") && !engine.sessions.containsKey("engine-2"));
        assertThat(core.sessionsByBackend()).containsOnly(java.util.Map.entry("engine", 1)); // the live call moved back
    }

    @Test
    void engineResumingWithinTheGraceKeepsTheCallWhereItIs() {
        core.engineConnected(engine, "vmc-engine/test", 1, false);
        Vmc vmc = app(1000, 1);
        MediaSession call = vmc.newSession(SessionOptions.audioOnly());
        call.createOffer();
        core.engineDisconnected("blip");
        core.engineConnected(engine, "vmc-engine/test", 1, true);
        assertThat(call.createOffer()).contains("engine offer engine-1");
        assertThat(core.migrations()).isZero();
        assertThat(vmc.mode()).isEqualTo(Mode.OPTIMIZED);
    }

    @Test
    void incompatibleEngineIsReportedWithItsReason() {
        Vmc vmc = app(1000, 1);
        core.engineIncompatible("engine speaks 2..3, agent 1..1");
        await().until(() -> vmc.modeReason() == ModeReason.ENGINE_INCOMPATIBLE);
        assertThat(vmc.modeInfo().detail()).contains("2..3");
        assertThat(vmc.newSession(SessionOptions.audioOnly()).createOffer()).contains("fallback");
    }

    @Test
    void withoutFallbackALostEngineFailsTheCall() {
        core.close();
        startCore(false);
        core.engineConnected(engine, "vmc-engine/test", 1, false);
        Vmc vmc = app(1000, 1);
        MediaSession call = vmc.newSession(SessionOptions.audioOnly());
        call.createOffer();
        core.engineDisconnected("gone");
        await().until(() -> call.state() == SessionState.FAILED);
        assertThatThrownBy(() -> vmc.newSession(SessionOptions.audioOnly())).isInstanceOf(VmcException.class)
                .hasMessageContaining("ENGINE_LOST").hasMessageContaining("fallback is disabled");
    }

    @Test
    void devicesCandidatesVideoAreasAndThreads() throws Exception {
        core.engineConnected(engine, "vmc-engine/test", 1, false);
        Vmc vmc = app(1000, 1);
        Vmc other = app(1001, 2);
        java.util.List<io.vmc.agent.api.Device> devices = vmc.devices();
        assertThat(devices).extracting(io.vmc.agent.api.Device::id).containsExactly("mic-1"); // unknown kinds skipped
        vmc.selectDevice(devices.get(0));
        List<String> changes = new CopyOnWriteArrayList<>();
        other.addDeviceListener((d, c) -> changes.add(d.id() + ":" + c));
        engine.emit(io.vmc.transport.proto.Event.newBuilder().setDeviceChanged(io.vmc.transport.proto.DeviceChanged.newBuilder()
                .setDevice(io.vmc.transport.proto.Device.newBuilder().setId("cam").setKind(io.vmc.transport.proto.Device.DeviceKind.CAMERA))
                .setChange(io.vmc.transport.proto.DeviceChanged.Change.ADDED)).build());
        await().until(() -> changes.size() == 1);
        assertThat(changes).containsExactly("cam:ADDED");

        MediaSession call = vmc.newSession(SessionOptions.audioVideo());
        List<io.vmc.agent.api.IceCandidate> local = new CopyOnWriteArrayList<>();
        call.onLocalCandidate(local::add);
        engine.emit(io.vmc.transport.proto.Event.newBuilder().setLocalCandidate(io.vmc.transport.proto.LocalCandidate.newBuilder()
                .setSessionId("engine-1").setCandidate("1 1 udp 1 127.0.0.1 5000 typ host").setMid("0")).build());
        await().until(() -> local.size() == 1);
        assertThat(local.get(0).candidate()).contains("typ host");
        call.addRemoteCandidate(io.vmc.agent.api.IceCandidate.of("candidate:2 1 udp 1 127.0.0.1 6000 typ host", "0", 0));
        call.setVideoArea(io.vmc.agent.api.VideoArea.builder().area(io.vmc.agent.api.Rect.of(10, 20, 640, 360)).screenSize(1920, 1080).build());
        call.clearVideoArea(0);
        assertThat(engine.requests.stream().filter(Request::hasAddRemoteCandidate).findFirst().orElseThrow().getAddRemoteCandidate())
                .satisfies(c -> {
                    assertThat(c.getSessionId()).isEqualTo("engine-1");
                    assertThat(c.getCandidate()).isEqualTo("2 1 udp 1 127.0.0.1 6000 typ host");
                });
        List<io.vmc.transport.proto.SetVideoGeometry> geo = engine.requests.stream().filter(Request::hasSetVideoGeometry)
                .map(Request::getSetVideoGeometry).toList();
        assertThat(geo).hasSize(2);
        assertThat(geo.get(0).getArea().getWidth()).isEqualTo(640);
        assertThat(geo.get(0).getVisibleAll()).isTrue();
        assertThat(geo.get(0).getScreenWidth()).isEqualTo(1920);
        assertThat(geo.get(1).getClear()).isTrue();

        String caller = Thread.currentThread().getName();
        String thread = call.createOfferAsync().thenApply(x -> Thread.currentThread().getName()).get();
        // completed before thenApply was attached: the caller runs it; otherwise the dispatcher. Never I/O.
        assertThat(thread).matches("vmc-dispatcher-\\d+|" + java.util.regex.Pattern.quote(caller));
    }
}
