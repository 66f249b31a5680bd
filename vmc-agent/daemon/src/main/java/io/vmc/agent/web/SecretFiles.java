package io.vmc.agent.web;

import io.vmc.agent.api.VmcException;
import io.vmc.agent.internal.AgentRequest;
import io.vmc.agent.internal.ProtoMapping;
import io.vmc.transport.proto.GetWebApiSecret;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;

/**
 * The user's side of the secret, in the user's own processes: asks agentd for it on the unix socket
 * and keeps it in {@code $XDG_RUNTIME_DIR/vmc/web-api.secret} (mode 0600, in a 0700 folder), with
 * the WebSocket's URL beside it in {@code web-api.url}. An Electron app reads the two files; the
 * browser extension gets them through the native messaging host.
 */
public final class SecretFiles {
    /** File names in the folder. */
    public static final String SECRET_FILE = "web-api.secret";
    public static final String URL_FILE = "web-api.url";
    /** Longest file content read back. */
    static final int MAX_FILE_BYTES = 1024;

    private SecretFiles() {}

    /** What a client needs to connect. */
    public record Connection(String url, String secret) {
        @Override
        public String toString() {
            return "Connection[url=" + url + ", secret=(" + secret.length() + " characters)]"; // never the secret itself
        }
    }

    /** {@code $XDG_RUNTIME_DIR/vmc}. @throws IllegalStateException when the variable is not set */
    public static Path defaultDir() {
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        if (runtime == null || runtime.isBlank()) {
            throw new IllegalStateException("XDG_RUNTIME_DIR is not set: run this in the user's desktop session, or name a folder with --dir");
        }
        return Path.of(runtime, "vmc");
    }

    /** Asks the agent at {@code socket} for this process's user's secret. */
    public static Connection fetch(Path socket, Duration timeout) {
        Response r = AgentRequest.call(socket, "vmc-web-secret",
                Request.newBuilder().setId(1).setGetWebApiSecret(GetWebApiSecret.getDefaultInstance()).build(), timeout);
        if (r.hasError()) {
            throw ProtoMapping.fromProto(r.getError());
        }
        if (!r.hasWebApiSecret() || r.getWebApiSecret().getSecret().isEmpty()) {
            throw new VmcException(VmcException.Reason.INTERNAL, "vmc-agentd answered GetWebApiSecret without a secret");
        }
        return new Connection(r.getWebApiSecret().getUrl(), r.getWebApiSecret().getSecret());
    }

    /** Writes both files (0600) atomically into {@code dir} (made 0700 if missing). */
    public static void store(Path dir, Connection c) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        write(dir.resolve(SECRET_FILE), c.secret());
        write(dir.resolve(URL_FILE), c.url());
    }

    /** The stored connection, if both files are there. */
    public static Optional<Connection> read(Path dir) throws IOException {
        Path s = dir.resolve(SECRET_FILE);
        Path u = dir.resolve(URL_FILE);
        if (!Files.isRegularFile(s) || !Files.isRegularFile(u)) {
            return Optional.empty();
        }
        String secret = firstLine(s);
        String url = firstLine(u);
        return secret.isEmpty() || url.isEmpty() ? Optional.empty() : Optional.of(new Connection(url, secret));
    }

    private static String firstLine(Path p) throws IOException {
        byte[] b;
        try (var in = Files.newInputStream(p)) {
            b = in.readNBytes(MAX_FILE_BYTES);
        }
        String s = new String(b, StandardCharsets.UTF_8);
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }

    private static void write(Path file, String line) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(tmp, line + "\n");
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
