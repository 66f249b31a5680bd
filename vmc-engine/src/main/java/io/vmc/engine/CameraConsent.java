package io.vmc.engine;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Asks the user on the thin client whether a call may use the camera ({@link EngineConfig.CameraPolicy#ASK}).
 * Only the local user answers: no request from the guest can complete the question.
 *
 * <p>The default is a small always-on-top dialog on the engine's display; tests and embedders
 * plug in their own through {@link EngineConfig.Builder#cameraConsent}.
 */
@FunctionalInterface
public interface CameraConsent {
    /** The user's answer. */
    enum Answer { ALLOW, DENY }

    /**
     * What to show. {@code application} and {@code label} come from the guest (untrusted): the
     * engine has already cut them to printable single-line text of bounded length, and a prompt
     * must still show them as plain text, never markup.
     *
     * @param camera the device the call would open, as the user knows it
     * @param timeout after this the engine takes the question as denied
     */
    record Question(String sessionId, String application, String label, String camera, Duration timeout) {
    }

    /**
     * Shows the question and returns at once. The future completes with the user's answer, on any
     * thread. The engine cancels it when the timeout passes or the call ends first; the
     * implementation then takes its prompt down.
     */
    CompletableFuture<Answer> ask(Question question);
}
