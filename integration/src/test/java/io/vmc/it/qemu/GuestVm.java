package io.vmc.it.qemu;

import static org.awaitility.Awaitility.await;

import io.vmc.port.VirtioPort;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real QEMU guest for tests: Debian's kernel under TCG, an initramfs built at test time, the
 * host's root file system shared read-only over 9p with a tmpfs overlay on top (so the guest runs
 * the host's JDK and sees the build's jars at their host paths, and may write anywhere without
 * touching the host), and a virtio-serial port named {@value #PORT_NAME} whose host end is a unix
 * socket ({@link #portSocket()}). QMP is on {@link #qmpSocket()}, the serial console goes to
 * {@link #consoleLog()}.
 *
 * <p>Tests run programs in the guest with {@link #java} or {@link #run}; a second, private virtio
 * port carries the fixture's commands, so the guest does not poll. {@link #close()} stops QEMU and
 * deletes every file; QEMU also stops when the test JVM dies, since its wrapper waits on a pipe
 * from this JVM. Use {@link GuestVmExtension} for one VM per test class.
 */
public final class GuestVm implements AutoCloseable {

    /** The name of the port the tests talk through (the product's default). */
    public static final String PORT_NAME = VirtioPort.DEFAULT_NAME;
    /** The QEMU device id of that port, as {@code VSERPORT_CHANGE} events name it. */
    public static final String PORT_ID = "vmcport";
    /** The QEMU chardev id behind that port. */
    public static final String PORT_CHARDEV_ID = "vmc";
    /** Where the shared directory ({@link #sharedDir()}) appears in the guest. */
    public static final String GUEST_SHARED_DIR = "/run/vmc-it";
    /** JVM flags that start fastest under TCG (measured: about 4 s to main). */
    public static final List<String> FAST_JVM_FLAGS =
            List.of("-Xint", "-Xshare:auto", "-XX:+UseSerialGC", "-XX:-UsePerfData");

    /** Main class of the {@code ./vmc} launcher. */
    public static final String LAUNCHER_MAIN = "io.vmc.it.cli.VmcMain";

    static final String CONTROL_PORT_NAME = "io.vmc.it.control";
    /** System property naming the QEMU binary; default {@code qemu-system-x86_64} from PATH. */
    public static final String QEMU_PROPERTY = "vmc.it.qemu";
    private static final String QEMU = System.getProperty(QEMU_PROPERTY, "qemu-system-x86_64");
    private static final Logger LOG = LoggerFactory.getLogger(GuestVm.class);

    /**
     * Runs QEMU as a child that dies with us: when this JVM exits or crashes, the pipe on the
     * wrapper's stdin closes and the wrapper stops QEMU. Exits with QEMU's status.
     */
    private static final String WRAPPER = String.join("\n",
            "\"$@\" </dev/null & q=$!",
            "exec 3<&0",
            "( read -r _ <&3; kill $q 2>/dev/null ) & r=$!",
            "trap 'kill $q 2>/dev/null' TERM INT HUP",
            "wait $q; rc=$?",
            "kill $r 2>/dev/null",
            "exit $rc");

    private final Path dir;
    private final Path sharedDir;
    private final Process qemu;
    private final long startNanos;
    private final AtomicInteger jobIds = new AtomicInteger();
    /** How many times the guest's command loop said it is ready (once per boot). */
    private final AtomicInteger boots = new AtomicInteger();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final Object controlWriteLock = new Object();
    private volatile SocketChannel control;
    private volatile SocketChannel controlCandidate;
    private volatile Duration bootTime;
    private volatile boolean closed;
    private Map<String, Path> extraPortSockets = Map.of();

    private GuestVm(Path dir, Process qemu, long startNanos) {
        this.dir = dir;
        this.sharedDir = dir.resolve("shared");
        this.qemu = qemu;
        this.startNanos = startNanos;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * What this machine lacks to boot the guest, or empty. Debian packages: {@code qemu-system-x86},
     * {@code linux-image-amd64}, {@code busybox-static}.
     */
    public static Optional<String> missingPrerequisites() {
        List<String> missing = new ArrayList<>();
        if (findExecutable(QEMU).isEmpty()) {
            missing.add(QEMU + " (Debian package qemu-system-x86)");
        }
        try {
            if (Initramfs.findKernel().isEmpty()) {
                missing.add("a kernel in /boot with its virtio modules in /lib/modules (Debian package linux-image-amd64)");
            }
        } catch (IOException e) {
            missing.add("a readable /boot and /lib/modules (" + e + ")");
        }
        if (Initramfs.findBusybox().isEmpty()) {
            missing.add("busybox (Debian package busybox-static)");
        }
        return missing.isEmpty() ? Optional.empty() : Optional.of("cannot boot a test guest, missing: " + missing);
    }

    /** Host end of the guest's {@value #PORT_NAME} port (QEMU listens; connect any number of times). */
    public Path portSocket() {
        return dir.resolve("vmc.sock");
    }

    /**
     * Host end of an extra port added with {@link Builder#extraPort(String)} (QEMU listens, like
     * {@link #portSocket()}).
     */
    public Path extraPortSocket(String name) {
        Path p = extraPortSockets.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no extra port named " + name + "; have " + extraPortSockets.keySet());
        }
        return p;
    }

    /** QEMU's QMP socket, for {@link io.vmc.port.qmp.QmpWatcher}. */
    public Path qmpSocket() {
        return dir.resolve("qmp.sock");
    }

    /** Serial console of the guest (kernel messages and the init's failures). */
    public Path consoleLog() {
        return dir.resolve("console.log");
    }

    /** A folder that the guest sees, writable, at {@value #GUEST_SHARED_DIR}. */
    public Path sharedDir() {
        return sharedDir;
    }

    /** Time from starting QEMU to the guest's command loop being ready. */
    public Duration bootTime() {
        return bootTime;
    }

    /** Connects a new host peer to the guest's port. */
    public SocketChannel connectPort() throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(portSocket()));
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return ch;
    }

    /**
     * Runs {@code mainClass} in the guest with the host's JDK, the given JVM options (start from
     * {@link #FAST_JVM_FLAGS} unless you want the JIT) and class path (host paths: the guest sees
     * the host's file system).
     */
    public GuestProcess java(List<String> classpath, List<String> jvmArgs, String mainClass, String... args)
            throws IOException {
        List<String> argv = new ArrayList<>();
        argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        argv.addAll(jvmArgs);
        argv.add("-cp");
        argv.add(String.join(":", classpath));
        argv.add(mainClass);
        argv.addAll(Arrays.asList(args));
        return run(argv, Map.of());
    }

    /** Runs {@code mainClass} from the test's own class path (test classes, modules, dependencies). */
    public GuestProcess java(String mainClass, String... args) throws IOException {
        return java(testClasspath(), FAST_JVM_FLAGS, mainClass, args);
    }

    /** Runs a command in the guest, as root, in {@code /tmp}, with output to a file. */
    public GuestProcess run(List<String> argv, Map<String, String> env) throws IOException {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("argv must not be empty");
        }
        ensureRunning();
        int id = jobIds.incrementAndGet();
        StringBuilder script = new StringBuilder("cd /tmp\n");
        env.forEach((k, v) -> script.append("export ").append(quote(k + "=" + v)).append('\n'));
        script.append("exec ").append(argv.stream().map(GuestVm::quote).collect(Collectors.joining(" "))).append('\n');
        Files.writeString(jobs().resolve(id + ".sh"), script);
        sendControl("run " + id);
        return new GuestProcess(this, id, String.join(" ", argv));
    }

    /**
     * Runs the {@code vmc} launcher's entry point ({@value #LAUNCHER_MAIN}) in the guest, with the
     * launcher's class path ({@link #launcherClasspath}, found from the working directory: the
     * {@code integration} module under Failsafe) and {@link #FAST_JVM_FLAGS}; e.g.
     * {@code vm.vmc("agentd")}.
     */
    public GuestProcess vmc(String... args) throws IOException {
        Path cwd = Path.of("").toAbsolutePath();
        Path module = Files.isDirectory(cwd.resolve("integration/target")) ? cwd.resolve("integration") : cwd;
        return java(launcherClasspath(module), FAST_JVM_FLAGS, LAUNCHER_MAIN, args);
    }

    /** The class path of this test JVM (Surefire and Failsafe hide it behind a manifest jar). */
    public static List<String> testClasspath() {
        String cp = System.getProperty("surefire.test.class.path");
        if (cp == null || cp.isBlank()) {
            cp = System.getProperty("java.class.path");
        }
        return Arrays.stream(cp.split(java.io.File.pathSeparator)).filter(s -> !s.isBlank()).toList();
    }

    /**
     * The class path of the {@code vmc} launcher, as {@code mvn package} leaves it:
     * {@code integration/target/classes} plus {@code integration/target/classpath.txt} (the module
     * jars and dependencies). Pass it to {@link #java(List, List, String, String...)} to run
     * {@code vmc agentd} in the guest.
     */
    public static List<String> launcherClasspath(Path integrationModuleDir) throws IOException {
        Path cpFile = integrationModuleDir.resolve("target/classpath.txt");
        if (!Files.isRegularFile(cpFile)) {
            throw new NoSuchFileException(cpFile.toString(), null, "run 'mvn package' first");
        }
        List<String> cp = new ArrayList<>();
        cp.add(integrationModuleDir.resolve("target/classes").toAbsolutePath().toString());
        Arrays.stream(Files.readString(cpFile).strip().split(java.io.File.pathSeparator))
                .filter(s -> !s.isBlank()).forEach(cp::add);
        return cp;
    }

    /** The guest's serial console so far. */
    public String console() {
        try {
            return Files.readString(consoleLog(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "(no console: " + e + ")";
        }
    }

    /**
     * Resets the guest as a reboot would, QMP {@code system_reset} (the VM runs with
     * {@code -no-reboot}, so the reset action is switched to "reset" first), and waits until its
     * command loop is back; returns how long that took. Processes started before are gone: do not
     * signal their {@link GuestProcess} (the guest reuses pids), they never see an exit.
     */
    public Duration reboot(Duration timeout) throws IOException {
        ensureRunning();
        int before = boots.get();
        long start = System.nanoTime();
        qmp(qmpSocket(), "{\"execute\":\"set-action\",\"arguments\":{\"reboot\":\"reset\"}}");
        qmp(qmpSocket(), "{\"execute\":\"system_reset\"}");
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> boots.get() > before || !qemu.isAlive());
        } catch (ConditionTimeoutException e) {
            throw new IOException("the guest was not back within " + timeout + " of its reset; console:\n" + consoleTail());
        }
        ensureRunning();
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** Sends one QMP command to {@code socket} after the handshake and returns the reply line. */
    public static String qmp(Path socket, String command) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
            java.io.OutputStream out = Channels.newOutputStream(ch);
            in.readLine(); // greeting
            out.write("{\"execute\":\"qmp_capabilities\"}\n".getBytes(StandardCharsets.UTF_8));
            readQmpReply(in);
            out.write((command + "\n").getBytes(StandardCharsets.UTF_8));
            return readQmpReply(in);
        }
    }

    private static String readQmpReply(BufferedReader in) throws IOException {
        String line;
        while ((line = in.readLine()) != null) {
            if (line.contains("\"error\"")) {
                throw new IOException("QMP error: " + line);
            }
            if (line.contains("\"return\"")) {
                return line;
            }
        }
        throw new IOException("QMP closed");
    }

    /** Whether QEMU still runs. */
    public boolean isRunning() {
        return qemu.isAlive() && !closed;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (control != null) {
                control.close();
            }
            if (controlCandidate != null) {
                controlCandidate.close();
            }
        } catch (IOException e) {
            LOG.debug("closing the control connection", e);
        }
        stopQemu();
        ready.completeExceptionally(new IOException("the guest VM was closed"));
        deleteTree(dir);
    }

    @Override
    public String toString() {
        return "GuestVm[" + dir + "]";
    }

    Path jobs() {
        return sharedDir.resolve("jobs");
    }

    void sendControl(String line) throws IOException {
        ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII));
        synchronized (controlWriteLock) {
            while (b.hasRemaining()) {
                control.write(b);
            }
        }
    }

    void ensureRunning() throws IOException {
        if (closed) {
            throw new IOException("the guest VM is closed");
        }
        if (!qemu.isAlive()) {
            throw new IOException("QEMU exited with status " + qemu.exitValue() + "; console:\n" + consoleTail());
        }
    }

    String consoleTail() {
        String c = console();
        return c.length() <= 4000 ? c : "..." + c.substring(c.length() - 4000);
    }

    private void stopQemu() {
        try {
            qemu.getOutputStream().close(); // the wrapper stops QEMU with SIGTERM
        } catch (IOException e) {
            LOG.debug("closing the wrapper's stdin", e);
        }
        try {
            if (!qemu.waitFor(10, TimeUnit.SECONDS)) {
                qemu.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Last resort: the pid QEMU wrote itself.
        try {
            long pid = Long.parseLong(Files.readString(dir.resolve("qemu.pid")).strip());
            ProcessHandle.of(pid).filter(h -> h.info().command().map(c -> c.contains("qemu")).orElse(false))
                    .ifPresent(h -> {
                        LOG.warn("QEMU {} survived its wrapper; killing it", pid);
                        h.destroyForcibly();
                    });
        } catch (IOException | NumberFormatException e) {
            // No pid file: QEMU is gone and removed it, or never started.
        }
    }

    private void boot(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        // QEMU creates the listening socket soon after start; connect once it is there.
        Path ctl = dir.resolve("ctl.sock");
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(20)).pollDelay(Duration.ZERO)
                    .until(() -> !qemu.isAlive() || tryConnect(ctl) != null);
        } catch (ConditionTimeoutException e) {
            throw new IOException("QEMU did not open " + ctl + " within " + timeout);
        }
        ensureRunning();
        SocketChannel ch = controlCandidate;
        control = ch;
        Thread reader = new Thread(this::readControl, "guest-vm-control");
        reader.setDaemon(true);
        reader.start();
        try {
            long left = deadline - System.nanoTime();
            ready.get(Math.max(1, left), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IOException("the guest was not ready within " + timeout + "; console:\n" + consoleTail());
        } catch (ExecutionException e) {
            throw new IOException("the guest did not boot: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while booting the guest");
        }
        bootTime = Duration.ofNanos(System.nanoTime() - startNanos);
        LOG.info("guest ready {} ms after QEMU started ({})", bootTime.toMillis(), dir);
    }

    private void readControl() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(control),
                StandardCharsets.US_ASCII))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("ready")) {
                    boots.incrementAndGet();
                    ready.complete(null);
                }
            }
        } catch (IOException e) {
            if (!closed) {
                LOG.debug("control connection ended", e);
            }
        }
        if (!closed) {
            ready.completeExceptionally(new IOException("QEMU closed the control port; console:\n" + consoleTail()));
        }
    }

    private SocketChannel tryConnect(Path socket) throws IOException {
        if (!Files.exists(socket)) {
            return null;
        }
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            c.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            c.close();
            return null; // bound but not listening yet
        }
        controlCandidate = c;
        return c;
    }

    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static Optional<Path> findExecutable(String exe) {
        if (exe.contains("/")) {
            return Optional.of(Path.of(exe)).filter(Files::isExecutable);
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        return Arrays.stream(path.split(":")).map(p -> Path.of(p, exe)).filter(Files::isExecutable).findFirst();
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.warn("cannot delete {}: {}", p, e.toString());
                }
            });
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("cannot delete {}: {}", root, e.toString());
        }
    }

    /** Options for a {@link GuestVm}. */
    public static final class Builder {
        private int memoryMb = 512;
        private int overlayMb = 256;
        private Duration bootTimeout = Duration.ofSeconds(180);
        private String portChardev;
        private final List<String> extraQemuArgs = new ArrayList<>();
        private final List<String> extraPorts = new ArrayList<>();
        private final List<String> kernelArgs = new ArrayList<>();

        private Builder() {
        }

        /** Guest memory (default 512). */
        public Builder memoryMb(int mb) {
            if (mb < 256) {
                throw new IllegalArgumentException("memoryMb must be at least 256, was " + mb);
            }
            this.memoryMb = mb;
            return this;
        }

        /** Size of the tmpfs that takes the guest's writes (default 256). */
        public Builder overlayMb(int mb) {
            this.overlayMb = mb;
            return this;
        }

        public Builder bootTimeout(Duration timeout) {
            this.bootTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Replaces the port's backend, default {@code socket,path=<portSocket>,server=on,wait=off}.
         * Give the options after the chardev type without {@code id}, e.g.
         * {@code "spiceport,name=org.spice-space.vmc.0"} (then add {@code -spice ...} with
         * {@link #qemuArgs}).
         */
        public Builder portChardev(String chardevOptions) {
            this.portChardev = chardevOptions;
            return this;
        }

        /**
         * Adds another virtio-serial port named {@code name} (e.g. {@code org.spice-space.vmc.1})
         * whose host end is a unix socket, {@link GuestVm#extraPortSocket(String)}.
         */
        public Builder extraPort(String name) {
            if (!name.matches("[A-Za-z0-9._-]+") || name.equals(PORT_NAME) || name.equals(CONTROL_PORT_NAME)
                    || extraPorts.contains(name)) {
                throw new IllegalArgumentException("bad or duplicate port name: " + name);
            }
            extraPorts.add(name);
            return this;
        }

        /**
         * Extra kernel command line arguments after the fixture's own, e.g. {@code video=Virtual-2:1024x768e}
         * (one word each: letters, digits and {@code _.,:=/+-@}).
         */
        public Builder kernelArgs(String... args) {
            for (String a : args) {
                if (a == null || !a.matches("[A-Za-z0-9_.,:=/+@-]+")) {
                    throw new IllegalArgumentException("kernel argument must be one word of [A-Za-z0-9_.,:=/+@-], was: " + a);
                }
                kernelArgs.add(a);
            }
            return this;
        }

        /** Extra QEMU arguments appended as they are. */
        public Builder qemuArgs(String... args) {
            extraQemuArgs.addAll(Arrays.asList(args));
            return this;
        }

        /** Builds the initramfs, starts QEMU, and waits until the guest takes commands. */
        public GuestVm start() throws IOException {
            missingPrerequisites().ifPresent(m -> {
                throw new IllegalStateException(m);
            });
            sweepStaleDirectories();
            Path dir = Files.createTempDirectory("vmc-qemu-");
            if (dir.toString().contains(",") || dir.toString().length() > 80) {
                throw new IOException("temporary directory " + dir + " is unusable for QEMU sockets (comma or too long)");
            }
            GuestVm vm = null;
            try {
                Files.createDirectories(dir.resolve("shared/jobs"));
                Files.writeString(dir.resolve("shared/guest-loop.sh"), Initramfs.resource("guest-loop.sh"));
                Initramfs.Kernel kernel = Initramfs.findKernel().orElseThrow();
                Path initrd = dir.resolve("initrd.cpio");
                Initramfs.build(kernel, Initramfs.findBusybox().orElseThrow(), CONTROL_PORT_NAME, overlayMb, initrd);

                List<String> cmd = new ArrayList<>(List.of("sh", "-c", WRAPPER, "qemu-wrapper", QEMU,
                        "-accel", "tcg", "-smp", "1", "-m", Integer.toString(memoryMb),
                        "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
                        "-kernel", kernel.image().toString(), "-initrd", initrd.toString(),
                        "-append", String.join(" ", Stream.concat(
                                Stream.of("console=ttyS0", "quiet", "panic=-1"), kernelArgs.stream()).toList()),
                        "-serial", "file:" + dir.resolve("console.log"),
                        "-pidfile", dir.resolve("qemu.pid").toString(),
                        "-fsdev", "local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap",
                        "-device", "virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot",
                        "-fsdev", "local,id=shared,path=" + dir.resolve("shared") + ",security_model=none",
                        "-device", "virtio-9p-pci,fsdev=shared,mount_tag=vmcshared",
                        "-device", "virtio-serial-pci,id=vser0",
                        "-chardev", (portChardev != null ? portChardev
                                : "socket,path=" + dir.resolve("vmc.sock") + ",server=on,wait=off")
                                .replaceFirst("^([a-z]+)", "$1,id=" + PORT_CHARDEV_ID),
                        "-device", "virtserialport,bus=vser0.0,chardev=" + PORT_CHARDEV_ID + ",id=" + PORT_ID
                                + ",name=" + PORT_NAME,
                        "-chardev", "socket,id=ctl,path=" + dir.resolve("ctl.sock") + ",server=on,wait=off",
                        "-device", "virtserialport,bus=vser0.0,chardev=ctl,id=ctlport,name=" + CONTROL_PORT_NAME,
                        "-qmp", "unix:" + dir.resolve("qmp.sock") + ",server=on,wait=off"));
                Map<String, Path> extraSockets = new java.util.LinkedHashMap<>();
                for (int i = 0; i < extraPorts.size(); i++) {
                    Path sock = dir.resolve("port" + (i + 1) + ".sock");
                    extraSockets.put(extraPorts.get(i), sock);
                    cmd.addAll(List.of("-chardev", "socket,id=xport" + (i + 1) + ",path=" + sock + ",server=on,wait=off",
                            "-device", "virtserialport,bus=vser0.0,chardev=xport" + (i + 1) + ",id=xportdev" + (i + 1)
                                    + ",name=" + extraPorts.get(i)));
                }
                cmd.addAll(extraQemuArgs);
                LOG.debug("starting {}", cmd);
                long start = System.nanoTime();
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(dir.resolve("qemu.log").toFile()).start();
                vm = new GuestVm(dir, p, start);
                vm.extraPortSockets = Map.copyOf(extraSockets);
                vm.boot(bootTimeout);
                return vm;
            } catch (IOException | RuntimeException | Error e) {
                if (vm != null) {
                    String log = readQuietly(dir.resolve("qemu.log"));
                    if (!log.isBlank()) {
                        e.addSuppressed(new IOException("QEMU said: " + log.strip()));
                    }
                    vm.close();
                } else {
                    deleteTree(dir);
                }
                throw e;
            }
        }

        /**
         * Deletes folders left by test JVMs that were killed (their QEMU is gone: the wrapper saw
         * to that). A folder counts as stale when its QEMU pid is no longer a QEMU, after a grace
         * period that covers a VM still starting in a parallel build.
         */
        private static void sweepStaleDirectories() {
            Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
            try (var dirs = Files.newDirectoryStream(tmp, "vmc-qemu-*")) {
                for (Path d : dirs) {
                    if (Files.getLastModifiedTime(d).toInstant().isAfter(java.time.Instant.now().minusSeconds(600))) {
                        continue;
                    }
                    Optional<Long> pid;
                    try {
                        pid = Optional.of(Long.parseLong(Files.readString(d.resolve("qemu.pid")).strip()));
                    } catch (IOException | NumberFormatException e) {
                        pid = Optional.empty();
                    }
                    boolean qemuAlive = pid.flatMap(ProcessHandle::of)
                            .flatMap(h -> h.info().command()).map(c -> c.contains("qemu")).orElse(false);
                    if (!qemuAlive) {
                        LOG.info("deleting stale guest VM folder {}", d);
                        deleteTree(d);
                    }
                }
            } catch (IOException e) {
                LOG.debug("cannot sweep {}", tmp, e);
            }
        }

        private static String readQuietly(Path p) {
            try {
                return Files.readString(p, StandardCharsets.ISO_8859_1);
            } catch (NoSuchFileException e) {
                return "";
            } catch (IOException e) {
                return e.toString();
            }
        }
    }
}
