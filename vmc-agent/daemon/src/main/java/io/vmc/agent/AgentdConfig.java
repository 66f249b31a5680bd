package io.vmc.agent;

import io.vmc.engine.internal.KeyValueFile;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The guest admin's file, {@code /etc/vmc/agentd.conf}: {@code key = value} lines read strictly
 * (see {@link KeyValueFile}). Keys:
 * <ul>
 *   <li>{@code web-api.listen = 127.0.0.1:7411}: turns the web API on, on this loopback address;</li>
 *   <li>{@code web-api.allowed-origins = https://phone.example.com, chrome-extension://ID}: the web
 *       pages (and the extension) that may connect; clients that send no Origin need only the secret.</li>
 * </ul>
 * Command-line options override the file.
 */
final class AgentdConfig {
    static final Path DEFAULT_FILE = Path.of("/etc/vmc/agentd.conf");
    static final String WEB_API_LISTEN = "web-api.listen";
    static final String WEB_API_ALLOWED_ORIGINS = "web-api.allowed-origins";
    static final List<String> KEYS = List.of(WEB_API_LISTEN, WEB_API_ALLOWED_ORIGINS);
    /** Most origins in the allow-list. */
    static final int MAX_ORIGINS = 32;

    private static final Pattern HOST_PORT = Pattern.compile("(?:\\[([0-9A-Fa-f:.]+)\\]|([0-9.]+)):([0-9]{1,5})");

    /** The web API's address, or null (off). */
    final InetSocketAddress webApiListen;
    /** Origins, normalized ({@link io.vmc.agent.web.WebApi#normalizeOrigin}). */
    final List<String> webApiOrigins;

    private AgentdConfig(InetSocketAddress listen, List<String> origins) {
        this.webApiListen = listen;
        this.webApiOrigins = List.copyOf(origins);
    }

    static AgentdConfig none() {
        return new AgentdConfig(null, List.of());
    }

    static AgentdConfig load(Path file) throws IOException {
        return parse(file.toString(), KeyValueFile.read(file));
    }

    static AgentdConfig parse(String source, byte[] content) {
        InetSocketAddress listen = null;
        List<String> origins = List.of();
        for (KeyValueFile.Entry e : KeyValueFile.parse("config", source, content, KEYS)) {
            try {
                if (e.key().equals(WEB_API_LISTEN)) {
                    listen = loopback(e.value(), 1);
                } else {
                    origins = origins(e.value());
                }
            } catch (IllegalArgumentException ex) {
                throw KeyValueFile.error("config", source, e.line(), e.key() + ": " + ex.getMessage());
            }
        }
        return new AgentdConfig(listen, origins);
    }

    /**
     * {@code IP:PORT} or {@code [IPv6]:PORT} on a loopback address (no names, no DNS).
     *
     * @param minPort 1 in the file; 0 on the command line (any free port)
     */
    static InetSocketAddress loopback(String v, int minPort) {
        Matcher m = HOST_PORT.matcher(v);
        if (!m.matches()) {
            throw new IllegalArgumentException("expected 127.0.0.1:PORT or [::1]:PORT, got \"" + KeyValueFile.abbreviate(v) + "\"");
        }
        String ip = m.group(1) != null ? m.group(1) : m.group(2);
        byte[] raw = io.netty.util.NetUtil.createByteArrayFromIpAddressString(ip);
        int port = Integer.parseInt(m.group(3));
        if (raw == null) {
            throw new IllegalArgumentException("not an IP address: \"" + KeyValueFile.abbreviate(ip) + "\"");
        }
        if (port < minPort || port > 65535) {
            throw new IllegalArgumentException("port must be " + minPort + "..65535, got " + port);
        }
        InetAddress a;
        try {
            a = InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: \"" + KeyValueFile.abbreviate(ip) + "\"");
        }
        if (!a.isLoopbackAddress()) {
            throw new IllegalArgumentException("the web API listens on loopback only (127.0.0.0/8 or ::1), got " + a.getHostAddress());
        }
        return new InetSocketAddress(a, port);
    }

    private static List<String> origins(String v) {
        List<String> out = new ArrayList<>();
        for (String part : v.split(",", -1)) {
            String o = part.strip();
            if (o.isEmpty()) {
                throw new IllegalArgumentException("empty entry in a comma-separated list");
            }
            out.add(io.vmc.agent.web.WebApi.normalizeOrigin(o));
        }
        if (out.size() > MAX_ORIGINS) {
            throw new IllegalArgumentException("more than " + MAX_ORIGINS + " origins");
        }
        return out;
    }
}
