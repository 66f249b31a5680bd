package io.vmc.agent.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What an app that links {@code io.vmc:vmc-agent-api} gets on its class path: the API, the
 * transport and their small dependencies, none of the daemon's. The list is the build's own
 * resolution of this module's runtime scope ({@code target/app-classpath.txt}, written by the
 * dependency plugin before the tests; the same set {@code mvn dependency:list} shows).
 */
@Timeout(30)
class AppDependenciesTest {
    /** Jars (or reactor modules) that belong to vmc-agentd or the engine, never to an app. */
    private static final List<String> DAEMON_ONLY = List.of("vmc-engine", "vmc-agentd", "fake-stun", "overlay-renderer",
            "gst1-java-core", "gstreamer", "ice4j", "jitsi", "bcprov", "bctls", "picocli", "prometheus", "logback");

    @Test
    void anAppGetsTheApiAndTheTransportOnly() throws Exception {
        Path file = Path.of("target", "app-classpath.txt");
        assertThat(file).as("written by maven-dependency-plugin (app-classpath) in generate-test-resources").exists();
        List<String> entries = Arrays.stream(Files.readString(file, StandardCharsets.UTF_8).trim().split(":"))
                .filter(e -> !e.isBlank()).toList();

        assertThat(entries).as("the app's runtime class path").anyMatch(e -> e.contains("vmc-transport"));
        for (String forbidden : DAEMON_ONLY) {
            assertThat(entries).as("the app's runtime class path must not hold %s", forbidden)
                    .noneMatch(e -> Path.of(e).toString().contains(forbidden));
        }
    }
}
