package io.vmc.engine.internal.call;

import io.vmc.engine.internal.EngineException;
import io.vmc.engine.internal.Failure;
import io.vmc.engine.internal.rtp.MediaFlow;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.SessionState;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The microphone and speaker a call uses (PulseAudio names; null for the configured ones), switched
 * on the running audio flow, and replaced by the default one when one fails, a few times at most.
 * Under the call's monitor; a loss comes in on the engine's timer.
 */
final class AudioDevices {
    private static final Logger LOG = LoggerFactory.getLogger(Call.class);
    private final Call call;
    private String source;
    private String sink;
    private final int[] losses = new int[2]; // [microphone, speaker]
    private volatile Consumer<Boolean> onLost = mic -> { };

    AudioDevices(Call call) {
        this.call = call;
    }

    String source() { return source; }

    String sink() { return sink; }

    /** Runs (with true for the microphone) after a failed device was replaced by the default one. */
    void onLost(Consumer<Boolean> listener) {
        onLost = listener;
    }

    void select(String pulseName, boolean microphone) {
        if (microphone) source = pulseName; else sink = pulseName;
        if (microphone) call.captures.microphoneChanged();
        MediaFlow f = call.audio.flow;
        if (f != null) {
            try {
                if (microphone) f.switchMicrophone(pulseName); else f.switchSpeaker(pulseName);
            } catch (RuntimeException e) {
                throw new EngineException(Error.Code.INTERNAL, "cannot switch to device: " + e.getMessage(), e);
            }
        }
    }

    /** The microphone or speaker failed: go on with the default one, or fail the call after {@link Call#MAX_DEVICE_LOSSES}. */
    void lost(boolean microphone, String message) {
        synchronized (call) {
            SessionState.State state = call.state();
            if (state == SessionState.State.CLOSED || state == SessionState.State.FAILED) return;
            if (++losses[microphone ? 0 : 1] > Call.MAX_DEVICE_LOSSES) {
                LOG.warn("session {}: media error: {} (the {} failed {} times)", call.id(), message,
                        microphone ? "microphone" : "speaker", Call.MAX_DEVICE_LOSSES);
                call.failures.accept(Failure.MEDIA);
                call.setState(SessionState.State.FAILED, "media: " + message);
                return;
            }
            LOG.warn("session {}: {} failed ({}); going on with the default one", call.id(), microphone ? "microphone" : "speaker", message);
            select(null, microphone);
        }
        onLost.accept(microphone);
    }
}
