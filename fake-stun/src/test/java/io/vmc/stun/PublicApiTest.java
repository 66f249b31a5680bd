package io.vmc.stun;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The public API of io.vmc.stun against the snapshot in src/test/resources/api/fake-stun.txt. On an
 * intended change, copy target/fake-stun-api.txt over the snapshot.
 */
@Timeout(10)
class PublicApiTest {
    static final List<Class<?>> API = List.of(Rule.class, Rule.Builder.class, RuleSyntaxException.class,
            StunCommand.class, StunServer.class, StunServer.Builder.class, StunServer.Stats.class, TranslationTable.class);

    @Test
    void publicApiMatchesTheSnapshot() throws IOException {
        List<String> lines = new ArrayList<>();
        for (Class<?> c : API) {
            lines.add(c.getName());
            List<String> members = new ArrayList<>();
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isPublic(f.getModifiers())) {
                    members.add("  field " + Modifier.toString(f.getModifiers()) + " " + f.getType().getSimpleName() + " " + f.getName());
                }
            }
            for (Constructor<?> k : c.getDeclaredConstructors()) {
                if (Modifier.isPublic(k.getModifiers())) {
                    members.add("  new(" + params(k.getParameterTypes()) + ")");
                }
            }
            for (Method m : c.getDeclaredMethods()) {
                if (Modifier.isPublic(m.getModifiers()) && !m.isSynthetic()) {
                    members.add("  " + (Modifier.isStatic(m.getModifiers()) ? "static " : "") + m.getGenericReturnType().getTypeName()
                            + " " + m.getName() + "(" + params(m.getParameterTypes()) + ")"
                            + (m.getExceptionTypes().length > 0 ? " throws " + params(m.getExceptionTypes()) : ""));
                }
            }
            members.sort(null);
            lines.addAll(members);
        }
        String actual = String.join("\n", lines) + "\n";
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "fake-stun-api.txt"), actual);
        String expected;
        try (InputStream in = PublicApiTest.class.getResourceAsStream("/api/fake-stun.txt")) {
            assertThat(in).as("snapshot src/test/resources/api/fake-stun.txt (generated: target/fake-stun-api.txt)").isNotNull();
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(actual).as("public API changed; if intended, copy target/fake-stun-api.txt to src/test/resources/api/fake-stun.txt")
                .isEqualTo(expected);
    }

    private static String params(Class<?>[] types) {
        return String.join(", ", Arrays.stream(types).map(Class::getSimpleName).toList());
    }
}
