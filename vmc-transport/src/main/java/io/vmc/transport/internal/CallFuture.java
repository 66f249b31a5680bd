package io.vmc.transport.internal;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The future {@code call()} returns. The I/O thread publishes the outcome here and wakes threads
 * blocked in {@link #get()}/{@link #join()} directly (one thread hand-off instead of two), while
 * the formal completion, which runs dependent stages, happens on the callback executor: so no
 * application code ever runs on the I/O thread, even for stages attached without an executor.
 */
final class CallFuture<T> extends CompletableFuture<T> {
    private record Outcome(Object value, Throwable error) {}

    private final Executor executor;
    private final Object lock = new Object();
    private volatile Outcome early;

    CallFuture(Executor executor) {
        this.executor = executor;
    }

    /** Called on the I/O thread. */
    void publish(T value, Throwable error) {
        if (early != null || super.isDone()) {
            return;
        }
        early = new Outcome(value, error);
        synchronized (lock) {
            lock.notifyAll();
        }
        executor.execute(() -> {
            if (error != null) {
                super.completeExceptionally(error);
            } else {
                super.complete(value);
            }
        });
    }

    @Override
    public boolean isDone() {
        return early != null || super.isDone();
    }

    @Override
    public boolean isCompletedExceptionally() {
        Outcome o = early;
        return o != null ? o.error() != null : super.isCompletedExceptionally();
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return early == null && super.cancel(mayInterruptIfRunning);
    }

    @Override
    public boolean isCancelled() {
        return early == null && super.isCancelled();
    }

    @Override
    @SuppressWarnings("unchecked")
    public T get() throws InterruptedException, ExecutionException {
        Outcome o = awaitEarly(Long.MAX_VALUE);
        if (o == null) {
            return super.get();
        }
        if (o.error() != null) {
            throw new ExecutionException(o.error());
        }
        return (T) o.value();
    }

    @Override
    @SuppressWarnings("unchecked")
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        Outcome o = awaitEarly(System.nanoTime() + unit.toNanos(timeout));
        if (o == null) {
            if (!super.isDone()) {
                throw new TimeoutException();
            }
            return super.get();
        }
        if (o.error() != null) {
            throw new ExecutionException(o.error());
        }
        return (T) o.value();
    }

    @Override
    @SuppressWarnings("unchecked")
    public T join() {
        Outcome o;
        try {
            o = awaitEarly(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return super.join();
        }
        if (o == null) {
            return super.join();
        }
        if (o.error() != null) {
            throw o.error() instanceof CancellationException c ? c : new CompletionException(o.error());
        }
        return (T) o.value();
    }

    @Override
    @SuppressWarnings("unchecked")
    public T getNow(T valueIfAbsent) {
        Outcome o = early;
        if (o == null) {
            return super.getNow(valueIfAbsent);
        }
        if (o.error() != null) {
            throw new CompletionException(o.error());
        }
        return (T) o.value();
    }

    /** The early outcome, or null once the future completed otherwise (cancelled) or the deadline passed. */
    private Outcome awaitEarly(long deadlineNanos) throws InterruptedException {
        Outcome o = early;
        if (o != null || super.isDone()) {
            return o;
        }
        synchronized (lock) {
            while ((o = early) == null && !super.isDone()) {
                if (deadlineNanos == Long.MAX_VALUE) {
                    lock.wait(100); // also notices a cancel(), which does not notify
                } else {
                    long left = deadlineNanos - System.nanoTime();
                    if (left <= 0) {
                        return null;
                    }
                    TimeUnit.NANOSECONDS.timedWait(lock, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
                }
            }
        }
        return o;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }

    @Override
    public Executor defaultExecutor() {
        return executor;
    }
}
