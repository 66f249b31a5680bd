package io.vmc.it.softphone;

import io.vmc.agent.api.MediaSession;
import io.vmc.agent.api.MediaSessionListener;
import io.vmc.agent.api.Mode;
import io.vmc.agent.api.SdpType;
import io.vmc.agent.api.SessionOptions;
import io.vmc.agent.api.SessionState;
import io.vmc.agent.api.SessionStats;
import io.vmc.agent.api.StreamStats;
import io.vmc.agent.api.VideoArea;
import io.vmc.agent.api.Vmc;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sip.SipException;

/**
 * The sample softphone: SIP signalling from {@link SipUserAgent}, media from VMC. This is the
 * whole integration a softphone needs: put {@code createOffer()}/{@code createAnswer()} into SIP
 * bodies, hand the peer's SDP to {@code setRemoteDescription()}, re-INVITE when VMC asks for it.
 *
 * <p>In video calls it tells VMC where its video pane is on the guest desktop
 * ({@code setVideoArea}) once the media is connected, and takes it back at hang-up: the engine
 * draws the remote video there in the thin client's session window.
 *
 * <p>It reports what happens as one line per event on {@code out} (MODE, CALL, STATE, STATS,
 * VIDEO, DTMF), which the demo reads.
 */
public final class Softphone implements SipUserAgent.CallHandler, AutoCloseable {

    private final Vmc vmc;
    private final SessionOptions options;
    private final VideoArea videoArea;
    private final PrintStream out;
    private final CountDownLatch ended = new CountDownLatch(1);
    private final CountDownLatch established = new CountDownLatch(1);
    private final CountDownLatch optimized = new CountDownLatch(1);
    private SipUserAgent sip;
    private volatile MediaSession session;
    private volatile java.time.Duration statsInterval = java.time.Duration.ZERO;

    public Softphone(Vmc vmc, SessionOptions options, PrintStream out) {
        this(vmc, options, null, out);
    }

    /** @param videoArea where the remote video goes in video calls, or null for none */
    public Softphone(Vmc vmc, SessionOptions options, VideoArea videoArea, PrintStream out) {
        this.vmc = vmc;
        this.options = options;
        this.videoArea = videoArea;
        this.out = out;
        vmc.addThinClientListener(new io.vmc.agent.api.ThinClientListener() {
            @Override
            public void onCallControl(MediaSession ms, io.vmc.agent.api.CallAction action, String key) {
                report("BUTTON %s %s", key, action);
                try {
                    switch (action) {
                        case HANG_UP -> hangUp();
                        case TOGGLE_MUTE -> setMute(!muted);
                        default -> { } // this sample answers at once; volume is the thin client's
                    }
                } catch (SipException | RuntimeException e) {
                    report("BUTTON %s failed: %s", action, e.getMessage());
                }
            }

            @Override
            public void onRingStopped(MediaSession ms, io.vmc.agent.api.RingStopReason reason) {
                report("RING stopped %s", reason);
            }

            @Override
            public void onActiveDevice(MediaSession ms, io.vmc.agent.api.Device now, io.vmc.agent.api.Device removed) {
                report("DEVICE %s gone, now %s", removed.name(), now.name());
            }
        });
        vmc.addModeListener(change -> {
            report("MODE %s reason=%s %s", change.mode(), change.reason(), change.detail());
            if (change.mode() == Mode.OPTIMIZED) {
                optimized.countDown();
            }
        });
        report("MODE %s reason=%s", vmc.mode(), vmc.modeReason());
        if (vmc.mode() == Mode.OPTIMIZED) {
            optimized.countDown();
        }
    }

    private volatile boolean muted;

    /** Asks for pushed statistics of each call every {@code interval} (zero: none pushed). */
    public void statsInterval(java.time.Duration interval) {
        this.statsInterval = interval;
    }

    /** Listens for SIP on {@code host:port} as {@code user}. */
    public void start(String user, String host, int port) throws SipException {
        sip = new SipUserAgent(user, host, port, this);
        report("SIP listening sip:%s@%s:%d", user, host, port);
    }

    /** Calls {@code target}, e.g. {@code sip:bob@127.0.0.1:5062}. */
    public void call(String target) throws SipException {
        session = newSession();
        report("CALL dialing %s", target);
        sip.invite(target, session.createOffer());
    }

    public void sendDtmf(String digits) {
        requireSession().sendDtmf(digits);
        report("DTMF sent %s", digits);
    }

    public void setMute(boolean muted) {
        requireSession().setMute(muted);
        this.muted = muted;
        report("MUTE %s", muted);
    }

    public void hangUp() throws SipException {
        sip.bye();
        endCall("local hang-up");
    }

    public boolean awaitEstablished(long timeout, TimeUnit unit) throws InterruptedException {
        return established.await(timeout, unit);
    }

    /** Waits until VMC reports OPTIMIZED mode (an engine is connected); false on timeout. */
    public boolean awaitOptimized(long timeout, TimeUnit unit) throws InterruptedException {
        return vmc.mode() == Mode.OPTIMIZED || optimized.await(timeout, unit);
    }

    public boolean awaitEnded(long timeout, TimeUnit unit) throws InterruptedException {
        return ended.await(timeout, unit);
    }

