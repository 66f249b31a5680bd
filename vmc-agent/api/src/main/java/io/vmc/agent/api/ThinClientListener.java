package io.vmc.agent.api;

/**
 * Events from the user's devices on the thin client: headset buttons, the end of a ring, and a
 * device the engine switched to by itself. Every method has a no-op default. Runs on the
 * {@link Vmc} instance's dispatcher thread; {@code session} is null when the event names no call of
 * this app.
 *
 * <pre>{@code
 * vmc.addThinClientListener(new ThinClientListener() {
 *     @Override public void onCallControl(MediaSession s, CallAction action, String key) {
 *         if (action == CallAction.ANSWER) sip.answer();
 *     }
 *     @Override public void onActiveDevice(MediaSession s, Device now, Device removed) {
 *         ui.toast("'" + removed.name() + "' is gone; the call continues on '" + now.name() + "'");
 *     }
 * });
 * }</pre>
 */
public interface ThinClientListener {
    /** A headset button; {@code key} is the Linux key name ("KEY_PHONE", "KEY_MICMUTE"...). */
    default void onCallControl(MediaSession session, CallAction action, String key) {}

    default void onRingStopped(MediaSession session, RingStopReason reason) {}

    /** The device a call used went away; the call goes on with {@code now} (the default). */
    default void onActiveDevice(MediaSession session, Device now, Device removed) {}

    /**
     * The user stopped one of the call's devices on the thin client (the capture indicator's Stop).
     * It stays stopped for the rest of the call: {@code setMute(false)} after a stopped microphone
     * fails with a reason, and the camera does not come back. Show {@code reason}, e.g. as
     * "microphone off: stopped on your computer"; a new call starts with its devices again.
     */
    default void onCaptureStopped(MediaSession session, CaptureKind kind, String reason) {}
}
