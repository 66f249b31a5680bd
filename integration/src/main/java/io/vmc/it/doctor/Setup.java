package io.vmc.it.doctor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * What a VMC command needs from this machine, and the set-up that provides it. The needs are the
 * lines of the one package list, {@code packages/debian.txt}: each program and GStreamer element
 * VMC looks up, the Debian package that provides it, and the roles that need it. The doctor, the
 * launcher and {@code .ci/run} all read that list.
 *
 * <p>{@code ./vmc demo} and {@code ./vmc test} run {@link #main} before they build: as root on
 * Debian it installs what is missing with apt-get and lets the command go on; otherwise, or with
 * {@code --no-install}, it prints the plan and the {@code apt-get install} line and exits 2. On a
 * fresh clone nothing is built yet, so the launcher runs this file in source-file mode
 * ({@code java Setup.java}): it uses only the JDK and keeps its helpers as nested types.
 */
public final class Setup {

    /** Exit code of a command that stopped because something it needs is missing. */
    public static final int EXIT_MISSING = 2;

    /** The list as the build bundles it next to this class (the doctor and the commands read this copy). */
    static final String BUNDLED_LIST = "debian.txt";

    /** Options of every install: the list names what is needed, recommends would add much more. */
    public static final String APT_INSTALL = "apt-get install -y --no-install-recommends";

    public static final List<String> ROLES = List.of("client", "guest", "dev", "demo");

    /** The features a line may name after its role ({@code demo/video}), and what they are for users. */
    public static final Map<String, String> FEATURES = Map.of(
            "demo/netns", "the demo in network namespaces (as root)",
            "demo/video", "./vmc demo --video",
            "demo/video-xvfb", "./vmc demo --video without $DISPLAY",
            "client/h264", "H.264 video",
            "guest/fallback", "fallback media inside the VM");

    private Setup() {}

    /** How VMC looks a need up. */
    public enum Kind {
        TOOL("tool", "tools"), ELEMENT("gst element", "gst elements"), LIBRARY("library", "libraries"),
        FILE("file", "files"), PACKAGE("package", "packages");

        private final String singular;
        private final String plural;

        Kind(String singular, String plural) {
            this.singular = singular;
            this.plural = plural;
        }

        public String label(int count) {
            return count == 1 ? singular : plural;
        }
    }

    /** One line of the list. */
    public record Need(Kind kind, String name, String debianPackage, List<String> neededBy, String why) {
        /** {@code "tool tshark"}, {@code "gst element opusenc"}: the doctor's check names. */
        public String label() {
            return kind.label(1) + " " + name;
        }

        /** Whether {@code role} with {@code features} on needs this at all, and how much. */
        public Level level(String role, Set<String> features) {
            Level level = Level.NONE;
            for (String token : neededBy) {
                if (token.equals(role) || features.contains(token)) {
                    return Level.REQUIRED;
                }
                if (token.startsWith(role + "/")) {
                    level = Level.OPTIONAL;
                }
            }
            return level;
        }

        /** The features of {@code role} that need this, for "only for ..." notes. */
        public List<String> featuresOf(String role) {
            return neededBy.stream().filter(t -> t.startsWith(role + "/")).map(FEATURES::get).toList();
        }
    }

    public enum Level { NONE, OPTIONAL, REQUIRED }

    /** Looks needs up on a machine. */
    public interface Probe {
        boolean present(Need need);
    }

    // ---------------------------------------------------------------- the list

    /** Parses the list; a bad line fails with its file and line number. */
    public static List<Need> parse(List<String> lines, String source) {
        List<Need> needs = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = source + ":" + (i + 1) + ": ";
            String[] f = line.split("\\s+", 5);
            if (f.length < 5) {
                throw new IllegalArgumentException(where + "expected KIND NAME PACKAGE NEEDED-BY WHY, got: " + line);
            }
            Kind kind;
            try {
                kind = Kind.valueOf(f[0].toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + "unknown kind '" + f[0] + "' (allowed: "
                        + Arrays.stream(Kind.values()).map(k -> k.name().toLowerCase(Locale.ROOT))
                                .collect(Collectors.joining(", ")) + ")");
            }
            List<String> neededBy = List.of(f[3].split(","));
            for (String token : neededBy) {
                if (!ROLES.contains(token) && !FEATURES.containsKey(token)) {
                    throw new IllegalArgumentException(where + "unknown role '" + token + "' (allowed: "
                            + String.join(", ", ROLES) + ", " + String.join(", ", new TreeSet<>(FEATURES.keySet())) + ")");
                }
            }
            if (!seen.add(kind + " " + f[1])) {
                throw new IllegalArgumentException(where + kind.label(1) + " " + f[1] + " is listed twice");
            }
            needs.add(new Need(kind, f[1], f[2], neededBy, f[4].strip()));
        }
        return List.copyOf(needs);
    }

    public static List<Need> read(Path file) throws IOException {
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
    }

    /** The list bundled with the build. */
    public static List<Need> bundled() {
        try (InputStream in = Setup.class.getResourceAsStream(BUNDLED_LIST)) {
            if (in == null) {
                throw new IllegalStateException("the package list " + BUNDLED_LIST + " is not on the class path "
                        + "(the build copies packages/debian.txt there)");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return parse(text.lines().toList(), "packages/debian.txt");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The needs of {@code role} with {@code features} on, at {@code level}. */
    public static List<Need> select(List<Need> all, String role, Set<String> features, Level level) {
        return all.stream().filter(n -> n.level(role, features) == level).toList();
    }

    // ---------------------------------------------------------------- what a command needs

    /** Role and features of a launcher command, and whether it may install. */
    public record Command(String name, String role, Set<String> features, boolean noInstall, String what) {}

    /** {@code ./vmc demo [--video] [--loopback] [--no-install]} or {@code ./vmc test [--no-install]}. */
    public static Command command(String name, List<String> args) {
        boolean noInstall = args.contains("--no-install");
        return switch (name) {
            case "demo" -> new Command(name, "demo", demoFeatures(args.contains("--loopback"), args.contains("--video")),
                    noInstall, "the demo");
            case "test" -> new Command(name, "dev", Set.of(), noInstall, "the test suite");
            default -> throw new IllegalArgumentException("no set-up for '" + name + "' (only demo and test)");
        };
    }

    /** The demo's features as {@code Demo} will use them: namespaces as root, unless --loopback. */
    public static Set<String> demoFeatures(boolean loopback, boolean video) {
        Set<String> features = new TreeSet<>();
        if (!loopback && isRoot()) {
            features.add("demo/netns");
        }
        if (video) {
            features.add("demo/video");
            String display = System.getenv("DISPLAY");
            if (display == null || display.isBlank()) {
                features.add("demo/video-xvfb");
            }
        }
        return features;
    }

    // ---------------------------------------------------------------- set-up

    /**
     * Checks {@code needs}; when something is missing installs it (root on Debian, unless
     * {@code noInstall}) or prints the apt-get line.
     *
     * @return 0 when everything is there (or now installed), {@link #EXIT_MISSING} when something
     *     is missing and was not installed, 1 when the installation failed
     */
    public static int ensure(Command command, List<Need> needs, Probe probe, PrintStream out) {
        List<Need> missing = needs.stream().filter(n -> !probe.present(n)).toList();
        if (missing.isEmpty()) {
            return 0;
        }
        String prefix = "vmc " + command.name() + ": ";
        Plan plan = new Plan(missing);
        boolean root = isRoot();
        if (command.noInstall() || !root || !isDebian()) {
            out.printf("%sthis machine lacks %s that %s needs:%n", prefix, plan.countText(), command.what());
            plan.lines(null).forEach(out::println);
            if (!isDebian()) {
                out.println("This is not Debian (no /etc/debian_version or apt-get): install the equivalent of these "
                        + "Debian packages, then run ./vmc " + command.name() + " again:");
            } else {
                out.printf("Install %s%s, then run ./vmc %s again:%n", plan.packages().size() == 1 ? "it" : "them",
                        root ? "" : " (as root)", command.name());
            }
            out.println("  " + plan.aptGetLine(root));
            return EXIT_MISSING;
        }
        out.printf("%sinstalling %s that %s needs:%n", prefix, plan.countText(), command.what());
        plan.lines(null).forEach(out::println);
        out.printf("%sapt-get update && %s %s%n", prefix, APT_INSTALL, String.join(" ", plan.packages()));
        out.flush();
        int rc = aptGet(List.of("update", "-q"));
        if (rc == 0) {
            List<String> install = new ArrayList<>(List.of("install", "-y", "-q", "--no-install-recommends"));
            install.addAll(plan.packages());
            rc = aptGet(install);
        }
        if (rc != 0) {
            out.printf("%sapt-get failed (exit %d); the command was: %s%n", prefix, rc, plan.aptGetLine(true));
            return 1;
        }
        // Look again from scratch: the probe may hold what it saw before (a GStreamer registry).
        Probe fresh = machineProbe();
        List<Need> still = missing.stream().filter(n -> !fresh.present(n)).toList();
        if (!still.isEmpty()) {
            out.printf("%sstill missing after apt-get install:%n", prefix);
            new Plan(still).lines(null).forEach(out::println);
            return 1;
        }
        out.printf("%sinstalled %s; going on.%n", prefix, plan.countText());
        return 0;
    }

    private static int aptGet(List<String> args) {
        List<String> command = new ArrayList<>(List.of("apt-get"));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
        try {
            return pb.start().waitFor();
        } catch (IOException e) {
            return 127;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    /** What is missing, by package: the lines users read and the apt-get line that installs it. */
    public record Plan(List<Need> missing) {
        /** Packages in alphabetical order. */
        public List<String> packages() {
            return missing.stream().map(Need::debianPackage).distinct().sorted().toList();
        }

        /** {@code "2 Debian packages"}. */
        public String countText() {
            int n = packages().size();
            return n + " Debian package" + (n == 1 ? "" : "s");
        }

        /**
         * One line per package: {@code "  tshark  for tool tshark: captures ..."}.
         *
         * @param role when not null, add which of its features need the package ("only for ...")
         */
        public List<String> lines(String role) {
            Map<String, List<Need>> byPackage = new TreeMap<>();
            missing.forEach(n -> byPackage.computeIfAbsent(n.debianPackage(), k -> new ArrayList<>()).add(n));
            int width = byPackage.keySet().stream().mapToInt(String::length).max().orElse(0);
            List<String> lines = new ArrayList<>();
            byPackage.forEach((pkg, needs) -> {
                StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "  %-" + width + "s  for ", pkg));
                Map<Kind, List<String>> names = new LinkedHashMap<>();
                needs.forEach(n -> names.computeIfAbsent(n.kind(), k -> new ArrayList<>()).add(n.name()));
                s.append(names.entrySet().stream().map(e -> e.getKey().label(e.getValue().size()) + " "
                        + abbreviate(e.getValue())).collect(Collectors.joining("; ")));
                s.append(": ").append(needs.stream().map(Need::why).distinct().collect(Collectors.joining("; ")));
                if (role != null) {
                    Set<String> features = new LinkedHashSet<>();
                    needs.forEach(n -> features.addAll(n.featuresOf(role)));
                    if (!features.isEmpty()) {
                        s.append(" (only for ").append(String.join(", ", features)).append(")");
                    }
                }
                lines.add(s.toString());
            });
            return lines;
        }

        /** The one line that installs everything missing; root needs no sudo. */
        public String aptGetLine(boolean root) {
            String sudo = root ? "" : "sudo ";
            String install = sudo + APT_INSTALL + " " + String.join(" ", packages());
            // A fresh Debian image has no package lists yet; apt-get install alone would find nothing.
            return hasPackageLists() ? install : sudo + "apt-get update && " + install;
        }

        private static String abbreviate(List<String> names) {
            int shown = 4;
            return names.size() <= shown + 1 ? String.join(", ", names)
                    : String.join(", ", names.subList(0, shown)) + " and " + (names.size() - shown) + " more";
        }
    }

    // ---------------------------------------------------------------- the machine

    /** Whether this process runs as root (uid 0), as apt-get and network namespaces need. */
    public static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    static boolean isDebian() {
        return Files.exists(Path.of("/etc/debian_version")) && onPath("apt-get");
    }

    private static boolean hasPackageLists() {
        try (DirectoryStream<Path> lists = Files.newDirectoryStream(Path.of("/var/lib/apt/lists"), "*_Packages*")) {
            return lists.iterator().hasNext();
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether {@code command} is an executable in a directory of $PATH. */
    public static boolean onPath(String command) {
        return which(command) != null;
    }

    /** The executable {@code command} resolves to on $PATH, or null. */
    public static Path which(String command) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty()) {
                Path p = Path.of(dir, command);
                if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    /** Whether a path matching {@code glob} exists; only the last component may hold wildcards. */
    public static boolean fileExists(String glob) {
        Path pattern = Path.of(glob);
        Path dir = pattern.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            return false;
        }
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + pattern.getFileName());
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                if (m.matches(p.getFileName())) {
                    return true;
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** Where JNA finds {@code lib<name>.so*}: LD_LIBRARY_PATH, then the system's library directories. */
    public static Path findLibrary(String name) {
        List<Path> dirs = new ArrayList<>();
        String ld = System.getenv("LD_LIBRARY_PATH");
        if (ld != null) {
            Arrays.stream(ld.split(":")).filter(d -> !d.isEmpty()).map(Path::of).forEach(dirs::add);
        }
        for (String base : List.of("/lib", "/usr/lib")) {
            try (DirectoryStream<Path> multiarch = Files.newDirectoryStream(Path.of(base), "*-linux-gnu*")) {
                multiarch.forEach(dirs::add);
            } catch (IOException ignored) {
                // no such directory
            }
            dirs.add(Path.of(base + "64"));
            dirs.add(Path.of(base));
        }
        String prefix = "lib" + name + ".so";
        for (Path dir : dirs) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, prefix + "*")) {
                for (Path p : entries) {
                    String rest = p.getFileName().toString().substring(prefix.length());
                    if (rest.isEmpty() || rest.matches("(\\.\\d+)+")) {
                        return p;
                    }
                }
            } catch (IOException ignored) {
                // not a directory here
            }
        }
        return null;
    }

    /** Installed Debian packages among {@code packages} (dpkg's view), empty without dpkg-query. */
    public static Set<String> installedPackages(Collection<String> packages) {
        Set<String> installed = new HashSet<>();
        if (packages.isEmpty() || !onPath("dpkg-query")) {
            return installed;
        }
        List<String> command = new ArrayList<>(List.of("dpkg-query", "-W", "-f=${Package} ${db:Status-Abbrev}\\n"));
        command.addAll(packages);
        for (String line : output(command).lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 2 && f[1].startsWith("ii")) {
                installed.add(f[0]);
            }
        }
        return installed;
    }

    /** GStreamer element names gst-inspect-1.0 lists, or null when gst-inspect-1.0 is missing. */
    static Set<String> gstInspectElements() {
        if (!onPath("gst-inspect-1.0")) {
            return null;
        }
        Set<String> elements = new HashSet<>();
        // Lines look like "opus:  opusenc: Opus audio encoder".
        for (String line : output(List.of("gst-inspect-1.0")).lines().toList()) {
            String[] f = line.split(":\\s+", 3);
            if (f.length == 3 && !f[0].isBlank() && f[1].matches("[\\w-]+")) {
                elements.add(f[1]);
            }
        }
        return elements;
    }

    /**
     * Looks needs up with the JDK and a few system programs only (what works before the build):
     * programs and files directly, elements through gst-inspect-1.0 (or dpkg when that is not
     * installed yet), libraries by file name.
     */
    public static Probe machineProbe() {
        return new Probe() {
            private Set<String> elements;
            private final Map<String, Boolean> dpkgInstalled = new HashMap<>();
            private boolean looked;

            @Override
            public boolean present(Need need) {
                return switch (need.kind()) {
                    case TOOL -> onPath(need.name());
                    case FILE -> fileExists(need.name());
                    case LIBRARY -> findLibrary(need.name()) != null;
                    case PACKAGE -> dpkg(need);
                    case ELEMENT -> {
                        if (!looked) {
                            looked = true;
                            elements = gstInspectElements();
                        }
                        yield elements != null ? elements.contains(need.name()) : dpkg(need);
                    }
                };
            }

            private boolean dpkg(Need need) {
                return dpkgInstalled.computeIfAbsent(need.debianPackage(),
                        p -> !installedPackages(List.of(p)).isEmpty());
            }
        };
    }

    private static String output(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            StringBuilder out = new StringBuilder();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    out.append(line).append('\n');
                }
            }
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            return out.toString();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    // ---------------------------------------------------------------- the launcher's entry point

    /**
     * {@code Setup --list packages/debian.txt demo|test [ARGS...]}: the launcher's check before it
     * builds. Exits 0 when the command may go on.
     */
    public static void main(String[] args) throws IOException {
        List<String> rest = new ArrayList<>(List.of(args));
        if (rest.size() < 3 || !rest.get(0).equals("--list")) {
            System.err.println("usage: Setup --list FILE demo|test [ARGS...]");
            System.exit(64);
        }
        List<String> commandArgs = rest.subList(3, rest.size());
        if (commandArgs.stream().anyMatch(a -> List.of("-h", "--help", "-V", "--version").contains(a))) {
            System.exit(0); // asking for help needs nothing installed
        }
        List<Need> all = read(Path.of(rest.get(1)));
        Command command = command(rest.get(2), commandArgs);
        List<Need> needs = select(all, command.role(), command.features(), Level.REQUIRED);
        System.exit(ensure(command, needs, machineProbe(), System.out));
    }
}
