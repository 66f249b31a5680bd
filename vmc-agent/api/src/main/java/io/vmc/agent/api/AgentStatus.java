package io.vmc.agent.api;

import java.util.List;
import java.util.Objects;

/**
 * What the local vmc-agentd reports about itself: mode, reason, the connected engine and the
 * live sessions this caller may see (all of them for root).
 *
 * <pre>{@code
 * AgentStatus st = vmc.status();
 * System.out.println(st.mode() + " because " + st.reason().description()
 *         + ", engine " + st.engineSoftware() + ", " + st.sessionIds().size() + " sessions");
 * }</pre>
 */
public final class AgentStatus {
    private final Mode mode;
    private final ModeReason reason;
    private final String detail;
    private final String engineSoftware;
    private final int protocolVersion;
    private final List<String> sessionIds;

    private AgentStatus(Mode mode, ModeReason reason, String detail, String engineSoftware, int protocolVersion,
            List<String> sessionIds) {
        this.mode = mode;
        this.reason = reason;
        this.detail = detail;
        this.engineSoftware = engineSoftware;
        this.protocolVersion = protocolVersion;
        this.sessionIds = sessionIds;
    }

    /**
     * @param engineSoftware e.g. "vmc-engine/0.1.0"; empty without an engine
     * @param protocolVersion negotiated vmc.v1 version; 0 without an engine
     */
    public static AgentStatus of(Mode mode, ModeReason reason, String detail, String engineSoftware,
            int protocolVersion, List<String> sessionIds) {
        Objects.requireNonNull(mode, "mode must not be null");
        Objects.requireNonNull(reason, "reason must not be null");
        Objects.requireNonNull(detail, "detail must not be null");
        Objects.requireNonNull(engineSoftware, "engineSoftware must not be null");
        Objects.requireNonNull(sessionIds, "sessionIds must not be null");
        if (protocolVersion < 0) {
            throw new IllegalArgumentException("protocolVersion must not be negative, was " + protocolVersion);
        }
        return new AgentStatus(mode, reason, detail, engineSoftware, protocolVersion, List.copyOf(sessionIds));
    }

    public Mode mode() {
        return mode;
    }

    public ModeReason reason() {
        return reason;
    }

    public String detail() {
        return detail;
    }

    public String engineSoftware() {
        return engineSoftware;
    }

    public int protocolVersion() {
        return protocolVersion;
    }

    public List<String> sessionIds() {
        return sessionIds;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AgentStatus s && s.mode == mode && s.reason == reason && s.detail.equals(detail)
                && s.engineSoftware.equals(engineSoftware) && s.protocolVersion == protocolVersion
                && s.sessionIds.equals(sessionIds);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mode, reason, detail, engineSoftware, protocolVersion, sessionIds);
    }

    @Override
    public String toString() {
        return "AgentStatus{" + mode + " (" + reason + "), engine='" + engineSoftware + "' v" + protocolVersion
                + ", sessions=" + sessionIds + (detail.isEmpty() ? "" : ", detail='" + detail + "'") + "}";
    }
}
