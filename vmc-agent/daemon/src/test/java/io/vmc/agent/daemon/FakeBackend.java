package io.vmc.agent.daemon;

import io.vmc.transport.proto.Empty;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.SdpType;
import io.vmc.transport.proto.SessionCreated;
import io.vmc.transport.proto.SessionDescription;
import io.vmc.transport.proto.SessionState;
import io.vmc.transport.proto.SessionStats;
import io.vmc.transport.proto.StreamStats;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** A scripted backend for unit tests of the core: sessions, SDP strings, events on demand. */
final class FakeBackend implements Backend {
    final String name;
    final Map<String, String> sessions = new ConcurrentHashMap<>();
    final List<Request> requests = new CopyOnWriteArrayList<>();
    final AtomicInteger counter = new AtomicInteger();
    volatile Consumer<Event> events = e -> { };
    volatile boolean down;

    FakeBackend(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    void emit(Event e) {
        events.accept(e);
    }

    @Override
    public CompletableFuture<Response> call(Request r) {
        requests.add(r);
        if (down) {
            return CompletableFuture.failedFuture(new IllegalStateException(name + " is down"));
        }
        Response.Builder out = Response.newBuilder();
        switch (r.getMethodCase()) {
            case CREATE_SESSION -> {
                String id = name + "-" + counter.incrementAndGet();
                sessions.put(id, "new");
                out.setSessionCreated(SessionCreated.newBuilder().setSessionId(id));
            }
            case CREATE_OFFER -> {
                String id = r.getCreateOffer().getSessionId();
                if (!sessions.containsKey(id)) {
                    return notFound(id);
                }
                out.setDescription(SessionDescription.newBuilder().setType(SdpType.OFFER).setSdp("v=0\r\ns=" + name + " offer " + id + "\r\n"));
            }
            case CREATE_ANSWER -> {
                String id = r.getCreateAnswer().getSessionId();
                if (!sessions.containsKey(id)) {
                    return notFound(id);
                }
                out.setDescription(SessionDescription.newBuilder().setType(SdpType.ANSWER).setSdp("v=0\r\ns=" + name + " answer " + id + "\r\n"));
            }
            case GET_STATS -> {
                String id = r.getGetStats().getSessionId();
                if (!sessions.containsKey(id)) {
                    return notFound(id);
                }
                out.setStats(SessionStats.newBuilder().setSessionId(id).addStreams(StreamStats.newBuilder().setCodec("opus").setPacketsSent(5)));
            }
            case LIST_DEVICES -> out.setDevices(io.vmc.transport.proto.DeviceList.newBuilder()
                    .addDevices(io.vmc.transport.proto.Device.newBuilder().setId("mic-1").setName("Headset")
                            .setKind(io.vmc.transport.proto.Device.DeviceKind.MICROPHONE).setIsDefault(true))
                    .addDevices(io.vmc.transport.proto.Device.newBuilder().setId("odd").setName("future kind")));
            case CLOSE_SESSION -> {
                sessions.remove(r.getCloseSession().getSessionId());
                out.setEmpty(Empty.getDefaultInstance());
            }
            default -> {
                String id = io.vmc.agent.internal.SessionIds.of(r);
                if (!id.isEmpty() && !sessions.containsKey(id)) {
                    return notFound(id);
                }
                out.setEmpty(Empty.getDefaultInstance());
            }
        }
        return CompletableFuture.completedFuture(out.build());
    }

    private static CompletableFuture<Response> notFound(String id) {
        return CompletableFuture.completedFuture(Response.newBuilder().setError(Error.newBuilder()
                .setCode(Error.Code.NOT_FOUND).setMessage("no session " + id)).build());
    }

    void emitState(String backendId, SessionState.State s) {
        emit(Event.newBuilder().setSessionState(SessionState.newBuilder().setSessionId(backendId).setState(s)).build());
    }
}
