package io.vmc.agent.api;

/**
 * Why the agent is in its current {@link Mode}. VMC always says why optimization is or is not
 * active, so that a user or an admin can act on it.
 *
 * <pre>{@code
 * vmc.addModeListener(change -> log.info("media mode {} because {}: {}",
 *         change.mode(), change.reason(), change.reason().description()));
 * }</pre>
 */
public enum ModeReason {
    /** An engine is connected on the thin client: media is optimized. */
    ENGINE_CONNECTED("a VMC engine is connected on the thin client"),
    /** Nobody answers on the channel: the thin client runs no VMC engine. */
    NO_ENGINE("no VMC engine is running on the thin client"),
    /** The engine speaks no protocol version this agent supports: update one of them. */
    ENGINE_INCOMPATIBLE("the thin client's VMC engine speaks an incompatible protocol version"),
    /** The engine or the agent's configuration does not allow optimization. */
    POLICY_FORBIDS("policy does not allow media optimization"),
    /** The engine was connected and went away (client closed, network, crash). */
    ENGINE_LOST("the connection to the thin client's VMC engine was lost"),
    /** The VM has no VMC port: the admin has not enabled the channel for this VM. */
    NO_CHANNEL("this VM has no VMC channel (ask the admin to enable it)"),
    /** A reason this library version does not know (newer agent). */
    UNKNOWN("unknown reason");

    private final String description;

    ModeReason(String description) {
        this.description = description;
    }

    /** A sentence a user can read, e.g. in a status bar tooltip. */
    public String description() {
        return description;
    }
}
