package io.vmc.engine.sdp;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Parser for SDP (RFC 8866) as used in offer/answer (RFC 3264), with ICE (RFC 8839) and SDES
 * (RFC 4568) attributes. SDP comes from the guest and from the network: every limit is a named
 * constant and every error names the line and what was expected.
 */
public final class SdpParser {
    /** Largest SDP document accepted, in bytes (UTF-8). Real audio/video SDPs are 1-4 KiB. */
    public static final int MAX_SDP_BYTES = 32 * 1024;
    /** Longest single line accepted, in characters. */
    public static final int MAX_LINE_LENGTH = 1024;
    /** Most lines accepted in one document. */
    public static final int MAX_LINES = 600;
    /** Most m= sections accepted. */
    public static final int MAX_MEDIA = 8;
    /** Most formats (payload types) accepted on one m= line. */
    public static final int MAX_FORMATS = 64;
    /** Most a= lines accepted per section. */
    public static final int MAX_ATTRIBUTES = 256;
    /** Most a=candidate lines accepted per m= section (a flood is refused, not truncated). */
    public static final int MAX_CANDIDATES = 64;

    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+\\-.0-9A-Z^_`a-z{|}~]{1,128}");
    private static final Pattern ENCODING = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.\\-]{0,31}");
    private static final Pattern IPV4 = Pattern.compile(
            "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    private static final Pattern ICE_CHARS = Pattern.compile("[A-Za-z0-9+/]{1,256}");
    private static final Pattern DIGITS = Pattern.compile("\\d{1,20}");

    private SdpParser() {
    }

    public static SessionDescription parse(String sdp) throws SdpParseException {
        if (sdp == null || sdp.isEmpty()) {
            throw new SdpParseException(0, "empty document");
        }
        if (sdp.length() > MAX_SDP_BYTES || sdp.getBytes(StandardCharsets.UTF_8).length > MAX_SDP_BYTES) {
            throw new SdpParseException(0, "document of " + sdp.getBytes(StandardCharsets.UTF_8).length
                    + " bytes exceeds the allowed maximum (" + MAX_SDP_BYTES + ")");
        }
        String[] lines = sdp.split("\r?\n", -1);
        int count = lines.length;
        while (count > 0 && lines[count - 1].isEmpty()) {
            count--; // trailing line ends: real stacks add an empty line after the last CRLF
        }
        if (count > MAX_LINES) {
            throw new SdpParseException(0, count + " lines exceed the allowed maximum (" + MAX_LINES + ")");
        }

        String originUser = null;
        String sessionId = null;
        long sessionVersion = 0;
        Connection originAddress = null;
        String sessionName = null;
        Connection sessionConnection = null;
        boolean sawTiming = false;
        List<Attribute> sessionAttributes = new ArrayList<>();
        List<MediaDescription> media = new ArrayList<>();

        // current media section under construction
        String mMedia = null;
        int mPort = 0;
        String mProto = null;
        List<String> mFormats = null;
        Connection mConnection = null;
        List<Attribute> mAttributes = null;
        int mCandidates = 0;
        int mLine = 0;

        for (int i = 0; i < count; i++) {
            int ln = i + 1;
            String line = lines[i];
            if (line.length() > MAX_LINE_LENGTH) {
                throw new SdpParseException(ln, "line of " + line.length() + " characters exceeds the allowed maximum ("
                        + MAX_LINE_LENGTH + ")");
            }
            if (line.length() < 2 || line.charAt(1) != '=') {
                throw new SdpParseException(ln, "expected <type>=<value>, got \"" + abbreviate(line) + "\"");
            }
            for (int c = 0; c < line.length(); c++) {
                char ch = line.charAt(c);
                if (ch < 0x20 && ch != '\t' || ch == 0x7f) {
                    throw new SdpParseException(ln, "control character 0x" + Integer.toHexString(ch) + " at column " + (c + 1));
                }
            }
            char type = line.charAt(0);
            String value = line.substring(2);
            if (i == 0 && !(type == 'v' && value.equals("0"))) {
                throw new SdpParseException(ln, "first line must be \"v=0\", got \"" + abbreviate(line) + "\"");
            }
            switch (type) {
                case 'v' -> {
                    if (i != 0) throw new SdpParseException(ln, "v= may appear only as the first line");
                }
                case 'o' -> {
                    if (mMedia != null || originUser != null) throw new SdpParseException(ln, "o= must appear once, before m=");
                    String[] f = value.split(" ");
                    if (f.length != 6) throw new SdpParseException(ln, "o= needs 6 fields, got " + f.length);
                    if (!DIGITS.matcher(f[2]).matches()) throw new SdpParseException(ln, "o= session version is not a number: " + abbreviate(f[2]));
                    originUser = f[0];
                    sessionId = f[1];
                    try {
                        sessionVersion = Long.parseUnsignedLong(f[2]);
                    } catch (NumberFormatException e) {
                        throw new SdpParseException(ln, "o= session version out of range: " + abbreviate(f[2]));
                    }
                    if (!f[3].equals("IN")) throw new SdpParseException(ln, "o= network type must be IN, got " + abbreviate(f[3]));
                    // the origin address may legitimately be a host name; it is never used to send anything
                    originAddress = new Connection(f[4], f[5]);
                }
                case 's' -> {
                    if (mMedia != null) throw new SdpParseException(ln, "s= after m=");
                    sessionName = value;
                }
                case 'c' -> {
                    Connection c = parseConnection(ln, value);
                    if (mMedia != null) {
                        mConnection = c;
                    } else {
                        sessionConnection = c;
                    }
                }
                case 't' -> sawTiming = true;
                case 'a' -> {
                    Attribute a = parseAttribute(ln, value);
                    List<Attribute> target = mMedia != null ? mAttributes : sessionAttributes;
                    if (target.size() >= MAX_ATTRIBUTES) {
                        throw new SdpParseException(ln, "more than " + MAX_ATTRIBUTES + " attributes in one section");
                    }
                    if (a.name().equalsIgnoreCase("candidate")) {
                        if (mMedia == null) throw new SdpParseException(ln, "a=candidate outside a media section");
                        if (++mCandidates > MAX_CANDIDATES) {
                            throw new SdpParseException(ln, "more than " + MAX_CANDIDATES + " candidates in one media section");
                        }
                    }
                    validateAttribute(ln, a);
                    target.add(a);
                }
                case 'm' -> {
                    if (mMedia != null) {
                        media.add(new MediaDescription(mMedia, mPort, mProto, mFormats, mConnection, mAttributes));
                    }
                    if (media.size() >= MAX_MEDIA) {
                        throw new SdpParseException(ln, "more than " + MAX_MEDIA + " media sections");
                    }
                    String[] f = value.split(" ");
                    if (f.length < 4) throw new SdpParseException(ln, "m= needs <media> <port> <proto> <fmt>..., got \"" + abbreviate(value) + "\"");
                    if (!TOKEN.matcher(f[0]).matches()) throw new SdpParseException(ln, "bad media type " + abbreviate(f[0]));
                    String portField = f[1];
                    int slash = portField.indexOf('/');
                    if (slash >= 0) portField = portField.substring(0, slash); // port/count: count ignored
                    mPort = parseInt(ln, portField, 0, 65535, "m= port");
                    if (!f[2].matches("[A-Za-z0-9/]{1,32}")) throw new SdpParseException(ln, "bad transport protocol " + abbreviate(f[2]));
                    if (f.length - 3 > MAX_FORMATS) {
                        throw new SdpParseException(ln, (f.length - 3) + " formats exceed the allowed maximum (" + MAX_FORMATS + ")");
                    }
                    mFormats = new ArrayList<>();
                    boolean rtp = f[2].toUpperCase(Locale.ROOT).startsWith("RTP/");
                    for (int k = 3; k < f.length; k++) {
                        if (f[k].isEmpty()) throw new SdpParseException(ln, "empty format in m= line");
                        if (rtp) {
                            parseInt(ln, f[k], 0, 127, "payload type");
                        } else if (!TOKEN.matcher(f[k]).matches()) {
                            throw new SdpParseException(ln, "bad format " + abbreviate(f[k]));
                        }
                        mFormats.add(f[k]);
                    }
                    mMedia = f[0];
                    mProto = f[2];
                    mConnection = null;
                    mAttributes = new ArrayList<>();
                    mCandidates = 0;
                    mLine = ln;
                }
                case 'i', 'u', 'e', 'p', 'b', 'r', 'z', 'k' -> {
                    // informational or unused by the engine: accepted and ignored
                }
                default -> throw new SdpParseException(ln, "unknown line type '" + printable(type) + "'");
            }
        }
        if (mMedia != null) {
            media.add(new MediaDescription(mMedia, mPort, mProto, mFormats, mConnection, mAttributes));
        }
        if (originUser == null) throw new SdpParseException(0, "missing o= line");
        if (sessionName == null) throw new SdpParseException(0, "missing s= line");
        if (!sawTiming) throw new SdpParseException(0, "missing t= line");
        for (MediaDescription m : media) {
            if (!m.isRejected() && m.connection() == null && sessionConnection == null
                    && !m.hasAttribute("candidate") && !m.hasAttribute("ice-ufrag")) {
                throw new SdpParseException(mLine, "media section \"" + m.media() + "\" has no c= line at media or session level");
            }
        }
        return new SessionDescription(originUser, sessionId, sessionVersion, originAddress, sessionName,
                sessionConnection, sessionAttributes, media);
    }

    private static Attribute parseAttribute(int ln, String value) throws SdpParseException {
        int colon = value.indexOf(':');
        String name = colon < 0 ? value : value.substring(0, colon);
        if (!TOKEN.matcher(name).matches()) {
            throw new SdpParseException(ln, "bad attribute name \"" + abbreviate(name) + "\"");
        }
        return new Attribute(name, colon < 0 ? null : value.substring(colon + 1));
    }

    /** Checks the attributes the engine acts on; others are kept as opaque text. */
    private static void validateAttribute(int ln, Attribute a) throws SdpParseException {
        String v = a.value();
        switch (a.name().toLowerCase(Locale.ROOT)) {
            case "rtpmap" -> parseRtpMap(ln, require(ln, a));
            case "fmtp" -> {
                String s = require(ln, a);
                int sp = s.indexOf(' ');
                parseInt(ln, sp < 0 ? s : s.substring(0, sp), 0, 127, "fmtp payload type");
            }
            case "ptime", "maxptime" -> parseInt(ln, require(ln, a).trim(), 1, 1000, "a=" + a.name());
            case "ice-ufrag" -> {
                String s = require(ln, a);
                if (s.length() < 4 || !ICE_CHARS.matcher(s).matches()) {
                    throw new SdpParseException(ln, "ice-ufrag must be 4-256 ice-chars, got \"" + abbreviate(s) + "\"");
                }
            }
            case "ice-pwd" -> {
                String s = require(ln, a);
                if (s.length() < 22 || !ICE_CHARS.matcher(s).matches()) {
                    throw new SdpParseException(ln, "ice-pwd must be 22-256 ice-chars, got " + s.length() + " characters");
                }
            }
            case "crypto" -> {
                // unsupported suites are skipped during negotiation, but the line must be well formed
                parseCryptoLine(ln, require(ln, a));
            }
            case "rtcp" -> parseInt(ln, require(ln, a).trim().split(" ")[0], 0, 65535, "a=rtcp port");
            case "candidate" -> {
                // malformed candidates are an error; well-formed ones we cannot use (tcp, mDNS) are ignored later
                try {
                    parseCandidateFields(require(ln, a));
                } catch (IllegalArgumentException e) {
                    throw new SdpParseException(ln, "bad candidate: " + e.getMessage());
                }
            }
            case "ssrc" -> parseLong(ln, require(ln, a).split(" ")[0], 0, 0xFFFFFFFFL, "a=ssrc");
            default -> {
                if (v != null && v.length() > MAX_LINE_LENGTH) {
                    throw new SdpParseException(ln, "attribute too long");
                }
            }
        }
    }

    private static String require(int ln, Attribute a) throws SdpParseException {
        if (a.value() == null || a.value().isEmpty()) {
            throw new SdpParseException(ln, "a=" + a.name() + " needs a value");
        }
        return a.value();
    }

    private static Connection parseConnection(int ln, String value) throws SdpParseException {
        String[] f = value.split(" ");
        if (f.length != 3) throw new SdpParseException(ln, "c= needs 3 fields (IN IP4 address), got " + f.length);
        if (!f[0].equals("IN")) throw new SdpParseException(ln, "c= network type must be IN, got " + abbreviate(f[0]));
        String addr = f[2];
        int slash = addr.indexOf('/');
        if (slash >= 0) {
            throw new SdpParseException(ln, "multicast c= addresses (with TTL) are not supported: " + abbreviate(addr));
        }
        if (f[1].equals("IP4")) {
            if (!IPV4.matcher(addr).matches()) throw new SdpParseException(ln, "c= IP4 address is not an IPv4 literal: " + abbreviate(addr));
        } else if (f[1].equals("IP6")) {
            if (parseAddressLiteral(addr).isEmpty() || !addr.contains(":")) throw new SdpParseException(ln, "c= IP6 address is not an IPv6 literal: " + abbreviate(addr));
        } else {
            throw new SdpParseException(ln, "c= address type must be IP4 or IP6, got " + abbreviate(f[1]));
        }
        return new Connection(f[1], addr);
    }

    /** Parses an IPv4 or IPv6 literal without ever doing a name lookup. */
    public static Optional<InetAddress> parseAddressLiteral(String s) {
        if (s == null) return Optional.empty();
        boolean v4 = IPV4.matcher(s).matches();
        boolean v6 = !v4 && s.contains(":") && IPV6_CHARS.matcher(s).matches();
        if (!v4 && !v6) return Optional.empty();
        try {
            return Optional.of(InetAddress.getByName(s)); // literal: no lookup happens
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    static RtpMap parseRtpMap(int ln, String v) throws SdpParseException {
        String[] f = v.trim().split(" ");
        if (f.length != 2) throw new SdpParseException(ln, "rtpmap needs \"<pt> <encoding>/<clock>[/<channels>]\", got \"" + abbreviate(v) + "\"");
        int pt = parseInt(ln, f[0], 0, 127, "rtpmap payload type");
        String[] e = f[1].split("/");
        if (e.length < 2 || e.length > 3) throw new SdpParseException(ln, "rtpmap encoding must be name/clock[/channels], got \"" + abbreviate(f[1]) + "\"");
        if (!ENCODING.matcher(e[0]).matches()) throw new SdpParseException(ln, "bad encoding name \"" + abbreviate(e[0]) + "\"");
        int clock = parseInt(ln, e[1], 1000, 192000, "rtpmap clock rate");
        int channels = e.length == 3 ? parseInt(ln, e[2], 1, 8, "rtpmap channels") : 1;
        return new RtpMap(pt, e[0], clock, channels);
    }

    static RtpMap parseRtpMapLenient(String v) {
        try {
            return parseRtpMap(0, v);
        } catch (SdpParseException e) {
            return null;
        }
    }

    /**
     * The {@code name=value} parameters of an fmtp value (after the payload type), names lowercased
     * (RFC 6184 names are case-insensitive). A segment without {@code =} is kept with an empty value.
     *
     * @throws IllegalArgumentException on more than {@code max} parameters or a repeated name: an
     *     ambiguous format is refused rather than guessed at
     */
    public static Map<String, String> parseFmtpParameters(String fmtp, int max) {
        Map<String, String> out = new LinkedHashMap<>();
        if (fmtp == null || fmtp.isBlank()) return out;
        if (fmtp.length() > MAX_LINE_LENGTH) throw new IllegalArgumentException("longer than " + MAX_LINE_LENGTH);
        for (String seg : fmtp.split(";", -1)) {
            String t = seg.trim();
            if (t.isEmpty()) continue;
            int eq = t.indexOf('=');
            String name = (eq < 0 ? t : t.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            String value = eq < 0 ? "" : t.substring(eq + 1).trim();
            if (out.size() >= max) throw new IllegalArgumentException("more than " + max + " parameters");
            if (out.putIfAbsent(name, value) != null) throw new IllegalArgumentException("repeats parameter \"" + abbreviate(name) + "\"");
        }
        return out;
    }

    /** Parses the value of an a=crypto line; returns null for a well-formed line this engine cannot use. */
    public static Crypto parseCrypto(String v) {
        try {
            return parseCryptoLine(0, v);
        } catch (SdpParseException e) {
            return null;
        }
    }

    private static Crypto parseCryptoLine(int ln, String v) throws SdpParseException {
        String[] f = v.trim().split(" ");
        if (f.length < 3) throw new SdpParseException(ln, "crypto needs \"<tag> <suite> <key-params>\"");
        int tag = parseInt(ln, f[0], 0, 999_999_999, "crypto tag");
        String suite = f[1];
        if (!TOKEN.matcher(suite).matches()) throw new SdpParseException(ln, "bad crypto suite");
        String kp = f[2];
        if (!kp.startsWith("inline:")) throw new SdpParseException(ln, "crypto key method must be inline:");
        String[] parts = kp.substring("inline:".length()).split("\\|");
        byte[] key;
        try {
            key = Base64.getDecoder().decode(parts[0]);
        } catch (IllegalArgumentException e) {
            throw new SdpParseException(ln, "crypto key is not base64");
        }
        boolean known = suite.equals(Crypto.AES_CM_128_HMAC_SHA1_80) || suite.equals(Crypto.AES_CM_128_HMAC_SHA1_32);
        if (!known) {
            return null; // other suites (AEAD, 256-bit) are well formed but not offered by us
        }
        if (key.length != Crypto.KEY_AND_SALT_BYTES) {
            throw new SdpParseException(ln, "crypto key+salt is " + key.length + " bytes, " + suite + " needs " + Crypto.KEY_AND_SALT_BYTES);
        }
        for (int k = 1; k < parts.length; k++) {
            if (parts[k].contains(":")) {
                return null; // MKI: not supported, the line is skipped during negotiation
            }
        }
        return new Crypto(tag, suite, key);
    }

    /**
     * Parses the value of an a=candidate line (without "candidate:"), for SDP or trickle.
     * Returns empty for a well-formed candidate the engine does not use (TCP, mDNS host names).
     *
     * @throws IllegalArgumentException for a malformed candidate, with the reason
     */
    public static Optional<Candidate> parseCandidate(String v) {
        return parseCandidateFields(v);
    }

    private static Optional<Candidate> parseCandidateFields(String v) {
        if (v == null) throw new IllegalArgumentException("null");
        if (v.length() > MAX_LINE_LENGTH) throw new IllegalArgumentException("longer than " + MAX_LINE_LENGTH);
        String s = v.startsWith("candidate:") ? v.substring("candidate:".length()) : v;
        String[] f = s.trim().split(" +");
        if (f.length < 8) throw new IllegalArgumentException("needs at least 8 fields, got " + f.length);
        String foundation = f[0];
        if (!ICE_CHARS.matcher(foundation).matches() || foundation.length() > 32) throw new IllegalArgumentException("bad foundation");
        int component = (int) longField(f[1], 1, 256, "component");
        String transport = f[2];
        long priority = longField(f[3], 1, 0xFFFFFFFFL, "priority");
        String address = f[4];
        int port = (int) longField(f[5], 0, 65535, "port");
        if (!f[6].equals("typ")) throw new IllegalArgumentException("expected \"typ\", got " + abbreviate(f[6]));
        String type = f[7];
        if (!type.matches("host|srflx|prflx|relay")) throw new IllegalArgumentException("unknown candidate type " + abbreviate(type));
        InetAddress raddr = null;
        int rport = 0;
        for (int k = 8; k + 1 < f.length; k += 2) {
            if (f[k].equals("raddr")) {
                raddr = parseAddressLiteral(f[k + 1]).orElse(null);
            } else if (f[k].equals("rport")) {
                rport = (int) longField(f[k + 1], 0, 65535, "rport");
            }
        }
        if (!transport.equalsIgnoreCase("udp")) return Optional.empty();
        Optional<InetAddress> addr = parseAddressLiteral(address);
        if (addr.isEmpty()) {
            if (address.endsWith(".local") && address.length() < 256) return Optional.empty(); // mDNS: not resolved
            throw new IllegalArgumentException("address is not an IP literal: " + abbreviate(address));
        }
        if (port == 0) throw new IllegalArgumentException("port 0");
        return Optional.of(new Candidate(foundation, component, "udp", priority, addr.get(), port, type, raddr, rport));
    }

    private static long longField(String s, long min, long max, String what) {
        if (!DIGITS.matcher(s).matches()) throw new IllegalArgumentException(what + " is not a number: " + abbreviate(s));
        long v;
        try {
            v = Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " out of range: " + abbreviate(s));
        }
        if (v < min || v > max) throw new IllegalArgumentException(what + " " + v + " outside " + min + ".." + max);
        return v;
    }

    private static int parseInt(int ln, String s, int min, int max, String what) throws SdpParseException {
        return (int) parseLong(ln, s, min, max, what);
    }

    private static long parseLong(int ln, String s, long min, long max, String what) throws SdpParseException {
        try {
            return longField(s, min, max, what);
        } catch (IllegalArgumentException e) {
            throw new SdpParseException(ln, e.getMessage());
        }
    }

    static String abbreviate(String s) {
        String t = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        StringBuilder sb = new StringBuilder();
        for (char c : t.toCharArray()) sb.append(printable(c));
        return sb.toString();
    }

    private static String printable(char c) {
        return c < 0x20 || c >= 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c);
    }
}
