package io.vmc.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Who completes a call's future, and on which thread dependent stages run. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class CallFutureTest {
    private final AtomicInteger executed = new AtomicInteger();
    private final ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-callback"));
    private final ExecutorService io = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-io"));
    private final java.util.concurrent.Executor callbacks = task -> {
        executed.incrementAndGet();
        pool.execute(task);
    };

    @AfterEach
    void stop() {
        pool.shutdownNow();
        io.shutdownNow();
    }

    private static void awaitParked(Thread t) {
        await().atMost(Duration.ofSeconds(5)).until(() -> t.getState() == Thread.State.WAITING
                || t.getState() == Thread.State.TIMED_WAITING);
    }

    private static Thread waiter(CallFuture<String> f, AtomicReference<Object> got) {
        Thread t = new Thread(() -> {
            try {
                got.set(f.get());
            } catch (Exception e) {
                got.set(e);
            }
        }, "test-waiter");
        t.start();
        return t;
    }

    @Test
    void blockedWaiterGetsTheValueAndCompletesWithoutThePool() throws Exception {
        CallFuture<String> f = new CallFuture<>(callbacks);
        AtomicReference<Object> got = new AtomicReference<>();
        Thread t = waiter(f, got);
        awaitParked(t);
        io.submit(() -> f.publish("ok", null)).get();
        t.join(5000);
        assertThat(got.get()).isEqualTo("ok");
        assertThat(executed).hasValue(0);
        assertThat(f.isDone()).isTrue();
        assertThat(f.join()).isEqualTo("ok");
        // A stage attached afterwards runs at once on the attaching thread, as with any completed future.
        assertThat(f.thenApply(s -> Thread.currentThread().getName()).join()).isEqualTo(Thread.currentThread().getName());
    }

    @Test
    void stagesAttachedBeforeThePublishRunOnTheCallbackExecutorNeverOnTheIoThread() throws Exception {
        CallFuture<String> f = new CallFuture<>(callbacks);
        CompletableFuture<String> stage = f.thenApply(s -> s + " on " + Thread.currentThread().getName());
        AtomicReference<Object> got = new AtomicReference<>();
        Thread t = waiter(f, got);
        awaitParked(t);
        io.submit(() -> f.publish("ok", null)).get();
        t.join(5000);
        assertThat(got.get()).isEqualTo("ok");
        assertThat(stage.get(5, TimeUnit.SECONDS)).isEqualTo("ok on test-callback");
        assertThat(executed).hasValue(1);
    }

    @Test
    void withoutAWaiterThePoolCompletes() throws Exception {
        CallFuture<String> f = new CallFuture<>(callbacks);
        AtomicReference<String> thread = new AtomicReference<>();
        CompletableFuture<Void> stage = f.whenComplete((v, e) -> thread.set(Thread.currentThread().getName()))
                .thenAccept(v -> { });
        io.submit(() -> f.publish("ok", null)).get();
        stage.get(5, TimeUnit.SECONDS);
        assertThat(thread.get()).isEqualTo("test-callback");
        assertThat(f.get()).isEqualTo("ok");
    }

    @Test
    void errorsReachTheWaiterAsExecutionException() throws Exception {
        CallFuture<String> f = new CallFuture<>(callbacks);
        AtomicReference<Object> got = new AtomicReference<>();
        Thread t = waiter(f, got);
        awaitParked(t);
        IllegalStateException boom = new IllegalStateException("boom");
        io.submit(() -> f.publish(null, boom)).get();
        t.join(5000);
        assertThat(got.get()).isInstanceOf(ExecutionException.class);
        assertThat(((Throwable) got.get()).getCause()).isSameAs(boom);
        assertThat(f.isCompletedExceptionally()).isTrue();
        assertThatThrownBy(f::join).hasCause(boom);
    }

    @Test
    void aTimedOutWaiterLeavesTheCompletionToThePool() throws Exception {
        CallFuture<String> f = new CallFuture<>(callbacks);
        assertThatThrownBy(() -> f.get(20, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        CompletableFuture<String> stage = f.thenApply(s -> Thread.currentThread().getName());
        io.submit(() -> f.publish("late", null)).get();
        assertThat(stage.get(5, TimeUnit.SECONDS)).isEqualTo("test-callback");
        assertThat(f.get(1, TimeUnit.SECONDS)).isEqualTo("late");
    }

    @Test
    void twoWaitersBothGetTheValue() throws Exception {
        CallFuture<String> f = new CallFuture<>(callbacks);
        AtomicReference<Object> a = new AtomicReference<>();
        AtomicReference<Object> b = new AtomicReference<>();
        Thread ta = waiter(f, a);
        Thread tb = waiter(f, b);
        awaitParked(ta);
        awaitParked(tb);
        io.submit(() -> f.publish("ok", null)).get();
        ta.join(5000);
        tb.join(5000);
        assertThat(a.get()).isEqualTo("ok");
        assertThat(b.get()).isEqualTo("ok");
    }

    @Test
    void cancelWakesABlockedWaiter() throws Exception {
        CallFuture<String> f = new CallFuture<>(callbacks);
        AtomicReference<Object> got = new AtomicReference<>();
        Thread t = waiter(f, got);
        awaitParked(t);
        assertThat(f.cancel(false)).isTrue();
        t.join(5000);
        assertThat(got.get()).isInstanceOf(CancellationException.class);
        io.submit(() -> f.publish("too late", null)).get();
        assertThat(f.isCancelled()).isTrue();
    }

    @Test
    void joinIsNotInterruptibleButKeepsTheInterrupt() throws Exception {
        CallFuture<String> f = new CallFuture<>(callbacks);
        AtomicReference<Object> got = new AtomicReference<>();
        AtomicReference<Boolean> interrupted = new AtomicReference<>();
        Thread t = new Thread(() -> {
            got.set(f.join());
            interrupted.set(Thread.currentThread().isInterrupted());
        }, "test-joiner");
        t.start();
        awaitParked(t);
        t.interrupt();
        awaitParked(t); // back to waiting: join() does not give up on an interrupt
        assertThat(t.isAlive()).isTrue();
        io.submit(() -> f.publish("ok", null)).get();
        t.join(5000);
        assertThat(got.get()).isEqualTo("ok");
        assertThat(interrupted.get()).isTrue();
    }

    @Test
    void anInterruptedGetThrowsAndStillLetsTheFutureComplete() throws Exception {
        CallFuture<String> f = new CallFuture<>(callbacks);
        AtomicReference<Object> got = new AtomicReference<>();
        Thread t = waiter(f, got);
        awaitParked(t);
        t.interrupt();
        t.join(5000);
        assertThat(got.get()).isInstanceOf(InterruptedException.class);
        io.submit(() -> f.publish("ok", null)).get();
        assertThat(f.get(5, TimeUnit.SECONDS)).isEqualTo("ok");
        assertThat(f.thenApply(s -> s).get(5, TimeUnit.SECONDS)).isEqualTo("ok");
    }
}
