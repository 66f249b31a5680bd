package io.vmc.agent.api;

/**
 * The role of a session description in the offer/answer exchange (RFC 3264).
 *
 * <pre>{@code
 * call.setRemoteDescription(SdpType.ANSWER, answerFromSip200Ok);
 * }</pre>
 */
public enum SdpType {
    OFFER,
    /** The final answer (SIP 200 OK). */
    ANSWER,
    /**
     * A provisional answer (SIP 183 Session Progress with SDP): early media flows at once; then more
     * provisional answers from the same answerer or the final {@link #ANSWER}, with the same SDP or
     * another. With ICE or DTLS-SRTP a provisional answer from another answerer (a forked call) is
     * refused with {@link VmcException.Reason#FAILED_PRECONDITION}.
     */
    PRANSWER
}
