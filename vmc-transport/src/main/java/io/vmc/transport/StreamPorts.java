package io.vmc.transport;

import io.vmc.port.StreamPort;
import io.vmc.port.VirtioPort;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Registry of {@link StreamPort} sources by URI scheme. {@code virtio} is registered by default
 * ({@link VirtioPort#open(String)}); the SPICE port channel registers its own scheme, and tests
 * register fakes. A builder's {@code streamPort(Supplier)} overrides the registry for one endpoint.
 */
public final class StreamPorts {

    /** Opens the port named by the URI's path. */
    @FunctionalInterface
    public interface Opener {
        StreamPort open(String name) throws IOException;
    }

    private static final Map<String, Opener> OPENERS = new ConcurrentHashMap<>();

    static {
        OPENERS.put("virtio", VirtioPort::open);
    }

    private StreamPorts() {}

    /**
     * Registers (or replaces) the opener for {@code scheme}.
     *
     * @throws IllegalArgumentException if the scheme is one of the socket or mem schemes
     */
    public static void register(String scheme, Opener opener) {
        String s = scheme.toLowerCase(Locale.ROOT);
        if (s.startsWith("unix") || s.startsWith("tcp") || s.startsWith("mem")) {
            throw new IllegalArgumentException("scheme '" + scheme + "' is reserved for sockets");
        }
        OPENERS.put(s, Objects.requireNonNull(opener, "opener"));
    }

    /** Removes a registration (tests). */
    public static void unregister(String scheme) {
        OPENERS.remove(scheme.toLowerCase(Locale.ROOT));
    }

    /** Whether {@code scheme} names a registered stream-port source. */
    public static boolean isRegistered(String scheme) {
        return OPENERS.containsKey(scheme.toLowerCase(Locale.ROOT));
    }

    static StreamPort open(ChannelUri uri) throws IOException {
        Opener opener = OPENERS.get(uri.scheme());
        if (opener == null) {
            throw new IOException("no stream port registered for scheme '" + uri.scheme() + "'");
        }
        return opener.open(uri.path());
    }
}
