package io.vmc.engine.sdp;

/** Media direction attributes (RFC 3264 section 6.1, hold per section 8.4). */
public enum Direction {
    SENDRECV, SENDONLY, RECVONLY, INACTIVE;

    public String attribute() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public boolean sends() { return this == SENDRECV || this == SENDONLY; }

    public boolean receives() { return this == SENDRECV || this == RECVONLY; }

    /** What the answerer puts in its answer to an offer with this direction (when it wants both ways). */
    public Direction reverse() {
        return switch (this) {
            case SENDONLY -> RECVONLY;
            case RECVONLY -> SENDONLY;
            default -> this;
        };
    }

    /** Combine with what this side wants: the result never sends or receives more than either allows. */
    public Direction intersect(Direction wanted) {
        boolean send = sends() && wanted.sends();
        boolean recv = receives() && wanted.receives();
        return of(send, recv);
    }

    public static Direction of(boolean send, boolean recv) {
        if (send && recv) return SENDRECV;
        if (send) return SENDONLY;
        if (recv) return RECVONLY;
        return INACTIVE;
    }

    static Direction fromAttribute(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "sendrecv" -> SENDRECV;
            case "sendonly" -> SENDONLY;
            case "recvonly" -> RECVONLY;
            case "inactive" -> INACTIVE;
            default -> null;
        };
    }
}
