package io.vmc.engine.internal.call;

import io.vmc.engine.CameraConsent;
import io.vmc.engine.EngineConfig;
import io.vmc.engine.internal.EngineException;
import io.vmc.engine.internal.Failure;
import io.vmc.engine.internal.LiveCaptures;
import io.vmc.engine.internal.rtp.MediaFlow;
import io.vmc.engine.internal.rtp.VideoFlow;
import io.vmc.engine.internal.ui.SwingCameraConsent;
import io.vmc.transport.proto.CaptureKind;
import io.vmc.transport.proto.CaptureStopped;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.Event;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a call captures on the thin client and who allowed it (design section 6a): the camera's
 * consent (asked once when the session is announced; the call does not wait, video is negotiated
 * as usual and the sender starts only when the user allows), the camera in use and its mid-call
 * switch or loss, and the live-capture indicator entries for the microphone and the camera, whose
 * Stop ends that capture for the rest of the call. Under the call's monitor; the prompt's answer
 * and the indicator's Stop come in on the engine's timer.
 */
final class CallCaptures {
    private static final Logger LOG = LoggerFactory.getLogger(Call.class);
    /** The camera v4l2src opens when none is named: where a lost camera's call goes on. */
    static final String DEFAULT_CAMERA = "/dev/video0";

    private enum Camera { NOT_NEEDED, PENDING, ALLOWED, DENIED }

    private final Call call;
    private final EngineConfig config;
    private volatile Camera camera;
    private String cameraDeniedReason;
    private CompletableFuture<CameraConsent.Answer> cameraQuestion;
    private EngineConfig.VideoSource cameraNow;   // the user's choice for this call; null: the config's
    private int cameraLosses;
    private volatile BiConsumer<String, String> onCameraLost = (gone, now) -> { };

    // what the user sees of this call's captures; set by announce
    private String appId = "";
    private LiveCaptures captures = new LiveCaptures();
    private LiveCaptures.Capture micShown;     // while the microphone capture runs
    private LiveCaptures.Capture cameraShown;  // while the camera sends
    private boolean micStoppedByUser;          // for the rest of the call: the guest cannot unmute

    /** @param sendsCamera the call's video comes from a camera (not a test pattern or the screen) */
    CallCaptures(Call call, EngineConfig config, boolean sendsCamera) {
        this.call = call;
        this.config = config;
        if (!sendsCamera) {
            camera = Camera.NOT_NEEDED;
        } else {
            camera = config.cameraPolicy() == EngineConfig.CameraPolicy.ASK ? Camera.PENDING : Camera.ALLOWED;
        }
    }

    String appId() { return appId; }

    LiveCaptures captures() { return captures; }

    void shownTo(String appId, LiveCaptures captures) {
        this.appId = appId;
        this.captures = captures;
    }

    boolean cameraPending() { return camera == Camera.PENDING; }

    boolean cameraDenied() { return camera == Camera.DENIED; }

    /** The camera may send: allowed, or needing no consent. */
    boolean cameraOk() { return camera == Camera.NOT_NEEDED || camera == Camera.ALLOWED; }

    String cameraDeniedReason() { return cameraDeniedReason; }

    boolean micStoppedByUser() { return micStoppedByUser; }

    void onCameraLost(BiConsumer<String, String> listener) {
        onCameraLost = listener;
    }

    EngineConfig.VideoSource cameraSource() {
        return cameraNow != null ? cameraNow : config.videoSource();
    }

    // ------------------------------------------------------------------ the microphone

    /** Shows the microphone on the thin client while this call sends it; a user's stop ends that for the call. */
    void showMicrophone(boolean live) {
        if (live && micShown == null && !micStoppedByUser && !call.isClosed()) {
            micShown = captures.show(appId, LiveCaptures.Kind.MICROPHONE, microphoneLabel(),
                    () -> call.runAsync(this::microphoneStoppedByUser));
        } else if (!live && micShown != null) {
            micShown.close();
            micShown = null;
        }
    }

