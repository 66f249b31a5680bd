package io.vmc.engine;

import io.vmc.port.spice.ScreenPicture;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Asks the user on the thin client whether an app in the VM may share the screen, showing what
 * would be shared, and shows that a share runs with a way to stop it. Only the local user answers:
 * no request from the guest completes the question.
 *
 * <p>The default is a small always-on-top dialog on the engine's display with a preview, and for a
 * running share the engine's capture indicator (which lists every live capture with a Stop); tests
 * and embedders plug in their own through {@link EngineConfig.Builder#screenShareConsent}.
 */
public interface ScreenShareConsent {
    /**
     * What to show. {@code application}, {@code label} and {@code title} come from the guest
     * (untrusted), already cut to printable single-line text; show them as plain text.
     *
     * @param what the part of the screen, as the user reads it ("the whole screen (1024x768)")
     * @param preview what would be shared now
     * @param timeout after this the engine takes the question as denied
     */
    record Question(String sessionId, String application, String label, String title, String what,
                    ScreenPicture preview, Duration timeout) {
    }

    /**
     * Shows the question and returns at once. The future completes with true (share) or false
     * (deny), on any thread. The engine cancels it when the timeout passes or the call ends first;
     * the implementation then takes its prompt down.
     */
    CompletableFuture<Boolean> ask(Question question);

    /**
     * While the share runs: something the user sees that says so and stops it ({@code stop} may be
     * called on any thread). The engine closes the returned handle when the share ends.
     */
    AutoCloseable sharing(Question question, Runnable stop);
}
