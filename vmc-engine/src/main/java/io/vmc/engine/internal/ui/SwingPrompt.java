package io.vmc.engine.internal.ui;

import java.awt.GraphicsEnvironment;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import javax.swing.SwingUtilities;

/** What every prompt of the thin client's user does before it shows: a display, then the event thread. */
final class SwingPrompt {
    private SwingPrompt() {
    }

    /**
     * The answer {@code show} gives on the event thread, or an IllegalStateException naming
     * {@code what} when there is no display to show it on.
     */
    static <T> CompletableFuture<T> onEventThread(String what, Consumer<CompletableFuture<T>> show) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        if (GraphicsEnvironment.isHeadless()) {
            answer.completeExceptionally(new IllegalStateException("no display to show the " + what + " on"));
            return answer;
        }
        try {
            SwingUtilities.invokeLater(() -> show.accept(answer));
        } catch (RuntimeException | Error e) { // AWTError: $DISPLAY unreachable
            answer.completeExceptionally(new IllegalStateException("cannot show the " + what + ": " + e, e));
        }
        return answer;
    }
}
