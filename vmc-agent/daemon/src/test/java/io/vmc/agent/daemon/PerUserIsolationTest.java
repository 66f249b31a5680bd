package io.vmc.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vmc.agent.api.MediaSession;
import io.vmc.agent.api.SessionOptions;
import io.vmc.agent.api.Vmc;
import io.vmc.agent.internal.ForeignApp;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real process of another user (nobody, via setpriv) cannot see or touch root's session, while
 * its own calls work. Needs root and setpriv; under CI=true their absence fails the test.
 */
@Timeout(90)
class PerUserIsolationTest {

    @Test
    void anotherUsersAppCannotSeeOrTouchMySessions() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean setpriv = Files.isExecutable(Path.of("/usr/bin/setpriv"));
        if (!"true".equals(System.getenv("CI"))) {
            assumeTrue(root && setpriv, "needs root and setpriv");
        }
        assertThat(root && setpriv).as("root and /usr/bin/setpriv (util-linux)").isTrue();

        // A world-readable copy of the classpath: the build's own may sit under an unreadable home.
        Path base = Files.createTempDirectory(Path.of("/tmp"), "vmc-iso-");
        try {
            Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
            String cp = copyClasspath(base.resolve("cp"));
            AgentDaemon.Options o = AgentdHarness.options(base);
            o.socketMode = "rw-rw-rw-"; // the file mode lets nobody in; peer credentials keep calls apart
            try (EngineSide engine = new EngineSide(base.resolve("engine.sock"), 440);
                    AgentDaemon agentd = AgentDaemon.start(o);
                    Vmc mine = Vmc.connect(base.resolve("agent.sock"))) {
                MediaSession call = mine.newSession(SessionOptions.audioOnly());
                Process p = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                        "-cp", cp, ForeignApp.class.getName(), base.resolve("agent.sock").toString(), call.id())
                        .redirectErrorStream(true).start();
                String out;
                try {
                    out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
                } finally {
                    p.destroyForcibly();
                }
                assertThat(out).as(out)
                        .contains("status-sessions=0")
                        .contains("close=NOT_FOUND")
                        .contains("offer=NOT_FOUND")
                        .contains("stats=NOT_FOUND")
                        .contains("own-offer=true")
                        .contains("status-after=1");
                assertThat(call.createOffer()).contains("m=audio"); // untouched
                assertThat(mine.status().sessionIds()).hasSize(1); // root sees all live sessions; nobody's is gone with its process
            }
        } finally {
            try (Stream<Path> walk = Files.walk(base)) {
                walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static String copyClasspath(Path dest) throws Exception {
        Files.createDirectories(dest);
        String raw = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> out = new ArrayList<>();
        int i = 0;
        for (String entry : raw.split(File.pathSeparator)) {
            Path src = Path.of(entry);
            if (!Files.exists(src)) {
                continue;
            }
            Path target = dest.resolve((i++) + "-" + src.getFileName());
            if (Files.isDirectory(src)) {
                try (Stream<Path> walk = Files.walk(src)) {
                    for (Path f : (Iterable<Path>) walk::iterator) {
                        Path t = target.resolve(src.relativize(f).toString());
                        if (Files.isDirectory(f)) {
                            Files.createDirectories(t);
                        } else {
                            Files.copy(f, t);
                        }
                    }
                }
            } else {
                Files.copy(src, target);
            }
            out.add(target.toString());
        }
        try (Stream<Path> walk = Files.walk(dest)) {
            for (Path f : (Iterable<Path>) walk::iterator) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(Files.isDirectory(f) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return String.join(File.pathSeparator, out);
    }
}
