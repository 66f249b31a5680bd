package io.vmc.agent.api;

/**
 * Told when the agent's media {@link Mode} changes. Runs on the {@link Vmc} instance's
 * dispatcher thread, never on an I/O thread.
 *
 * <pre>{@code
 * vmc.addModeListener(change -> System.out.println("now " + change));
 * }</pre>
 */
@FunctionalInterface
public interface ModeListener {
    void onModeChanged(ModeChange change);
}
