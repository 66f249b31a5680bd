package io.vmc.agent.web;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.OptionalInt;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The web API's per-user secrets: {@code vmc1.UID.MAC}, where MAC is HMAC-SHA256 of the uid under
 * agentd's key. agentd hands a user their secret only on the unix socket, where the kernel tells it
 * the caller's uid ({@code SO_PEERCRED}); a WebSocket client that presents it is that user. No table
 * of users: the secret names its uid and the MAC proves agentd made it. The key lives in a file only
 * agentd can read; a new key (a new file) makes every secret issued before worthless.
 */
final class WebSecrets {
    /** First part of every secret; a later format gets another. */
    static final String VERSION = "vmc1";
    /** Bytes of key. */
    static final int KEY_BYTES = 32;
    /** Longest secret looked at; anything longer is refused unread. */
    static final int MAX_SECRET_CHARS = 128;

    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final byte[] key;

    WebSecrets(byte[] key) {
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("key must be " + KEY_BYTES + " bytes, got " + key.length);
        }
        this.key = key.clone();
    }

    /**
     * The key in {@code file}, made (random, mode 0600) if there is none.
     *
     * @throws IOException if the file cannot be made or read, is not a regular file, can be read by
     *     others than its owner, or does not hold exactly {@link #KEY_BYTES} bytes
     */
    static WebSecrets load(Path file) throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            byte[] k = new byte[KEY_BYTES];
            new SecureRandom().nextBytes(k);
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            try (SeekableByteChannel ch = Files.newByteChannel(tmp, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(OWNER_ONLY))) {
                ch.write(ByteBuffer.wrap(k));
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            return new WebSecrets(k);
        }
        PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isRegularFile()) {
            throw new IOException("web API key " + file + " is not a regular file");
        }
        if (!OWNER_ONLY.containsAll(a.permissions())) {
            throw new IOException("web API key " + file + " has mode " + PosixFilePermissions.toString(a.permissions())
                    + "; it must be readable by agentd only (rw-------): fix it with chmod 600, or delete it to make a new key");
        }
        byte[] k = Files.readAllBytes(file);
        if (k.length != KEY_BYTES) {
            throw new IOException("web API key " + file + " holds " + k.length + " bytes, not " + KEY_BYTES + "; delete it to make a new key");
        }
        return new WebSecrets(k);
    }

    /** The secret of user {@code uid}. */
    String secretFor(int uid) {
        if (uid < 0) {
            throw new IllegalArgumentException("uid must be 0 or more, got " + uid);
        }
        return VERSION + "." + uid + "." + B64.encodeToString(mac(uid));
    }

    /**
     * The user whose secret {@code secret} is, or empty for anything agentd did not make with its
     * key. The MAC is compared in constant time.
     */
    OptionalInt verify(String secret) {
        if (secret == null || secret.length() > MAX_SECRET_CHARS || !secret.startsWith(VERSION + ".")) {
            return OptionalInt.empty();
        }
        int dot = secret.indexOf('.', VERSION.length() + 1);
        if (dot < 0) {
            return OptionalInt.empty();
        }
        String digits = secret.substring(VERSION.length() + 1, dot);
        if (!digits.matches("0|[1-9][0-9]{0,9}")) {
            return OptionalInt.empty();
        }
        long uid = Long.parseLong(digits);
        if (uid > Integer.MAX_VALUE) {
            return OptionalInt.empty();
        }
        byte[] given;
        try {
            given = Base64.getUrlDecoder().decode(secret.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            return OptionalInt.empty();
        }
        return MessageDigest.isEqual(mac((int) uid), given) ? OptionalInt.of((int) uid) : OptionalInt.empty();
    }

    private byte[] mac(int uid) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            return m.doFinal(("vmc web API secret of uid " + uid).getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
