package io.vmc.it.lab;

import io.vmc.it.cli.VmcMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One {@code vmc SUBCOMMAND} in its own JVM, as a user would start it (optionally inside a
 * network namespace). Its output goes to a log file and, line by line, to a listener.
 */
public final class VmcProcess implements AutoCloseable {

    /**
     * System property naming a file with the dependency class path (written by the build as
     * integration/target/classpath.txt); tests set it because Failsafe hides its class path.
     */
    public static final String CLASSPATH_FILE_PROPERTY = "vmc.classpath.file";
    /** With {@link #CLASSPATH_FILE_PROPERTY}: the directory with VMC's own integration classes. */
    public static final String CLASSES_DIR_PROPERTY = "vmc.classes.dir";

    private final String name;
    private final Process process;
    private final Thread pump;

    private VmcProcess(String name, Process process, Path log, Consumer<String> lines) {
        this.name = name;
        this.process = process;
        this.pump = new Thread(() -> pump(log, lines), "vmc-output-" + name);
        this.pump.setDaemon(true);
        this.pump.start();
    }

    /**
     * Starts {@code vmc args...}; {@code vmc engine} with the engine's own JVM options ({@link #engineCommand}).
     *
     * @param namespace network namespace to run in, or null for this one
     * @param lines receives each output line (stdout and stderr), on a pump thread
     */
    public static VmcProcess start(String name, String namespace, Path log, Consumer<String> lines,
            List<String> args) throws IOException {
        return start(name, namespace, log, lines, args, Map.of());
    }

    /** Like {@link #start(String, String, Path, Consumer, List)} with extra environment variables. */
    public static VmcProcess start(String name, String namespace, Path log, Consumer<String> lines,
            List<String> args, Map<String, String> environment) throws IOException {
        List<String> command = new ArrayList<>(args.isEmpty() || !args.get(0).equals("engine")
                ? javaCommand() : engineCommand());
        command.addAll(args);
        command = NetworkLab.inNamespace(namespace, command);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(environment);
        Process p = pb.start();
        p.getOutputStream().close();
        return new VmcProcess(name, p, log, lines);
    }

    /**
     * Starts vmc-agentd as it runs in a VM: its own lean class path and the JVM options of
     * {@code vmc-agent/packaging/agentd.jvm} (the systemd unit's), not the launcher's.
     */
    public static VmcProcess startAgentd(String name, String namespace, Path log, Consumer<String> lines,
            List<String> args) throws IOException {
        List<String> command = new ArrayList<>(agentdCommand());
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(NetworkLab.inNamespace(namespace, command)).redirectErrorStream(true);
        Process p = pb.start();
        p.getOutputStream().close();
        return new VmcProcess(name, p, log, lines);
    }

    /** The java command line of vmc-agentd (see {@link #startAgentd}), up to its arguments. */
    public static List<String> agentdCommand() throws IOException {
        Path root = repositoryRoot();
        Path target = root.resolve("vmc-agent/daemon/target");
        Path cpFile = target.resolve("agentd-classpath.txt");
        Path lib = target.resolve("agentd-lib");
        if (!Files.isRegularFile(cpFile) || !Files.isDirectory(lib)) {
            throw new IOException("vmc-agentd's class path is not built (" + cpFile + "): run mvn package");
        }
        List<String> cp = new ArrayList<>();
        cp.add(target.resolve("classes").toString());
        cp.add(Files.readString(cpFile, StandardCharsets.UTF_8).trim());
        try (var jars = Files.list(lib)) {
            jars.filter(j -> j.toString().endsWith(".jar")).sorted().forEach(j -> cp.add(j.toString()));
        }
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + root.resolve("vmc-agent/packaging/agentd.jvm"),
                "-cp", String.join(":", cp), "io.vmc.agent.AgentdCommand");
    }

    /** The checkout: {@code vmc.root}, or found from where these classes were loaded (integration/target/...). */
    public static Path repositoryRoot() throws IOException {
        String prop = System.getProperty("vmc.root");
        if (prop != null) {
            return Path.of(prop);
        }
        try {
            Path p = Path.of(VmcProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path d = p; d != null; d = d.getParent()) {
                if (Files.isRegularFile(d.resolve("vmc-agent/packaging/agentd.jvm"))) {
                    return d;
                }
            }
        } catch (java.net.URISyntaxException | SecurityException e) {
            throw new IOException("cannot tell where the checkout is: " + e.getMessage(), e);
        }
        throw new IOException("cannot find the checkout (vmc-agent/packaging/agentd.jvm) above "
                + VmcProcess.class.getProtectionDomain().getCodeSource().getLocation() + "; set -Dvmc.root");
    }

    /** The java command line that runs {@link VmcMain} with VMC's class path. */
    public static List<String> javaCommand() throws IOException {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", classPath(), VmcMain.class.getName());
    }

    /**
     * The java command line of {@code vmc engine} as the launcher and the vmc-client package run it:
     * the JVM options of {@code vmc-engine/packaging/engine.jvm} (a 64 MB heap), so that what tests
     * and benchmarks see of the engine's memory and limits is what thin clients get.
     */
    public static List<String> engineCommand() throws IOException {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + repositoryRoot().resolve("vmc-engine/packaging/engine.jvm"),
                "-cp", classPath(), VmcMain.class.getName());
    }

    static String classPath() throws IOException {
        String file = System.getProperty(CLASSPATH_FILE_PROPERTY);
        if (file == null) {
            return System.getProperty("java.class.path");
        }
        String deps = Files.readString(Path.of(file), StandardCharsets.UTF_8).trim();
        return System.getProperty(CLASSES_DIR_PROPERTY) + ":" + deps;
    }

    private void pump(Path log, Consumer<String> lines) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8));
                PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                out.println(line);
                out.flush();
                lines.accept(line);
            }
        } catch (IOException e) {
            lines.accept(name + ": output lost: " + e.getMessage());
        }
    }

    public String name() {
        return name;
    }

    /** The process id (of {@code ip netns exec}'s child, which replaces it with exec). */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the process to end by itself; returns its exit code, or -1 on timeout. */
    public int waitFor(long timeout, TimeUnit unit) throws InterruptedException {
        if (!process.waitFor(timeout, unit)) {
            return -1;
        }
        pump.join(TimeUnit.SECONDS.toMillis(2));
        return process.exitValue();
    }

    /** Kills the process at once (SIGKILL, a crash), and waits until it is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** Asks the process to stop (SIGTERM), then kills it if it has not ended after 5 s. */
    @Override
    public void close() {
        Shell.stop(process);
    }
}
