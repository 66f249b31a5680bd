package io.vmc.agent.internal;

import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.Request;

/** Reads and rewrites the session id carried by requests and events. */
public final class SessionIds {
    private SessionIds() {}

    /** The session an event is about; empty for agent-wide events. */
    public static String of(Event e) {
        return switch (e.getKindCase()) {
            case SESSION_STATE -> e.getSessionState().getSessionId();
            case LOCAL_CANDIDATE -> e.getLocalCandidate().getSessionId();
            case STATS -> e.getStats().getSessionId();
            case DTMF_RECEIVED -> e.getDtmfReceived().getSessionId();
            case RENEGOTIATION_NEEDED -> e.getRenegotiationNeeded().getSessionId();
            case QUALITY_ALERT -> e.getQualityAlert().getSessionId();
            case RING_STOPPED -> e.getRingStopped().getSessionId();
            case ACTIVE_DEVICE -> e.getActiveDevice().getSessionId();
            case CALL_CONTROL -> e.getCallControl().getSessionId();
            case CAPTURE_STOPPED -> e.getCaptureStopped().getSessionId();
            default -> "";
        };
    }

    public static Event with(Event e, String id) {
        Event.Builder b = e.toBuilder();
        switch (e.getKindCase()) {
            case SESSION_STATE -> b.getSessionStateBuilder().setSessionId(id);
            case LOCAL_CANDIDATE -> b.getLocalCandidateBuilder().setSessionId(id);
            case STATS -> b.getStatsBuilder().setSessionId(id);
            case DTMF_RECEIVED -> b.getDtmfReceivedBuilder().setSessionId(id);
            case RENEGOTIATION_NEEDED -> b.getRenegotiationNeededBuilder().setSessionId(id);
            case QUALITY_ALERT -> b.getQualityAlertBuilder().setSessionId(id);
            case RING_STOPPED -> b.getRingStoppedBuilder().setSessionId(id);
            case ACTIVE_DEVICE -> b.getActiveDeviceBuilder().setSessionId(id);
            case CALL_CONTROL -> b.getCallControlBuilder().setSessionId(id);
            case CAPTURE_STOPPED -> b.getCaptureStoppedBuilder().setSessionId(id);
            default -> { }
        }
        return b.build();
    }

    /** The session a request is about; empty for session-less requests. */
    public static String of(Request r) {
        return switch (r.getMethodCase()) {
            case CREATE_OFFER -> r.getCreateOffer().getSessionId();
            case CREATE_ANSWER -> r.getCreateAnswer().getSessionId();
            case SET_REMOTE_DESCRIPTION -> r.getSetRemoteDescription().getSessionId();
            case ADD_REMOTE_CANDIDATE -> r.getAddRemoteCandidate().getSessionId();
            case SET_MUTE -> r.getSetMute().getSessionId();
            case SET_HOLD -> r.getSetHold().getSessionId();
            case SEND_DTMF -> r.getSendDtmf().getSessionId();
            case SELECT_DEVICE -> r.getSelectDevice().getSessionId();
            case SET_VIDEO_GEOMETRY -> r.getSetVideoGeometry().getSessionId();
            case GET_STATS -> r.getGetStats().getSessionId();
            case SET_STATS_INTERVAL -> r.getSetStatsInterval().getSessionId();
            case CLOSE_SESSION -> r.getCloseSession().getSessionId();
            case START_RING -> r.getStartRing().getSessionId();
            default -> "";
        };
    }

    public static Request with(Request r, String id) {
        Request.Builder b = r.toBuilder();
        switch (r.getMethodCase()) {
            case CREATE_OFFER -> b.getCreateOfferBuilder().setSessionId(id);
            case CREATE_ANSWER -> b.getCreateAnswerBuilder().setSessionId(id);
            case SET_REMOTE_DESCRIPTION -> b.getSetRemoteDescriptionBuilder().setSessionId(id);
            case ADD_REMOTE_CANDIDATE -> b.getAddRemoteCandidateBuilder().setSessionId(id);
            case SET_MUTE -> b.getSetMuteBuilder().setSessionId(id);
            case SET_HOLD -> b.getSetHoldBuilder().setSessionId(id);
            case SEND_DTMF -> b.getSendDtmfBuilder().setSessionId(id);
            case SELECT_DEVICE -> b.getSelectDeviceBuilder().setSessionId(id);
            case SET_VIDEO_GEOMETRY -> b.getSetVideoGeometryBuilder().setSessionId(id);
            case GET_STATS -> b.getGetStatsBuilder().setSessionId(id);
            case SET_STATS_INTERVAL -> b.getSetStatsIntervalBuilder().setSessionId(id);
            case CLOSE_SESSION -> b.getCloseSessionBuilder().setSessionId(id);
            case START_RING -> b.getStartRingBuilder().setSessionId(id);
            default -> { }
        }
        return b.build();
    }
}
