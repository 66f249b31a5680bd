package io.vmc.engine.internal.call;

import io.vmc.engine.internal.Failure;
import io.vmc.engine.internal.rtp.MediaFlow;
import io.vmc.engine.internal.transport.IceEndpoint;
import io.vmc.transport.proto.DtmfReceived;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.SessionState;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where one section's flow sends (its transport's current endpoint, read once per packet) and what
 * it reports, with the kind's consequences: a failed audio pipeline fails the call, a failed video
 * one only logs. Runs on the flow's threads (GStreamer streaming and bus threads, the timer); what
 * needs the call's monitor hops to the engine timer.
 */
final class SectionIo implements MediaFlow.Io {
    private static final Logger LOG = LoggerFactory.getLogger(Call.class);
    private final Call call;
    private final MediaSection<?, ?> section;

    SectionIo(Call call, MediaSection<?, ?> section) {
        this.call = call;
        this.section = section;
    }

    @Override
    public void send(byte[] buf, int off, int len) throws IOException {
        MediaTransport t = section.transport;
        IceEndpoint e = t == null ? null : t.current();
        if (e != null) e.send(buf, off, len);
    }

    @Override
    public void dtmfReceived(String digit, int durationMs) {
        if (section.isVideo()) return;
        call.events.emit(Event.newBuilder().setDtmfReceived(DtmfReceived.newBuilder()
                .setSessionId(call.id()).setDigit(digit).setDurationMs(durationMs)).build());
    }

    @Override
    public void deviceLost(boolean microphone, String message) {
        if (section.isVideo()) {
            mediaError(message);
            return;
        }
        call.runAsync(() -> call.devices.lost(microphone, message)); // not on GStreamer's bus thread
    }

    @Override
    public void cameraLost(String message) {
        if (!section.isVideo()) {
            mediaError(message);
            return;
        }
        call.runAsync(() -> call.captures.cameraLost(message)); // not on GStreamer's bus thread
    }

    @Override
    public void mediaError(String message) {
        if (section.isVideo()) {
            LOG.warn("session {}: video error: {}", call.id(), message);
            return;
        }
        LOG.warn("session {}: media error: {}", call.id(), message);
        if (call.state() != SessionState.State.FAILED) call.failures.accept(Failure.MEDIA);
        call.setState(SessionState.State.FAILED, "media: " + message);
    }
}
