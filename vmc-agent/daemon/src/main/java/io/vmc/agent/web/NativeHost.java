package io.vmc.agent.web;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The native messaging host of VMC's browser extension (docs/web-api.md, "Browser extension"): the
 * browser starts it as the user, and it answers the extension with the web API's URL and the
 * user's secret, so that the extension can connect on a page's behalf while the page never sees
 * the secret. Requests and answers are JSON objects:
 * <pre>
 * → {"type": "getConnection"}                 ("refresh": true asks agentd again)
 * ← {"type": "connection", "url": "ws://127.0.0.1:7411/vmc.v1", "secret": "vmc1.1000...."}
 * ← {"type": "error", "message": "..."}
 * </pre>
 */
public final class NativeHost {
    /** Where the connection comes from: the stored files, or agentd when asked to refresh or when there are none. */
    @FunctionalInterface
    public interface Source {
        SecretFiles.Connection get(boolean refresh) throws Exception;
    }

    private final Source source;

    public NativeHost(Source source) {
        this.source = source;
    }

    /**
     * The host of the user running it: the files in {@code dir} (null: {@link SecretFiles#defaultDir()}),
     * else (or on refresh) agentd at {@code socket}, whose answer it stores for next time.
     */
    public static NativeHost forUser(Path dir, Path socket) {
        return new NativeHost(refresh -> {
            Path d = dir != null ? dir : SecretFiles.defaultDir();
            Optional<SecretFiles.Connection> stored = refresh ? Optional.empty() : SecretFiles.read(d);
            if (stored.isPresent()) {
                return stored.get();
            }
            SecretFiles.Connection c = SecretFiles.fetch(socket, Duration.ofSeconds(15));
            SecretFiles.store(d, c);
            return c;
        });
    }

    /**
     * Answers messages until the browser closes stdin (exit code 0), or until the framing breaks (1):
     * after a bad length the stream cannot be trusted, so the host says why and stops.
     */
    public int serve(InputStream in, OutputStream out) throws IOException {
        while (true) {
            byte[] msg;
            try {
                msg = NativeMessaging.read(in);
            } catch (IOException e) {
                NativeMessaging.write(out, error("native messaging: " + e.getMessage()));
                return 1;
            }
            if (msg == null) {
                return 0;
            }
            NativeMessaging.write(out, answer(msg));
        }
    }

    /** The answer to one message. */
    byte[] answer(byte[] message) {
        Struct.Builder req = Struct.newBuilder();
        try {
            JsonFormat.parser().merge(new String(message, StandardCharsets.UTF_8), req);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            return error("expected a JSON object like {\"type\": \"getConnection\"}");
        }
        Value type = req.getFieldsOrDefault("type", Value.getDefaultInstance());
        if (!type.getStringValue().equals("getConnection")) {
            return error("unknown request type; this host answers {\"type\": \"getConnection\"}");
        }
        boolean refresh = req.getFieldsOrDefault("refresh", Value.getDefaultInstance()).getBoolValue();
        SecretFiles.Connection c;
        try {
            c = source.get(refresh);
        } catch (Exception e) {
            return error("cannot get the VMC web API secret: " + e.getMessage());
        }
        return json(Struct.newBuilder().putFields("type", str("connection")).putFields("url", str(c.url()))
                .putFields("secret", str(c.secret())).build());
    }

    static byte[] error(String message) {
        return json(Struct.newBuilder().putFields("type", str("error")).putFields("message", str(message)).build());
    }

    private static Value str(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }

    private static byte[] json(Struct s) {
        try {
            return JsonFormat.printer().omittingInsignificantWhitespace().print(s).getBytes(StandardCharsets.UTF_8);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }
}
