package io.vmc.agent.api;

/**
 * Where the media of the app's calls is handled.
 *
 * <pre>{@code
 * if (vmc.mode() == Mode.FALLBACK) {
 *     statusBar.warn("Call quality may be reduced: " + vmc.modeReason().description());
 * }
 * }</pre>
 */
public enum Mode {
    /** Media runs on the thin client's engine; it never enters the VM. */
    OPTIMIZED,
    /** Media runs inside the VM (vmc-agentd's local media core). Same API, lower quality. */
    FALLBACK
}
