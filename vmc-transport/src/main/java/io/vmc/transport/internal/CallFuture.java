package io.vmc.transport.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * The future {@code call()} returns. The I/O thread publishes the outcome here and wakes a thread
 * blocked in {@link #get()}/{@link #join()} directly; the formal completion, which runs dependent
 * stages, never happens on the I/O thread, so no application code runs there, even for stages
 * attached without an executor.
 *
 * <p>Who completes formally: when a thread is blocked in {@code get()}/{@code join()} (the common
 * blocking call), that thread does, on its way out; it runs the completion itself when no stage
 * is attached, and hands it to the callback executor when stages are. A stage attached at the
 * very moment the waiter completes may then run on the waiter's thread (an application thread),
 * as it would had it been attached a moment later. With no blocked waiter the I/O thread hands
 * the completion to the callback executor. This saves a pool thread's wake-up per blocking call.
 */
final class CallFuture<T> extends CompletableFuture<T> {
    private record Outcome(Object value, Throwable error) {}

    /** In {@link #waiter}: the outcome was published; a thread found there had to complete formally. */
    private static final Object PUBLISHED = new Object();

    /**
     * How long a waiter spins before parking, in nanoseconds ({@code -Dvmc.transport.spinMicros},
     * default 0: park at once). Spinning trades CPU for the park/unpark latency; on the project's
     * 2-core machines it did not pay (see docs/benchmarks.md).
     */
    static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(Long.getLong("vmc.transport.spinMicros", 0));

    /** Upper bound on one park, so a waiter also notices completions that do not unpark it. */
    private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private static final VarHandle WAITER;

    static {
        try {
            WAITER = MethodHandles.lookup().findVarHandle(CallFuture.class, "waiter", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Executor executor;
    private volatile Outcome early;
    /** null, the one registered waiting {@link Thread}, or {@link #PUBLISHED}. */
    @SuppressWarnings("unused")
    private volatile Object waiter;

    CallFuture(Executor executor) {
        this.executor = executor;
    }

    /** Called on the I/O thread. */
    void publish(T value, Throwable error) {
        if (early != null || super.isDone()) {
            return;
        }
        early = new Outcome(value, error);
        Object w = WAITER.getAndSet(this, PUBLISHED);
        if (w instanceof Thread t) {
            LockSupport.unpark(t); // it completes formally on its way out of get()/join()
        } else {
            executor.execute(this::completeFormally);
        }
    }

    private void completeFormally() {
        Outcome o = early;
        if (o.error() != null) {
            super.completeExceptionally(o.error());
        } else {
            @SuppressWarnings("unchecked")
            T v = (T) o.value();
            super.complete(v);
        }
    }

    /** The waiter's share of {@link #publish}: off the I/O thread, on an application thread. */
    private void completeFormallyAsWaiter() {
        if (getNumberOfDependents() == 0) {
            completeFormally();
        } else {
            executor.execute(this::completeFormally);
        }
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
        boolean c = early == null && super.cancel(mayInterruptIfRunning);
        wakeWaiter();
        return c;
    }

    @Override
    public boolean complete(T value) {
        boolean c = early == null && super.complete(value);
        wakeWaiter();
        return c;
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
        boolean c = early == null && super.completeExceptionally(ex);
        wakeWaiter();
        return c;
    }

    private void wakeWaiter() {
        if (waiter instanceof Thread t) {
            LockSupport.unpark(t);
        }
    }

    @Override
    public boolean isCancelled() {
        return early == null && super.isCancelled();
    }

    @Override
    @SuppressWarnings("unchecked")
    public T get() throws InterruptedException, ExecutionException {
        Outcome o = awaitEarly(Long.MAX_VALUE, true);
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
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        Outcome o = awaitEarly(deadline, true);
        if (o == null) {
            long left = deadline - System.nanoTime();
            return super.get(Math.max(0, left), TimeUnit.NANOSECONDS);
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
            o = awaitEarly(Long.MAX_VALUE, false);
        } catch (InterruptedException e) {
            throw new AssertionError(e); // not interruptible
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

    /**
     * Waits for the published outcome. Returns null when the future completed otherwise
     * (cancelled, completed by the application), the deadline passed, or another thread is already
     * the registered waiter: the caller then falls back to {@code CompletableFuture}'s own wait,
     * which the formal completion ends.
     */
    private Outcome awaitEarly(long deadlineNanos, boolean interruptible) throws InterruptedException {
        Outcome o = early;
        if (o != null || super.isDone()) {
            return o;
        }
        Thread me = Thread.currentThread();
        if (!WAITER.compareAndSet(this, null, me)) {
            return early; // published meanwhile (then non-null), or a second waiter: fall back
        }
        boolean interrupted = false;
        try {
            if (SPIN_NANOS > 0) {
                long spinEnd = System.nanoTime() + SPIN_NANOS;
                while (early == null && System.nanoTime() - spinEnd < 0) {
                    Thread.onSpinWait();
                }
            }
            while (early == null && !super.isDone()) {
                long park = MAX_PARK_NANOS;
                if (deadlineNanos != Long.MAX_VALUE) {
                    long left = deadlineNanos - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    park = Math.min(left, park);
                }
                LockSupport.parkNanos(this, park);
                if (Thread.interrupted()) {
                    if (interruptible) {
                        throw new InterruptedException();
                    }
                    interrupted = true;
                }
            }
        } finally {
            if (!WAITER.compareAndSet(this, me, null)) {
                completeFormallyAsWaiter(); // publish() saw this thread and left the completion to it
            }
            if (interrupted) {
                me.interrupt();
            }
        }
        return early;
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
