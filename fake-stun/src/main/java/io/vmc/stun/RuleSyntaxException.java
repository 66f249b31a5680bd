package io.vmc.stun;

/** A translation rule that cannot be parsed; the message names the origin, line and offending text. */
public final class RuleSyntaxException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public RuleSyntaxException(String message) {
        super(message);
    }
}
