package io.vmc.it.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.freedesktop.gstreamer.ElementFactory;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Plugin;
import org.freedesktop.gstreamer.PluginFeature;
import org.freedesktop.gstreamer.Registry;
import org.freedesktop.gstreamer.Version;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The package list ({@code packages/debian.txt}) against the code and this machine. Every string
 * literal in the sources of every module (main and test: the test suite's needs are the dev
 * role's) is compared with what this machine has: a literal that is a GStreamer element in the
 * registry, or a program on PATH from a package that is not part of every Debian system, must be
 * a line of the list. So a new lookup without a list entry fails here. And each listed element,
 * program, library and file must be present here (the dev machine installs the whole list) and
 * come from the package the line names.
 */
@Timeout(120)
class PackageListTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern STRING = Pattern.compile("\"((?:[^\"\\\\\\n]|\\\\.)*)\"");
    private static final Pattern CHAR = Pattern.compile("'(?:[^'\\\\\\n]|\\\\.)'");
    /** The script of {@code "sh", "-c", "Xvfb -displayfd 1 ..."}: its first word is a program too. */
    private static final Pattern SHELL_SCRIPT = Pattern.compile("\"-c\",\\s*\"([A-Za-z][\\w.+-]*)[\\s\"]");

    /**
     * Literals that are element names but no lookup: a videotestsrc pattern; the browser program
     * (plugins-bad also has a "chromium" video effect).
     */
    private static final Set<String> NOT_ELEMENTS = Set.of("smpte", "chromium");
    /**
     * Literals that happen to be program names but are data: a colour, JSON and table keys, a
     * JNA function (write, open: xdg-utils, which chromium brings, has an "open" program), a package
     * name given to a helper, the list's kind "file", the initramfs' /init.
     */
    private static final Set<String> NOT_PROGRAMS = Set.of("red", "size", "time", "top", "write", "bc", "coturn",
            "file", "init", "open", "virt-viewer"); // open: a QMP field and a system call; virt-viewer: the .vv group name

    private static List<Setup.Need> list;
    private static Map<String, String> elementPlugins; // element -> plugin file, for every element here

    @BeforeAll
    static void readListAndRegistry() throws IOException {
        list = Setup.read(ROOT.resolve("packages/debian.txt"));
        if (!Gst.isInitialized()) {
            Gst.init(Version.of(1, 16), "vmc-package-list-test", io.vmc.engine.internal.media.GstSupport.NO_SEGTRAP);
        }
        elementPlugins = new HashMap<>();
        Registry registry = Registry.get();
        for (Plugin plugin : registry.getPluginList()) {
            if (plugin.getName().equals("staticelements")) {
                continue; // bin and pipeline, built into libgstreamer: words in prose more often than lookups
            }
            for (PluginFeature f : registry.getPluginFeatureListByPlugin(plugin.getName())) {
                if (f.getName().matches("[a-z0-9_-]+") && isElement(f.getName())) { // not tracers, typefinders
                    elementPlugins.put(f.getName(), plugin.getFilename());
                }
            }
        }
    }

    @Test
    void theBuildBundlesTheListTheDoctorReads() {
        assertThat(Setup.bundled()).isEqualTo(list);
    }

    @Test
    void everyGStreamerElementTheCodeNamesIsInTheList() throws IOException {
        Set<String> listed = names(Setup.Kind.ELEMENT);
        Map<String, Set<String>> unlisted = new TreeMap<>();
        forEachLiteral((file, literal) -> {
            for (String token : literal.split("[\\s!\"(),;]+")) {
                if (elementPlugins.containsKey(token) && !listed.contains(token) && !NOT_ELEMENTS.contains(token)) {
                    unlisted.computeIfAbsent(token, k -> new TreeSet<>()).add(file);
                }
            }
        });
        assertThat(unlisted).as("GStreamer elements the code names that packages/debian.txt lacks "
                + "(add an 'element' line with its package and roles)").isEmpty();
    }

    @Test
    void everyProgramTheCodeRunsIsInTheList() throws IOException {
        Map<String, Set<String>> candidates = new TreeMap<>();
        forEachLiteral((file, literal) -> {
            if (literal.matches("[A-Za-z][\\w.+-]*") && !NOT_PROGRAMS.contains(literal)
                    && Setup.which(literal) != null) {
                candidates.computeIfAbsent(literal, k -> new TreeSet<>()).add(file);
            }
        });
        forEachSource((file, text) -> {
            Matcher m = SHELL_SCRIPT.matcher(text);
            while (m.find()) {
                if (Setup.which(m.group(1)) != null) {
                    candidates.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(file);
                }
            }
        });
        Map<String, String> owners = owners(candidates.keySet().stream()
                .collect(Collectors.toMap(p -> p, p -> Setup.which(p))));
        Set<String> everywhere = basePackages(new TreeSet<>(owners.values()));
        Set<String> listed = names(Setup.Kind.TOOL);
        Map<String, String> unlisted = new TreeMap<>();
        candidates.forEach((program, files) -> {
            String owner = owners.get(program);
            if (owner != null && !everywhere.contains(owner) && !listed.contains(program)) {
                unlisted.put(program, "package " + owner + ", named in " + files);
            }
        });
        assertThat(unlisted).as("programs the code names that packages/debian.txt lacks (add a 'tool' line; a "
                + "literal that is data, not a command, goes in NOT_PROGRAMS)").isEmpty();
    }

    @Test
    void everyListedElementIsHereAndComesFromItsPackage() throws IOException {
        Map<String, Path> files = new TreeMap<>();
        List<String> absent = new ArrayList<>();
        for (Setup.Need n : needs(Setup.Kind.ELEMENT)) {
            String plugin = elementPlugins.get(n.name());
            if (plugin == null) {
                absent.add(n.name());
            } else {
                files.put(n.name(), Path.of(plugin));
            }
        }
        assertThat(absent).as("listed elements this machine's GStreamer lacks (a typo, or .ci/run did not "
                + "install the list)").isEmpty();
        assertComeFromTheirPackages(Setup.Kind.ELEMENT, files);
    }

    @Test
    void everyListedProgramLibraryAndFileIsHereAndComesFromItsPackage() throws IOException {
        for (Setup.Kind kind : List.of(Setup.Kind.TOOL, Setup.Kind.LIBRARY, Setup.Kind.FILE)) {
            Map<String, Path> files = new TreeMap<>();
            List<String> absent = new ArrayList<>();
            for (Setup.Need n : needs(kind)) {
                Path p = switch (kind) {
                    case TOOL -> Setup.which(n.name());
                    case LIBRARY -> Setup.findLibrary(n.name());
                    default -> firstMatch(n.name());
                };
                if (p == null) {
                    absent.add(n.name());
                } else {
                    files.put(n.name(), p);
                }
            }
            assertThat(absent).as("listed %ss missing on this machine", kind.label(1)).isEmpty();
            assertComeFromTheirPackages(kind, files);
        }
        Set<String> packages = needs(Setup.Kind.PACKAGE).stream().map(Setup.Need::debianPackage).collect(Collectors.toSet());
        assertThat(Setup.installedPackages(packages)).as("listed packages installed here").isEqualTo(packages);
    }

    @Test
    void theLauncherAndCiReadTheListInsteadOfKeepingACopy() throws IOException {
        String ci = Files.readString(ROOT.resolve(".ci/run"));
        assertThat(ci).contains("packages/debian.txt").doesNotContain("PACKAGES=(").doesNotContain("gstreamer1.0-");
        String launcher = Files.readString(ROOT.resolve("vmc"));
        assertThat(launcher).contains("packages/debian.txt", "io/vmc/it/doctor/Setup.java").doesNotContain("gstreamer1.0-");
        try (Stream<Path> doctor = Files.list(ROOT.resolve("integration/src/main/java/io/vmc/it/doctor"))) {
            for (Path source : doctor.toList()) {
                assertThat(Files.readString(source)).as(source.toString()).doesNotContain("\"gstreamer1.0-");
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private void assertComeFromTheirPackages(Setup.Kind kind, Map<String, Path> files) {
        Map<String, String> owners = owners(files);
        Map<String, String> wrong = new TreeMap<>();
        for (Setup.Need n : needs(kind)) {
            String owner = owners.get(n.name());
            if (files.containsKey(n.name()) && !n.debianPackage().equals(owner)
                    && !dependencies(n.debianPackage()).contains(owner)) {
                wrong.put(n.name(), files.get(n.name()) + " is in " + owner + ", the list says " + n.debianPackage());
            }
        }
        assertThat(wrong).as("%ss whose package is wrong in packages/debian.txt", kind.label(1)).isEmpty();
    }

    private static boolean isElement(String name) {
        try {
            return ElementFactory.find(name) != null;
        } catch (IllegalArgumentException notAnElement) {
            return false;
        }
    }

    private static List<Setup.Need> needs(Setup.Kind kind) {
        return list.stream().filter(n -> n.kind() == kind).toList();
    }

    private static Set<String> names(Setup.Kind kind) {
        return needs(kind).stream().map(Setup.Need::name).collect(Collectors.toSet());
    }

    private static Path firstMatch(String glob) throws IOException {
        Path pattern = Path.of(glob);
        try (var dir = Files.newDirectoryStream(pattern.getParent(), pattern.getFileName().toString())) {
            for (Path p : dir) {
                return p;
            }
        }
        return null;
    }

    interface LiteralVisitor {
        void visit(String file, String literal);
    }

    interface SourceVisitor {
        void visit(String file, String text) throws IOException;
    }

    /** Every Java source of every module, main and test. */
    private static void forEachSource(SourceVisitor visitor) throws IOException {
        try (Stream<Path> files = Files.walk(ROOT)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> p.toString().contains("/src/main/java/") || p.toString().contains("/src/test/java/"))
                    .filter(p -> !p.toString().contains("/target/")).sorted().toList()) {
                visitor.visit(ROOT.relativize(f).toString(), Files.readString(f, StandardCharsets.UTF_8));
            }
        }
    }

    private static void forEachLiteral(LiteralVisitor visitor) throws IOException {
        forEachSource((file, text) -> {
            if (file.endsWith("PackageListTest.java")) {
                return; // this test's own word lists
            }
            Matcher m = STRING.matcher(CHAR.matcher(text).replaceAll("' '"));
            while (m.find()) {
                visitor.visit(file, m.group(1));
            }
        });
    }

    /** The Debian package owning each file (by name), null when no package owns it. */
    private static Map<String, String> owners(Map<String, Path> files) {
        Map<String, List<String>> candidates = new HashMap<>();
        files.forEach((name, p) -> {
            Set<String> forms = new LinkedHashSet<>();
            for (Path q : List.of(p, realPath(p))) {
                String s = q.toString();
                forms.add(s);
                // merged /usr: dpkg may know the file by its other name
                forms.add(s.startsWith("/usr/") ? s.substring(4) : "/usr" + s);
            }
            candidates.put(name, new ArrayList<>(forms));
        });
        List<String> command = new ArrayList<>(List.of("dpkg-query", "-S"));
        candidates.values().forEach(command::addAll);
        Map<String, String> ownerByPath = new HashMap<>();
        for (String line : run(command).lines().toList()) {
            int colon = line.indexOf(": ");
            if (colon > 0 && !line.startsWith("diversion")) {
                String pkg = line.substring(0, colon).split(",")[0].trim().replaceFirst(":.*", "");
                ownerByPath.put(line.substring(colon + 2).trim(), pkg);
            }
        }
        Map<String, String> owners = new HashMap<>();
        candidates.forEach((name, forms) -> forms.stream().map(ownerByPath::get).filter(o -> o != null).findFirst()
                .ifPresent(o -> owners.put(name, o)));
        return owners;
    }

    private static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p;
        }
    }

    /** Packages every Debian system has (Essential, or priority required): no need to list their programs. */
    private static Set<String> basePackages(Set<String> packages) {
        List<String> command = new ArrayList<>(List.of("dpkg-query", "-W", "-f=${Package} ${Essential} ${Priority}\\n"));
        command.addAll(packages);
        Set<String> base = new TreeSet<>();
        for (String line : run(command).lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && (f[1].equals("yes") || f[2].equals("required"))) {
                base.add(f[0]);
            }
        }
        return base;
    }

    /** Direct dependencies of a package: a metapackage such as imagemagick ships its programs through them. */
    private static Set<String> dependencies(String pkg) {
        Set<String> deps = new TreeSet<>();
        for (String alternative : run(List.of("dpkg-query", "-W", "-f=${Depends}", pkg)).split("[,|]")) {
            String name = alternative.trim().replaceFirst("[\\s(:].*", "");
            if (!name.isEmpty()) {
                deps.add(name);
            }
        }
        return deps;
    }

    private static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            throw new AssertionError(command.get(0) + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
