package io.vmc.transport;

import io.netty.handler.codec.DecoderException;

/**
 * The peer broke the wire protocol: persistent garbage instead of frames, a checksummed frame
 * that is not a {@code vmc.v1.Envelope}, or an envelope that violates the session rules. The
 * transport logs it once with the peer's identity and closes the connection; reconnection logic
 * takes it from there.
 */
public class VmcProtocolException extends DecoderException {
    private static final long serialVersionUID = 1L;

    public VmcProtocolException(String message) {
        super(message);
    }

    public VmcProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
