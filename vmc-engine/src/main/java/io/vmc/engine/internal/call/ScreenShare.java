package io.vmc.engine.internal.call;

import io.vmc.engine.EngineConfig;
import io.vmc.engine.ScreenShareConsent;
import io.vmc.engine.internal.EngineException;
import io.vmc.engine.internal.media.VideoPipelines;
import io.vmc.engine.internal.rtp.VideoFlow;
import io.vmc.engine.internal.ui.OnePromptAtATime;
import io.vmc.engine.internal.ui.SwingCameraConsent;
import io.vmc.port.spice.ScreenPicture;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.ScreenShareEnded;
import io.vmc.transport.proto.StartScreenShare;
import java.awt.Rectangle;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The screen share of one call (SessionOptions.screen_share): asks the user with a preview, then
 * feeds the call's video flow from the SPICE display's pixels of the allowed area, until the app,
 * the user or the call stops it. Nothing is sent before the user allowed it.
 */
final class ScreenShare {
    private static final Logger LOG = LoggerFactory.getLogger(ScreenShare.class);
    /** Frame rate when the app asks for none: slides change rarely. */
    static final int DEFAULT_FPS = 5;
    static final int MAX_FPS = 15;
    static final int MAX_TITLE_CHARS = 128;

    private final String sessionId;
    private final EngineConfig config;
    private final Consumer<Event> events;
    private final ScheduledExecutorService timer;

    // guarded by this
    private CompletableFuture<Boolean> question;
    private Rectangle area;      // the allowed area in guest screen coordinates, null = whole screen
    private EngineConfig.VideoFormat format;
    private AutoCloseable indicator;
    private boolean sharing;
    private VideoFlow flow;

    ScreenShare(String sessionId, EngineConfig config, Consumer<Event> events, ScheduledExecutorService timer) {
        this.sessionId = sessionId;
        this.config = config;
        this.events = events;
        this.timer = timer;
    }

