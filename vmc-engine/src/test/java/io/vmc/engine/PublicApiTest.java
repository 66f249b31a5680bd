package io.vmc.engine;

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
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The public API (everything outside {@code .internal}) against the snapshot in
 * {@code src/test/resources/public-api.txt}. An intended change: run with
 * {@code -Dvmc.updateApi=true} and commit the new snapshot.
 */
class PublicApiTest {
    private static final List<String> PACKAGES = List.of("io.vmc.engine", "io.vmc.engine.sdp", "io.vmc.engine.media", "io.vmc.engine.bench");

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void publicApiMatchesTheSnapshot() throws Exception {
        String now = String.join("\n", signatures()) + "\n";
        Path snapshot = Path.of("src/test/resources/public-api.txt");
        if (Boolean.getBoolean("vmc.updateApi") || !Files.exists(snapshot)) {
            Files.writeString(snapshot, now, StandardCharsets.UTF_8);
        }
        assertThat(now).as("public API changed; if intended, rerun with -Dvmc.updateApi=true").isEqualTo(Files.readString(snapshot));
    }

    private static TreeSet<String> signatures() throws IOException, URISyntaxException, ClassNotFoundException {
        TreeSet<String> out = new TreeSet<>();
        Path classes = Path.of(MediaEngine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        for (String pkg : PACKAGES) {
            Path dir = classes.resolve(pkg.replace('.', '/'));
            List<Path> files = new ArrayList<>();
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> p.toString().endsWith(".class") && !p.getFileName().toString().equals("package-info.class")).forEach(files::add);
            }
            for (Path f : files) {
                String name = pkg + "." + f.getFileName().toString().replace(".class", "").replace('/', '.');
                Class<?> c = Class.forName(name.replace('/', '.'), false, PublicApiTest.class.getClassLoader());
                if (!isPublic(c)) continue;
                String cn = c.getName();
                out.add(cn + " " + Modifier.toString(c.getModifiers() & ~Modifier.STATIC) + (c.isInterface() ? "" : " class"));
                for (Constructor<?> k : c.getDeclaredConstructors()) {
                    if (Modifier.isPublic(k.getModifiers())) out.add(cn + " <init>" + params(k.getParameterTypes()));
                }
                for (Method m : c.getDeclaredMethods()) {
                    if (Modifier.isPublic(m.getModifiers()) && !m.isSynthetic()) {
                        out.add(cn + " " + m.getName() + params(m.getParameterTypes()) + " : " + m.getReturnType().getName());
                    }
                }
                for (Field fl : c.getDeclaredFields()) {
                    if (Modifier.isPublic(fl.getModifiers())) out.add(cn + " field " + fl.getName() + " : " + fl.getType().getName());
                }
            }
        }
        return out;
    }

    private static boolean isPublic(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getDeclaringClass()) {
            if (!Modifier.isPublic(k.getModifiers())) return false;
        }
        return !c.isAnonymousClass() && !c.isSynthetic();
    }

    private static String params(Class<?>[] ps) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < ps.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(ps[i].getName());
        }
        return sb.append(')').toString();
    }
}
