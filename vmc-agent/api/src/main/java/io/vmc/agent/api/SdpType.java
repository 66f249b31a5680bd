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
    ANSWER
}