    /** Validates the request, asks the user; completes when sharing, or with PERMISSION_DENIED. */
    synchronized CompletableFuture<Void> start(StartScreenShare m, String appId, String label, OnePromptAtATime gate,
                                               ScreenShareConsent consent, io.vmc.engine.internal.LiveCaptures captures) {
        if (question != null || sharing) throw EngineException.precondition("a screen share is already running or asked for in this session: stop it first");
        int fps = m.getMaxFps() == 0 ? DEFAULT_FPS : m.getMaxFps();
        if (fps < 1 || fps > MAX_FPS) throw EngineException.invalid("max_fps must be 1.." + MAX_FPS + ", got " + Integer.toUnsignedString(m.getMaxFps()));
        if (m.getTitle().length() > MAX_TITLE_CHARS) throw EngineException.invalid("title longer than " + MAX_TITLE_CHARS);
        ScreenPicture whole = config.screenSource().capture(null).orElseThrow(() -> new EngineException(Error.Code.UNAVAILABLE,
                "the SPICE display shows no picture yet: nothing to share"));
        Rectangle wanted = m.hasArea() ? guestArea(m, whole.screenWidth(), whole.screenHeight()) : null;
        ScreenPicture preview = wanted == null ? whole : config.screenSource().capture(wanted).orElseThrow(
                () -> EngineException.invalid("area lies outside the guest screen"));
        String what = wanted == null ? "the whole screen (" + whole.screenWidth() + "x" + whole.screenHeight() + ")"
                : "one window (" + preview.width() + "x" + preview.height() + " at " + preview.x() + "," + preview.y() + ")";
        ScreenShareConsent.Question q = new ScreenShareConsent.Question(sessionId, SwingCameraConsent.shownText(appId),
                SwingCameraConsent.shownText(label), SwingCameraConsent.shownText(m.getTitle()), what, preview,
                config.cameraPromptTimeout());
        CompletableFuture<Boolean> f = gate.gate("screen share", () -> consent.ask(q));
        if (f == null) f = CompletableFuture.failedFuture(new IllegalStateException("the screen share prompt returned no answer"));
        question = f;
        CompletableFuture<Boolean> asked = f;
        try {
            timer.schedule(() -> asked.cancel(false), config.cameraPromptTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            asked.cancel(false);
        }
        Rectangle allowedArea = preview.width() == whole.screenWidth() && preview.height() == whole.screenHeight() && wanted == null
                ? null : new Rectangle(preview.x(), preview.y(), preview.width(), preview.height());
        EngineConfig.VideoFormat fmt = fit(preview.width(), preview.height(), fps);
        return f.handle((yes, t) -> {
            synchronized (this) {
                if (question != asked) throw new EngineException(Error.Code.FAILED_PRECONDITION, "the screen share was stopped before the user answered");
                question = null;
                if (Boolean.TRUE.equals(yes) && t == null) {
                    area = allowedArea;
                    format = fmt;
                    sharing = true;
                    LOG.info("session {}: the user allowed sharing {} at {} fps", sessionId, what, fps);
                    Runnable userStop = () -> timer.execute(() -> ended(ScreenShareEnded.Reason.USER_STOPPED, "stopped by the user on the thin client"));
                    AutoCloseable bar = consent.sharing(q, userStop);
                    // the engine's live-capture indicator lists it too, with its own Stop
                    io.vmc.engine.internal.LiveCaptures.Capture shown = captures.show(appId, io.vmc.engine.internal.LiveCaptures.Kind.SCREEN, what, userStop);
                    indicator = () -> {
                        shown.close();
                        bar.close();
                    };
                    if (flow != null) flow.replaceSender(this::open);
                    return null;
                }
                String why = t instanceof CancellationException ? "no answer within " + config.cameraPromptTimeout().toSeconds() + " s"
                        : t != null ? (t instanceof CompletionException && t.getCause() != null ? t.getCause() : t).getMessage()
                        : "the user denied it";
                LOG.info("session {}: screen share refused: {}", sessionId, why);
                throw new EngineException(Error.Code.PERMISSION_DENIED, "screen share refused: " + why);
            }
        });
    }

    /** The app stops the share (or withdraws the question). */
    synchronized void stop() {
        if (question != null) {
            CompletableFuture<Boolean> q = question;
            question = null;
            q.cancel(false);
        }
        stopSending();
    }

    /** The share ends without the app asking: the app hears why. */
    synchronized void ended(ScreenShareEnded.Reason reason, String detail) {
        if (!sharing) return;
        stopSending();
        events.accept(Event.newBuilder().setScreenShareEnded(ScreenShareEnded.newBuilder().setSessionId(sessionId)
                .setReason(reason).setDetail(detail)).build());
    }

    /** The call's video flow (re)started: it sends the screen if a share runs. */
    synchronized void attach(VideoFlow f) {
        flow = f;
        if (sharing && f != null) f.replaceSender(this::open);
    }

    synchronized boolean sharing() {
        return sharing;
    }

    private void stopSending() {
        if (!sharing) return;
        sharing = false;
        if (flow != null) flow.replaceSender(null);
        if (indicator != null) {
            try {
                indicator.close();
            } catch (Exception e) {
                LOG.debug("sharing indicator: {}", e.toString());
            }
            indicator = null;
        }
    }

    private VideoPipelines.Sender open(io.vmc.engine.internal.media.VideoCodec codec, int pt, int kbps,
                                       Consumer<byte[]> rtpOut, Consumer<String> onError) {
        return VideoPipelines.Sender.screen(codec, config.screenSource(), area, format, pt, kbps, rtpOut, onError);
    }

    /** The app's area mapped onto the screen the engine shows (the app may know another size). */
    static Rectangle guestArea(StartScreenShare m, int screenWidth, int screenHeight) {
        var a = m.getArea();
        if (a.getWidth() == 0 || a.getHeight() == 0 || Integer.compareUnsigned(a.getWidth(), 16384) > 0
                || Integer.compareUnsigned(a.getHeight(), 16384) > 0
                || Math.abs((long) a.getX()) > 16384 || Math.abs((long) a.getY()) > 16384) {
            throw EngineException.invalid("area must be 1..16384 wide and high within +-16384, got " + Integer.toUnsignedString(a.getWidth())
                    + "x" + Integer.toUnsignedString(a.getHeight())
                    + " at " + a.getX() + "," + a.getY());
        }
        double sx = 1;
        double sy = 1;
        if (m.getScreenWidth() != 0 || m.getScreenHeight() != 0) {
            if (m.getScreenWidth() == 0 || m.getScreenHeight() == 0 || Integer.compareUnsigned(m.getScreenWidth(), 16384) > 0
                    || Integer.compareUnsigned(m.getScreenHeight(), 16384) > 0) {
                throw EngineException.invalid("screen_width and screen_height must both be 1..16384");
            }
            sx = (double) screenWidth / m.getScreenWidth();
            sy = (double) screenHeight / m.getScreenHeight();
        }
        Rectangle r = new Rectangle((int) Math.round(a.getX() * sx), (int) Math.round(a.getY() * sy),
                (int) Math.round(a.getWidth() * sx), (int) Math.round(a.getHeight() * sy))
                .intersection(new Rectangle(0, 0, screenWidth, screenHeight));
        if (r.isEmpty()) throw EngineException.invalid("area lies outside the guest screen (" + screenWidth + "x" + screenHeight + ")");
        return r;
    }

    /**
     * What is sent for a {@code w x h} picture: its own size (even), at most 1920x1080 with its
     * aspect ratio kept, at least 160x120 (smaller windows are letterboxed).
     */
    static EngineConfig.VideoFormat fit(int w, int h, int fps) {
        double s = Math.min(1.0, Math.min(1920.0 / w, 1080.0 / h));
        int ow = Math.max(160, (int) Math.round(w * s) & ~1);
        int oh = Math.max(120, (int) Math.round(h * s) & ~1);
        return new EngineConfig.VideoFormat(Math.min(ow, 1920), Math.min(oh, 1080), fps);
    }
}
