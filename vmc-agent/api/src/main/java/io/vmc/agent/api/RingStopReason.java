package io.vmc.agent.api;

/**
 * Why a {@link Ring} stopped ({@link ThinClientListener#onRingStopped}).
 *
 * <pre>{@code
 * if (reason == RingStopReason.TIMED_OUT) sip.reject(486);
 * }</pre>
 */
public enum RingStopReason {
    /** {@link Vmc#stopRing()}, or a new ring replaced it. */
    STOPPED,
    /** Its session reached {@link SessionState#CONNECTED}. */
    ANSWERED,
    /** Its session closed or failed. */
    CALL_ENDED,
    /** Its maximum duration passed. */
    TIMED_OUT,
    /** The ringer device failed. */
    DEVICE_ERROR
}
