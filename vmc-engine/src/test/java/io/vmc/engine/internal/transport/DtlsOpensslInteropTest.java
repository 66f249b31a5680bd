package io.vmc.engine.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The engine's endpoint against {@code openssl s_server}/{@code s_client} in DTLS 1.2 with use_srtp:
 * for each role and profile, the handshake completes, each side checked the other's certificate,
 * and the RFC 5764 keying material OpenSSL's own exporter prints is exactly what our endpoint
 * split into its SRTP keys.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DtlsOpensslInteropTest {
    @TempDir Path tmp;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void tools() {
        io.vmc.engine.ToolsAccess.require("openssl");
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    static List<Arguments> cases() {
        List<Arguments> l = new ArrayList<>();
        for (DtlsRole r : DtlsRole.values()) for (SrtpProfile p : SrtpProfile.values()) l.add(Arguments.of(r, p));
        return l;
    }

    static String opensslName(SrtpProfile p) {
        return switch (p) {
            case AES_CM_128_HMAC_SHA1_80 -> "SRTP_AES128_CM_SHA1_80";
            case AEAD_AES_128_GCM -> "SRTP_AEAD_AES_128_GCM";
        };
    }

    @ParameterizedTest
    @MethodSource("cases")
    void keysMatchWhatOpensslExports(DtlsRole ourRole, SrtpProfile profile) throws Exception {
        OpensslCertificate theirs = OpensslCertificate.create(tmp, "openssl");
        try (LoopbackPeer us = new LoopbackPeer("vmc", SrtpProfile.DEFAULT_PREFERENCE, Duration.ofSeconds(15))) {
            List<String> cmd = new ArrayList<>(List.of("openssl", ourRole == DtlsRole.CLIENT ? "s_server" : "s_client", "-dtls1_2",
                    "-use_srtp", opensslName(profile), "-keymatexport", "EXTRACTOR-dtls_srtp",
                    "-keymatexportlen", Integer.toString(profile.keyingMaterialBytes()),
                    "-cert", theirs.certFile().toString(), "-key", theirs.keyFile().toString()));
            int port = UdpPorts.free();
            if (ourRole == DtlsRole.CLIENT) {
                // -verify: ask for our certificate (RFC 5763 section 5), accept it unchained
                cmd.addAll(List.of("-accept", "127.0.0.1:" + port, "-verify", "1", "-naccept", "1"));
                us.remote = new java.net.InetSocketAddress("127.0.0.1", port);
            } else {
                cmd.addAll(List.of("-connect", "127.0.0.1:" + us.address().getPort()));
                us.endpoint.start(DtlsRole.SERVER, theirs.fingerprint());
            }
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            processes.add(p);
            CompletableFuture<OpensslOutput> out = CompletableFuture.supplyAsync(() -> OpensslOutput.read(p));
            if (ourRole == DtlsRole.CLIENT) us.endpoint.start(DtlsRole.CLIENT, theirs.fingerprint()); // retransmission covers s_server's start-up
            DtlsSrtpSession s = us.connected.get(20, TimeUnit.SECONDS);
            OpensslOutput o = out.get(20, TimeUnit.SECONDS);
            System.out.printf("openssl %s, %s: %s; OpenSSL says %s%n", cmd.get(1), profile, s.cipherSuite(), o.srtpLine);
            assertThat(s.keys().profile()).isEqualTo(profile);
            assertThat(o.srtpLine).contains(opensslName(profile));
            SrtpKeys expected = profile.split(o.keyingMaterial, ourRole);
            assertThat(s.keys().localKeyAndSalt()).as("our SRTP key+salt from OpenSSL's exporter").isEqualTo(expected.localKeyAndSalt());
            assertThat(s.keys().remoteKeyAndSalt()).isEqualTo(expected.remoteKeyAndSalt());
            // OpenSSL saw our certificate (the one our a=fingerprint names)
            assertThat(o.peerCertificate).as("certificate OpenSSL received:%n%s", o.all).isNotNull();
            assertThat(us.certificate.fingerprint().matches(o.peerCertificate.getEncoded())).isTrue();
            assertThat(us.failed).isNotDone();
        }
    }

    /** What s_server/s_client print after a handshake: the SRTP profile, the exporter's bytes, the peer's certificate. */
    static final class OpensslOutput {
        String srtpLine;
        byte[] keyingMaterial;
        X509Certificate peerCertificate;
        final StringBuilder all = new StringBuilder();

        static OpensslOutput read(Process p) {
            OpensslOutput o = new OpensslOutput();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                StringBuilder pem = null;
                boolean wantPeer = false;
                String line;
                while ((line = r.readLine()) != null) {
                    o.all.append(line).append('\n');
                    String t = line.strip();
                    if (t.startsWith("SRTP Extension negotiated")) o.srtpLine = t;
                    if (t.startsWith("Keying material:")) o.keyingMaterial = HexFormat.of().parseHex(t.substring(16).strip().toLowerCase());
                    if (t.equals("Client certificate") || t.startsWith("Server certificate")) wantPeer = true;
                    if (wantPeer && t.equals("-----BEGIN CERTIFICATE-----")) pem = new StringBuilder();
                    if (pem != null) pem.append(t).append('\n');
                    if (pem != null && t.equals("-----END CERTIFICATE-----")) {
                        o.peerCertificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                                .generateCertificate(new ByteArrayInputStream(pem.toString().getBytes(StandardCharsets.US_ASCII)));
                        pem = null;
                        wantPeer = false;
                    }
                    if (o.keyingMaterial != null && o.peerCertificate != null && o.srtpLine != null) break;
                }
            } catch (IOException | java.security.cert.CertificateException e) {
                throw new IllegalStateException(e);
            }
            return o;
        }
    }
}
