package io.vmc.transport;

import io.vmc.transport.proto.Error;

/**
 * A call or send that the transport could not complete: the channel is down
 * ({@link Error.Code#UNAVAILABLE}), the deadline passed ({@link Error.Code#DEADLINE_EXCEEDED}),
 * the outbound queue is full ({@link Error.Code#RESOURCE_EXHAUSTED}), the request is too large
 * ({@link Error.Code#INVALID_ARGUMENT}).
 *
 * <p>Errors the <em>peer</em> reports are not exceptions: they arrive as a {@code Response}
 * carrying {@code Error}.
 */
public class VmcTransportException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Error.Code code;

    public VmcTransportException(Error.Code code, String message) {
        super(code + ": " + message);
        this.code = code;
    }

    public VmcTransportException(Error.Code code, String message, Throwable cause) {
        super(code + ": " + message, cause);
        this.code = code;
    }

    /** The error code, with the same meaning as {@code Error.Code} in vmc.proto. */
    public Error.Code code() {
        return code;
    }
}
