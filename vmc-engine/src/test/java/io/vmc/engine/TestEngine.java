package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.transport.proto.AddRemoteCandidate;
import io.vmc.transport.proto.CloseSession;
import io.vmc.transport.proto.CreateAnswer;
import io.vmc.transport.proto.CreateOffer;
import io.vmc.transport.proto.CreateSession;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.GetStats;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.SdpType;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import io.vmc.transport.proto.SetRemoteDescription;
import io.vmc.transport.proto.StreamStats;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A MediaEngine on 127.0.0.1 driven only through requests, with its events recorded. Public for the
 * integration tests (vmc-engine test-jar).
 */
public final class TestEngine implements AutoCloseable {
    private static final AtomicLong IDS = new AtomicLong(1);
    /** The policy line tests and the loopback demo use: media to 127.0.0.1 is otherwise refused. */
    public static final String LOOPBACK_POLICY = "media.allow-local = loopback\n";
    final MediaEngine engine;
    final List<Event> events = new CopyOnWriteArrayList<>();
    final Path recordDir;

    public TestEngine(double toneHz, Path recordDir) {
        this(toneHz, recordDir, b -> { });
    }

    public TestEngine(double toneHz, Path recordDir, Consumer<EngineConfig.Builder> tweak) {
        this(toneHz, recordDir, InetAddress.getLoopbackAddress(), tweak);
    }

    public TestEngine(double toneHz, Path recordDir, InetAddress iceAddress, Consumer<EngineConfig.Builder> tweak) {
        this.recordDir = recordDir;
        EngineConfig.Builder b = EngineConfig.builder()
                .iceAddress(iceAddress)
                .audioSource(EngineConfig.AudioSource.tone(toneHz))
                .audioSink(EngineConfig.AudioSink.none())
                .recordDir(recordDir)
                // a test JVM holds two engines and the test; a loaded build machine must not refuse its
                // calls by load (admission by load has its own tests: EngineLoadTest, LoadAndLimitsIT)
                .maxCpuLoad(1).maxRequestDelay(java.time.Duration.ofSeconds(60));
        // everything here runs on loopback, which the client policy refuses by default: allow it as an admin would
        EnginePolicy.parse("test policy", LOOPBACK_POLICY.getBytes(java.nio.charset.StandardCharsets.UTF_8)).applyTo(b);
        tweak.accept(b);
        engine = new MediaEngine(b.build(), events::add);
    }

    /** An engine with a finished config, e.g. the one {@code vmc engine} builds from its options and policy. */
    public TestEngine(EngineConfig config, Path recordDir) {
        this.recordDir = recordDir;
        engine = new MediaEngine(config, events::add);
    }

    /**
     * How long a request or a state may take: generous, because a cold JVM's first DTLS call
     * (certificate, BouncyCastle warm-up) on a loaded 2-core CI machine took over 10 s; a
     * deadline is a bound for a hang, never what a test measures.
     */
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    public Response call(Request.Builder r) {
        try {
            return engine.handle(r.setId(IDS.getAndIncrement()).build()).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("request failed: " + r, e);
        }
    }

    public Response ok(Request.Builder r) {
        Response resp = call(r);
        assertThat(resp.hasError()).as("error: %s", resp.getError().getMessage()).isFalse();
        return resp;
    }

    public String createSession(SessionOptions.Builder o) {
        return ok(Request.newBuilder().setCreateSession(CreateSession.newBuilder().setOptions(o.setAudio(true))))
                .getSessionCreated().getSessionId();
    }

    public String offer(String sid) {
        return ok(Request.newBuilder().setCreateOffer(CreateOffer.newBuilder().setSessionId(sid))).getDescription().getSdp();
    }

    public String answer(String sid, String offer) {
        return ok(Request.newBuilder().setCreateAnswer(CreateAnswer.newBuilder().setSessionId(sid).setRemoteSdp(offer)))
                .getDescription().getSdp();
    }

    public void setAnswer(String sid, String answer) {
        ok(Request.newBuilder().setSetRemoteDescription(SetRemoteDescription.newBuilder()
                .setSessionId(sid).setType(SdpType.ANSWER).setSdp(answer)));
    }

    public void addCandidate(String sid, String cand) {
        ok(Request.newBuilder().setAddRemoteCandidate(AddRemoteCandidate.newBuilder().setSessionId(sid).setCandidate(cand)));
    }

    public java.util.Map<String, Long> counters(String sid) {
        return engine.counters(sid);
    }

    public StreamStats stats(String sid) {
        var s = ok(Request.newBuilder().setGetStats(GetStats.newBuilder().setSessionId(sid))).getStats();
        return s.getStreamsCount() == 0 ? StreamStats.getDefaultInstance() : s.getStreams(0);
    }

    public void close(String sid) {
        ok(Request.newBuilder().setCloseSession(CloseSession.newBuilder().setSessionId(sid)));
    }

    public boolean hasState(String sid, SessionState.State st) {
        return events.stream().anyMatch(e -> e.hasSessionState() && e.getSessionState().getSessionId().equals(sid)
                && e.getSessionState().getState() == st);
    }

    public SessionState.State lastState(String sid) {
        SessionState.State s = SessionState.State.STATE_UNSPECIFIED;
        for (Event e : events) {
            if (e.hasSessionState() && e.getSessionState().getSessionId().equals(sid)) s = e.getSessionState().getState();
        }
        return s;
    }

    public void awaitState(String sid, SessionState.State st) {
        await().atMost(DEADLINE).until(() -> lastState(sid) == st);
    }

    public void awaitReceived(String sid, long packets) {
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> stats(sid).getPacketsReceived() >= packets);
    }

    public long count(Predicate<Event> p) {
        return events.stream().filter(p).count();
    }

    Path recording(String sid) {
        return recordDir.resolve(sid + ".wav");
    }

    @Override
    public void close() {
        engine.close();
    }
}
