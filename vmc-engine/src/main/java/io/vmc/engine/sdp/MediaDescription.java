package io.vmc.engine.sdp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One {@code m=} section with its {@code c=}, {@code b=} and {@code a=} lines. */
public final class MediaDescription {
    private final String media;
    private final int port;
    private final String proto;
    private final List<String> formats;
    private final Connection connection;
    private final List<Attribute> attributes;

    public MediaDescription(String media, int port, String proto, List<String> formats,
                            Connection connection, List<Attribute> attributes) {
        this.media = media;
        this.port = port;
        this.proto = proto;
        this.formats = List.copyOf(formats);
        this.connection = connection;
        this.attributes = List.copyOf(attributes);
    }

    public String media() { return media; }
    public int port() { return port; }
    public String proto() { return proto; }
    public List<String> formats() { return formats; }
    /** The media-level {@code c=} line, or null (then the session-level one applies). */
    public Connection connection() { return connection; }
    public List<Attribute> attributes() { return attributes; }

    /** Rejected or disabled stream (port 0, RFC 3264 section 6). */
    public boolean isRejected() { return port == 0; }

    /** SRTP profiles: RTP/SAVP(F) with SDES keys, or UDP/TLS/RTP/SAVP(F) keyed by DTLS (RFC 5764 section 8). */
    public boolean isSecure() {
        String p = proto.toUpperCase(java.util.Locale.ROOT);
        return p.equals("RTP/SAVP") || p.equals("RTP/SAVPF") || isDtls();
    }

    /** UDP/TLS/RTP/SAVP or UDP/TLS/RTP/SAVPF: SRTP keyed by DTLS (RFC 5764 section 8), what WebRTC peers send. */
    public boolean isDtls() {
        String p = proto.toUpperCase(java.util.Locale.ROOT);
        return p.equals("UDP/TLS/RTP/SAVP") || p.equals("UDP/TLS/RTP/SAVPF");
    }

    public boolean isRtp() {
        String p = proto.toUpperCase(java.util.Locale.ROOT);
        return p.equals("RTP/AVP") || p.equals("RTP/SAVP") || p.equals("RTP/AVPF") || p.equals("RTP/SAVPF") || isDtls();
    }

    public Optional<String> attribute(String name) {
        for (Attribute a : attributes) {
            if (a.name().equalsIgnoreCase(name)) {
                return Optional.of(a.value() == null ? "" : a.value());
            }
        }
        return Optional.empty();
    }

    public boolean hasAttribute(String name) { return attribute(name).isPresent(); }

    public List<String> attributes(String name) {
        List<String> out = new ArrayList<>();
        for (Attribute a : attributes) {
            if (a.name().equalsIgnoreCase(name)) {
                out.add(a.value() == null ? "" : a.value());
            }
        }
        return out;
    }

    /** sendrecv, sendonly, recvonly or inactive; null if none is given at this level. */
    public Direction direction() {
        for (Attribute a : attributes) {
            Direction d = Direction.fromAttribute(a.name());
            if (d != null) {
                return d;
            }
        }
        return null;
    }

    /**
     * The payload types of this m-line with their rtpmap; static types without rtpmap get their
     * RFC 3551 defaults (0 PCMU, 8 PCMA, 9 G722). Unknown formats without rtpmap are left out.
     */
    public Map<Integer, RtpMap> rtpMaps() {
        Map<Integer, RtpMap> declared = new LinkedHashMap<>();
        for (String v : attributes("rtpmap")) {
            RtpMap m = SdpParser.parseRtpMapLenient(v);
            if (m != null) {
                declared.putIfAbsent(m.payloadType(), m);
            }
        }
        Map<Integer, RtpMap> out = new LinkedHashMap<>();
        for (String f : formats) {
            int pt;
            try {
                pt = Integer.parseInt(f);
            } catch (NumberFormatException e) {
                continue;
            }
            RtpMap m = declared.get(pt);
            if (m == null) {
                m = switch (pt) {
                    case 0 -> new RtpMap(0, "PCMU", 8000, 1);
                    case 8 -> new RtpMap(8, "PCMA", 8000, 1);
                    case 9 -> new RtpMap(9, "G722", 8000, 1);
                    default -> null;
                };
            }
            if (m != null) {
                out.put(pt, m);
            }
        }
        return out;
    }

    /** The fmtp parameters for a payload type, or an empty string. */
    public String fmtp(int payloadType) {
        String prefix = payloadType + " ";
        for (String v : attributes("fmtp")) {
            if (v.startsWith(prefix)) {
                return v.substring(prefix.length()).trim();
            }
        }
        return "";
    }

    void appendTo(StringBuilder sb) {
        sb.append("m=").append(media).append(' ').append(port).append(' ').append(proto);
        for (String f : formats) {
            sb.append(' ').append(f);
        }
        sb.append("\r\n");
        if (connection != null) {
            sb.append("c=").append(connection).append("\r\n");
        }
        for (Attribute a : attributes) {
            sb.append("a=").append(a).append("\r\n");
        }
    }
}
