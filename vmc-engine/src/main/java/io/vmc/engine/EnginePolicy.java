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
import java.util.Objects;
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
    /**
     * The admin's policy: {@code vmc engine} always reads it when it exists, and a user's
     * {@code --policy} file and options can only tighten it. A constant on purpose: no option,
     * property or environment variable moves it, since the user controls all of those.
     */
    public static final Path ADMIN_FILE = Path.of("/etc/vmc/engine.conf");
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
    /** Parsed value per key set, in file order. */
    private final Map<String, Object> values;
    /** Where each key was set, for messages: "policy FILE line N" or an option's name. */
    private final Map<String, String> origins;
    /** Each key's value as written, for messages. */
    private final Map<String, String> texts;

    private EnginePolicy(String source, Map<String, Object> values, Map<String, String> origins, Map<String, String> texts) {
        this.source = source;
        this.values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.origins = Map.copyOf(origins);
        this.texts = Map.copyOf(texts);
    }

    @SuppressWarnings("unchecked")
    private <T> T value(String key) {
        return (T) values.get(key);
    }

    /** A policy that sets nothing (no file). */
    public static EnginePolicy none() {
        return new EnginePolicy("none", Map.of(), Map.of(), Map.of());
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
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, String> origins = new LinkedHashMap<>();
        Map<String, String> texts = new LinkedHashMap<>();
        for (KeyValueFile.Entry e : KeyValueFile.parse("policy", source, content, KEYS)) {
            origins.put(e.key(), "policy " + source + " line " + e.line());
            texts.put(e.key(), e.value());
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
        return new EnginePolicy(source, values, origins, texts);
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
    boolean sets(String key) { return values.containsKey(key); }

    /** The policy's camera setting ("ask", "allow", "deny") or null. */
    String camera() { return value(CAMERA); }

    /** Where the policy serves metrics ({@code metrics.listen}, else {@code metrics.port} on loopback), or null. */
    MetricsEndpoint metricsEndpoint() {
        if (sets(METRICS_LISTEN)) return value(METRICS_LISTEN);
        return sets(METRICS_PORT) ? MetricsEndpoint.loopback(value(METRICS_PORT)) : null;
    }

    /** The policy's call-detail record file, or null. */
    Path callRecordFile() { return value(CDR_FILE); }

    /** Where {@code key} was set ("policy FILE line N", or the option), or null. */
    String origin(String key) { return origins.get(key); }

    /**
     * This policy with {@code key} set (replaced) from a command-line option. {@code value} has the
     * type the file's parser gives the key; {@code text} is how it was written.
     */
    EnginePolicy with(String key, Object value, String text, String option) {
        if (!KEYS.contains(key)) throw new IllegalArgumentException(key);
        Map<String, Object> v = new LinkedHashMap<>(values);
        Map<String, String> o = new LinkedHashMap<>(origins);
        Map<String, String> t = new LinkedHashMap<>(texts);
        v.put(key, value);
        o.put(key, option);
        t.put(key, text);
        return new EnginePolicy(source, v, o, t);
    }

    /** The option's text parsed as {@code key}'s value (the file's syntax and checks). */
    static Object parseOption(String key, String text, String option) {
        try {
            return parseValue(key, text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- the admin's floor

    private static final List<String> CAMERA_STRICTEST_FIRST = List.of("deny", "ask", "allow");

    /**
     * The admin's policy (this) with the user's settings ({@code user}: their own file and their
     * options) applied only where they are at least as strict, key by key: the admin's file is a
     * floor. For each user setting that would loosen a key the admin sets, {@code notes} gets a
     * line naming both, and the admin's value stands.
     *
     * @throws IllegalArgumentException where the two leave nothing (no common audio codec, no common network)
     */
    EnginePolicy tightenedBy(EnginePolicy user, List<String> notes) {
        Map<String, Object> v = new LinkedHashMap<>(values);
        Map<String, String> o = new LinkedHashMap<>(origins);
        Map<String, String> t = new LinkedHashMap<>(texts);
        for (String key : user.values.keySet()) {
            Object mine = values.get(key);
            Object theirs = user.values.get(key);
            if (adminHolds(key)) {
                if (!Objects.equals(heldValue(this, key), heldValue(user, key))) {
                    notes.add(user.origin(key) + ": " + key + " = " + user.texts.get(key) + " ignored, " + floorText(key));
                }
                continue;
            }
            if (mine == null) { // the admin leaves the key to the user
                v.put(key, theirs);
                o.put(key, user.origin(key));
                t.put(key, user.texts.get(key));
                continue;
            }
            Object tighter = tighter(key, mine, theirs, user.origin(key));
            if (!Objects.equals(tighter, theirs)) {
                notes.add(user.origin(key) + ": " + key + " = " + user.texts.get(key)
                        + (Objects.equals(tighter, mine) ? " ignored, " : " narrowed to " + text(key, tighter) + ", ") + floorText(key));
            }
            if (!Objects.equals(tighter, mine)) {
                v.put(key, tighter);
                o.put(key, user.origin(key));
                t.put(key, Objects.equals(tighter, theirs) ? user.texts.get(key) : text(key, tighter));
            }
        }
        return new EnginePolicy(source + (user.source.equals("none") ? "" : " + " + user.source), v, o, t);
    }

    /**
     * Keys the admin's value fixes whole when set: where metrics and call records go (the admin's
     * monitoring), and the credentials that go with the admin's TURN servers. A user value counts
     * only when it equals the admin's.
     */
    private boolean adminHolds(String key) {
        return switch (key) {
            case METRICS_LISTEN, METRICS_PORT -> metricsEndpoint() != null;
            case CDR_FILE -> sets(CDR_FILE);
            case TURN_USERNAME, TURN_PASSWORD_FILE -> sets(TURN_SERVERS);
            default -> false;
        };
    }

    /** A held key's value, comparable across policies (both metrics keys as the endpoint they mean). */
    private static Object heldValue(EnginePolicy p, String key) {
        return key.startsWith("metrics.") ? String.valueOf(p.metricsEndpoint()) : p.values.get(key);
    }

    private String floorText(String key) {
        String k = key.startsWith("metrics.") && !sets(key) ? (sets(METRICS_LISTEN) ? METRICS_LISTEN : METRICS_PORT) : key;
        return origin(k) + " sets " + k + " = " + texts.get(k);
    }

    /** The stricter of the admin's value and the user's for a key both set (the admin's when the user's is looser). */
    @SuppressWarnings("unchecked")
    private Object tighter(String key, Object mine, Object theirs, String theirOrigin) {
        switch (key) {
            case CAMERA:
                return CAMERA_STRICTEST_FIRST.indexOf(theirs) < CAMERA_STRICTEST_FIRST.indexOf(mine) ? theirs : mine;
            case VIDEO_ENABLED:
                return (Boolean) mine && (Boolean) theirs;
            case ICE_RELAY_ONLY:
            case MEDIA_REQUIRE_SRTP:
            case MEDIA_REQUIRE_ICE:
                return (Boolean) mine || (Boolean) theirs;
            case VIDEO_MAX_BITRATE:
            case VIDEO_MAX_FPS:
            case MEDIA_MAX_SEND_KBPS:
                return Math.min((Integer) mine, (Integer) theirs);
            case VIDEO_MAX_RESOLUTION: {
                EngineConfig.VideoFormat a = (EngineConfig.VideoFormat) mine;
                EngineConfig.VideoFormat min = a.min((EngineConfig.VideoFormat) theirs);
                return min.equals(a) ? mine : min;
            }
            case MEDIA_PLAIN_PEERS:
                return "latch".equals(mine) || "latch".equals(theirs) ? "latch" : "trust";
            case STUN_SERVERS:
            case TURN_SERVERS: // fewer of the admin's servers, never others
                return ((List<HostPort>) mine).containsAll((List<HostPort>) theirs) ? theirs : mine;
            case AUDIO_CODECS: {
                List<String> kept = new ArrayList<>((List<String>) theirs); // the user's order
                kept.retainAll((List<String>) mine);
                if (kept.isEmpty()) {
                    throw new IllegalArgumentException(theirOrigin + ": " + AUDIO_CODECS + " allows none of the codecs " + floorText(key));
                }
                return kept.equals(mine) ? mine : kept;
            }
            case MEDIA_ALLOW_LOCAL: {
                List<EngineConfig.LocalDestination> kept = new ArrayList<>((List<EngineConfig.LocalDestination>) mine);
                kept.retainAll((List<EngineConfig.LocalDestination>) theirs);
                return kept.equals(mine) ? mine : kept;
            }
            case MEDIA_ALLOWED_NETWORKS: {
                List<String> both = new ArrayList<>();
                for (String a : (List<String>) mine) {
                    for (String u : (List<String>) theirs) {
                        io.vmc.engine.internal.Cidr.parse(a).intersection(io.vmc.engine.internal.Cidr.parse(u))
                                .map(Object::toString).filter(c -> !both.contains(c)).ifPresent(both::add);
                    }
                }
                if (both.isEmpty()) { // an empty list would mean "any network"
                    throw new IllegalArgumentException(theirOrigin + ": " + MEDIA_ALLOWED_NETWORKS
                            + " shares no address with the admin's networks (" + floorText(key) + ")");
                }
                return both.equals(mine) ? mine : both;
            }
            default:
                throw new IllegalStateException(key); // every other key is held by the admin
        }
    }

    @SuppressWarnings("unchecked")
    private static String text(String key, Object value) {
        if (value instanceof List<?> l) {
            List<String> out = new ArrayList<>();
            for (Object x : l) {
                out.add(x instanceof EngineConfig.LocalDestination d ? d.policyName()
                        : x instanceof HostPort h ? h.host() + ":" + h.port() : x.toString());
            }
            return out.isEmpty() ? "none" : String.join(", ", out);
        }
        if (value instanceof EngineConfig.VideoFormat f) return f.width() + "x" + f.height();
        return String.valueOf(value);
    }

    /**
     * Applies every key this policy sets to {@code b}, reading the TURN password file now.
     * {@code false} for {@code ice.relay-only} and the {@code media.require-*} keys leaves the builder
     * as it is (false is the default, and a caller's stricter choice stands).
     *
     * @throws IllegalArgumentException naming the key and line, e.g. for an unreadable password file
     */
    @SuppressWarnings("unchecked")
    public void applyTo(EngineConfig.Builder b) {
        if (sets(CAMERA)) {
            b.cameraPolicy(EngineConfig.CameraPolicy.valueOf(camera().toUpperCase(Locale.ROOT)));
        }
        if (sets(STUN_SERVERS)) {
            for (HostPort h : (List<HostPort>) value(STUN_SERVERS)) b.stunServer(resolve(STUN_SERVERS, h));
        }
        if (sets(TURN_SERVERS)) {
            String password = readSecret(TURN_PASSWORD_FILE, value(TURN_PASSWORD_FILE));
            for (HostPort h : (List<HostPort>) value(TURN_SERVERS)) {
                b.turnServer(EngineConfig.TurnServer.udp(resolve(TURN_SERVERS, h), value(TURN_USERNAME), password));
            }
        }
        if (Boolean.TRUE.equals(value(ICE_RELAY_ONLY))) b.iceRelayOnly(true);
        if (sets(VIDEO_ENABLED)) b.videoEnabled(value(VIDEO_ENABLED));
        if (sets(VIDEO_MAX_BITRATE)) b.videoMaxBitrateKbps(value(VIDEO_MAX_BITRATE));
        if (sets(VIDEO_MAX_RESOLUTION) || sets(VIDEO_MAX_FPS)) {
            // caps: the command line may ask for less, never for more
            EngineConfig.VideoFormat r = value(VIDEO_MAX_RESOLUTION);
            Integer fps = value(VIDEO_MAX_FPS);
            b.capVideoFormat(new EngineConfig.VideoFormat(r != null ? r.width() : 1920, r != null ? r.height() : 1080, fps != null ? fps : 60));
        }
        if (sets(AUDIO_CODECS)) b.audioCodecs(value(AUDIO_CODECS));
        if (Boolean.TRUE.equals(value(MEDIA_REQUIRE_SRTP))) b.requireSrtp(true);
        if (Boolean.TRUE.equals(value(MEDIA_REQUIRE_ICE))) b.requireIce(true);
        if (sets(MEDIA_ALLOWED_NETWORKS)) b.allowedNetworks(value(MEDIA_ALLOWED_NETWORKS));
        if (sets(MEDIA_ALLOW_LOCAL)) b.allowLocalDestinations(value(MEDIA_ALLOW_LOCAL));
        if (sets(MEDIA_PLAIN_PEERS)) b.trustPlainPeers("trust".equals(value(MEDIA_PLAIN_PEERS)));
        if (sets(MEDIA_MAX_SEND_KBPS)) b.maxSendKbps(value(MEDIA_MAX_SEND_KBPS));
    }

    private InetSocketAddress resolve(String key, HostPort h) {
        try {
            return h.resolve();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(origin(key) + ": " + key + ": cannot resolve " + h.host());
        }
    }

    private String readSecret(String key, Path file) {
        try {
            return readSecretFile(file);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(origin(key) + ": " + key + ": " + e.getMessage());
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
        return "policy " + source + " (" + (values.isEmpty() ? "nothing set" : String.join(", ", values.keySet())) + ")";
    }
}