    /** The indicator names the microphone now in use. */
    void microphoneChanged() {
        if (micShown == null) return;
        micShown.close();
        micShown = null;
        showMicrophone(true);
    }

    private String microphoneLabel() {
        String source = call.devices.source();
        return source != null ? source : config.audioSource().toString();
    }

    private void microphoneStoppedByUser() {
        synchronized (call) {
            micShown = null;
            if (call.isClosed() || micStoppedByUser) return;
            micStoppedByUser = true;
            MediaFlow f = call.audio.flow;
            if (f != null) f.setMuted(true);
            stopped(CaptureKind.CAPTURE_MICROPHONE, "microphone stopped by the user on the thin client ("
                    + microphoneLabel() + "); the call goes on without sending sound, and the app cannot unmute it");
        }
    }

    // ------------------------------------------------------------------ the camera

    /** Shows the camera while this call sends it (allowed, or needing no consent). */
    void showCamera() {
        VideoFlow f = call.video.flow;
        boolean live = f != null && f.hasSender() && config.videoSource().isCamera() && cameraOk() && !call.isClosed();
        if (live && cameraShown == null) {
            cameraShown = captures.show(appId, LiveCaptures.Kind.CAMERA, cameraSource().toString(),
                    () -> call.runAsync(this::cameraStoppedByUser));
        } else if (!live && cameraShown != null) {
            cameraShown.close();
            cameraShown = null;
        }
    }

    private void cameraStoppedByUser() {
        synchronized (call) {
            cameraShown = null;
            if (call.isClosed() || camera == Camera.DENIED) return;
            camera = Camera.DENIED;
            cameraDeniedReason = "camera stopped by the user on the thin client (" + config.videoSource() + ")";
            VideoFlow f = call.video.flow;
            if (f != null) {
                f.setSelfView(false);
                f.stopSending();
            }
            call.view.clearSelfView();
            stopped(CaptureKind.CAPTURE_CAMERA, cameraDeniedReason + "; the call goes on without sending video");
        }
    }

    /**
     * The user chose another camera for this call ({@code device}, a /dev/videoN; null for the
     * default): the running video stream goes on from it, same SSRC, and the indicator names it.
     */
    void selectCamera(String device) {
        MediaChoice media = call.media;
        VideoFlow f = call.video.flow;
        String none = call.screenShare != null ? "this call shares the screen, it sends no camera"
                : !media.videoWanted() ? "this call has no video" + (media.videoDisabledReason() != null ? " (" + media.videoDisabledReason() + ")" : "")
                : !config.videoSource().isRealCamera() ? "this call sends " + config.videoSource() + ", not a camera"
                : camera == Camera.DENIED ? "the camera is off for this call: " + cameraDeniedReason
                : f != null && f.camera() == null ? "this call sends no video (it only receives)"
                : null;
        if (none != null) throw EngineException.precondition(none);
        cameraNow = EngineConfig.VideoSource.camera(device);
        if (f != null) {
            try {
                f.switchCamera(cameraNow);
            } catch (RuntimeException e) {
                throw new EngineException(Error.Code.INTERNAL, "cannot switch to camera " + cameraNow + ": " + e.getMessage(), e);
            }
        }
        if (cameraShown != null) { // the indicator names the camera now in use
            cameraShown.close();
            cameraShown = null;
        }
        showCamera();
    }

