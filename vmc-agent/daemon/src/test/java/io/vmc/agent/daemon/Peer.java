package io.vmc.agent.daemon;

import io.vmc.engine.EngineConfig;
import io.vmc.engine.MediaEngine;
import io.vmc.transport.proto.CreateAnswer;
import io.vmc.transport.proto.CreateSession;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.SessionOptions;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** The far end of a call (a phone outside VMC), played by a MediaEngine driven directly. */
final class Peer implements AutoCloseable {
    final MediaEngine engine;
    final List<Event> events = new CopyOnWriteArrayList<>();
    final String sessionId;

    Peer(double toneHz) throws Exception {
        engine = new MediaEngine(EngineConfig.builder().iceAddress(InetAddress.getLoopbackAddress())
                .audioSource(EngineConfig.AudioSource.tone(toneHz)).audioSink(EngineConfig.AudioSink.none())
                .software("peer").allowLocalDestinations(java.util.Set.of(EngineConfig.LocalDestination.LOOPBACK))
                .maxCpuLoad(1).maxRequestDelay(java.time.Duration.ofSeconds(60)) // as EngineSide: the JVM's CPU is not this engine's
                .build(), events::add);
        sessionId = ok(Request.newBuilder().setCreateSession(CreateSession.newBuilder()
                .setOptions(SessionOptions.newBuilder().setAudio(true)))).getSessionCreated().getSessionId();
    }

    Response ok(Request.Builder r) throws Exception {
        Response resp = engine.handle(r.setId(1).build()).get(10, TimeUnit.SECONDS);
        if (resp.hasError()) {
            throw new AssertionError(r.getMethodCase() + " failed: " + resp.getError());
        }
        return resp;
    }

    /**
     * Answers an INVITE or re-INVITE in the same session. A re-INVITE after a move carries new ICE
     * credentials, candidates and keys: the engine restarts ICE and re-keys, the call goes on.
     */
    synchronized String answer(String offer) throws Exception {
        return ok(Request.newBuilder().setCreateAnswer(CreateAnswer.newBuilder().setSessionId(sessionId).setRemoteSdp(offer)))
                .getDescription().getSdp();
    }

    /** ICE restarts the peer's session completed (one per move it followed). */
    long iceRestarts() {
        return events.stream().filter(e -> e.hasSessionState() && e.getSessionState().getSessionId().equals(sessionId)
                && e.getSessionState().getReason().startsWith("ICE restart: selected")).count();
    }

    long packetsReceived() {
        return engine.counters(sessionId).getOrDefault("packetsReceived", 0L);
    }

    @Override
    public void close() {
        engine.close();
    }
}
