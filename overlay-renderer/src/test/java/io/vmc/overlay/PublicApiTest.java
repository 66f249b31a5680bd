package io.vmc.overlay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Member;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The public API of {@code io.vmc.overlay} against the snapshot {@code api.txt} next to this test.
 * On an intended change, copy {@code target/api.txt} over the snapshot.
 */
@Timeout(10)
class PublicApiTest {

    static final List<Class<?>> API = List.of(GuestMonitor.class, OverlayException.class, OverlayListener.class, OverlayOptions.class,
            OverlayOptions.Builder.class, OverlaySupport.class, Rect.class, ScalingMode.class, VideoArea.class,
            VideoArea.Builder.class, VideoOverlay.class);

    static String describe() {
        List<String> lines = new ArrayList<>();
        for (Class<?> c : API) {
            lines.add(Modifier.toString(c.getModifiers()) + " " + c.getName());
            Stream.of(c.getDeclaredConstructors(), c.getDeclaredMethods(), c.getDeclaredFields())
                    .flatMap(Stream::of)
                    .filter(m -> Modifier.isPublic(((Member) m).getModifiers()) && !((Member) m).isSynthetic())
                    .map(m -> "  " + (m instanceof java.lang.reflect.Method meth ? meth.toGenericString()
                            : m instanceof java.lang.reflect.Constructor<?> ctor ? ctor.toGenericString()
                            : ((java.lang.reflect.Field) m).toGenericString()))
                    .sorted()
                    .forEach(lines::add);
        }
        return lines.stream().collect(Collectors.joining("\n", "", "\n"));
    }

    @Test
    void publicApiMatchesTheSnapshot() throws IOException {
        String now = describe();
        Files.writeString(Path.of("target", "api.txt"), now);
        try (InputStream in = PublicApiTest.class.getResourceAsStream("api.txt")) {
            assertThat(in).as("snapshot api.txt missing; see target/api.txt").isNotNull();
            assertThat(now).as("public API changed; if intended, copy target/api.txt to"
                    + " src/test/resources/io/vmc/overlay/api.txt").isEqualTo(new String(in.readAllBytes(),
                            StandardCharsets.UTF_8));
        }
    }
}
