package io.vmc.agent.api;

/**
 * Kind of media stream.
 *
 * <pre>{@code
 * call.setMute(MediaKind.VIDEO, true); // camera off, microphone stays on
 * }</pre>
 */
public enum MediaKind {
    AUDIO,
    VIDEO
}
