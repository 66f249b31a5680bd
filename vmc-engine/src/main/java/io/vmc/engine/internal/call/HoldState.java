package io.vmc.engine.internal.call;

import io.vmc.engine.sdp.Direction;

/**
 * Whether a call is on hold (<a href="https://www.rfc-editor.org/rfc/rfc3264#section-8.4">RFC 3264
 * section 8.4</a>), as opposed to one-way by design. It is on hold when we hold; when the peer does
 * not receive what our app's transceiver sends (its sendonly or inactive: the RFC's hold, even in a
 * first offer, as a held call that moved to another engine sends it); or when the peer stops
 * sending what it sent before in this call and our app receives. So a receive-only page's far end
 * (the page recvonly from its first offer), or an app whose transceiver only receives, is not on
 * hold. Pure: the call feeds it each exchange.
 */
final class HoldState {
    /** The most the peer's audio direction has allowed in any exchange of this call (only its sending is used). */
    private Direction peerMost = Direction.INACTIVE;

    /** The peer's direction (its offer's or answer's, as written, from its side) in an exchange just applied. */
    void peerSaid(Direction peer) {
        peerMost = Direction.of(peerMost.sends() || peer.sends(), peerMost.receives() || peer.receives());
    }

    /**
     * Why the call is on hold, or null when it is not.
     *
     * @param weHold whether we hold (our offer said sendonly)
     * @param app the app's transceiver direction for this kind (our side's)
     * @param negotiated the direction we settled on, from our side
     */
    String reason(boolean weHold, Direction app, Direction negotiated) {
        if (weHold) return "held here, direction " + negotiated.attribute();
        boolean dropped = app.sends() && !negotiated.sends() || app.receives() && peerMost.sends() && !negotiated.receives();
        return dropped ? "held by the peer, direction " + negotiated.attribute() : null;
    }
}
