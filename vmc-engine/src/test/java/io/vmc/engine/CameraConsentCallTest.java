package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.transport.proto.CreateSession;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.Rect;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import io.vmc.transport.proto.SetVideoGeometry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link EngineConfig.CameraPolicy#ASK} with a scripted {@link CameraConsent} (the real dialog is
 * tested under Xvfb in {@link CameraPromptTest}): the call does not wait for the answer, video is
 * sent only after ALLOW, DENY or no answer leaves the call receiving video only and says why. The
 * "camera" is a test pattern treated as one: there is no camera on the build machines.
 */
class CameraConsentCallTest {
    @TempDir Path dirA;
    @TempDir Path dirB;

    /** Records each question; the test answers through the future. */
    static final class ScriptedConsent implements CameraConsent {
        final List<Question> questions = new CopyOnWriteArrayList<>();
        final List<CompletableFuture<Answer>> answers = new CopyOnWriteArrayList<>();
        private final Answer immediate;

        ScriptedConsent(Answer immediate) {
            this.immediate = immediate;
        }

        @Override
        public CompletableFuture<Answer> ask(Question q) {
            questions.add(q);
            CompletableFuture<Answer> f = immediate == null ? new CompletableFuture<>() : CompletableFuture.completedFuture(immediate);
            answers.add(f);
            return f;
        }
    }

    private TestEngine asking(ScriptedConsent consent, Duration timeout) {
        return new TestEngine(440, dirA, c -> c.videoSource(EngineConfig.VideoSource.simulatedCamera("ball"))
                .cameraPolicy(EngineConfig.CameraPolicy.ASK).cameraConsent(consent).cameraPromptTimeout(timeout));
    }

    private static String createVideoSession(TestEngine e, String appId, String label) {
        return e.ok(Request.newBuilder().setCreateSession(CreateSession.newBuilder().setAppId(appId)
                .setOptions(SessionOptions.newBuilder().setAudio(true).setVideo(true).setLabel(label))))
                .getSessionCreated().getSessionId();
    }

