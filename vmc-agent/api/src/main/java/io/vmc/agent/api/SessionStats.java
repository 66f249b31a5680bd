package io.vmc.agent.api;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A snapshot of a session's statistics: one {@link StreamStats} per media stream.
 *
 * <pre>{@code
 * SessionStats st = call.stats();
 * st.audio().ifPresent(a -> ui.showQuality(a.mos()));
 * }</pre>
 */
public final class SessionStats {
    private final String sessionId;
    private final Instant timestamp;
    private final List<StreamStats> streams;

    private SessionStats(String sessionId, Instant timestamp, List<StreamStats> streams) {
        this.sessionId = sessionId;
        this.timestamp = timestamp;
        this.streams = streams;
    }

    public static SessionStats of(String sessionId, Instant timestamp, List<StreamStats> streams) {
        Objects.requireNonNull(sessionId, "sessionId must not be null");
        Objects.requireNonNull(timestamp, "timestamp must not be null");
        Objects.requireNonNull(streams, "streams must not be null");
        return new SessionStats(sessionId, timestamp, List.copyOf(streams));
    }

    public String sessionId() {
        return sessionId;
    }

    public Instant timestamp() {
        return timestamp;
    }

    public List<StreamStats> streams() {
        return streams;
    }

    /** The first audio stream, if any. */
    public java.util.Optional<StreamStats> audio() {
        return streams.stream().filter(s -> s.kind() == MediaKind.AUDIO).findFirst();
    }

    /** The first video stream, if any. */
    public java.util.Optional<StreamStats> video() {
        return streams.stream().filter(s -> s.kind() == MediaKind.VIDEO).findFirst();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SessionStats s && s.sessionId.equals(sessionId) && s.timestamp.equals(timestamp) && s.streams.equals(streams);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sessionId, timestamp, streams);
    }

    @Override
    public String toString() {
        return "SessionStats{" + sessionId + " @" + timestamp + " " + streams + "}";
    }
}
