package io.vmc.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fails on an unintended change of the public API of {@code io.vmc.transport} (not {@code internal},
 * {@code proto} or {@code bench}). After an intended change, refresh the snapshot with
 * {@code mvn -pl vmc-transport test -Dtest=PublicApiTest -Dvmc.api.update=true} and commit it.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PublicApiTest {
    private static final Path SNAPSHOT = Path.of("src/test/resources/api/vmc-transport-api.txt");

    @Test
    void publicApiMatchesTheSnapshot() throws Exception {
        String actual = String.join("\n", describe()) + "\n";
        if (Boolean.getBoolean("vmc.api.update")) {
            Files.createDirectories(SNAPSHOT.getParent());
            Files.writeString(SNAPSHOT, actual, StandardCharsets.UTF_8);
        }
        assertThat(SNAPSHOT).as("API snapshot; create it with -Dvmc.api.update=true").exists();
        assertThat(actual).as("public API of io.vmc.transport changed; if intended, run with -Dvmc.api.update=true"
                + " and commit " + SNAPSHOT).isEqualTo(Files.readString(SNAPSHOT, StandardCharsets.UTF_8));
    }

    private static List<String> describe() throws IOException, URISyntaxException, ClassNotFoundException {
        Path dir = Path.of(VmcEndpoint.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("io/vmc/transport");
        List<String> names;
        try (Stream<Path> s = Files.list(dir)) {
            names = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".class") && !n.equals("package-info.class"))
                    .map(n -> "io.vmc.transport." + n.substring(0, n.length() - 6))
                    .filter(n -> !n.matches(".*\\$[0-9].*")).sorted().toList();
        }
        List<String> out = new ArrayList<>();
        for (String n : names) {
            Class<?> c = Class.forName(n, false, PublicApiTest.class.getClassLoader());
            if (!Modifier.isPublic(c.getModifiers()) || c.isAnonymousClass() || c.isSynthetic()) {
                continue;
            }
            out.add(Modifier.toString(c.getModifiers()) + " " + (c.isInterface() ? "" : c.isRecord() ? "record "
                    : c.isEnum() ? "enum " : "class ") + c.getName());
            List<String> members = new ArrayList<>();
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isPublic(f.getModifiers())) {
                    members.add("  field " + Modifier.toString(f.getModifiers()) + " " + f.getGenericType().getTypeName() + " " + f.getName());
                }
            }
            for (Constructor<?> k : c.getDeclaredConstructors()) {
                if (Modifier.isPublic(k.getModifiers())) {
                    members.add("  new " + c.getSimpleName() + params(k.getGenericParameterTypes()));
                }
            }
            for (Method m : c.getDeclaredMethods()) {
                if (Modifier.isPublic(m.getModifiers()) && !m.isSynthetic()) {
                    members.add("  " + (Modifier.isStatic(m.getModifiers()) ? "static " : "") + m.getGenericReturnType().getTypeName()
                            + " " + m.getName() + params(m.getGenericParameterTypes()));
                }
            }
            members.sort(null);
            out.addAll(members);
        }
        return out;
    }

    private static String params(java.lang.reflect.Type[] types) {
        List<String> p = new ArrayList<>();
        for (java.lang.reflect.Type t : types) {
            p.add(t.getTypeName());
        }
        return "(" + String.join(", ", p) + ")";
    }
}
