package io.vmc.transport;

import java.util.Locale;
import java.util.Objects;

/**
 * Where a transport end finds its byte stream. Shared by both ends and by the command line
 * ({@code --channel}).
 *
 * <table>
 *   <caption>Forms</caption>
 *   <tr><th>URI</th><th>meaning</th></tr>
 *   <tr><td>{@code unix:PATH}</td><td>connect to a unix stream socket (e.g. a QEMU socket chardev)</td></tr>
 *   <tr><td>{@code unix-listen:PATH}</td><td>listen on a unix stream socket</td></tr>
 *   <tr><td>{@code tcp:HOST:PORT}</td><td>connect over TCP; IPv6 hosts in brackets</td></tr>
 *   <tr><td>{@code tcp-listen:HOST:PORT}</td><td>listen on TCP; port 0 picks a free port</td></tr>
 *   <tr><td>{@code mem:NAME}</td><td>connect to an in-JVM listener (tests)</td></tr>
 *   <tr><td>{@code mem-listen:NAME}</td><td>in-JVM listener (tests)</td></tr>
 *   <tr><td>{@code virtio:NAME}</td><td>a guest virtio-serial port, bridged from an
 *       {@code io.vmc.port.StreamPort}; other stream-port schemes can be registered with
 *       {@link StreamPorts#register}</td></tr>
 * </table>
 */
public final class ChannelUri {

    /** The kind of channel. */
    public enum Kind {
        UNIX(false), UNIX_LISTEN(true), TCP(false), TCP_LISTEN(true), MEM(false), MEM_LISTEN(true),
        /** A {@code StreamPort} (virtio, later SPICE port); neither side "listens". */
        STREAM_PORT(false);

        private final boolean listen;

        Kind(boolean listen) {
            this.listen = listen;
        }

        /** Whether this end accepts connections rather than making them. */
        public boolean isListen() {
            return listen;
        }
    }

    private final Kind kind;
    private final String scheme;
    private final String path;
    private final String host;
    private final int port;

    private ChannelUri(Kind kind, String scheme, String path, String host, int port) {
        this.kind = kind;
        this.scheme = scheme;
        this.path = path;
        this.host = host;
        this.port = port;
    }

    /**
     * Parses a channel URI.
     *
     * @throws IllegalArgumentException naming what is wrong and the accepted forms
     */
    public static ChannelUri parse(String uri) {
        Objects.requireNonNull(uri, "uri");
        int colon = uri.indexOf(':');
        if (colon <= 0) {
            throw bad(uri, "missing scheme");
        }
        String scheme = uri.substring(0, colon).toLowerCase(Locale.ROOT);
        String rest = uri.substring(colon + 1);
        if (rest.isEmpty()) {
            throw bad(uri, "nothing after '" + scheme + ":'");
        }
        switch (scheme) {
            case "unix":
                return new ChannelUri(Kind.UNIX, scheme, rest, null, -1);
            case "unix-listen":
                return new ChannelUri(Kind.UNIX_LISTEN, scheme, rest, null, -1);
            case "mem":
                return new ChannelUri(Kind.MEM, scheme, rest, null, -1);
            case "mem-listen":
                return new ChannelUri(Kind.MEM_LISTEN, scheme, rest, null, -1);
            case "tcp":
            case "tcp-listen": {
                boolean listen = scheme.equals("tcp-listen");
                int split = rest.lastIndexOf(':');
                if (split <= 0 || split == rest.length() - 1) {
                    throw bad(uri, "expected HOST:PORT");
                }
                String host = rest.substring(0, split);
                if (host.startsWith("[") && host.endsWith("]")) {
                    host = host.substring(1, host.length() - 1);
                } else if (host.indexOf(':') >= 0) {
                    throw bad(uri, "IPv6 hosts go in brackets, e.g. tcp:[::1]:4000");
                }
                int port;
                try {
                    port = Integer.parseInt(rest.substring(split + 1));
                } catch (NumberFormatException e) {
                    throw bad(uri, "port '" + rest.substring(split + 1) + "' is not a number");
                }
                if (port < (listen ? 0 : 1) || port > 65535) {
                    throw bad(uri, "port " + port + " is out of range (" + (listen ? 0 : 1) + "..65535)");
                }
                return new ChannelUri(listen ? Kind.TCP_LISTEN : Kind.TCP, scheme, null, host, port);
            }
            default:
                if (StreamPorts.isRegistered(scheme)) {
                    return new ChannelUri(Kind.STREAM_PORT, scheme, rest, null, -1);
                }
                throw bad(uri, "unknown scheme '" + scheme + "'");
        }
    }

    private static IllegalArgumentException bad(String uri, String why) {
        return new IllegalArgumentException("bad channel URI '" + uri + "': " + why
                + " (expected unix:PATH, unix-listen:PATH, tcp:HOST:PORT, tcp-listen:HOST:PORT,"
                + " mem:NAME, mem-listen:NAME or virtio:NAME)");
    }

    public Kind kind() {
        return kind;
    }

    /** The scheme as written, lower case ({@code "unix"}, {@code "virtio"}...). */
    public String scheme() {
        return scheme;
    }

    /** Socket path (unix), name (mem) or port name (stream ports); {@code null} for TCP. */
    public String path() {
        return path;
    }

    /** TCP host; {@code null} otherwise. */
    public String host() {
        return host;
    }

    /** TCP port; {@code -1} otherwise. */
    public int port() {
        return port;
    }

    public boolean isListen() {
        return kind.isListen();
    }

    @Override
    public String toString() {
        if (host != null) {
            return scheme + ":" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
        return scheme + ":" + path;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelUri other && other.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }
}
