package io.vmc.engine.internal.call;

import io.vmc.engine.internal.transport.Demux;
import io.vmc.engine.internal.transport.DtlsLink;
import io.vmc.engine.internal.transport.IceEndpoint;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listener of one ICE endpoint of a call's transport: the lead transport's (audio's, the
 * BUNDLE group's) or an unbundled video section's own. It knows its endpoint, to tell the running
 * one from a restart's. Runs on ice4j's threads and the endpoint's receive thread: it reads volatile
 * state and hops to the engine's timer for anything that takes the call's monitor (ice4j may call
 * it holding its own locks).
 */
final class TransportListener implements IceEndpoint.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(Call.class);
    private final Call call;
    /** Audio's section stands for the lead transport, video's for an unbundled video transport. */
    private final MediaSection<?, ?> section;
    /** The endpoint this listener belongs to; set right after it is built, before any check runs. */
    volatile IceEndpoint self;

    TransportListener(Call call, MediaSection<?, ?> section) {
        this.call = call;
        this.section = section;
    }

    private MediaTransport transport() {
        return call.transports.of(section);
    }

    @Override
    public void onIceConnected(InetSocketAddress local, InetSocketAddress remote) {
        IceEndpoint me = self;
        MediaTransport t = transport();
        if (me != null && me != (t == null ? null : t.current())) {
            call.runAsync(() -> call.restartCompleted(me, section)); // an ICE restart completed
            return;
        }
        if (section.isVideo()) {
            LOG.debug("session {}: video ICE selected {} -> {}", call.id(), local, remote);
        } else {
            call.selected(local, remote);
        }
        DtlsLink l = t == null ? null : t.dtls();
        if (l != null) l.iceConnected();
        // plain mode calls in from a request that already holds the call's monitor; that is fine either way
        if (!section.isVideo()) call.runAsync(call::connectedState);
    }

    @Override
    public void onIceFailed(String reason) {
        IceEndpoint me = self;
        call.runAsync(() -> call.iceFailed(me, section, reason));
    }

    @Override
    public boolean onPacket(byte[] buf, int off, int len) {
        if (Demux.classify(buf, off, len) == Demux.Kind.DTLS) {
            MediaTransport t = transport();
            DtlsLink l = t == null ? null : t.dtls();
            if (l != null) l.receive(buf, off, len);
            return false;
        }
        return call.receive(section, buf, off, len);
    }
}
