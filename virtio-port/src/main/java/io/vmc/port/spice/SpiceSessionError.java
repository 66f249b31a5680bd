package io.vmc.port.spice;

import java.util.Objects;

/** Something that went wrong with a SPICE session, in words a user can act on. */
public final class SpiceSessionError {

    /** What went wrong. */
    public enum Kind {
        /** Nothing listens at the host and port (wrong address, VM not running). */
        CONNECT,
        /** TLS failed: unknown CA, wrong host subject, or a TLS-only server reached without TLS. */
        TLS,
        /** The server refused the link (protocol mismatch, or TLS required for this channel). */
        LINK,
        /** Wrong or missing password (ticket), or it expired. */
        AUTH,
        /** The connection broke after it was set up. */
        IO,
        /** The session works but the VM has no {@code org.spice-space.vmc.0} port channel. */
        NO_VMC_CHANNEL,
        /** Another SPICE client connected to this VM, and the server dropped this one. */
        TAKEN_OVER
    }

    private final Kind kind;
    private final String message;

    SpiceSessionError(Kind kind, String message) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.message = Objects.requireNonNull(message, "message");
    }

    public Kind kind() {
        return kind;
    }

    /** For the user, e.g. {@code "no VMC channel in this VM: see the admin guide"}. */
    public String message() {
        return message;
    }

    @Override
    public String toString() {
        return kind + ": " + message;
    }
}
