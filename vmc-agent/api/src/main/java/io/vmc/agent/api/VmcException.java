package io.vmc.agent.api;

import java.util.Objects;

/**
 * A VMC operation failed. {@link #reason()} tells what to do about it; the message says what was
 * seen and what was expected.
 *
 * <pre>{@code
 * try {
 *     call.setRemoteDescription(SdpType.ANSWER, sdp);
 * } catch (VmcException e) {
 *     if (e.reason() == VmcException.Reason.INVALID_ARGUMENT) sip.reject(488, e.getMessage());
 *     else throw e;
 * }
 * }</pre>
 *
 * <p>The {@code *Async} methods complete their future exceptionally with this exception.
 */
public final class VmcException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What kind of failure; stable across versions (new values may be added). */
    public enum Reason {
        /** A parameter failed validation (e.g. malformed SDP); the message names it. */
        INVALID_ARGUMENT,
        /** Unknown session or device (or one that belongs to another app). */
        NOT_FOUND,
        /** Wrong order of calls, e.g. an answer before an offer. */
        FAILED_PRECONDITION,
        /** A limit was hit (sessions per app, requests in flight). */
        RESOURCE_EXHAUSTED,
        /** Policy, or the object belongs to another app or user. */
        PERMISSION_DENIED,
        /** The agent or engine does not implement this operation. */
        UNIMPLEMENTED,
        /** No answer in time. */
        DEADLINE_EXCEEDED,
        /** The agent or the engine is not reachable right now. */
        UNAVAILABLE,
        /** The session was closed. */
        CLOSED,
        /** A bug or unexpected failure in VMC. */
        INTERNAL
    }

    private final Reason reason;

    public VmcException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public VmcException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** The failure's category. */
    public Reason reason() {
        return reason;
    }

    @Override
    public String toString() {
        return "VmcException[" + reason + "]: " + getMessage();
    }
}
