package io.vmc.it.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Environments in which parts of this machine are invisible, to see what VMC says when they are
 * missing without removing anything: a PATH of links to every program but some, and a GStreamer
 * plugin directory of links to every plugin but some (with a fresh registry, as DoctorIT's empty
 * plugin path). Everything made is readable by every user, for runs as another user.
 */
final class MachineWithout {
    private final Path dir;
    private final Map<String, String> env = new HashMap<>();

    MachineWithout(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
        open(dir);
    }

    /** PATH holds every program of this PATH except {@code hidden} (first of a name wins, as in a shell). */
    MachineWithout programs(Set<String> hidden) throws IOException {
        Path bin = open(Files.createDirectories(dir.resolve("bin")));
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(d);
            if (d.isEmpty() || !Files.isDirectory(p)) {
                continue;
            }
            try (Stream<Path> programs = Files.list(p)) {
                for (Path program : programs.toList()) {
                    Path link = bin.resolve(program.getFileName().toString());
                    if (!hidden.contains(program.getFileName().toString()) && Files.isExecutable(program)
                            && !Files.isDirectory(program) && !Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        Files.createSymbolicLink(link, program.toAbsolutePath());
                    }
                }
            }
        }
        env.put("PATH", bin.toString());
        return this;
    }

    /** A program of our own in front of everything else (e.g. an apt-get that only records its arguments). */
    MachineWithout program(String name, String script) throws IOException {
        Path p = dir.resolve("bin").resolve(name);
        Files.deleteIfExists(p);
        Files.writeString(p, script, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return this;
    }

    /** GStreamer sees every installed plugin except the files {@code hidden} (e.g. libgstlibav.so). */
    MachineWithout gstPlugins(Set<String> hidden) throws IOException, InterruptedException {
        Path plugins = open(Files.createDirectories(dir.resolve("gst-plugins")));
        Path system = systemPluginDirectory();
        try (Stream<Path> files = Files.list(system)) {
            for (Path f : files.toList()) {
                if (!hidden.contains(f.getFileName().toString())) {
                    Files.createSymbolicLink(plugins.resolve(f.getFileName()), f);
                }
            }
        }
        Path registry = Files.createDirectories(dir.resolve("gst-registry"));
        Files.setPosixFilePermissions(registry, PosixFilePermissions.fromString("rwxrwxrwx"));
        env.put("GST_PLUGIN_SYSTEM_PATH_1_0", plugins.toString());
        env.put("GST_PLUGIN_PATH_1_0", plugins.toString());
        env.put("GST_REGISTRY_1_0", registry.resolve("registry.bin").toString());
        return this;
    }

    Map<String, String> environment() {
        return Map.copyOf(env);
    }

    /** Where this machine's GStreamer plugins are: the directory of its core elements. */
    private static Path systemPluginDirectory() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("gst-inspect-1.0", "coreelements").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        for (String line : out.lines().toList()) {
            List<String> f = List.of(line.trim().split("\\s+"));
            if (f.size() == 2 && f.get(0).equals("Filename")) {
                return Path.of(f.get(1)).getParent();
            }
        }
        throw new IOException("gst-inspect-1.0 coreelements names no plugin file:\n" + out);
    }

    private static Path open(Path p) throws IOException {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }
}
