package io.vmc.engine.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A parsed or generated SDP document (RFC 8866). Immutable. */
public final class SessionDescription {
    private final String originUser;
    private final String sessionId;
    private final long sessionVersion;
    private final Connection originAddress;
    private final String sessionName;
    private final Connection connection;
    private final List<Attribute> attributes;
    private final List<MediaDescription> media;

    public SessionDescription(String originUser, String sessionId, long sessionVersion, Connection originAddress,
                              String sessionName, Connection connection, List<Attribute> attributes,
                              List<MediaDescription> media) {
        this.originUser = originUser;
        this.sessionId = sessionId;
        this.sessionVersion = sessionVersion;
        this.originAddress = originAddress;
        this.sessionName = sessionName;
        this.connection = connection;
        this.attributes = List.copyOf(attributes);
        this.media = List.copyOf(media);
    }

    public String originUser() { return originUser; }
    public String sessionId() { return sessionId; }
    public long sessionVersion() { return sessionVersion; }
    public Connection originAddress() { return originAddress; }
    public String sessionName() { return sessionName; }
    /** Session-level {@code c=}, or null. */
    public Connection connection() { return connection; }
    public List<Attribute> attributes() { return attributes; }
    public List<MediaDescription> media() { return media; }

    public Optional<String> attribute(String name) {
        for (Attribute a : attributes) {
            if (a.name().equalsIgnoreCase(name)) {
                return Optional.of(a.value() == null ? "" : a.value());
            }
        }
        return Optional.empty();
    }

    /** The media-level attribute, falling back to the session level (ICE credentials, direction...). */
    public Optional<String> attribute(MediaDescription m, String name) {
        Optional<String> v = m.attribute(name);
        return v.isPresent() ? v : attribute(name);
    }

    /** The effective direction of a media section; sendrecv when neither level says otherwise. */
    public Direction direction(MediaDescription m) {
        Direction d = m.direction();
        if (d != null) return d;
        for (Attribute a : attributes) {
            Direction s = Direction.fromAttribute(a.name());
            if (s != null) return s;
        }
        return Direction.SENDRECV;
    }

    /** The effective connection address of a media section. */
    public Connection connection(MediaDescription m) {
        return m.connection() != null ? m.connection() : connection;
    }

    public List<MediaDescription> media(String kind) {
        List<MediaDescription> out = new ArrayList<>();
        for (MediaDescription m : media) {
            if (m.media().equals(kind)) out.add(m);
        }
        return out;
    }

    /** RFC 8866 text with CRLF line ends. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(512);
        sb.append("v=0\r\n");
        sb.append("o=").append(originUser).append(' ').append(sessionId).append(' ').append(sessionVersion)
          .append(' ').append(originAddress).append("\r\n");
        sb.append("s=").append(sessionName).append("\r\n");
        if (connection != null) {
            sb.append("c=").append(connection).append("\r\n");
        }
        sb.append("t=0 0\r\n");
        for (Attribute a : attributes) {
            sb.append("a=").append(a).append("\r\n");
        }
        for (MediaDescription m : media) {
            m.appendTo(sb);
        }
        return sb.toString();
    }
}
