package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.vmc.transport.proto.CloseSession;
import io.vmc.transport.proto.CreateSession;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.SessionOptions;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of every vmc.v1 request the guest can send, against one real engine:
 * {@link MediaEngine#handle} with a method chosen by the input and that method's message parsed
 * from fuzzed protobuf bytes, optionally aimed at a live session (so the checks past "no such
 * session" are reached). Every request is answered (no hang: 20 s), no answer is INTERNAL (an
 * unexpected exception), and the sessions the fuzzer opens stay bounded.
 *
 * <p>Input: a method index (modulo the number of methods), a flag byte (bit 0: use the live
 * session's id), then the message bytes. Seeds, in
 * {@code src/test/resources/io/vmc/engine/MediaEngineFuzzTestInputs/everyRequestSurvivesAnything/}:
 * every method with an empty message aimed at the live session.
 */
class MediaEngineFuzzTest {
    private static final List<FieldDescriptor> METHODS = Request.getDescriptor().getOneofs().stream()
            .filter(o -> o.getName().equals("method")).findFirst().orElseThrow().getFields();
    private static MediaEngine engine;
    private static String live;

    private static synchronized MediaEngine engine() throws Exception {
        if (engine == null) {
            EngineConfig.Builder b = EngineConfig.builder().iceAddress(InetAddress.getLoopbackAddress())
                    .audioSource(EngineConfig.AudioSource.tone(440)).audioSink(EngineConfig.AudioSink.none())
                    .requestRate(1_000_000, 1_000_000).maxCpuLoad(1).maxRequestDelay(Duration.ofSeconds(60))
                    .cameraConsent(q -> CompletableFuture.completedFuture(CameraConsent.Answer.DENY))
                    .screenShareConsent(new ScreenShareConsent() { // the user says no: nothing is captured
                        @Override
                        public CompletableFuture<Boolean> ask(Question q) {
                            return CompletableFuture.completedFuture(false);
                        }

                        @Override
                        public AutoCloseable sharing(Question q, Runnable stop) {
                            return () -> { };
                        }
                    });
            engine = new MediaEngine(b.build(), e -> { });
            live = call(Request.newBuilder().setCreateSession(CreateSession.newBuilder()
                    .setOptions(SessionOptions.newBuilder().setAudio(true))).build()).getSessionCreated().getSessionId();
        }
        return engine;
    }

    private static Response call(Request r) throws Exception {
        return engine.handle(r).get(20, TimeUnit.SECONDS);
    }

    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "8s")
    void everyRequestSurvivesAnything(FuzzedDataProvider data) throws Exception {
        MediaEngine e = engine();
        FieldDescriptor method = METHODS.get(Math.floorMod(data.consumeByte(), METHODS.size()));
        boolean aimAtLive = (data.consumeByte() & 1) != 0;
        Request.Builder r = Request.newBuilder().setId(1);
        Message.Builder m = r.newBuilderForField(method);
        try {
            m.mergeFrom(data.consumeRemainingAsBytes());
        } catch (InvalidProtocolBufferException expected) {
            return; // protobuf's own parser refused it: the transport never hands such a frame on
        }
        FieldDescriptor sid = m.getDescriptorForType().findFieldByName("session_id");
        if (aimAtLive && sid != null && sid.getType() == FieldDescriptor.Type.STRING && !sid.isRepeated()) {
            m.setField(sid, live);
        }
        r.setField(method, m.build());
        Response resp = call(r.build());
        if (resp.hasError()) {
            assertThat(resp.getError().getCode()).as("%s -> %s", method.getName(), resp.getError().getMessage())
                    .isNotEqualTo(io.vmc.transport.proto.Error.Code.INTERNAL);
        }
        // keep the live session, and no more than a few others (each holds sockets and pipelines)
        if (!e.sessionIds().contains(live)) {
            live = call(Request.newBuilder().setCreateSession(CreateSession.newBuilder()
                    .setOptions(SessionOptions.newBuilder().setAudio(true))).build()).getSessionCreated().getSessionId();
        }
        for (String id : e.sessionIds()) {
            if (!id.equals(live)) call(Request.newBuilder().setCloseSession(CloseSession.newBuilder().setSessionId(id)).build());
        }
        assertThat(e.sessionIds()).hasSize(1);
    }
}
