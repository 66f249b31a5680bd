package io.vmc.engine.sdp;

import java.util.Base64;

/**
 * {@code a=crypto} (RFC 4568) with one inline key: 16-byte master key and 14-byte master salt.
 * Lifetime is accepted and ignored; MKI is rejected by the parser because the engine sends no MKI.
 */
public record Crypto(int tag, String suite, byte[] keyAndSalt) {
    public static final String AES_CM_128_HMAC_SHA1_80 = "AES_CM_128_HMAC_SHA1_80";
    public static final String AES_CM_128_HMAC_SHA1_32 = "AES_CM_128_HMAC_SHA1_32";
    /** Master key (16) plus master salt (14). */
    public static final int KEY_AND_SALT_BYTES = 30;

    public Crypto {
        if (keyAndSalt.length != KEY_AND_SALT_BYTES) {
            throw new IllegalArgumentException("keyAndSalt must be " + KEY_AND_SALT_BYTES + " bytes");
        }
        keyAndSalt = keyAndSalt.clone();
    }

    @Override
    public byte[] keyAndSalt() {
        return keyAndSalt.clone();
    }

    public boolean isSupportedSuite() {
        return AES_CM_128_HMAC_SHA1_80.equals(suite) || AES_CM_128_HMAC_SHA1_32.equals(suite);
    }

    @Override
    public String toString() {
        return tag + " " + suite + " inline:" + Base64.getEncoder().encodeToString(keyAndSalt);
    }
}
