package io.vmc.engine.internal;

import io.vmc.transport.proto.Error;

/** A request failure with the protocol error code to answer with. */
public final class EngineException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final Error.Code code;

    public EngineException(Error.Code code, String message) {
        super(message);
        this.code = code;
    }

    public EngineException(Error.Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public Error.Code code() {
        return code;
    }

    public static EngineException invalid(String message) {
        return new EngineException(Error.Code.INVALID_ARGUMENT, message);
    }

    public static EngineException precondition(String message) {
        return new EngineException(Error.Code.FAILED_PRECONDITION, message);
    }
}
