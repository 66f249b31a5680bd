package io.vmc.stun.internal;

import io.netty.handler.codec.DecoderException;

/** A STUN wire violation; the message says what was seen and what was allowed. */
public final class StunProtocolException extends DecoderException {
    private static final long serialVersionUID = 1L;

    public StunProtocolException(String message) {
        super(message);
    }
}
