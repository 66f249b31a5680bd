package io.vmc.agent.web;

import io.vmc.engine.internal.KeyValueFile;
import io.vmc.transport.TransportLimits;
import java.util.Locale;
import java.time.Duration;

/** The web API's names and limits (docs/web-api.md). Each limit bounds what one client can cost agentd. */
public final class WebApi {
    private WebApi() {}

    /** The WebSocket's path: {@code ws://127.0.0.1:PORT/vmc.v1}. */
    public static final String PATH = "/vmc.v1";

    /** The subprotocol agentd speaks; a client that offers subprotocols must offer this one. */
    public static final String SUBPROTOCOL = "vmc.v1.json";

    /**
     * Prefix of the subprotocol entry that carries the secret, for clients that cannot set
     * headers (browsers, Electron): {@code new WebSocket(url, ["vmc.v1.json", "vmc.secret." + secret])}.
     */
    public static final String SECRET_SUBPROTOCOL_PREFIX = "vmc.secret.";

    /**
     * Largest message accepted, in bytes of UTF-8: 256 KiB, the unix socket's frame limit. A larger
     * one closes the connection with status 1009 (message too big).
     */
    public static final int MAX_MESSAGE_BYTES = TransportLimits.MAX_FRAME_BYTES;

    /**
     * Deepest nesting of JSON objects and arrays in a message: 16. The deepest vmc.v1 request
     * needs 6; deeper input is refused before it is parsed.
     */
    public static final int MAX_JSON_DEPTH = 16;

    /** Open web connections, authenticated or not; more are closed at once. */
    public static final int MAX_CONNECTIONS = 64;

    /** Time from TCP connect to a completed WebSocket handshake; a slower client is closed. */
    public static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);

    /** Longest HTTP request line, and the most bytes of headers, of an upgrade request. */
    public static final int MAX_REQUEST_LINE_BYTES = 4096;
    public static final int MAX_HEADER_BYTES = 8192;

    /**
     * Events waiting to be written to one client; a client that reads this slowly loses events
     * (as a slow app on the unix socket does), never agentd's memory.
     */
    public static final int MAX_PENDING_EVENTS = 1024;

    /**
     * Bytes written to one client that it has not read yet (past the socket's own buffer). A
     * client that leaves more unread is disconnected, as an app on the unix socket that does not
     * read its events is: agentd's memory is never the client's queue.
     */
    public static final int MAX_UNREAD_BYTES = 4 << 20;

    /**
     * An origin as browsers send it: {@code scheme://host[:port]}, lower case, no path or trailing
     * slash; {@code file://} is Electron's for local pages.
     *
     * @throws IllegalArgumentException naming what is wrong (a path, a wildcard, {@code null})
     */
    public static String normalizeOrigin(String origin) {
        String o = origin.strip().toLowerCase(Locale.ROOT);
        if (o.endsWith("/") && !o.equals("file://")) {
            o = o.substring(0, o.length() - 1);
        }
        if (o.contains("*")) {
            throw new IllegalArgumentException("wildcards are not allowed; list each origin, got \"" + KeyValueFile.abbreviate(origin) + "\"");
        }
        if (o.equals("null")) {
            throw new IllegalArgumentException("the \"null\" origin is sent by sandboxed pages of any site and cannot be allowed");
        }
        if (!o.equals("file://") && !o.matches("[a-z][a-z0-9+.-]*://[a-z0-9._~%-]+(:[0-9]{1,5})?|[a-z][a-z0-9+.-]*://\\[[0-9a-f:.]+\\](:[0-9]{1,5})?")) {
            throw new IllegalArgumentException("expected an origin like https://phone.example.com or chrome-extension://ID (no path), got \""
                    + KeyValueFile.abbreviate(origin) + "\"");
        }
        return o;
    }
}
