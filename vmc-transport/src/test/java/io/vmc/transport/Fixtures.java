package io.vmc.transport;

import io.vmc.transport.proto.CreateOffer;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.GetStatus;
import io.vmc.transport.proto.Hello;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.SessionDescription;
import io.vmc.transport.proto.SessionState;
import io.vmc.transport.proto.Status;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** Shared helpers for the in-JVM tests. */
final class Fixtures {
    private Fixtures() {}

    static String memName() {
        return "vmc-test-" + UUID.randomUUID();
    }

    static Request offer(String session) {
        return Request.newBuilder().setCreateOffer(CreateOffer.newBuilder().setSessionId(session)).build();
    }

    static Request status() {
        return Request.newBuilder().setGetStatus(GetStatus.getDefaultInstance()).build();
    }

    static Event state(String session, int n) {
        return Event.newBuilder().setSessionState(SessionState.newBuilder().setSessionId(session)
                .setState(SessionState.State.CONNECTED).setReason("n=" + n)).build();
    }

    /** Answers CreateOffer with an SDP echoing the session id; everything else with a Status. */
    static RequestHandler echoHandler() {
        return req -> CompletableFuture.completedFuture(switch (req.getMethodCase()) {
            case CREATE_OFFER -> Response.newBuilder().setDescription(SessionDescription.newBuilder()
                    .setSdp("v=0 " + req.getCreateOffer().getSessionId())).build();
            default -> Response.newBuilder().setStatus(Status.newBuilder().setDetail("ok")).build();
        });
    }

    static VmcEndpoint.Builder engine(String uri) {
        return VmcEndpoint.builder().channel(uri).role(Hello.Role.ROLE_ENGINE).software("vmc-engine/test")
                .keepalive(Duration.ofMillis(100), Duration.ofMillis(600))
                .backoff(Duration.ofMillis(10), Duration.ofMillis(100));
    }

    static VmcEndpoint.Builder agent(String uri) {
        return VmcEndpoint.builder().channel(uri).role(Hello.Role.ROLE_AGENTD).software("vmc-agentd/test")
                .keepalive(Duration.ofMillis(100), Duration.ofMillis(600))
                .backoff(Duration.ofMillis(10), Duration.ofMillis(100));
    }

    /** Records listener calls. */
    static final class Recorder implements EndpointListener, EventSink {
        final List<String> log = new CopyOnWriteArrayList<>();
        final List<Event> events = new CopyOnWriteArrayList<>();

        @Override
        public void onConnected(Hello peer, boolean resumed) {
            log.add("connected " + peer.getSoftware() + (resumed ? " resumed" : " new"));
        }

        @Override
        public void onDisconnected(String why) {
            log.add("disconnected " + why);
        }

        @Override
        public void onIncompatible(io.vmc.transport.proto.Goodbye goodbye) {
            log.add("incompatible " + goodbye.getMessage());
        }

        @Override
        public void emit(Event event) {
            events.add(event);
        }
    }
}
