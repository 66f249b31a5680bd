package io.vmc.it.spice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.port.spice.SpiceClient;
import io.vmc.port.spice.SpiceOptions;
import io.vmc.port.spice.SpiceSession;
import io.vmc.port.spice.SpiceSessionError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A TLS-only SPICE server with a test CA made by openssl: the right CA (and host subject)
 * connects, a foreign CA or a wrong subject is a TLS error.
 */
@Timeout(120)
class SpiceTlsIT {
    static final String SUBJECT = "C=XX,O=VMC Test,CN=127.0.0.1";
    static Path pki;
    static SpiceQemu qemu;

    @BeforeAll
    static void start() throws Exception {
        Prerequisites.require(false, "qemu-system-x86_64", "openssl");
        pki = Files.createTempDirectory("vmc-spice-pki-");
        Path server = Files.createDirectories(pki.resolve("server"));
        Files.writeString(pki.resolve("san.ext"), "subjectAltName=IP:127.0.0.1\n");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=VMC Test CA",
                "-keyout", pki.resolve("ca-key.pem").toString(), "-out", server.resolve("ca-cert.pem").toString());
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/C=XX/O=VMC Test/CN=127.0.0.1",
                "-keyout", server.resolve("server-key.pem").toString(), "-out", pki.resolve("server.csr").toString());
        openssl("x509", "-req", "-days", "2", "-in", pki.resolve("server.csr").toString(),
                "-CA", server.resolve("ca-cert.pem").toString(), "-CAkey", pki.resolve("ca-key.pem").toString(),
                "-CAcreateserial", "-extfile", pki.resolve("san.ext").toString(),
                "-out", server.resolve("server-cert.pem").toString());
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Someone Else",
                "-keyout", pki.resolve("other-key.pem").toString(), "-out", pki.resolve("other-ca.pem").toString());
        qemu = SpiceQemu.start(true, null, server);
    }

    @AfterAll
    static void stop() throws IOException {
        if (qemu != null) {
            qemu.close();
        }
        if (pki != null) {
            try (Stream<Path> s = Files.walk(pki)) {
                s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static void openssl(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    private static String uri() {
        return "spice+tls://127.0.0.1:" + qemu.port();
    }

    @Test
    void theRightCaAndSubjectConnect() {
        for (SpiceOptions o : List.of(
                SpiceOptions.builder(uri()).showDisplay(false).caFile(pki.resolve("server/ca-cert.pem")).build(),
                SpiceOptions.builder(uri()).showDisplay(false).caFile(pki.resolve("server/ca-cert.pem"))
                        .hostSubject(SUBJECT).build())) {
            RecordingListener l = new RecordingListener();
            try (SpiceSession s = SpiceClient.open(o, l)) {
                await().atMost(Duration.ofSeconds(30)).until(s::isConnected);
                assertThat(l.errors).isEmpty();
            }
        }
    }

    @Test
    void aForeignCaIsATlsError() {
        RecordingListener l = new RecordingListener();
        try (SpiceSession s = SpiceClient.open(SpiceOptions.builder(uri()).showDisplay(false)
                .caFile(pki.resolve("other-ca.pem")).build(), l)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> !l.errors.isEmpty());
            assertThat(l.errors.get(0).kind()).isEqualTo(SpiceSessionError.Kind.TLS);
            assertThat(l.errors.get(0).message()).contains("check the CA file and the host subject");
            assertThat(s.isConnected()).isFalse();
        }
    }

    @Test
    void aWrongHostSubjectIsATlsError() {
        RecordingListener l = new RecordingListener();
        try (SpiceSession s = SpiceClient.open(SpiceOptions.builder(uri()).showDisplay(false)
                .caFile(pki.resolve("server/ca-cert.pem")).hostSubject("C=XX,O=VMC Test,CN=not-this-host").build(), l)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> !l.errors.isEmpty());
            assertThat(l.errors.get(0).kind()).isEqualTo(SpiceSessionError.Kind.TLS);
        }
    }
}
