package io.vmc.stun.internal;

/**
 * Wire constants of STUN (RFC 8489, with the RFC 3489 and RFC 5780 attributes that still show up)
 * and the limits this server applies to what it accepts.
 */
public final class Stun {
    private Stun() {
    }

    /** RFC 8489 section 5: fixed value in bytes 4..7 of every message since RFC 5389. */
    public static final int MAGIC_COOKIE = 0x2112A442;
    /** Header size; the length field counts the bytes after it. */
    public static final int HEADER_BYTES = 20;
    /** Transaction ID size after the magic cookie (RFC 8489). RFC 3489 used the cookie's 4 bytes too. */
    public static final int TRANSACTION_ID_BYTES = 12;
    /** XOR applied to the CRC-32 of FINGERPRINT: ASCII "STUN". */
    public static final int FINGERPRINT_XOR = 0x5354554e;

    /**
     * Largest request accepted, in bytes including the header. Binding requests, even ICE connectivity
     * checks with a 513-byte USERNAME, fit well below it; anything larger is dropped unread.
     */
    public static final int MAX_REQUEST_BYTES = 2048;
    /** At most this many unknown attribute types are listed in a 420 response; the rest are left out. */
    public static final int MAX_UNKNOWN_ATTRIBUTES = 16;
    /** RFC 8489 section 14.9: SOFTWARE holds fewer than 128 characters, at most 763 bytes. */
    public static final int MAX_SOFTWARE_CHARS = 127;
    /** RFC 8489 section 14.9. */
    public static final int MAX_SOFTWARE_BYTES = 763;

    // Message classes (the C1/C0 bits inside the 14-bit type).
    public static final int CLASS_MASK = 0x0110;
    public static final int CLASS_REQUEST = 0x0000;
    public static final int CLASS_INDICATION = 0x0010;
    public static final int CLASS_SUCCESS = 0x0100;
    public static final int CLASS_ERROR = 0x0110;
    public static final int METHOD_MASK = 0x3EEF;

    public static final int METHOD_BINDING = 0x0001;
    public static final int BINDING_REQUEST = 0x0001;
    public static final int BINDING_SUCCESS = 0x0101;
    public static final int BINDING_ERROR = 0x0111;
    public static final int BINDING_INDICATION = 0x0011;

    // Comprehension-required attributes (0x0000-0x7FFF).
    public static final int MAPPED_ADDRESS = 0x0001;
    /** RFC 3489; a server honouring it would reflect traffic to a third party. Answered with 420. */
    public static final int RESPONSE_ADDRESS = 0x0002;
    /** RFC 3489 / RFC 5780. Accepted only with both change flags clear: this server has one address. */
    public static final int CHANGE_REQUEST = 0x0003;
    public static final int SOURCE_ADDRESS = 0x0004;
    public static final int CHANGED_ADDRESS = 0x0005;
    public static final int USERNAME = 0x0006;
    public static final int PASSWORD = 0x0007;
    public static final int MESSAGE_INTEGRITY = 0x0008;
    public static final int ERROR_CODE = 0x0009;
    public static final int UNKNOWN_ATTRIBUTES = 0x000A;
    public static final int REFLECTED_FROM = 0x000B;
    public static final int REALM = 0x0014;
    public static final int NONCE = 0x0015;
    public static final int MESSAGE_INTEGRITY_SHA256 = 0x001C;
    public static final int PASSWORD_ALGORITHM = 0x001D;
    public static final int USERHASH = 0x001E;
    public static final int XOR_MAPPED_ADDRESS = 0x0020;
    /** RFC 5780. */
    public static final int PADDING = 0x0026;
    /** RFC 5780. */
    public static final int RESPONSE_PORT = 0x0027;
    /** RFC 8445 (ICE). */
    public static final int PRIORITY = 0x0024;
    /** RFC 8445 (ICE). */
    public static final int USE_CANDIDATE = 0x0025;

    // Comprehension-optional attributes (0x8000-0xFFFF).
    public static final int PASSWORD_ALGORITHMS = 0x8002;
    public static final int ALTERNATE_DOMAIN = 0x8003;
    public static final int SOFTWARE = 0x8022;
    public static final int ALTERNATE_SERVER = 0x8023;
    public static final int FINGERPRINT = 0x8028;
    public static final int ICE_CONTROLLED = 0x8029;
    public static final int ICE_CONTROLLING = 0x802A;
    public static final int RESPONSE_ORIGIN = 0x802B;
    public static final int OTHER_ADDRESS = 0x802C;

    public static final int FAMILY_IPV4 = 0x01;
    public static final int FAMILY_IPV6 = 0x02;

    /** CHANGE-REQUEST flags (RFC 5780 section 7.2). */
    public static final int CHANGE_IP = 0x04;
    public static final int CHANGE_PORT = 0x02;

    /**
     * Comprehension-required attributes this server understands in a Binding request (it needs none of
     * them: credentials are not checked, addresses in a request mean nothing to it).
     */
    public static boolean isKnownRequired(int type) {
        switch (type) {
            case MAPPED_ADDRESS:
            case CHANGE_REQUEST:
            case SOURCE_ADDRESS:
            case CHANGED_ADDRESS:
            case USERNAME:
            case PASSWORD:
            case MESSAGE_INTEGRITY:
            case ERROR_CODE:
            case UNKNOWN_ATTRIBUTES:
            case REFLECTED_FROM:
            case REALM:
            case NONCE:
            case MESSAGE_INTEGRITY_SHA256:
            case PASSWORD_ALGORITHM:
            case USERHASH:
            case XOR_MAPPED_ADDRESS:
            case PADDING:
            case PRIORITY:
            case USE_CANDIDATE:
                return true;
            default:
                return false;
        }
    }

    public static boolean isComprehensionRequired(int type) {
        return type < 0x8000;
    }
}
