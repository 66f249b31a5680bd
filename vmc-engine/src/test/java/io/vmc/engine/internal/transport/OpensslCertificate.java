package io.vmc.engine.internal.transport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A peer's ECDSA P-256 certificate made by the openssl command line, with the fingerprint openssl
 * itself computes: what a third-party peer would put in its SDP, independent of our code.
 */
record OpensslCertificate(Path certFile, Path keyFile, Fingerprint fingerprint) {
    static OpensslCertificate create(Path dir, String name) throws IOException, InterruptedException {
        Path cert = dir.resolve(name + "-cert.pem");
        Path key = dir.resolve(name + "-key.pem");
        run(dir, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-subj", "/CN=" + name, "-days", "2");
        String out = run(dir, "openssl", "x509", "-in", cert.toString(), "-noout", "-fingerprint", "-sha256").strip();
        // "sha256 Fingerprint=AB:CD:..." (OpenSSL 3) or "SHA256 Fingerprint=..." (1.1)
        String hex = out.substring(out.indexOf('=') + 1);
        return new OpensslCertificate(cert, key, Fingerprint.parse("sha-256 " + hex));
    }

    /** Certificate then key, as GStreamer's {@code pem} property takes them. */
    String pem() throws IOException {
        return Files.readString(certFile) + Files.readString(keyFile);
    }

    static String run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(cmd)).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + new String(out, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