    private static boolean reason(TestEngine e, String sid, String text) {
        return e.events.stream().anyMatch(ev -> ev.hasSessionState() && ev.getSessionState().getSessionId().equals(sid)
                && ev.getSessionState().getReason().contains(text));
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void theCallGoesOnWhileAskingAndVideoIsSentOnlyAfterAllow() {
        ScriptedConsent consent = new ScriptedConsent(null);
        try (TestEngine a = asking(consent, Duration.ofMinutes(5));
             TestEngine b = new TestEngine(880, dirB, c -> c.videoSource(EngineConfig.VideoSource.testPattern("red")))) {
            String sa = createVideoSession(a, "Softphone", "call to bob");
            assertThat(consent.questions).hasSize(1);
            CameraConsent.Question q = consent.questions.get(0);
            assertThat(q.sessionId()).isEqualTo(sa);
            assertThat(q.application()).isEqualTo("\"Softphone\"");
            assertThat(q.label()).isEqualTo("\"call to bob\"");
            assertThat(q.camera()).isEqualTo("simulated camera (test pattern ball)");
            assertThat(reason(a, sa, "waiting for the user to allow the camera")).isTrue();

            String sb = b.createSession(SessionOptions.newBuilder().setVideo(true));
            String offer = a.offer(sa);
            assertThat(offer).contains("m=video").contains("a=sendrecv");
            a.setAnswer(sa, b.answer(sb, offer));
            a.awaitState(sa, SessionState.State.CONNECTED);
            // the call runs and A sees B's video, but nothing leaves A's camera while the question is open
            await().atMost(Duration.ofSeconds(20)).until(() -> VideoCallTest.video(a, sa).getFramesDecoded() > 20);
            assertThat(VideoCallTest.video(a, sa).getPacketsSent()).isZero();
            assertThat(VideoCallTest.video(b, sb).getPacketsReceived()).isZero();

            consent.answers.get(0).complete(CameraConsent.Answer.ALLOW);
            await().atMost(Duration.ofSeconds(20)).until(() -> VideoCallTest.video(b, sb).getFramesDecoded() > 10);
            assertThat(VideoCallTest.video(a, sa).getPacketsSent()).isPositive();
            assertThat(reason(a, sa, "camera allowed by the user")).isTrue();
            a.close(sa);
            b.close(sb);
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void denialBeforeTheOfferMakesVideoReceiveOnlyAndRefusesSelfView() {
        ScriptedConsent consent = new ScriptedConsent(CameraConsent.Answer.DENY);
        try (TestEngine a = asking(consent, Duration.ofMinutes(5));
             TestEngine b = new TestEngine(880, dirB, c -> c.videoSource(EngineConfig.VideoSource.testPattern("red")))) {
            String sa = createVideoSession(a, "Softphone", "call to bob");
            await().atMost(Duration.ofSeconds(5)).until(() -> reason(a, sa, "camera use denied by the user"));
            String sb = b.createSession(SessionOptions.newBuilder().setVideo(true));
            String offer = a.offer(sa);
            assertThat(offer.substring(offer.indexOf("m=video"))).contains("a=recvonly");
            a.setAnswer(sa, b.answer(sb, offer));
            a.awaitState(sa, SessionState.State.CONNECTED);
            await().atMost(Duration.ofSeconds(20)).until(() -> VideoCallTest.video(a, sa).getFramesDecoded() > 20);
            assertThat(VideoCallTest.video(a, sa).getPacketsSent()).isZero();
            assertThat(VideoCallTest.video(b, sb).getPacketsReceived()).isZero();

            Response r = a.call(Request.newBuilder().setSetVideoGeometry(selfView(sa)));
            assertThat(r.getError().getCode()).isEqualTo(Error.Code.PERMISSION_DENIED);
            assertThat(r.getError().getMessage()).contains("no self view", "camera use denied by the user");
            a.close(sa);
            b.close(sb);
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void noAnswerDeniesAfterTheTimeoutAndTakesThePromptDown() {
        ScriptedConsent consent = new ScriptedConsent(null);
        try (TestEngine a = asking(consent, Duration.ofSeconds(2));
             TestEngine b = new TestEngine(880, dirB, c -> c.videoSource(EngineConfig.VideoSource.testPattern("red")))) {
            String sa = createVideoSession(a, "Softphone", "call to bob");
            String sb = b.createSession(SessionOptions.newBuilder().setVideo(true));
            a.setAnswer(sa, b.answer(sb, a.offer(sa)));
            a.awaitState(sa, SessionState.State.CONNECTED);
            await().atMost(Duration.ofSeconds(15)).until(() -> reason(a, sa, "camera use denied: no answer within 2 s"));
            assertThat(consent.answers.get(0)).isCancelled(); // a real prompt closes itself on cancel
            // a late answer changes nothing
            consent.answers.get(0).complete(CameraConsent.Answer.ALLOW);
            await().atMost(Duration.ofSeconds(20)).until(() -> VideoCallTest.video(a, sa).getFramesDecoded() > 20);
            assertThat(VideoCallTest.video(a, sa).getPacketsSent()).isZero();
            assertThat(VideoCallTest.video(b, sb).getPacketsReceived()).isZero();
            assertThat(a.lastState(sa)).isEqualTo(SessionState.State.CONNECTED);
            a.close(sa);
            b.close(sb);
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void closingTheCallTakesTheQuestionBackAndTestPatternsNeedNoQuestion() {
        ScriptedConsent consent = new ScriptedConsent(null);
        try (TestEngine a = asking(consent, Duration.ofMinutes(5));
             TestEngine plain = new TestEngine(440, dirB, c -> c.cameraPolicy(EngineConfig.CameraPolicy.ASK).cameraConsent(consent))) {
            String sa = createVideoSession(a, "Softphone", "call");
            a.close(sa);
            assertThat(consent.answers.get(0)).isCancelled();
            plain.createSession(SessionOptions.newBuilder().setVideo(true));
            createVideoSession(a, "Softphone", "second call"); // each video session asks
            a.createSession(SessionOptions.newBuilder()); // audio-only: nothing to ask
            assertThat(consent.questions).hasSize(2);
            assertThat(plain.events).noneMatch(e -> e.hasSessionState() && e.getSessionState().getReason().contains("camera"));
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aGuestCannotFloodTheUserWithPrompts() {
        ScriptedConsent consent = new ScriptedConsent(null);
        try (TestEngine a = asking(consent, Duration.ofMinutes(5))) {
            String first = createVideoSession(a, "Softphone", "call 1");
            String[] more = new String[5];
            for (int i = 0; i < more.length; i++) more[i] = createVideoSession(a, "Softphone", "call " + (i + 2));
            assertThat(consent.questions).as("one dialog at a time").hasSize(1);
            for (String s : more) {
                await().atMost(Duration.ofSeconds(5)).until(() -> reason(a, s,
                        "camera use denied: another camera request is already waiting for the user"));
            }
            consent.answers.get(0).complete(CameraConsent.Answer.DENY);
            await().atMost(Duration.ofSeconds(5)).until(() -> reason(a, first, "camera use denied by the user"));
            createVideoSession(a, "Softphone", "next call");
            assertThat(consent.questions).as("asked again once the first is answered").hasSize(2);
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void guestTextInThePromptIsPlainBoundedSingleLineText() {
        ScriptedConsent consent = new ScriptedConsent(null);
        try (TestEngine a = asking(consent, Duration.ofMinutes(5))) {
            String hostile = "<html><img src='http://x/'>Bank\n\rclick Allow\u202e\u0000" + "A".repeat(200);
            createVideoSession(a, hostile, "\u2028line\u2029two\t");
            CameraConsent.Question q = consent.questions.get(0);
            assertThat(q.application()).startsWith("\"<html><img src='http://x/'>Bank  click Allow")
                    .doesNotContain("\n", "\r", "\u202e", "\u0000").endsWith("…\"");
            assertThat(q.application().codePointCount(0, q.application().length())).isEqualTo(80 + 3);
            assertThat(q.label()).isEqualTo("\"line two\"");
        }
        assertThat(io.vmc.engine.internal.ui.SwingCameraConsent.shownText("")).isEqualTo("(none)");
    }

    static SetVideoGeometry.Builder selfView(String sid) {
        return SetVideoGeometry.newBuilder().setSessionId(sid).setMappingId(2).setSelfView(true)
                .setArea(Rect.newBuilder().setX(10).setY(10).setWidth(160).setHeight(120))
                .setVisibleAll(true).setScreenWidth(800).setScreenHeight(600);
    }
}
