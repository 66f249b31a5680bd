package io.vmc.agent.api;

/**
 * What a headset button means for the call ({@link ThinClientListener#onCallControl}). The app
 * acts on it: VMC answers, hangs up or mutes nothing by itself.
 *
 * <pre>{@code
 * switch (action) {
 *     case ANSWER -> sip.answer();
 *     case HANG_UP -> sip.hangUp();
 *     case TOGGLE_MUTE -> call.setMute(!muted);   // the headset's mute LED follows setMute
 *     default -> { }
 * }
 * }</pre>
 */
public enum CallAction {
    /** Hook button while a ring plays. */
    ANSWER,
    /** Hook button during a call. */
    HANG_UP,
    TOGGLE_MUTE,
    VOLUME_UP,
    VOLUME_DOWN
}
