package io.vmc.it.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.it.lab.Xvfb;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Debian packages the build makes, installed for real with {@code apt install ./FILE.deb} into a
 * throwaway system (this machine's root under an overlay, chrooted): the guest package creates its
 * user, enables its unit and gives the guest {@code vmc status} and {@code vmc doctor}; vmc-agentd
 * starts with the installed unit's exact ExecStart, User, Group and SupplementaryGroups, and
 * {@code vmc status}, run by a desktop user in the {@code vmc} group, answers. Then the client
 * package: {@code vmc engine}, the man page, the policy file as a conffile and the .vv handler.
 * Not emulated: the unit's sandboxing (ProtectSystem, PrivateTmp...), which only systemd applies.
 */
@Timeout(900)
class DebianPackagesIT {
    private static final Path DEBS = Path.of("target/debian");
    private static final long START_SECONDS = 180;

    @TempDir Path dir;

    @Test
    void guestAndClientPackagesInstallAndWork() throws Exception {
        requirePrerequisites();
        Path agentdDeb = deb("vmc-agentd");
        Path clientDeb = deb("vmc-client");
        try (ThrowawaySystem system = ThrowawaySystem.create(dir)) {
            system.copyIn(agentdDeb, "/tmp/" + agentdDeb.getFileName());
            system.copyIn(clientDeb, "/tmp/" + clientDeb.getFileName());

            // The guest: apt install ./vmc-agentd_*.deb, as the admin guide says.
            assertSucceeds(system.run("apt-get", "install", "-y", "--no-install-recommends",
                    "/tmp/" + agentdDeb.getFileName()));
            assertThat(system.run("id", "-nG", "vmc-agent").output()).contains("vmc");
            assertThat(Files.isSymbolicLink(system.path("/etc/systemd/system/multi-user.target.wants/vmc-agentd.service")))
                    .as("the unit is enabled").isTrue();
            assertSucceeds(system.run("systemd-analyze", "verify", "/lib/systemd/system/vmc-agentd.service"));
            assertThat(conffiles(system, "vmc-agentd")).contains("/etc/vmc/agentd.conf");

            UnitFile unit = UnitFile.read(system.path("/lib/systemd/system/vmc-agentd.service"));
            Path runDir = system.path("/run/" + unit.value("RuntimeDirectory"));
            Files.createDirectories(runDir);
            assertSucceeds(system.run("chown", unit.value("User") + ":" + unit.value("Group"), "/run/" + unit.value("RuntimeDirectory")));
            Path log = dir.resolve("agentd.log");
            Process agentd = system.start(unit.value("User"), unit.value("Group"),
                    List.of(unit.value("SupplementaryGroups")), unit.execStart(), log);
            awaitSocket(system.path("/run/vmc/agent.sock"), agentd, log);

            assertSucceeds(system.run("useradd", "--groups", "vmc", "alice"));
            ThrowawaySystem.Result status = system.runAs("alice", "vmc", "status");
            assertThat(status.exit()).as(status.output()).isZero();
            assertThat(status.output()).contains("mode:     FALLBACK", "NO_CHANNEL", "engine:   none")
                    .doesNotContain("INFO");
            // No VMC port in a chroot: the doctor finds everything else and says what is missing.
            ThrowawaySystem.Result doctor = system.run("vmc", "doctor", "--role", "guest");
            assertThat(doctor.output()).contains("1 missing", "MISSING  virtio port org.spice-space.vmc.0");

            // The thin client: apt install ./vmc-client_*.deb.
            assertSucceeds(system.run("apt-get", "install", "-y", "--no-install-recommends",
                    "/tmp/" + clientDeb.getFileName()));
            assertThat(system.run("readlink", "-f", "/usr/bin/vmc").output().strip())
                    .as("the client's vmc, which has every command, wins").isEqualTo("/usr/share/vmc/vmc");
            ThrowawaySystem.Result help = system.run("vmc", "engine", "--help");
            assertThat(help.exit()).as(help.output()).isZero();
            assertThat(help.output()).contains("--spice", "--policy");
            assertThat(system.run("man", "-P", "cat", "vmc").output()).contains("vmc engine", "/etc/vmc/engine.conf");
            assertThat(conffiles(system, "vmc-client")).contains("/etc/vmc/engine.conf");
            assertThat(system.runAs("alice", "vmc", "status").output()).contains("mode:     FALLBACK");
            // The .vv handler (which application a desktop picks is not asked here: gio found none
            // in the chroot, not even with the entry's program on PATH; not investigated further).
            assertThat(Files.readString(system.path("/usr/share/applications/vmc-engine.desktop")))
                    .contains("Exec=vmc engine %f", "MimeType=application/x-virt-viewer;");
            assertThat(Files.readString(system.path("/usr/share/mime/packages/vmc-engine.xml")))
                    .contains("type=\"application/x-virt-viewer\"", "*.vv");
        }
    }

    private static String conffiles(ThrowawaySystem system, String pkg) throws IOException {
        return system.run("dpkg-query", "-W", "-f=${Conffiles}", pkg).output();
    }

    private static void assertSucceeds(ThrowawaySystem.Result r) {
        assertThat(r.exit()).as(r.output()).isZero();
    }

    private static Path deb(String name) throws IOException {
        try (Stream<Path> files = Files.list(DEBS)) {
            return files.filter(f -> f.getFileName().toString().matches(name + "_.*_all\\.deb")).findFirst()
                    .orElseThrow(() -> new IOException("no " + name + " package in " + DEBS + " (mvn package builds it)"));
        }
    }

    private static void awaitSocket(Path socket, Process agentd, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
        while (!Files.exists(socket)) {
            if (!agentd.isAlive() || System.nanoTime() > deadline) {
                Assertions.fail("agentd did not open " + socket + " (alive: " + agentd.isAlive() + "): "
                        + Files.readString(log));
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    private static void requirePrerequisites() {
        String missing = !"root".equals(System.getProperty("user.name")) ? "root (mounts and chroot)"
                : Xvfb.missing("unshare", "nsenter", "chroot", "apt-get", "systemd-analyze", "man").orElse(null);
        if (missing != null) {
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail("missing " + missing + " (CI=true: the package test must run)");
            }
            Assumptions.abort("missing " + missing);
        }
    }

    /** The few keys of a systemd unit the test applies, with ExecStart split as systemd splits it. */
    record UnitFile(List<String> lines) {
        static UnitFile read(Path file) throws IOException {
            // Continuation lines (a trailing backslash) are one line.
            String joined = Files.readString(file).replaceAll("\\\\\\n\\s*", " ");
            return new UnitFile(Arrays.asList(joined.split("\n")));
        }

        String value(String key) {
            return lines.stream().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1).strip())
                    .findFirst().orElseThrow(() -> new AssertionError("the unit has no " + key));
        }

        /** Words separated by spaces; double quotes keep a word together and are removed. */
        List<String> execStart() {
            List<String> words = new ArrayList<>();
            StringBuilder word = new StringBuilder();
            boolean quoted = false;
            boolean inWord = false;
            for (char c : value("ExecStart").toCharArray()) {
                if (c == '"') {
                    quoted = !quoted;
                    inWord = true;
                } else if (c == ' ' && !quoted) {
                    if (inWord) {
                        words.add(word.toString());
                        word.setLength(0);
                        inWord = false;
                    }
                } else {
                    word.append(c);
                    inWord = true;
                }
            }
            if (inWord) {
                words.add(word.toString());
            }
            return words;
        }
    }
}