    @Override
    public String onIncomingCall(String from, String offerSdp) {
        report("CALL incoming from %s", from);
        session = newSession();
        // On the thin client's ringer; stops by itself when the call connects. Async: the answer
        // need not wait for the ring to start.
        vmc.startRingAsync(io.vmc.agent.api.Ring.builder().sound(io.vmc.agent.api.Ring.Sound.RINGTONE).session(session).build())
                .whenComplete((ok, e) -> {
                    if (e == null) {
                        report("RING started");
                    } else { // fallback mode, or an engine without audio output
                        report("RING unavailable: %s", e.getMessage());
                    }
                });
        return session.createAnswer(offerSdp);
    }

    @Override
    public String onReoffer(String offerSdp) {
        report("CALL re-INVITE received");
        return requireSession().createAnswer(offerSdp);
    }

    @Override
    public void onAnswer(String answerSdp) {
        requireSession().setRemoteDescription(SdpType.ANSWER, answerSdp);
    }

    @Override
    public void onEstablished() {
        report("CALL established");
        established.countDown();
    }

    @Override
    public void onEnded(String why) {
        endCall(why);
    }

    private MediaSession newSession() {
        MediaSession s = vmc.newSession(options);
        s.addListener(new MediaSessionListener() {
            @Override
            public void onStateChange(MediaSession ms, SessionState state, String reason) {
                report("STATE %s%s", state, reason == null || reason.isEmpty() ? "" : " " + reason);
                if (state == SessionState.CONNECTED) {
                    showVideo(ms);
                }
            }

            @Override
            public void onStats(MediaSession ms, SessionStats stats) {
                reportStats(stats);
            }

            @Override
            public void onQualityAlert(MediaSession ms, io.vmc.agent.api.QualityAlert alert) {
                report("QUALITY %s %s", alert.kind(), alert.detail());
            }

            @Override
            public void onDtmf(MediaSession ms, char digit, int durationMs) {
                report("DTMF received %s", digit);
            }

            @Override
            public void onRenegotiationNeeded(MediaSession ms, String newOffer, String reason) {
                // VMC moved the media (engine came or went): tell the peer with a re-INVITE.
                report("CALL renegotiating: %s", reason);
                try {
                    sip.reinvite(newOffer);
                } catch (SipException e) {
                    report("CALL re-INVITE failed: %s", e.getMessage());
                }
            }
        });
        if (!statsInterval.isZero()) {
            s.setStatsInterval(statsInterval);
        }
        return s;
    }

    static String format(StreamStats a) {
        return String.format(Locale.ROOT,
                "codec=%s encrypted=%s sent=%d received=%d lost=%d jitter_ms=%.1f rtt_ms=%.1f mos=%.2f local=%s remote=%s",
                a.codec(), a.encrypted(), a.packetsSent(), a.packetsReceived(), a.packetsLost(),
                a.jitterMs(), a.rttMs(), a.mos(), a.localAddress(), a.remoteAddress());
    }

    static String formatVideo(StreamStats v) {
        return String.format(Locale.ROOT, "codec=%s encrypted=%s sent=%d received=%d lost=%d frames_decoded=%d",
                v.codec(), v.encrypted(), v.packetsSent(), v.packetsReceived(), v.packetsLost(), v.framesDecoded());
    }

    /** Puts the remote video on the guest desktop (again after a reconnect: the engine may be new). */
    private void showVideo(MediaSession ms) {
        if (videoArea == null || !options.video()) {
            return;
        }
        ms.setVideoAreaAsync(videoArea).whenComplete((ok, error) -> {
            if (error == null) {
                report("VIDEO area %s", describe(videoArea));
            } else {
                report("VIDEO area refused: %s", error.getMessage());
            }
        });
    }

    private static String describe(VideoArea a) {
        return String.format(Locale.ROOT, "x=%d y=%d width=%d height=%d screen=%dx%d", a.area().x(), a.area().y(),
                a.area().width(), a.area().height(), a.screenWidth(), a.screenHeight());
    }

    private void endCall(String why) {
        if (ended.getCount() == 0) {
            return;
        }
        MediaSession s = session;
        if (s != null) {
            reportFinalStats(s); // what a call-quality summary shows: asked for once, at the end
        }
        report("CALL ended %s", why);
        if (s != null) {
            if (videoArea != null && options.video()) {
                clearVideo(s);
            }
            s.close();
        }
        ended.countDown();
    }

    private void reportStats(SessionStats stats) {
        stats.audio().ifPresent(a -> report("STATS %s mode=%s", format(a), vmc.mode()));
        stats.video().ifPresent(v -> report("VIDEO STATS %s", formatVideo(v)));
    }

    private void reportFinalStats(MediaSession s) {
        try {
            reportStats(s.stats());
        } catch (RuntimeException e) { // the media may be gone already (engine lost, session closed)
            report("STATS unavailable: %s", e.getMessage());
        }
    }

    private void clearVideo(MediaSession s) {
        try {
            s.clearVideoArea(videoArea.mappingId());
            report("VIDEO area cleared");
        } catch (RuntimeException e) { // the engine may be gone already; closing the session follows
            report("VIDEO area not cleared: %s", e.getMessage());
        }
    }

    private MediaSession requireSession() {
        MediaSession s = session;
        if (s == null) {
            throw new IllegalStateException("no call in progress");
        }
        return s;
    }

    private void report(String format, Object... args) {
        synchronized (out) {
            out.println(String.format(Locale.ROOT, format, args));
            out.flush();
        }
    }

    @Override
    public void close() {
        endCall("softphone closed");
        if (sip != null) {
            sip.close();
        }
    }
}
