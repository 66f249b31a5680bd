package io.vmc.it.packaging;

import io.vmc.it.lab.Shell;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway Debian system to install packages into for real: this machine's root as the lower
 * layer of an overlay (so the packages' dependencies are the ones installed here), writes going to
 * a temporary upper directory, inside a private mount namespace held by one {@code unshare}
 * process. Commands run chrooted into it; nothing leaks to the machine, and killing the holder
 * undoes every mount. Needs root.
 */
final class ThrowawaySystem implements AutoCloseable {
    /** apt and dpkg on a loaded 2-core machine: generous. */
    private static final long COMMAND_TIMEOUT_SECONDS = 300;

    private final Path merged;
    private final Process holder;
    private final List<Process> daemons = new ArrayList<>();

    record Result(int exit, String output) {}

    private ThrowawaySystem(Path merged, Process holder) {
        this.merged = merged;
        this.holder = holder;
    }

    static ThrowawaySystem create(Path dir) throws IOException {
        Path upper = Files.createDirectories(dir.resolve("upper"));
        Path work = Files.createDirectories(dir.resolve("work"));
        Path merged = Files.createDirectories(dir.resolve("root"));
        Process holder = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "sleep", "infinity")
                .redirectErrorStream(true).redirectOutput(dir.resolve("holder.log").toFile()).start();
        ThrowawaySystem system = new ThrowawaySystem(merged, holder);
        try {
            system.inNamespace("mount", "-t", "overlay", "overlay", "-o",
                    "lowerdir=/,upperdir=" + upper + ",workdir=" + work, merged.toString());
            system.inNamespace("mount", "-t", "proc", "proc", merged.resolve("proc").toString());
            system.inNamespace("mount", "--rbind", "/dev", merged.resolve("dev").toString());
            // Empty /run and /tmp, as on a freshly booted system.
            system.inNamespace("mount", "-t", "tmpfs", "tmpfs", merged.resolve("run").toString());
            system.inNamespace("mount", "-t", "tmpfs", "tmpfs", merged.resolve("tmp").toString());
        } catch (IOException | RuntimeException e) {
            system.close();
            throw e;
        }
        return system;
    }

    /** A path of the throwaway system, as this process can reach it (through the holder's namespace). */
    Path path(String absolute) {
        return Path.of("/proc", Long.toString(holder.pid()), "root", merged.toString(), absolute.substring(1));
    }

    /** Copies a file of this machine to {@code dest} in the throwaway system. */
    void copyIn(Path file, String dest) throws IOException {
        Files.copy(file, path(dest));
    }

    /** Runs {@code command} as root in the throwaway system, with a clean environment. */
    Result run(String... command) throws IOException {
        return runAs("root", command);
    }

    /** Runs {@code command} as {@code user} (a user of the throwaway system). */
    Result runAs(String user, String... command) throws IOException {
        Process p = new ProcessBuilder(chroot(user, List.of(), command)).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": timed out; output: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return new Result(p.exitValue(), out);
    }

    /** Starts a long-running {@code command} as {@code user}:{@code group} with extra groups; stopped at close. */
    Process start(String user, String group, List<String> groups, List<String> command, Path log) throws IOException {
        Process p = new ProcessBuilder(chroot(user + ":" + group, groups, command.toArray(String[]::new)))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        daemons.add(p);
        return p;
    }

    private List<String> chroot(String userspec, List<String> groups, String... command) {
        List<String> argv = new ArrayList<>(List.of("nsenter", "--target", Long.toString(holder.pid()), "--mount",
                "chroot", "--userspec=" + userspec));
        if (!groups.isEmpty()) {
            argv.add("--groups=" + String.join(",", groups));
        }
        argv.addAll(List.of(merged.toString(), "/usr/bin/env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
                "LANG=C.UTF-8", "DEBIAN_FRONTEND=noninteractive"));
        argv.addAll(List.of(command));
        return argv;
    }

    private void inNamespace(String... command) throws IOException {
        List<String> argv = new ArrayList<>(List.of("nsenter", "--target", Long.toString(holder.pid()), "--mount"));
        argv.addAll(List.of(command));
        Shell.run(argv);
    }

    @Override
    public void close() {
        daemons.forEach(Shell::stop);
        Shell.stop(holder);
    }
}
