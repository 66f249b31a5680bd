package io.vmc.engine.internal.call;

import io.vmc.engine.internal.EngineException;
import io.vmc.engine.sdp.SessionDescription;

/**
 * The offer/answer state of one call, as JSEP names it (RFC 9429 section 3.2, W3C
 * RTCSignalingState), and which step is allowed in which state. Pure: the call asks before it
 * changes anything and tells it after. The SIP cases it exists for: a re-INVITE answered 491 or
 * 488 is rolled back (section 4.1.10.2), early media is a provisional answer (183 with SDP) before
 * the final one (200 OK).
 */
final class Signaling {
    enum State { STABLE, HAVE_LOCAL_OFFER, HAVE_REMOTE_OFFER, HAVE_REMOTE_PRANSWER }

    /** What a rollback discarded. */
    enum RolledBack { LOCAL_OFFER, REMOTE_OFFER }

    private SessionDescription localOffer;   // ours, until the final answer or a rollback
    private String remoteOffer;               // the peer's, until CreateAnswer or a rollback
    private SessionDescription provisional;   // the last provisional answer to localOffer

    State state() {
        if (remoteOffer != null) return State.HAVE_REMOTE_OFFER;
        if (provisional != null) return State.HAVE_REMOTE_PRANSWER;
        return localOffer != null ? State.HAVE_LOCAL_OFFER : State.STABLE;
    }

    SessionDescription localOffer() { return localOffer; }

    String remoteOffer() { return remoteOffer; }

    /** The provisional answer applied last (null if none). */
    SessionDescription provisional() { return provisional; }

    void checkCreateOffer() {
        if (remoteOffer != null) throw EngineException.precondition("a remote offer is pending: answer it first or roll it back (SetRemoteDescription ROLLBACK)");
        if (provisional != null) throw EngineException.precondition("a provisional answer is applied (have-remote-pranswer): apply the final answer first");
    }

    void checkCreateAnswer() {
        if (localOffer != null) throw EngineException.precondition("a local offer is pending (glare): roll it back (SetRemoteDescription ROLLBACK) or apply the remote answer first");
    }

    void checkRemoteOffer() {
        if (localOffer != null) throw EngineException.precondition("a local offer is pending (glare): cannot accept a remote offer; roll the local offer back first (SetRemoteDescription ROLLBACK)");
    }

    /**
     * Before a (provisional) answer is applied. A provisional answer may be followed by further ones
     * and by the final answer; with ICE or DTLS-SRTP they must come from the same answerer (the same
     * o= username and session id): the engine's transport is bound to the first one's credentials, and
     * forked early answers are refused by name. Plain and SDES peers may differ: media moves to the
     * new answerer once it sends (symmetric RTP).
     */
    void checkRemoteAnswer(SessionDescription answer, boolean provisionalAnswer, boolean boundTransport) {
        if (localOffer == null) {
            throw EngineException.precondition(remoteOffer != null
                    ? "a remote offer is pending (have-remote-offer): an answer to it comes from CreateAnswer, not SetRemoteDescription"
                    : "no local offer to answer: call CreateOffer first" + (provisionalAnswer ? " (a provisional answer needs a pending offer)" : ""));
        }
        if (provisional != null && boundTransport && !sameAnswerer(provisional, answer)) {
            throw EngineException.precondition("forked early answer refused: this " + (provisionalAnswer ? "provisional answer" : "answer")
                    + " comes from another answerer (o=" + origin(answer) + ") than the provisional answer applied before (o="
                    + origin(provisional) + "); with ICE or DTLS-SRTP the call follows one answerer: close the session and start another for this one");
        }
    }

    /** The answer adds nothing to the provisional answer before it (a 200 OK repeating the 183's SDP). */
    boolean repeatsProvisional(SessionDescription answer) {
        return provisional != null && provisional.toString().equals(answer.toString());
    }

    void offered(SessionDescription offer) {
        localOffer = offer;
    }

    void remoteOffered(String sdp) {
        remoteOffer = sdp;
    }

    void answered() {
        remoteOffer = null;
    }

    void remoteAnswered(SessionDescription answer, boolean provisionalAnswer) {
        if (provisionalAnswer) {
            provisional = answer;
        } else {
            localOffer = null;
            provisional = null;
        }
    }

    /** JSEP rollback: only a pending offer; nothing in stable, and not after a provisional answer (W3C: InvalidStateError). */
    RolledBack rollback() {
        switch (state()) {
            case STABLE -> throw EngineException.precondition("nothing to roll back: no pending offer (signaling state stable)");
            case HAVE_REMOTE_PRANSWER -> throw EngineException.precondition(
                    "cannot roll back after a provisional answer (have-remote-pranswer): apply the final answer or close the session");
            case HAVE_REMOTE_OFFER -> {
                remoteOffer = null;
                return RolledBack.REMOTE_OFFER;
            }
            default -> {
                localOffer = null;
                return RolledBack.LOCAL_OFFER;
            }
        }
    }

    private static boolean sameAnswerer(SessionDescription a, SessionDescription b) {
        return a.originUser().equals(b.originUser()) && a.sessionId().equals(b.sessionId());
    }

    private static String origin(SessionDescription d) {
        return d.originUser() + " " + d.sessionId();
    }
}
