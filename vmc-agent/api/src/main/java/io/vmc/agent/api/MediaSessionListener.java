package io.vmc.agent.api;

/**
 * Receives a session's events. Every method has a no-op default, so new events can be added
 * without breaking implementations. Called on the {@link Vmc} instance's dispatcher thread, one
 * event at a time and in order; blocking calls on the session are allowed in here.
 *
 * <pre>{@code
 * call.addListener(new MediaSessionListener() {
 *     @Override public void onStateChange(MediaSession s, SessionState state, String reason) {
 *         ui.setCallState(state);
 *     }
 *     @Override public void onRenegotiationNeeded(MediaSession s, String newOffer, String reason) {
 *         sip.reInvite(dialog, newOffer);   // then s.setRemoteDescription(SdpType.ANSWER, answer)
 *     }
 *     @Override public void onDtmf(MediaSession s, char digit, int durationMs) {
 *         ivr.onDigit(digit);
 *     }
 * });
 * }</pre>
 */
public interface MediaSessionListener {

    /** The screen share ended without the app asking: the user stopped it on the thin client, or the display went away. */
    default void onScreenShareEnded(MediaSession session, String reason) {}

    /** The session changed state; {@code reason} may be empty. */
    default void onStateChange(MediaSession session, SessionState state, String reason) {}

    /** A local ICE candidate was gathered (trickle ICE); ignore when not trickling. */
    default void onLocalCandidate(MediaSession session, IceCandidate candidate) {}

    /** Statistics pushed at the interval asked for with {@link MediaSession#setStatsInterval}. */
    default void onStats(MediaSession session, SessionStats stats) {}

    /** Call quality changed in a way to show at once (poor MOS, loss, relayed, recovered). */
    default void onQualityAlert(MediaSession session, QualityAlert alert) {}

    /** The peer sent a DTMF digit (RFC 4733). */
    default void onDtmf(MediaSession session, char digit, int durationMs) {}

    /**
     * The media moved (engine connected or lost, ICE restart needed): send {@code newOffer} to the
     * peer in a re-INVITE, then give the answer to
     * {@link MediaSession#setRemoteDescription(SdpType, String)}.
     */
    default void onRenegotiationNeeded(MediaSession session, String newOffer, String reason) {}
}
