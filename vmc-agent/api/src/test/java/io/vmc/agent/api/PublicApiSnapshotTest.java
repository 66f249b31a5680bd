package io.vmc.agent.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fails on any change of the public API of {@code io.vmc.agent.api}. After a deliberate change,
 * regenerate the snapshot with {@code mvn -pl vmc-agent/api -am test -Dtest=PublicApiSnapshotTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dvmc.api.update=true} and commit it with the change.
 */
@Timeout(30)
class PublicApiSnapshotTest {
    private static final Path SNAPSHOT = Path.of("src/test/resources/io/vmc/agent/api/public-api.txt");

    @Test
    void publicApiMatchesTheSnapshot() throws Exception {
        String actual = describeApi();
        if (Boolean.getBoolean("vmc.api.update") || !Files.exists(SNAPSHOT)) {
            Files.createDirectories(SNAPSHOT.getParent());
            Files.writeString(SNAPSHOT, actual, StandardCharsets.UTF_8);
        }
        String expected = Files.readString(SNAPSHOT, StandardCharsets.UTF_8);
        assertThat(actual)
                .as("public API of io.vmc.agent.api changed; if deliberate, rerun with -Dvmc.api.update=true and commit %s", SNAPSHOT)
                .isEqualTo(expected);
    }

    @Test
    void onlyTheApiPackageIsPublicApi() throws Exception {
        // Every public type of the API package is documented by its package-info; internal types
        // must not leak into public signatures.
        assertThat(describeApi()).doesNotContain("io.vmc.agent.internal").doesNotContain("io.vmc.agent.daemon")
                .doesNotContain("io.vmc.transport");
    }

    static String describeApi() throws IOException, URISyntaxException {
        Path dir = Path.of(Vmc.class.getProtectionDomain().getCodeSource().getLocation().toURI()).resolve("io/vmc/agent/api");
        List<Class<?>> types = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().collect(Collectors.toList())) {
                String n = f.getFileName().toString();
                if (!n.endsWith(".class") || n.equals("package-info.class")) {
                    continue;
                }
                try {
                    Class<?> c = Class.forName("io.vmc.agent.api." + n.substring(0, n.length() - 6).replace('$', '.'), false,
                            Vmc.class.getClassLoader());
                    types.add(c);
                } catch (ClassNotFoundException e) {
                    try {
                        types.add(Class.forName("io.vmc.agent.api." + n.substring(0, n.length() - 6), false, Vmc.class.getClassLoader()));
                    } catch (ClassNotFoundException e2) {
                        throw new IllegalStateException(e2);
                    }
                }
            }
        }
        StringBuilder out = new StringBuilder();
        types.stream().filter(c -> isPublicApi(c)).sorted((a, b) -> a.getName().compareTo(b.getName())).forEach(c -> {
            out.append(typeLine(c)).append('\n');
            List<String> members = new ArrayList<>();
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isPublic(f.getModifiers()) && !f.isSynthetic()) {
                    members.add("  field " + mods(f.getModifiers()) + f.getGenericType().getTypeName() + " " + f.getName());
                }
            }
            for (Constructor<?> k : c.getDeclaredConstructors()) {
                if (Modifier.isPublic(k.getModifiers())) {
                    members.add("  ctor " + c.getSimpleName() + params(k.getGenericParameterTypes()));
                }
            }
            for (Method m : c.getDeclaredMethods()) {
                if (Modifier.isPublic(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
                    members.add("  method " + mods(m.getModifiers() & ~Modifier.ABSTRACT) + (m.isDefault() ? "default " : "")
                            + m.getGenericReturnType().getTypeName() + " " + m.getName() + params(m.getGenericParameterTypes()));
                }
            }
            members.stream().map(m -> m.replace('$', '.')).sorted().forEach(m -> out.append(m).append('\n'));
        });
        return out.toString();
    }

    private static boolean isPublicApi(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            if (!Modifier.isPublic(k.getModifiers())) {
                return false;
            }
        }
        return !c.isAnonymousClass() && !c.isSynthetic();
    }

    private static String typeLine(Class<?> c) {
        String kind = c.isAnnotation() ? "@interface" : c.isInterface() ? "interface" : c.isEnum() ? "enum" : c.isRecord() ? "record" : "class";
        int m = c.getModifiers() & ~(Modifier.INTERFACE | Modifier.ABSTRACT | Modifier.STATIC);
        if (c.isEnum()) {
            m &= ~Modifier.FINAL;
        }
        StringBuilder s = new StringBuilder(mods(m)).append(kind).append(' ').append(c.getName().replace('$', '.'));
        if (!c.isEnum() && c.getGenericSuperclass() != null && c.getSuperclass() != Object.class && !c.isRecord()) {
            s.append(" extends ").append(c.getGenericSuperclass().getTypeName());
        }
        if (c.getGenericInterfaces().length > 0) {
            s.append(c.isInterface() ? " extends " : " implements ").append(
                    Arrays.stream(c.getGenericInterfaces()).map(Type::getTypeName).collect(Collectors.joining(", ")));
        }
        if (c.isEnum()) {
            s.append(" {").append(Arrays.stream(c.getEnumConstants()).map(Object::toString).collect(Collectors.joining(", "))).append('}');
        }
        return s.toString().replace('$', '.');
    }

    private static String params(Type[] types) {
        return Arrays.stream(types).map(Type::getTypeName).collect(Collectors.joining(", ", "(", ")")).replace('$', '.');
    }

    private static String mods(int m) {
        String s = Modifier.toString(m);
        return s.isEmpty() ? "" : s + " ";
    }
}
