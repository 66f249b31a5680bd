package io.vmc.engine.internal.transport;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.AlertLevel;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SecurityParameters;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsTimeoutException;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One DTLS association of a {@link DtlsSrtpEndpoint}: its role, the fingerprint it expects, its
 * datagram queue, BouncyCastle's client or server with our use_srtp, certificate and fingerprint
 * checks (RFC 5763 section 5, RFC 5764 section 4.1), and what the handshake found: the SRTP keys
 * (RFC 5764 section 4.2), or why it failed. Its handshake runs on the thread that calls
 * {@link #handshake}; the flags are read by the endpoint's receive thread.
 */
final class DtlsAssociation {
    private static final Logger LOG = LoggerFactory.getLogger(DtlsAssociation.class);

    /** What every association of one endpoint shares. */
    record Config(BcTlsCrypto crypto, DtlsCertificate certificate, List<SrtpProfile> profiles, Duration handshakeTimeout, String name) {
    }

    /** DTLS 1.2 only: RFC 8827 section 6.5 requires 1.2 or later, and BouncyCastle has no DTLS 1.3 for DTLS-SRTP. */
    private static final ProtocolVersion[] VERSIONS = ProtocolVersion.DTLSv12.only();
    private static final SignatureAndHashAlgorithm ECDSA_SHA256 = new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa);
    /** Our certificate is ECDSA, so as server only ECDSA suites; as client also RSA ones (SIP phones with RSA certificates). */
    private static final int[] SERVER_SUITES = {
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
    };
    private static final int[] CLIENT_SUITES = {
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
        CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
    };
    private static final Map<Integer, String> SUITE_NAMES = Map.of(
            CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
            CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA");

    private final Config config;
    final DtlsRole role;
    final Fingerprint remoteFingerprint;
    final QueuedDatagramTransport transport;
    volatile Thread thread;
    volatile boolean stopped;
    volatile boolean established;
    volatile boolean peerClosed;
    volatile boolean heardFromPeer;
    volatile byte[] clientRandom;
    volatile DtlsFailure failure;
    SrtpProfile profile;
    SrtpKeys keys;
    int cipherSuite;
    boolean extendedMasterSecret;

    DtlsAssociation(Config config, DtlsRole role, Fingerprint remoteFingerprint, QueuedDatagramTransport transport) {
        this.config = config;
        this.role = role;
        this.remoteFingerprint = remoteFingerprint;
        this.transport = transport;
    }

    void stop() {
        stopped = true;
        transport.close();
    }

    /** Our checks throw this alert after recording why. */
    TlsFatalAlert refuse(DtlsFailure f, short alert) {
        failure = f;
        return new TlsFatalAlert(alert, f.message());
    }

    void verifyPeer(Certificate chain) throws IOException {
        heardFromPeer = true;
        if (chain == null || chain.isEmpty()) {
            throw refuse(new DtlsFailure(DtlsFailure.Kind.FINGERPRINT_MISMATCH, "the peer sent no certificate"), AlertDescription.handshake_failure);
        }
        byte[] der = chain.getCertificateAt(0).getEncoded();
        if (!remoteFingerprint.matches(der)) {
            throw refuse(new DtlsFailure(DtlsFailure.Kind.FINGERPRINT_MISMATCH, "the peer's certificate has fingerprint "
                    + Fingerprint.of(remoteFingerprint.algorithm(), der).toSdp() + " but its SDP says a=fingerprint:"
                    + remoteFingerprint.toSdp()), AlertDescription.bad_certificate);
        }
    }

    /** RFC 5764 section 4.2, from the completed handshake (BouncyCastle wipes the master secret right after). */
    void exportKeys(TlsContext context) {
        SecurityParameters sp = context.getSecurityParametersConnection();
        int n = profile.keyingMaterialBytes();
        byte[] material;
        extendedMasterSecret = sp.isExtendedMasterSecret();
        if (extendedMasterSecret) {
            material = context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null, n);
        } else {
            // RFC 5705 section 4 over the plain master secret: BouncyCastle refuses that (RFC 7627
            // section 5.4), but DTLS-SRTP peers without RFC 7627 exist (older SIP phones) and
            // their keys are still bound to the fingerprint-checked handshake.
            byte[] seed = org.bouncycastle.util.Arrays.concatenate(sp.getClientRandom(), sp.getServerRandom());
            material = TlsUtils.PRF(sp, sp.getMasterSecret(), ExporterLabel.dtls_srtp, seed, n).extract();
        }
        keys = profile.split(material, role);
        Arrays.fill(material, (byte) 0);
        clientRandom = sp.getClientRandom().clone();
        cipherSuite = sp.getCipherSuite();
    }

    TlsCredentialedSigner signer(TlsContext context) throws IOException {
        Certificate chain = new Certificate(new TlsCertificate[] {config.crypto().createCertificate(config.certificate().encoded())});
        return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), config.crypto(),
                config.certificate().privateKeyParameter(), chain, ECDSA_SHA256);
    }

    void alertReceived(short level, short description) {
        heardFromPeer = true;
        if (level == AlertLevel.warning && description == AlertDescription.close_notify) peerClosed = true;
    }

    /** Runs the handshake on the calling thread; BouncyCastle retransmits, the transport's deadline ends it. */
        DTLSTransport handshake(long t0) throws IOException {
        transport.setDeadline(t0 + config.handshakeTimeout().toNanos());
        if (role == DtlsRole.CLIENT) return new DTLSClientProtocol().connect(new Client(), transport);
        return new DTLSServerProtocol().accept(new Server(), transport);
    }

    /** The failure a handshake that threw {@code e} reports: our own check's if one refused, else from the exception. */
        DtlsFailure classify(Exception e, long elapsedNanos) {
        if (failure != null) return failure; // what our own checks found (fingerprint, profiles)
        if (e instanceof TlsTimeoutException) {
            return new DtlsFailure(DtlsFailure.Kind.TIMEOUT, "DTLS handshake as " + role.name().toLowerCase(java.util.Locale.ROOT)
                    + " did not complete within " + config.handshakeTimeout().toMillis() + " ms"
                    + (heardFromPeer ? "" : " (nothing usable came from the peer)"));
        }
        if (e instanceof TlsFatalAlertReceived r) {
            return new DtlsFailure(DtlsFailure.Kind.PEER_ALERT, "the peer refused the DTLS handshake with fatal alert "
                    + AlertDescription.getText(r.getAlertDescription()));
        }
        String what = e instanceof TlsFatalAlert f ? AlertDescription.getText(f.getAlertDescription()) + (f.getMessage() == null ? "" : ": " + f.getMessage())
                : e.toString();
        return new DtlsFailure(DtlsFailure.Kind.HANDSHAKE_ERROR, "DTLS handshake failed after " + elapsedNanos / 1_000_000 + " ms: " + what);
    }

    /** What the completed handshake gives the call. */
    DtlsSrtpSession session(long handshakeNanos) {
        return new DtlsSrtpSession(role, keys, remoteFingerprint, SUITE_NAMES.getOrDefault(cipherSuite, String.format("0x%04X", cipherSuite)),
                extendedMasterSecret, handshakeNanos);
    }

    private final class Client extends DefaultTlsClient {
        Client() {
            super(config.crypto());
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions() {
            return VERSIONS;
        }

        @Override
        protected int[] getSupportedCipherSuites() {
            return TlsUtils.getSupportedCipherSuites(getCrypto(), CLIENT_SUITES);
        }

        @Override
        public int getHandshakeTimeoutMillis() {
            return (int) config.handshakeTimeout().toMillis();
        }

        @Override
        public int getHandshakeResendTimeMillis() {
            return DtlsSrtpEndpoint.INITIAL_RETRANSMIT_MILLIS;
        }

        @Override
        public Hashtable<Integer, byte[]> getClientExtensions() throws IOException {
            @SuppressWarnings("unchecked")
            Hashtable<Integer, byte[]> ext = (Hashtable<Integer, byte[]>) super.getClientExtensions();
            if (ext == null) ext = new Hashtable<>();
            int[] ids = config.profiles().stream().mapToInt(SrtpProfile::id).toArray();
            TlsSRTPUtils.addUseSRTPExtension(ext, new UseSRTPData(ids, TlsUtils.EMPTY_BYTES));
            return ext;
        }

        @Override
        @SuppressWarnings("rawtypes")
        public void processServerExtensions(Hashtable serverExtensions) throws IOException {
            super.processServerExtensions(serverExtensions);
            heardFromPeer = true;
            UseSRTPData d = TlsSRTPUtils.getUseSRTPExtension(serverExtensions);
            if (d == null) {
                throw refuse(new DtlsFailure(DtlsFailure.Kind.NO_SRTP_PROFILE, "the peer's DTLS server did not accept use_srtp"),
                        AlertDescription.handshake_failure);
            }
            int[] chosen = d.getProtectionProfiles();
            // RFC 5764 section 4.1.3: exactly one of the offered profiles, and no MKI since we sent none
            if (chosen.length != 1 || SrtpProfile.choose(config.profiles(), chosen).isEmpty() || d.getMki().length != 0) {
                throw refuse(new DtlsFailure(DtlsFailure.Kind.NO_SRTP_PROFILE, "the peer selected SRTP profile(s) "
                        + Arrays.toString(chosen) + " (MKI " + d.getMki().length + " bytes), not one of " + config.profiles()), AlertDescription.illegal_parameter);
            }
            profile = SrtpProfile.byId(chosen[0]).orElseThrow();
        }

        @Override
        public TlsAuthentication getAuthentication() {
            return new TlsAuthentication() {
                @Override
                public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
                    verifyPeer(serverCertificate.getCertificate());
                }

                @Override
                public TlsCredentials getClientCredentials(CertificateRequest certificateRequest) throws IOException {
                    return signer(context);
                }
            };
        }

        @Override
        public void notifyHandshakeComplete() throws IOException {
            super.notifyHandshakeComplete();
            exportKeys(context);
        }

        @Override
        public void notifyAlertReceived(short alertLevel, short alertDescription) {
            alertReceived(alertLevel, alertDescription);
        }

        @Override
        public void notifyAlertRaised(short alertLevel, short alertDescription, String message, Throwable cause) {
            LOG.debug("{}: DTLS alert raised: {} {}", config.name(), AlertDescription.getText(alertDescription), message);
        }
    }

    private final class Server extends DefaultTlsServer {
        private SrtpProfile chosen;

        Server() {
            super(config.crypto());
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions() {
            return VERSIONS;
        }

        @Override
        protected int[] getSupportedCipherSuites() {
            return TlsUtils.getSupportedCipherSuites(getCrypto(), SERVER_SUITES);
        }

        @Override
        public int getHandshakeTimeoutMillis() {
            return (int) config.handshakeTimeout().toMillis();
        }

        @Override
        public int getHandshakeResendTimeMillis() {
            return DtlsSrtpEndpoint.INITIAL_RETRANSMIT_MILLIS;
        }

        @Override
        @SuppressWarnings("rawtypes")
        public void processClientExtensions(Hashtable clientExtensions) throws IOException {
            super.processClientExtensions(clientExtensions);
            heardFromPeer = true;
            UseSRTPData d = TlsSRTPUtils.getUseSRTPExtension(clientExtensions);
            if (d == null) {
                throw refuse(new DtlsFailure(DtlsFailure.Kind.NO_SRTP_PROFILE, "the peer's ClientHello has no use_srtp"),
                        AlertDescription.handshake_failure);
            }
            chosen = SrtpProfile.choose(config.profiles(), d.getProtectionProfiles()).orElseThrow(() -> refuse(
                    new DtlsFailure(DtlsFailure.Kind.NO_SRTP_PROFILE, "the peer offers SRTP profiles "
                            + Arrays.toString(d.getProtectionProfiles()) + ", none of " + config.profiles()), AlertDescription.handshake_failure));
            profile = chosen;
        }

        @Override
        public Hashtable<Integer, byte[]> getServerExtensions() throws IOException {
            @SuppressWarnings("unchecked")
            Hashtable<Integer, byte[]> ext = (Hashtable<Integer, byte[]>) super.getServerExtensions();
            TlsSRTPUtils.addUseSRTPExtension(ext, new UseSRTPData(new int[] {chosen.id()}, TlsUtils.EMPTY_BYTES));
            return ext;
        }

        @Override
        public CertificateRequest getCertificateRequest() {
            // RFC 5763 section 5: the server must ask for the client's certificate
            return new CertificateRequest(new short[] {ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign},
                    TlsUtils.getDefaultSupportedSignatureAlgorithms(context), null);
        }

        @Override
        public void notifyClientCertificate(Certificate clientCertificate) throws IOException {
            verifyPeer(clientCertificate);
        }

        @Override
        protected TlsCredentialedSigner getECDSASignerCredentials() throws IOException {
            return signer(context);
        }

        @Override
        public void notifyHandshakeComplete() throws IOException {
            super.notifyHandshakeComplete();
            exportKeys(context);
        }

        @Override
        public void notifyAlertReceived(short alertLevel, short alertDescription) {
            alertReceived(alertLevel, alertDescription);
        }

        @Override
        public void notifyAlertRaised(short alertLevel, short alertDescription, String message, Throwable cause) {
            LOG.debug("{}: DTLS alert raised: {} {}", config.name(), AlertDescription.getText(alertDescription), message);
        }
    }
}
