package io.vmc.it.qemu;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A command running in a {@link GuestVm}: its output (stdout and stderr together) and exit code
 * come through the shared directory, so they can be read while it runs and after the VM is gone.
 */
public final class GuestProcess {

    private static final Duration POLL = Duration.ofMillis(20);

    private final GuestVm vm;
    private final int id;
    private final String command;

    GuestProcess(GuestVm vm, int id, String command) {
        this.vm = vm;
        this.id = id;
        this.command = command;
    }

    /** Output so far (stdout and stderr interleaved). */
    public String output() {
        return read(vm.jobs().resolve(id + ".out"));
    }

    /** Waits until the output contains {@code text}; fails with the output and console if it does not. */
    public GuestProcess awaitOutput(String text, Duration timeout) {
        try {
            await().atMost(timeout).pollInterval(POLL).pollDelay(Duration.ZERO)
                    .until(() -> output().contains(text) || exited() || !vm.isRunning());
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(describeFailure("no '" + text + "' in its output within " + timeout), e);
        }
        if (!output().contains(text)) {
            throw new AssertionError(describeFailure("ended without printing '" + text + "'"));
        }
        return this;
    }

    /** Exit status if it has ended. */
    public OptionalInt exitCode() {
        String s = read(vm.jobs().resolve(id + ".exit")).strip();
        return s.isEmpty() ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(s));
    }

    public boolean isAlive() {
        return exitCode().isEmpty() && vm.isRunning();
    }

    /** Waits for the end and returns the exit status. */
    public int waitFor(Duration timeout) {
        try {
            await().atMost(timeout).pollInterval(POLL).pollDelay(Duration.ZERO)
                    .until(() -> exited() || !vm.isRunning());
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(describeFailure("still running after " + timeout), e);
        }
        return exitCode().orElseThrow(() -> new AssertionError(describeFailure("the VM stopped under it")));
    }

    /** Sends a signal ({@code TERM}, {@code KILL}, {@code INT}...) once the process has started. */
    public void signal(String signal) throws IOException {
        if (!signal.matches("[A-Z0-9]+")) {
            throw new IllegalArgumentException("signal must be a name like TERM, was " + signal);
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(POLL).pollDelay(Duration.ZERO)
                .until(() -> Files.exists(vm.jobs().resolve(id + ".pid")) || !vm.isRunning());
        vm.ensureRunning();
        vm.sendControl("kill " + id + " " + signal);
    }

    /** SIGTERM, then waits for the end (SIGKILL after {@code grace}); returns the exit status. */
    public int stop(Duration grace) throws IOException {
        if (exited()) {
            return exitCode().getAsInt();
        }
        signal("TERM");
        try {
            await().atMost(grace).pollInterval(POLL).pollDelay(Duration.ZERO).until(() -> exited() || !vm.isRunning());
        } catch (ConditionTimeoutException e) {
            signal("KILL");
        }
        return waitFor(Duration.ofSeconds(30));
    }

    /** The guest pid, once started. */
    public OptionalInt guestPid() {
        String s = read(vm.jobs().resolve(id + ".pid")).strip();
        return s.isEmpty() ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(s));
    }

    @Override
    public String toString() {
        return "guest job " + id + ": " + command;
    }

    private boolean exited() {
        return Files.exists(vm.jobs().resolve(id + ".exit"));
    }

    private String describeFailure(String what) {
        return this + ": " + what + "\n--- output ---\n" + output() + "\n--- console (tail) ---\n" + vm.consoleTail();
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
