package io.vmc.agent.api;

/**
 * Life cycle of a {@link MediaSession}.
 *
 * <pre>{@code
 * call.onStateChange(state -> {
 *     if (state == SessionState.CONNECTED) ui.showTimer();
 *     if (state.isTerminal()) ui.hangUp();
 * });
 * }</pre>
 */
public enum SessionState {
    /** Created, nothing negotiated yet. */
    NEW,
    /** Descriptions exchanged, ICE and key exchange under way. */
    CONNECTING,
    /** Media flows. */
    CONNECTED,
    /** Put on hold by {@link MediaSession#hold()}. */
    ON_HOLD,
    /** Connectivity lost (ICE consent expired); may come back by itself. */
    DISCONNECTED,
    /** Gave up; close the session. */
    FAILED,
    /** Closed by the app or by the agent. */
    CLOSED;

    /** Whether no further state can follow. */
    public boolean isTerminal() {
        return this == FAILED || this == CLOSED;
    }
}
