package io.vmc.engine;

import io.vmc.engine.internal.EngineException;
import io.vmc.engine.internal.media.RingPlayer;
import io.vmc.engine.internal.media.RingSound;
import io.vmc.transport.EventSink;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.RingStopped;
import io.vmc.transport.proto.SessionState;
import io.vmc.transport.proto.StartRing;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one ring the engine plays at a time (StartRing / StopRing) and the rules that end it: the
 * call it belongs to is answered or ends, its time is up, or its device fails. Every end is told
 * to the app as one RingStopped event.
 */
final class Ringing implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Ringing.class);
    /** Ring length when the app names none. */
    static final int DEFAULT_MAX_MS = 60_000;
    /** Longest ring an app may ask for. */
    static final int MAX_MS = 300_000;

    private final EventSink events;
    private final ScheduledExecutorService timer;
    private final boolean hasOutput;
    private RingPlayer player;
    private String sessionId = "";
    private ScheduledFuture<?> timeout;
    private long generation;

    Ringing(EventSink events, ScheduledExecutorService timer, boolean hasOutput) {
        this.events = events;
        this.timer = timer;
        this.hasOutput = hasOutput;
    }

    /** Validates the request (it comes from the guest) and starts ringing on {@code pulseSink} (null: default). */
    synchronized void start(StartRing m, String pulseSink) {
        int maxMs = m.getMaxDurationMs() == 0 ? DEFAULT_MAX_MS : m.getMaxDurationMs();
        if (maxMs < 0 || maxMs > MAX_MS) throw EngineException.invalid("max_duration_ms must be 0.." + MAX_MS + ", got " + Integer.toUnsignedString(m.getMaxDurationMs()));
        RingSound sound;
        if (!m.getWav().isEmpty()) {
            try {
                sound = RingSound.fromWav(m.getWav().toByteArray());
            } catch (IllegalArgumentException e) {
                throw EngineException.invalid(e.getMessage());
            }
        } else {
            sound = switch (m.getSound()) {
                case RING_SOUND_UNSPECIFIED, RINGTONE -> RingSound.ringtone();
                case RINGBACK -> RingSound.ringback();
                case UNRECOGNIZED -> throw EngineException.invalid("unknown ring sound " + m.getSoundValue());
            };
        }
        if (!hasOutput) throw EngineException.precondition("the engine has no audio output (audio sink none)");
        stop(RingStopped.Reason.STOPPED, "replaced by a new ring");
        long gen = ++generation;
        RingPlayer p = new RingPlayer(sound, pulseSink, err -> timer.execute(() -> stopIf(gen, RingStopped.Reason.DEVICE_ERROR, err)));
        try {
            p.start();
        } catch (RuntimeException e) {
            p.close();
            throw new EngineException(Error.Code.UNAVAILABLE, "cannot play the ring: " + e.getMessage(), e);
        }
        player = p;
        sessionId = m.getSessionId();
        timeout = timer.schedule(() -> stopIf(gen, RingStopped.Reason.TIMED_OUT, maxMs + " ms"), maxMs, TimeUnit.MILLISECONDS);
        LOG.info("ringing ({}) on {} for session '{}'", m.getWav().isEmpty() ? m.getSound() : "app sound", pulseSink == null ? "the default sink" : pulseSink, sessionId);
    }

    /** StopRing, or the engine's own reasons; no event when nothing rings. */
    synchronized void stop(RingStopped.Reason reason, String detail) {
        if (player == null) return;
        if (timeout != null) timeout.cancel(false);
        RingPlayer p = player;
        String sid = sessionId;
        player = null;
        sessionId = "";
        p.close();
        events.emit(Event.newBuilder().setRingStopped(RingStopped.newBuilder()
                .setSessionId(sid).setReason(reason).setDetail(detail)).build());
    }

    private synchronized void stopIf(long gen, RingStopped.Reason reason, String detail) {
        if (gen == generation) stop(reason, detail);
    }

    /** Answer and hang-up end the ring of their session. */
    synchronized void sessionState(String session, SessionState.State state) {
        if (player == null || sessionId.isEmpty() || !sessionId.equals(session)) return;
        switch (state) {
            case CONNECTED -> stop(RingStopped.Reason.ANSWERED, "session connected");
            case CLOSED, FAILED -> stop(RingStopped.Reason.CALL_ENDED, "session " + state.name().toLowerCase(java.util.Locale.ROOT));
            default -> { }
        }
    }

    synchronized boolean isRinging() {
        return player != null;
    }

    /** The session the current ring belongs to, "" for none or no ring. */
    synchronized String session() {
        return sessionId;
    }

    @Override
    public synchronized void close() {
        stop(RingStopped.Reason.STOPPED, "engine shutdown");
    }
}
