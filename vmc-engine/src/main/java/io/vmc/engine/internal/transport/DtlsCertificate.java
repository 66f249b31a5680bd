package io.vmc.engine.internal.transport;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The engine's DTLS identity: an ECDSA P-256 key and a self-signed certificate over it (RFC 5763
 * section 5: the certificate is authenticated by the {@code a=fingerprint} in the signalled SDP,
 * not by a CA). Immutable: a call keeps the one whose fingerprint it put in its SDP, even after
 * {@link DtlsCertificateHolder} has moved on to a newer one.
 */
public final class DtlsCertificate {
    /**
     * How long the certificate says it is valid. Peers check the fingerprint, not the dates, but
     * some stacks reject expired certificates; the holder renews well before this.
     */
    public static final Duration VALIDITY = Duration.ofDays(30);
    /** notBefore this far in the past, for peers whose clocks run behind. */
    static final Duration CLOCK_SKEW = Duration.ofDays(1);

    private final KeyPair keyPair;
    private final byte[] der;
    private final Instant created;
    private final Fingerprint fingerprint;

    private DtlsCertificate(KeyPair keyPair, byte[] der, Instant created) {
        this.keyPair = keyPair;
        this.der = der;
        this.created = created;
        this.fingerprint = Fingerprint.of("sha-256", der);
    }

    /** A fresh key and certificate, valid from {@code now - 1 day} for {@link #VALIDITY}. */
    public static DtlsCertificate generate(Instant now, SecureRandom random) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), random);
            KeyPair kp = g.generateKeyPair();
            byte[] serial = new byte[8];
            random.nextBytes(serial);
            // a random name: a fixed one would be the same on every thin client, a host name would leak it
            X500Name name = new X500Name("CN=vmc-" + HexFormat.of().formatHex(serial, 0, 4));
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, new BigInteger(1, serial),
                    Date.from(now.minus(CLOCK_SKEW)), Date.from(now.plus(VALIDITY)), name, kp.getPublic());
            byte[] der = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded();
            return new DtlsCertificate(kp, der, now);
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot create the DTLS certificate: " + e, e);
        }
    }

    /** The sha-256 fingerprint, for {@code a=fingerprint}. */
    public Fingerprint fingerprint() {
        return fingerprint;
    }

    public Instant created() {
        return created;
    }

    /** The DER-encoded X.509 certificate. */
    public byte[] encoded() {
        return der.clone();
    }

    KeyPair keyPair() {
        return keyPair;
    }

    AsymmetricKeyParameter privateKeyParameter() throws IOException {
        return PrivateKeyFactory.createKey(keyPair.getPrivate().getEncoded());
    }
}
