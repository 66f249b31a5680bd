package io.vmc.engine.internal.call;

import io.vmc.engine.internal.rtp.MediaFlow;
import io.vmc.engine.internal.rtp.RtpFlow;
import io.vmc.engine.sdp.Direction;
import io.vmc.transport.proto.MediaKind;

/**
 * One m= section of a running call, audio or video (one type that carries its kind): the transport
 * it uses (the same object for every section of a BUNDLE group), its mid, the app's and the
 * negotiated direction, its flow, the negotiated parameters that wait for DTLS keys, and the SSRC
 * and sequence that go on across flows (the peer locks onto the SSRC). State only: {@link Call}
 * applies the negotiation to it, under the call's monitor; the volatile fields are read by the
 * send and receive threads.
 *
 * @param <F> the flow ({@code MediaFlow} for audio, {@code VideoFlow} for video)
 * @param <P> the flow's negotiated parameters
 */
final class MediaSection<F extends RtpFlow, P> {
    final MediaKind kind;
    /** The section's transport, or null before it has one (or while video is off). */
    volatile MediaTransport transport;
    /** Ours in our first offer, the peer's once we answered its offer (RFC 8843 section 7.5); read by the receive thread. */
    volatile String mid;
    /** The app's transceiver direction (CreateOffer/CreateAnswer); what the app does not send is never sent. */
    Direction local = Direction.SENDRECV;
    /** The direction the last exchange settled on, restored on the flow by a rollback. */
    Direction negotiated = Direction.SENDRECV;
    volatile F flow;
    /** Parameters negotiated without keys (DTLS-SRTP), applied when the keys come; null otherwise. */
    P awaitingKeys;
    final long ssrc = MediaFlow.randomSsrc();
    int nextSeq = MediaFlow.randomSeq();

    MediaSection(MediaKind kind, String mid) {
        this.kind = kind;
        this.mid = mid;
    }

    boolean isVideo() {
        return kind == MediaKind.VIDEO;
    }

    /** Prefix for log lines and state reasons about this section ("video " or nothing: audio is the call's lead). */
    String prefix() {
        return isVideo() ? "video " : "";
    }

    /** Closes the flow, keeping its sequence for the next one (SRTP's index estimate must not jump). */
    void closeFlow() {
        F f = flow;
        if (f == null) return;
        nextSeq = f.nextSeq();
        f.close();
        flow = null;
    }

    /** Puts the flow back to the last negotiated direction (a rolled-back offer). */
    void restoreDirection() {
        F f = flow;
        if (f != null) f.setDirection(negotiated.sends(), negotiated.receives());
    }
}
