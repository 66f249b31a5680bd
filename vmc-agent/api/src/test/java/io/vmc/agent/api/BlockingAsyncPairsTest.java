package io.vmc.agent.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The API's one pattern: every operation (a method that asks vmc-agentd) exists as {@code x(P...)}
 * returning {@code T} (or void) and as {@code xAsync(P...)} returning {@code CompletableFuture<T>}
 * (or {@code <Void>}). Methods that only read local state or register listeners have one form.
 */
@Timeout(30)
class BlockingAsyncPairsTest {
    /** Local, immediate methods: accessors of state the agent's events keep current, listeners, Vmc.close. */
    private static final Set<String> LOCAL = Set.of("id", "options", "state", "isMuted", "sessions", "mode",
            "modeReason", "modeInfo", "isConnected", "addListener", "removeListener", "onStateChange",
            "onLocalCandidate", "onStats", "addModeListener", "removeModeListener", "addDeviceListener",
            "removeDeviceListener", "addThinClientListener", "removeThinClientListener");

    @Test
    void everyOperationOfVmcAndMediaSessionHasBothForms() {
        List<String> unpaired = new ArrayList<>();
        unpaired.addAll(unpaired(Vmc.class, Set.of("close")));
        unpaired.addAll(unpaired(MediaSession.class, Set.of()));
        assertThat(unpaired).as("operations without their blocking or async form").isEmpty();
    }

    private static List<String> unpaired(Class<?> api, Set<String> alsoLocal) {
        List<String> out = new ArrayList<>();
        for (Method m : api.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class
                    || m.getDeclaringClass() == AutoCloseable.class || LOCAL.contains(m.getName()) || alsoLocal.contains(m.getName())) {
                continue;
            }
            boolean async = m.getName().endsWith("Async");
            String twin = async ? m.getName().substring(0, m.getName().length() - "Async".length()) : m.getName() + "Async";
            Method other;
            try {
                other = api.getMethod(twin, m.getParameterTypes());
            } catch (NoSuchMethodException e) {
                out.add(api.getSimpleName() + "." + m.getName() + Arrays.toString(m.getParameterTypes()) + ": no " + twin);
                continue;
            }
            Method blocking = async ? other : m;
            Method future = async ? m : other;
            Type expected = blocking.getReturnType() == void.class ? Void.class : box(blocking.getGenericReturnType());
            Type actual = future.getGenericReturnType();
            if (!(actual instanceof ParameterizedType p) || p.getRawType() != CompletableFuture.class
                    || !p.getActualTypeArguments()[0].equals(expected)) {
                out.add(api.getSimpleName() + "." + future.getName() + " returns " + actual + ", expected CompletableFuture<" + expected.getTypeName() + ">");
            }
        }
        return out;
    }

    private static Type box(Type t) {
        return t == boolean.class ? Boolean.class : t == int.class ? Integer.class : t == long.class ? Long.class : t;
    }
}
