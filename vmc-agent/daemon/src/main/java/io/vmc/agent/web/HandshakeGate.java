package io.vmc.agent.web;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Who may open a web API connection: decides on an HTTP upgrade request before anything else
 * happens. In this order, so that a page of another site learns nothing but a 403:
 * <ol>
 *   <li>an {@code Origin} header must be one the admin allowed (403); none at all is a native
 *       client or an Electron app's main process, which the secret alone admits;</li>
 *   <li>{@code Host} must name this loopback listener (403: a DNS-rebinding page names its own host);</li>
 *   <li>exactly one valid secret, as {@code Authorization: Bearer SECRET} or as a
 *       {@code vmc.secret.SECRET} entry of {@code Sec-WebSocket-Protocol} (401);</li>
 *   <li>then the request itself: path {@link WebApi#PATH} (404), GET (405), a WebSocket upgrade
 *       (400) of version 13 (426), and {@link WebApi#SUBPROTOCOL} among the subprotocols offered,
 *       if any (400).</li>
 * </ol>
 * Pure: no I/O, no state but the configuration.
 */
final class HandshakeGate {
    /** What to do with a request: {@code status == null} is accepted, for user {@code uid}. */
    record Verdict(HttpResponseStatus status, String reason, int uid) {
        boolean accepted() {
            return status == null;
        }

        static Verdict refuse(HttpResponseStatus status, String reason) {
            return new Verdict(status, reason, -1);
        }
    }

    private final Set<String> allowedOrigins;
    private final Set<String> hosts;
    private final WebSecrets secrets;

    /**
     * @param allowedOrigins exact origins, as {@link WebApi#normalizeOrigin} writes them
     * @param hostLiteral the listener's address as a URL host ({@code 127.0.0.1}, {@code [::1]})
     * @param port the listener's port
     */
    HandshakeGate(Set<String> allowedOrigins, String hostLiteral, int port, WebSecrets secrets) {
        this.allowedOrigins = Set.copyOf(allowedOrigins);
        Set<String> h = new java.util.HashSet<>(Set.of((hostLiteral + ":" + port).toLowerCase(Locale.ROOT), "localhost:" + port));
        if (port == 80) { // ws://'s default port: browsers leave it out of Host
            h.add(hostLiteral.toLowerCase(Locale.ROOT));
            h.add("localhost");
        }
        this.hosts = Set.copyOf(h);
        this.secrets = secrets;
    }

    Verdict check(String method, String uri, HttpHeaders h) {
        List<String> origins = h.getAll(HttpHeaderNames.ORIGIN);
        if (origins.size() > 1) {
            return Verdict.refuse(HttpResponseStatus.FORBIDDEN, "more than one Origin header");
        }
        if (origins.size() == 1 && !allowedOrigins.contains(origins.get(0).toLowerCase(Locale.ROOT))) {
            return Verdict.refuse(HttpResponseStatus.FORBIDDEN, "origin not allowed");
        }
        List<String> host = h.getAll(HttpHeaderNames.HOST);
        if (host.size() != 1 || !hosts.contains(host.get(0).toLowerCase(Locale.ROOT))) {
            return Verdict.refuse(HttpResponseStatus.FORBIDDEN, "Host must name this loopback listener");
        }
        List<String> presented = new ArrayList<>();
        for (String a : h.getAll(HttpHeaderNames.AUTHORIZATION)) {
            presented.add(a.regionMatches(true, 0, "Bearer ", 0, 7) ? a.substring(7).strip() : "");
        }
        for (String p : subprotocols(h)) {
            if (p.startsWith(WebApi.SECRET_SUBPROTOCOL_PREFIX)) {
                presented.add(p.substring(WebApi.SECRET_SUBPROTOCOL_PREFIX.length()));
            }
        }
        if (presented.isEmpty()) {
            return Verdict.refuse(HttpResponseStatus.UNAUTHORIZED, "no secret");
        }
        if (presented.size() > 1) {
            return Verdict.refuse(HttpResponseStatus.UNAUTHORIZED, "more than one secret");
        }
        OptionalInt uid = secrets.verify(presented.get(0));
        if (uid.isEmpty()) {
            return Verdict.refuse(HttpResponseStatus.UNAUTHORIZED, "wrong secret");
        }
        int q = uri.indexOf('?');
        if (!(q < 0 ? uri : uri.substring(0, q)).equals(WebApi.PATH)) {
            return Verdict.refuse(HttpResponseStatus.NOT_FOUND, "the web API is at " + WebApi.PATH);
        }
        if (!"GET".equals(method)) {
            return Verdict.refuse(HttpResponseStatus.METHOD_NOT_ALLOWED, "a WebSocket upgrade is a GET");
        }
        if (!h.containsValue(HttpHeaderNames.UPGRADE, "websocket", true)
                || !h.containsValue(HttpHeaderNames.CONNECTION, "upgrade", true)
                || !h.contains(HttpHeaderNames.SEC_WEBSOCKET_KEY)) {
            return Verdict.refuse(HttpResponseStatus.BAD_REQUEST, "not a WebSocket upgrade request");
        }
        if (!"13".equals(h.get(HttpHeaderNames.SEC_WEBSOCKET_VERSION))) {
            return Verdict.refuse(HttpResponseStatus.UPGRADE_REQUIRED, "Sec-WebSocket-Version must be 13 (RFC 6455)");
        }
        List<String> offered = subprotocols(h);
        if (!offered.isEmpty() && !offered.contains(WebApi.SUBPROTOCOL)) {
            return Verdict.refuse(HttpResponseStatus.BAD_REQUEST, "offer the subprotocol " + WebApi.SUBPROTOCOL);
        }
        return new Verdict(null, "", uid.getAsInt());
    }

    private static List<String> subprotocols(HttpHeaders h) {
        List<String> out = new ArrayList<>();
        for (String v : h.getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL)) {
            for (String p : v.split(",")) {
                if (!p.isBlank()) {
                    out.add(p.strip());
                }
            }
        }
        return out;
    }

}
