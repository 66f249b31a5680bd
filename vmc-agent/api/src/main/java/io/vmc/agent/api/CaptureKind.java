package io.vmc.agent.api;

/**
 * A device of the thin client the user stopped on the thin client's capture indicator
 * ({@link ThinClientListener#onCaptureStopped}).
 */
public enum CaptureKind {
    MICROPHONE,
    CAMERA,
    SCREEN
}