    /** The camera failed mid-call: go on with the default one if it is another, else stop sending video and say why. */
    void cameraLost(String message) {
        synchronized (call) {
            VideoFlow f = call.video.flow;
            if (call.isClosed() || f == null || f.camera() == null) return;
            if (!cameraSource().isRealCamera()) { // a test pattern: nothing to fall back to, nothing unplugged
                LOG.warn("session {}: video error: {}", call.id(), message);
                return;
            }
            String gone = cameraSource().device();
            String lost = "camera " + (gone == null ? DEFAULT_CAMERA : gone) + " failed (" + message + ")";
            if (gone != null && !gone.equals(DEFAULT_CAMERA) && Files.exists(Path.of(DEFAULT_CAMERA))
                    && ++cameraLosses <= Call.MAX_DEVICE_LOSSES) {
                LOG.warn("session {}: {}; going on with the default camera", call.id(), lost);
                selectCamera(null);
                call.note(lost + "; video goes on from the default camera");
                onCameraLost.accept(gone, DEFAULT_CAMERA);
                return;
            }
            camera = Camera.DENIED;
            cameraDeniedReason = lost;
            f.setSelfView(false);
            f.stopSending();
            call.view.clearSelfView();
            showCamera();
            stopped(CaptureKind.CAPTURE_CAMERA, lost + "; no other camera: the call goes on without sending video");
            onCameraLost.accept(gone == null ? DEFAULT_CAMERA : gone, null);
        }
    }

    /** Puts the camera question to the user (CameraPolicy.ASK); not under the call's monitor: the prompt is not waited for. */
    void askCamera(String appId, CameraConsent consent) {
        CameraConsent.Question q = new CameraConsent.Question(call.id(),
                SwingCameraConsent.shownText(appId), SwingCameraConsent.shownText(call.options.getLabel()),
                config.videoSource().toString(), config.cameraPromptTimeout());
        call.note("waiting for the user to allow the camera (" + config.videoSource() + "); video is not sent until then");
        CompletableFuture<CameraConsent.Answer> f;
        try {
            f = consent.ask(q);
            if (f == null) throw new IllegalStateException("the camera prompt returned no answer");
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<CameraConsent.Answer> question = f;
        synchronized (call) {
            if (call.isClosed()) {
                question.cancel(false); // closed before the question was up: take it down at once
                return;
            }
            cameraQuestion = question;
        }
        // the answer arrives on the prompt's thread (AWT): hop to the engine's timer, never block it
        question.whenComplete((a, t) -> call.runAsync(() -> cameraAnswered(a, t)));
        long ms = config.cameraPromptTimeout().toMillis();
        try {
            call.timer.schedule(() -> question.cancel(false), ms, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            question.cancel(false);
        }
    }

    private void cameraAnswered(CameraConsent.Answer a, Throwable t) {
        synchronized (call) {
            if (call.isClosed() || camera != Camera.PENDING) return;
            VideoFlow f = call.video.flow;
            if (a == CameraConsent.Answer.ALLOW && t == null) {
                camera = Camera.ALLOWED;
                call.note("camera allowed by the user: sending video from " + config.videoSource());
                if (f != null) {
                    f.startSending();
                    call.view.showSelfViewIfMapped();
                }
                showCamera();
                return;
            }
            String why;
            if (t instanceof CancellationException) {
                why = ": no answer within " + config.cameraPromptTimeout().toSeconds() + " s";
            } else if (t != null) {
                Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
                why = ": " + c.getMessage(); // e.g. no display to show the camera prompt on
            } else {
                why = " by the user";
            }
            camera = Camera.DENIED;
            call.failures.accept(Failure.CAMERA);
            cameraDeniedReason = "camera use denied" + why + " (" + config.videoSource() + ")";
            LOG.info("session {}: {}", call.id(), cameraDeniedReason);
            call.note("video send disabled: " + cameraDeniedReason + "; the call goes on without sending video");
            call.view.forgetSelfView();
        }
    }

    /** Tells the app that the user (or a failure) stopped a capture, as an event and in the state's reason. */
    private void stopped(CaptureKind kind, String reason) {
        LOG.info("session {}: {}", call.id(), reason);
        call.events.emit(Event.newBuilder().setCaptureStopped(CaptureStopped.newBuilder()
                .setSessionId(call.id()).setKind(kind).setReason(reason)).build());
        call.note(reason);
    }

    /** The call ended: the indicator entries go, an open camera prompt is taken down. */
    void close() {
        if (micShown != null) micShown.close();
        if (cameraShown != null) cameraShown.close();
        if (cameraQuestion != null) cameraQuestion.cancel(false);
    }
}
