package io.vmc.engine.sdp;

/** An SDP document that breaks RFC 8866 or one of the engine's limits. The message names the line. */
public final class SdpParseException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int line;

    public SdpParseException(int line, String message) {
        super(line > 0 ? "SDP line " + line + ": " + message : "SDP: " + message);
        this.line = line;
    }

    /** 1-based line number, or 0 when the problem is about the whole document. */
    public int line() {
        return line;
    }
}
