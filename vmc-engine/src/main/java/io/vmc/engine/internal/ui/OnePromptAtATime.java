package io.vmc.engine.internal.ui;

import io.vmc.engine.CameraConsent;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * At most one question (camera or screen share) in front of the user per engine: a guest that opens
 * video sessions in a loop must not bury the desktop in dialogs. A question asked while another is
 * open is denied at once, with a reason the app receives.
 */
public final class OnePromptAtATime implements CameraConsent {
    private final CameraConsent delegate;
    private final AtomicBoolean open = new AtomicBoolean();

    public OnePromptAtATime(CameraConsent delegate) {
        this.delegate = delegate;
    }

    @Override
    public CompletableFuture<Answer> ask(Question q) {
        return gate("camera", () -> delegate.ask(q));
    }

    /** Runs {@code prompt} unless another question is open; the gate reopens when its future completes. */
    public <A> CompletableFuture<A> gate(String what, java.util.function.Supplier<CompletableFuture<A>> prompt) {
        if (!open.compareAndSet(false, true)) {
            return CompletableFuture.failedFuture(new IllegalStateException(
                    "another " + what + " request is already waiting for the user"));
        }
        CompletableFuture<A> f;
        try {
            f = prompt.get();
        } catch (RuntimeException e) {
            open.set(false);
            throw e;
        }
        if (f == null) {
            open.set(false);
            return null;
        }
        f.whenComplete((a, t) -> open.set(false)); // answered, timed out (cancelled) or call closed
        return f;
    }
}
