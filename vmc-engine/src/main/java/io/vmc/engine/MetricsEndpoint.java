package io.vmc.engine;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vmc.engine.sdp.SdpParser;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Where a Prometheus metrics endpoint listens ({@code --metrics ADDR:PORT} of {@code vmc engine}
 * and {@code vmc agentd}), and the HTTP server that serves a registry there on {@code /metrics}.
 * A bare port means the loopback address: metrics leave the machine only when the admin names
 * another address.
 */
public final class MetricsEndpoint {
    /** Longest {@code ADDR:PORT} accepted (an IPv6 literal in brackets with a port fits easily). */
    public static final int MAX_SPEC_LENGTH = 64;

    private final InetSocketAddress address;

    private MetricsEndpoint(InetSocketAddress address) {
        this.address = address;
    }

    /** {@code 127.0.0.1:PORT} (the loopback address of this machine). */
    public static MetricsEndpoint loopback(int port) {
        return new MetricsEndpoint(new InetSocketAddress(InetAddress.getLoopbackAddress(), checkPort(port, String.valueOf(port))));
    }

    /**
     * Parses {@code PORT}, {@code IPV4:PORT} or {@code [IPV6]:PORT}; the address must be an IP
     * literal (no name lookups). Port 0 takes any free port (the server tells which).
     *
     * @throws IllegalArgumentException saying what was wrong with {@code spec}
     */
    public static MetricsEndpoint parse(String spec) {
        Objects.requireNonNull(spec, "spec");
        if (spec.length() > MAX_SPEC_LENGTH) {
            throw new IllegalArgumentException("metrics address of " + spec.length() + " characters exceeds the allowed maximum (" + MAX_SPEC_LENGTH + ")");
        }
        if (spec.matches("[0-9]{1,5}")) return loopback(checkPort(Integer.parseInt(spec), spec));
        String host;
        String port;
        if (spec.startsWith("[")) {
            int close = spec.indexOf(']');
            if (close < 0 || close + 1 >= spec.length() || spec.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("expected [IPV6]:PORT, got \"" + spec + "\"");
            }
            host = spec.substring(1, close);
            port = spec.substring(close + 2);
        } else {
            int colon = spec.lastIndexOf(':');
            if (colon <= 0 || spec.indexOf(':') != colon) {
                throw new IllegalArgumentException("expected ADDR:PORT, [IPV6]:PORT or PORT, got \"" + spec + "\"");
            }
            host = spec.substring(0, colon);
            port = spec.substring(colon + 1);
        }
        InetAddress a = SdpParser.parseAddressLiteral(host).orElseThrow(
                () -> new IllegalArgumentException("metrics address must be an IP literal, got \"" + host + "\""));
        if (!port.matches("[0-9]{1,5}")) throw new IllegalArgumentException("expected a port 0..65535, got \"" + port + "\"");
        return new MetricsEndpoint(new InetSocketAddress(a, checkPort(Integer.parseInt(port), port)));
    }

    private static int checkPort(int port, String text) {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("expected a port 0..65535, got " + text);
        return port;
    }

    public InetSocketAddress address() {
        return address;
    }

    /** Whether only this machine can reach the endpoint. */
    public boolean isLoopback() {
        return address.getAddress().isLoopbackAddress();
    }

    /**
     * Serves {@code registry} on {@code http://ADDR:PORT/metrics} (text format 0.0.4 or
     * OpenMetrics, as the scraper asks) from a small pool of daemon threads.
     *
     * @return the running server; {@link HTTPServer#getPort()} is the bound port, close stops it
     */
    public HTTPServer start(PrometheusRegistry registry) throws IOException {
        try {
            return HTTPServer.builder().inetAddress(address.getAddress()).port(address.getPort())
                    .registry(registry).buildAndStart();
        } catch (IOException e) {
            throw new IOException("cannot serve metrics on " + this + ": " + e.getMessage(), e);
        }
    }

    /** {@code http://ADDR:PORT/metrics} with the port a started server got (differs from ours for port 0). */
    public String url(int boundPort) {
        return "http://" + hostPort(boundPort) + "/metrics";
    }

    private String hostPort(int port) {
        String h = address.getAddress().getHostAddress();
        return (h.contains(":") ? "[" + h + "]" : h) + ":" + port;
    }

    @Override
    public String toString() {
        return hostPort(address.getPort());
    }
}
