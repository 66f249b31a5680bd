package io.vmc.engine;

import io.vmc.engine.internal.KeyValueFile;
import io.vmc.engine.sdp.SdpParser;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The client policy file ({@code /etc/vmc/engine.conf}): what the thin client's admin decides and
 * neither the guest nor the user can change. Lines are {@code key = value}; {@code #} starts a
 * comment line. Parsed strictly: an unknown key, a repeated key, a bad value, a line longer than
 * {@link #MAX_LINE_BYTES} or a file larger than {@link #MAX_FILE_BYTES} is an error naming the line.
 *
 * <p>This class is the one place where policy keys map onto {@link EngineConfig.Builder}. How
 * command-line options combine with it is {@link EngineCommand}'s business (see the admin guide).
 */
public final class EnginePolicy {
    /** Read when {@code vmc engine} gets no {@code --policy} and this file exists. */
    public static final Path DEFAULT_FILE = Path.of("/etc/vmc/engine.conf");
    /** Largest policy file accepted. */
    public static final int MAX_FILE_BYTES = KeyValueFile.MAX_FILE_BYTES;
    /** Longest line accepted, in bytes, without its line end. */
    public static final int MAX_LINE_BYTES = KeyValueFile.MAX_LINE_BYTES;
    /** Most entries in a list value (servers, codecs). */
    public static final int MAX_LIST_ENTRIES = 16;
    /** Largest password file accepted. */
    static final int MAX_SECRET_BYTES = 1024;

    static final String CAMERA = "camera";
    static final String STUN_SERVERS = "stun.servers";
    static final String TURN_SERVERS = "turn.servers";
    static final String TURN_USERNAME = "turn.username";
    static final String TURN_PASSWORD_FILE = "turn.password-file";
    static final String ICE_RELAY_ONLY = "ice.relay-only";
    static final String VIDEO_ENABLED = "video.enabled";
    static final String VIDEO_MAX_BITRATE = "video.max-bitrate-kbps";
    static final String VIDEO_MAX_RESOLUTION = "video.max-resolution";
    static final String VIDEO_MAX_FPS = "video.max-fps";
    static final String AUDIO_CODECS = "audio.codecs";
    static final String METRICS_PORT = "metrics.port";
    static final String MEDIA_REQUIRE_SRTP = "media.require-srtp";
    static final String MEDIA_REQUIRE_ICE = "media.require-ice";
    static final String MEDIA_ALLOWED_NETWORKS = "media.allowed-networks";
    static final String MEDIA_ALLOW_LOCAL = "media.allow-local";
    static final String MEDIA_PLAIN_PEERS = "media.plain-peers";
    static final String MEDIA_MAX_SEND_KBPS = "media.max-send-kbps";
    static final String METRICS_LISTEN = "metrics.listen";
    static final String CDR_FILE = "cdr.file";
    static final List<String> KEYS = List.of(CAMERA, STUN_SERVERS, TURN_SERVERS, TURN_USERNAME, TURN_PASSWORD_FILE,
            ICE_RELAY_ONLY, VIDEO_ENABLED, VIDEO_MAX_BITRATE, VIDEO_MAX_RESOLUTION, VIDEO_MAX_FPS, AUDIO_CODECS, METRICS_PORT,
            METRICS_LISTEN, CDR_FILE,
            MEDIA_REQUIRE_SRTP, MEDIA_REQUIRE_ICE, MEDIA_ALLOWED_NETWORKS, MEDIA_ALLOW_LOCAL, MEDIA_PLAIN_PEERS, MEDIA_MAX_SEND_KBPS);
    /** Keys still accepted that a newer key replaces ({@code metrics.port}: {@code metrics.listen = PORT}). */
    static final List<String> DEPRECATED_KEYS = List.of(METRICS_PORT);

    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,252})");
    private static final Pattern USERNAME = Pattern.compile("[\\x21-\\x7e]{1,128}");

    /** A server address as written; resolved only when applied. */
    record HostPort(String host, int port) {
        InetSocketAddress resolve() throws UnknownHostException {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        }
    }

    private final String source;
    private final Map<String, Integer> lines;
    private final String camera;
    private final List<HostPort> stunServers;
    private final List<HostPort> turnServers;
    private final String turnUsername;
    private final Path turnPasswordFile;
    private final Boolean relayOnly;
    private final Boolean videoEnabled;
    private final Integer videoMaxBitrateKbps;
    private final EngineConfig.VideoFormat videoMaxResolution;
    private final Integer videoMaxFps;
    private final List<String> audioCodecs;
    private final Integer metricsPort;
    private final Map<String, Object> media;
    private final MetricsEndpoint metricsListen;
    private final Path callRecordFile;

    private EnginePolicy(String source, Map<String, Integer> lines, Map<String, Object> v) {
        this.source = source;
        this.lines = Map.copyOf(lines);
        camera = (String) v.get(CAMERA);
        stunServers = list(v.get(STUN_SERVERS));
        turnServers = list(v.get(TURN_SERVERS));
        turnUsername = (String) v.get(TURN_USERNAME);
        turnPasswordFile = (Path) v.get(TURN_PASSWORD_FILE);
        relayOnly = (Boolean) v.get(ICE_RELAY_ONLY);
        videoEnabled = (Boolean) v.get(VIDEO_ENABLED);
        videoMaxBitrateKbps = (Integer) v.get(VIDEO_MAX_BITRATE);
        videoMaxResolution = (EngineConfig.VideoFormat) v.get(VIDEO_MAX_RESOLUTION);
        videoMaxFps = (Integer) v.get(VIDEO_MAX_FPS);
        audioCodecs = list(v.get(AUDIO_CODECS));
        metricsPort = (Integer) v.get(METRICS_PORT);
        Map<String, Object> m = new LinkedHashMap<>();
        for (String k : List.of(MEDIA_REQUIRE_SRTP, MEDIA_REQUIRE_ICE, MEDIA_ALLOWED_NETWORKS, MEDIA_ALLOW_LOCAL, MEDIA_PLAIN_PEERS, MEDIA_MAX_SEND_KBPS)) {
            if (v.containsKey(k)) m.put(k, v.get(k));
        }
        media = Map.copyOf(m);
        metricsListen = (MetricsEndpoint) v.get(METRICS_LISTEN);
        callRecordFile = (Path) v.get(CDR_FILE);
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> list(Object o) {
        return o == null ? List.of() : List.copyOf((List<T>) o);
    }

    /** A policy that sets nothing (no file). */
    public static EnginePolicy none() {
        return new EnginePolicy("none", Map.of(), Map.of());
    }

    /**
     * Reads and checks a policy file.
     *
     * @throws IllegalArgumentException naming the file and line for anything the file gets wrong
     * @throws IOException if the file cannot be read
     */
    public static EnginePolicy load(Path file) throws IOException {
        return parse(file.toString(), KeyValueFile.read(file));
    }

    /** Parses policy text; {@code source} names it in error messages. */
    public static EnginePolicy parse(String source, byte[] content) {
        Map<String, Integer> lines = new LinkedHashMap<>();
        Map<String, Object> values = new LinkedHashMap<>();
        for (KeyValueFile.Entry e : KeyValueFile.parse("policy", source, content, KEYS)) {
            lines.put(e.key(), e.line());
            try {
                values.put(e.key(), parseValue(e.key(), e.value()));
            } catch (IllegalArgumentException ex) {
                throw KeyValueFile.error("policy", source, e.line(), e.key() + ": " + ex.getMessage());
            }
        }
        if (values.containsKey(TURN_SERVERS) && (!values.containsKey(TURN_USERNAME) || !values.containsKey(TURN_PASSWORD_FILE))) {
            throw new IllegalArgumentException("policy " + source + ": " + TURN_SERVERS + " needs " + TURN_USERNAME + " and " + TURN_PASSWORD_FILE);
        }
        if (values.containsKey(METRICS_PORT) && values.containsKey(METRICS_LISTEN)) {
            throw new IllegalArgumentException("policy " + source + ": set " + METRICS_LISTEN + " or " + METRICS_PORT + ", not both");
        }
        if (!values.containsKey(TURN_SERVERS) && (values.containsKey(TURN_USERNAME) || values.containsKey(TURN_PASSWORD_FILE))) {
            throw new IllegalArgumentException("policy " + source + ": " + TURN_USERNAME + " and " + TURN_PASSWORD_FILE + " need " + TURN_SERVERS);
        }
        return new EnginePolicy(source, lines, values);
    }

    private static Object parseValue(String key, String v) {
        switch (key) {
            case CAMERA:
                return oneOf(v, "ask", "allow", "deny");
            case STUN_SERVERS: {
                List<HostPort> out = new ArrayList<>();
                for (String s : items(v)) out.add(parseHostPort(s.startsWith("stun:") ? s.substring(5) : s, 3478));
                return out;
            }
            case TURN_SERVERS: {
                List<HostPort> out = new ArrayList<>();
                for (String s : items(v)) out.add(parseTurnUri(s));
                return out;
            }
            case TURN_USERNAME:
                if (!USERNAME.matcher(v).matches()) throw new IllegalArgumentException("must be 1 to 128 printable ASCII characters without spaces");
                return v;
            case TURN_PASSWORD_FILE:
            case CDR_FILE: {
                Path p;
                try {
                    p = Path.of(v);
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("not a file path");
                }
                if (!p.isAbsolute()) throw new IllegalArgumentException("must be an absolute path, got \"" + abbreviate(v) + "\"");
                return p;
            }
            case ICE_RELAY_ONLY:
            case VIDEO_ENABLED:
                return Boolean.valueOf(oneOf(v, "true", "false"));
            case VIDEO_MAX_BITRATE:
                return intIn(v, 50, 10000);
            case VIDEO_MAX_RESOLUTION:
                return EngineConfig.VideoFormat.parseResolution(v, EngineConfig.VideoFormat.DEFAULT.fps());
            case VIDEO_MAX_FPS:
                return intIn(v, 1, 60);
            case AUDIO_CODECS: {
                List<String> out = new ArrayList<>();
                for (String s : items(v)) {
                    String c = oneOf(s.toLowerCase(Locale.ROOT), "opus", "g722", "pcmu", "pcma");
                    if (out.contains(c)) throw new IllegalArgumentException(s + " is listed twice");
                    out.add(c);
                }
                return out;
            }
            case METRICS_PORT:
                return intIn(v, 1, 65535);
            case MEDIA_REQUIRE_SRTP:
            case MEDIA_REQUIRE_ICE:
                return Boolean.valueOf(oneOf(v, "true", "false"));
            case MEDIA_ALLOWED_NETWORKS: {
                List<String> out = new ArrayList<>();
                for (String s : items(v)) out.add(io.vmc.engine.internal.Cidr.parse(s).toString());
                return out;
            }
            case MEDIA_ALLOW_LOCAL: {
                List<EngineConfig.LocalDestination> out = new ArrayList<>();
                if (v.equals("none")) return out;
                for (String s : items(v)) {
                    String name = oneOf(s, "loopback", "link-local", "own-addresses"); // "none" only alone
                    for (EngineConfig.LocalDestination d : EngineConfig.LocalDestination.values()) {
                        if (d.policyName().equals(name) && !out.contains(d)) out.add(d);
                    }
                }
                return out;
            }
            case MEDIA_PLAIN_PEERS:
                return oneOf(v, "latch", "trust");
            case MEDIA_MAX_SEND_KBPS:
                return intIn(v, EngineConfig.MIN_SEND_KBPS, EngineConfig.MAX_SEND_KBPS);
            case METRICS_LISTEN: {
                MetricsEndpoint e = MetricsEndpoint.parse(v);
                if (e.address().getPort() == 0) throw new IllegalArgumentException("expected a port 1..65535, got 0");
                return e;
            }
            default:
                throw new IllegalStateException(key);
        }
    }

    /**
     * {@code turn:HOST[:PORT][?transport=udp]} (RFC 7065); only UDP is supported.
     * Shared with {@code vmc engine --turn}.
     */
    static HostPort parseTurnUri(String s) {
        if (!s.startsWith("turn:")) throw new IllegalArgumentException("expected turn:HOST[:PORT][?transport=udp], got \"" + abbreviate(s) + "\"");
        String rest = s.substring(5);
        int q = rest.indexOf('?');
        if (q >= 0) {
            String query = rest.substring(q + 1);
            if (!query.equals("transport=udp")) {
                throw new IllegalArgumentException("only ?transport=udp is supported, got \"" + abbreviate(query) + "\"");
            }
            rest = rest.substring(0, q);
        }
        return parseHostPort(rest, 3478);
    }

    private static HostPort parseHostPort(String s, int defaultPort) {
        String host;
        String port = null;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) throw new IllegalArgumentException("unclosed [ in \"" + abbreviate(s) + "\"");
            host = s.substring(1, close);
            if (SdpParser.parseAddressLiteral(host).isEmpty() || !host.contains(":")) {
                throw new IllegalArgumentException("not an IPv6 address: \"" + abbreviate(host) + "\"");
            }
            String after = s.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) throw new IllegalArgumentException("expected :PORT after ], got \"" + abbreviate(after) + "\"");
                port = after.substring(1);
            }
        } else {
            int colon = s.indexOf(':');
            host = colon < 0 ? s : s.substring(0, colon);
            if (colon >= 0) port = s.substring(colon + 1);
            if (!HOST_NAME.matcher(host).matches()) {
                throw new IllegalArgumentException("expected HOST[:PORT] (IPv6 in brackets), got \"" + abbreviate(s) + "\"");
            }
        }
        return new HostPort(host, port == null ? defaultPort : intIn(port, 1, 65535));
    }

    private static List<String> items(String v) {
        String[] parts = v.split(",", -1);
        if (parts.length > MAX_LIST_ENTRIES) throw new IllegalArgumentException("more than " + MAX_LIST_ENTRIES + " entries");
        List<String> out = new ArrayList<>();
        for (String p : parts) {
            String t = p.strip();
            if (t.isEmpty()) throw new IllegalArgumentException("empty entry in a comma-separated list");
            out.add(t);
        }
        return out;
    }

    private static String oneOf(String v, String... allowed) {
        for (String a : allowed) {
            if (a.equals(v)) return a;
        }
        throw new IllegalArgumentException("expected one of " + String.join(", ", allowed) + ", got \"" + abbreviate(v) + "\"");
    }

    private static int intIn(String v, int min, int max) {
        if (!v.matches("[0-9]{1,6}")) throw new IllegalArgumentException("expected a number " + min + ".." + max + ", got \"" + abbreviate(v) + "\"");
        int n = Integer.parseInt(v);
        if (n < min || n > max) throw new IllegalArgumentException("expected a number " + min + ".." + max + ", got " + n);
        return n;
    }

    private static String abbreviate(String s) {
        return KeyValueFile.abbreviate(s);
    }

    /** Where this policy came from, for messages. */
    public String source() { return source; }

    /** Whether the file sets this key. */
    boolean sets(String key) { return lines.containsKey(key); }

    /** The policy's camera setting ("ask", "allow", "deny") or null. */
    String camera() { return camera; }

    /** The policy's Prometheus port (on loopback), or null. */
    Integer metricsPort() { return metricsPort; }

    /** Where the policy serves metrics ({@code metrics.listen}, else {@code metrics.port} on loopback), or null. */
    MetricsEndpoint metricsEndpoint() {
        if (metricsListen != null) return metricsListen;
        return metricsPort == null ? null : MetricsEndpoint.loopback(metricsPort);
    }

    /** The policy's call-detail record file, or null. */
    Path callRecordFile() { return callRecordFile; }

    /**
     * Applies every key this policy sets to {@code b}, except those in {@code skip}, reading the TURN
     * password file now. {@code ice.relay-only = false} leaves the builder as it is (false is the
     * default, and a caller's stricter choice stands).
     *
     * @throws IllegalArgumentException naming the key and line, e.g. for an unreadable password file
     */
    public void applyTo(EngineConfig.Builder b) {
        applyTo(b, Set.of());
    }

    void applyTo(EngineConfig.Builder b, Set<String> skip) {
        if (sets(CAMERA) && !skip.contains(CAMERA)) {
            b.cameraPolicy(EngineConfig.CameraPolicy.valueOf(camera.toUpperCase(java.util.Locale.ROOT)));
        }
        if (sets(STUN_SERVERS) && !skip.contains(STUN_SERVERS)) {
            for (HostPort h : stunServers) b.stunServer(resolve(STUN_SERVERS, h));
        }
        if (sets(TURN_SERVERS) && !skip.contains(TURN_SERVERS)) {
            String password = readSecret(TURN_PASSWORD_FILE, turnPasswordFile);
            for (HostPort h : turnServers) {
                b.turnServer(EngineConfig.TurnServer.udp(resolve(TURN_SERVERS, h), turnUsername, password));
            }
        }
        if (Boolean.TRUE.equals(relayOnly)) b.iceRelayOnly(true);
        if (sets(VIDEO_ENABLED) && !skip.contains(VIDEO_ENABLED)) b.videoEnabled(videoEnabled);
        if (sets(VIDEO_MAX_BITRATE) && !skip.contains(VIDEO_MAX_BITRATE)) b.videoMaxBitrateKbps(videoMaxBitrateKbps);
        if (sets(VIDEO_MAX_RESOLUTION) || sets(VIDEO_MAX_FPS)) {
            // caps: the command line may ask for less, never for more
            b.capVideoFormat(new EngineConfig.VideoFormat(
                    videoMaxResolution != null ? videoMaxResolution.width() : 1920,
                    videoMaxResolution != null ? videoMaxResolution.height() : 1080,
                    videoMaxFps != null ? videoMaxFps : 60));
        }
        if (sets(AUDIO_CODECS) && !skip.contains(AUDIO_CODECS)) b.audioCodecs(audioCodecs);
        applyMedia(b);
    }

    /** The destination keys (architecture 6a). false for a require key leaves a caller's stricter choice. */
    @SuppressWarnings("unchecked")
    private void applyMedia(EngineConfig.Builder b) {
        if (Boolean.TRUE.equals(media.get(MEDIA_REQUIRE_SRTP))) b.requireSrtp(true);
        if (Boolean.TRUE.equals(media.get(MEDIA_REQUIRE_ICE))) b.requireIce(true);
        if (media.containsKey(MEDIA_ALLOWED_NETWORKS)) b.allowedNetworks((List<String>) media.get(MEDIA_ALLOWED_NETWORKS));
        if (media.containsKey(MEDIA_ALLOW_LOCAL)) b.allowLocalDestinations((List<EngineConfig.LocalDestination>) media.get(MEDIA_ALLOW_LOCAL));
        if (media.containsKey(MEDIA_PLAIN_PEERS)) b.trustPlainPeers("trust".equals(media.get(MEDIA_PLAIN_PEERS)));
        if (media.containsKey(MEDIA_MAX_SEND_KBPS)) b.maxSendKbps((Integer) media.get(MEDIA_MAX_SEND_KBPS));
    }

    private InetSocketAddress resolve(String key, HostPort h) {
        try {
            return h.resolve();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("policy " + source + " line " + lines.get(key) + ": " + key + ": cannot resolve " + h.host());
        }
    }

    private String readSecret(String key, Path file) {
        try {
            return readSecretFile(file);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("policy " + source + " line " + lines.get(key) + ": " + key + ": " + e.getMessage());
        }
    }

    /**
     * The first line of a small password file, without surrounding white space. Shared with
     * {@code --turn-password-file}; the password never appears in messages.
     */
    static String readSecretFile(Path file) throws IOException {
        byte[] b;
        try (InputStream in = Files.newInputStream(file)) {
            b = in.readNBytes(MAX_SECRET_BYTES + 1);
        } catch (IOException e) {
            throw new IOException("cannot read " + file + " (" + e.getClass().getSimpleName() + ")", e);
        }
        if (b.length > MAX_SECRET_BYTES) throw new IllegalArgumentException(file + " is larger than " + MAX_SECRET_BYTES + " bytes");
        String s;
        try {
            s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(file + " is not valid UTF-8");
        }
        int nl = s.indexOf('\n');
        String first = (nl < 0 ? s : s.substring(0, nl)).strip();
        if (first.isEmpty()) throw new IllegalArgumentException(file + " has no password on its first line");
        return first;
    }

    @Override
    public String toString() {
        return "policy " + source + " (" + (lines.isEmpty() ? "nothing set" : String.join(", ", lines.keySet())) + ")";
    }
}
