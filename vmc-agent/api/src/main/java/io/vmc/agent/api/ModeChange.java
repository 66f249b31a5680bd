package io.vmc.agent.api;

import java.util.Objects;

/**
 * A change of the agent's media {@link Mode}, with the reason and a detail for logs.
 *
 * <pre>{@code
 * vmc.addModeListener(change -> statusIcon.set(change.mode() == Mode.OPTIMIZED ? GREEN : ORANGE,
 *         change.reason().description()));
 * }</pre>
 */
public final class ModeChange {
    private final Mode mode;
    private final ModeReason reason;
    private final String detail;

    private ModeChange(Mode mode, ModeReason reason, String detail) {
        this.mode = Objects.requireNonNull(mode, "mode must not be null");
        this.reason = Objects.requireNonNull(reason, "reason must not be null");
        this.detail = Objects.requireNonNull(detail, "detail must not be null");
    }

    /** Creates a mode change; {@code detail} may be empty but not null. */
    public static ModeChange of(Mode mode, ModeReason reason, String detail) {
        return new ModeChange(mode, reason, detail);
    }

    public Mode mode() {
        return mode;
    }

    public ModeReason reason() {
        return reason;
    }

    /** Technical detail for logs, e.g. the engine's version; may be empty. */
    public String detail() {
        return detail;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModeChange m && m.mode == mode && m.reason == reason && m.detail.equals(detail);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mode, reason, detail);
    }

    @Override
    public String toString() {
        return mode + " (" + reason + (detail.isEmpty() ? "" : ": " + detail) + ")";
    }
}
