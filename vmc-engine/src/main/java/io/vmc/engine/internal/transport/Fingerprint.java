package io.vmc.engine.internal.transport;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * A certificate fingerprint as {@code a=fingerprint} carries it
 * (<a href="https://www.rfc-editor.org/rfc/rfc8122#section-5">RFC 8122 section 5</a>):
 * {@code sha-256 AB:CD:...}, the hash of the DER certificate. The engine sends sha-256; it
 * accepts the SHA-1 and SHA-2 names of the IANA hash table (RFC 5763 section 5 requires
 * SHA-1 and SHA-256 support), not MD2/MD5.
 */
public final class Fingerprint {
    /** Longest attribute value accepted (sha-512: 7 + 1 + 191 characters, with room for spaces). */
    public static final int MAX_SDP_CHARS = 256;

    private static final Map<String, String> DIGESTS = Map.of(
            "sha-1", "SHA-1", "sha-224", "SHA-224", "sha-256", "SHA-256", "sha-384", "SHA-384", "sha-512", "SHA-512");

    private final String algorithm;
    private final byte[] digest;

    private Fingerprint(String algorithm, byte[] digest) {
        this.algorithm = algorithm;
        this.digest = digest;
    }

    /** The fingerprint of a DER-encoded certificate with the named hash ({@code "sha-256"}). */
    public static Fingerprint of(String algorithm, byte[] derCertificate) {
        String a = algorithm.toLowerCase(Locale.ROOT);
        return new Fingerprint(a, digest(a, derCertificate));
    }

    /**
     * Parses an {@code a=fingerprint} value.
     *
     * @throws DtlsNegotiationException for an unknown hash, bad hex, or a length that does not fit the hash
     */
    public static Fingerprint parse(String value) {
        if (value == null) throw new DtlsNegotiationException("no a=fingerprint");
        if (value.length() > MAX_SDP_CHARS) {
            throw new DtlsNegotiationException("a=fingerprint is " + value.length() + " characters, more than the allowed " + MAX_SDP_CHARS);
        }
        String v = value.strip();
        int sp = v.indexOf(' ');
        if (sp < 0) throw new DtlsNegotiationException("a=fingerprint '" + DtlsSetup.shorten(v) + "' has no hash name");
        String alg = v.substring(0, sp).toLowerCase(Locale.ROOT);
        String jca = DIGESTS.get(alg);
        if (jca == null) throw new DtlsNegotiationException("a=fingerprint hash '" + DtlsSetup.shorten(alg) + "' is not supported (sha-1, sha-224, sha-256, sha-384, sha-512)");
        String hex = v.substring(sp + 1).strip();
        int expected = length(jca);
        if (hex.length() != expected * 3 - 1) {
            throw new DtlsNegotiationException("a=fingerprint " + alg + " needs " + expected + " colon-separated bytes, got '" + DtlsSetup.shorten(hex) + "'");
        }
        byte[] d = new byte[expected];
        for (int i = 0; i < expected; i++) {
            int p = i * 3;
            if (i > 0 && hex.charAt(p - 1) != ':') throw new DtlsNegotiationException("a=fingerprint bytes must be separated by ':' (at character " + (p - 1) + ")");
            int hi = Character.digit(hex.charAt(p), 16);
            int lo = Character.digit(hex.charAt(p + 1), 16);
            if (hi < 0 || lo < 0) throw new DtlsNegotiationException("a=fingerprint has a non-hex digit at character " + p);
            d[i] = (byte) (hi << 4 | lo);
        }
        return new Fingerprint(alg, d);
    }

    public String algorithm() {
        return algorithm;
    }

    /** Whether a DER certificate hashes to this fingerprint (constant time in the digest). */
    public boolean matches(byte[] derCertificate) {
        return MessageDigest.isEqual(digest, digest(algorithm, derCertificate));
    }

    /** The attribute value: {@code sha-256 AB:CD:...} (upper-case hex, as RFC 8122 writes it). */
    public String toSdp() {
        StringBuilder sb = new StringBuilder(algorithm.length() + 1 + digest.length * 3);
        sb.append(algorithm).append(' ');
        HexFormat hex = HexFormat.of().withUpperCase();
        for (int i = 0; i < digest.length; i++) {
            if (i > 0) sb.append(':');
            sb.append(hex.toHexDigits(digest[i]));
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Fingerprint f && f.algorithm.equals(algorithm) && Arrays.equals(f.digest, digest);
    }

    @Override
    public int hashCode() {
        return algorithm.hashCode() * 31 + Arrays.hashCode(digest);
    }

    @Override
    public String toString() {
        return toSdp();
    }

    private static byte[] digest(String algorithm, byte[] data) {
        String jca = DIGESTS.get(algorithm);
        if (jca == null) throw new DtlsNegotiationException("hash '" + algorithm + "' is not supported");
        try {
            return MessageDigest.getInstance(jca).digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(jca + " missing from the JDK", e);
        }
    }

    private static int length(String jca) {
        try {
            return MessageDigest.getInstance(jca).getDigestLength();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(jca + " missing from the JDK", e);
        }
    }
}
