package io.vmc.engine.internal.transport;

import io.vmc.engine.sdp.Crypto;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.tls.SRTPProtectionProfile;

/**
 * The DTLS-SRTP protection profiles the engine negotiates in use_srtp
 * (<a href="https://www.rfc-editor.org/rfc/rfc5764#section-4.1.2">RFC 5764 section 4.1.2</a>,
 * GCM: <a href="https://www.rfc-editor.org/rfc/rfc7714#section-14.2">RFC 7714 section 14.2</a>), each
 * mapped to the {@link SrtpContext} suite that implements it.
 */
public enum SrtpProfile {
    AEAD_AES_128_GCM(SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM, SrtpContext.AEAD_AES_128_GCM),
    AES_CM_128_HMAC_SHA1_80(SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80, Crypto.AES_CM_128_HMAC_SHA1_80);

    /** What the engine offers, best first: GCM (one AES pass, a 16-byte tag), then the profile every stack has. */
    public static final List<SrtpProfile> DEFAULT_PREFERENCE = List.of(AEAD_AES_128_GCM, AES_CM_128_HMAC_SHA1_80);

    private final int id;
    private final String suite;

    SrtpProfile(int id, String suite) {
        this.id = id;
        this.suite = suite;
    }

    /** The use_srtp code point (IANA "DTLS-SRTP Protection Profiles"). */
    public int id() {
        return id;
    }

    /** The {@link SrtpContext} suite name. */
    public String suite() {
        return suite;
    }

    public int keyBytes() {
        return SrtpContext.KEY_BYTES;
    }

    public int saltBytes() {
        return SrtpContext.saltBytes(suite);
    }

    /** How much the exporter must give: two master keys and two master salts (RFC 5764 section 4.2). */
    public int keyingMaterialBytes() {
        return 2 * (keyBytes() + saltBytes());
    }

    public static Optional<SrtpProfile> byId(int id) {
        return Arrays.stream(values()).filter(p -> p.id == id).findFirst();
    }

    /** The first of {@code ours} (our preference) that the peer listed, if any. */
    public static Optional<SrtpProfile> choose(List<SrtpProfile> ours, int[] offered) {
        for (SrtpProfile p : ours) {
            for (int o : offered) {
                if (o == p.id) return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * Splits the exporter output (RFC 5764 section 4.2: client_write_SRTP_master_key,
     * server_write_SRTP_master_key, client_write_SRTP_master_salt, server_write_SRTP_master_salt)
     * into our key+salt (what we send with) and the peer's (what we receive with).
     */
    public SrtpKeys split(byte[] material, DtlsRole localRole) {
        int k = keyBytes();
        int s = saltBytes();
        if (material.length != 2 * (k + s)) {
            throw new IllegalArgumentException(this + " needs " + 2 * (k + s) + " bytes of keying material, got " + material.length);
        }
        byte[] client = new byte[k + s];
        byte[] server = new byte[k + s];
        System.arraycopy(material, 0, client, 0, k);
        System.arraycopy(material, k, server, 0, k);
        System.arraycopy(material, 2 * k, client, k, s);
        System.arraycopy(material, 2 * k + s, server, k, s);
        return localRole == DtlsRole.CLIENT ? new SrtpKeys(this, client, server) : new SrtpKeys(this, server, client);
    }
}
