package io.vmc.engine.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The admin files of VMC ({@code /etc/vmc/engine.conf}, {@code /etc/vmc/agentd.conf}): lines of
 * {@code key = value}, {@code #} starts a comment line. Read strictly: an unknown key, a repeated
 * key, a line without {@code =}, bytes that are not UTF-8, a control character, a line longer than
 * {@link #MAX_LINE_BYTES} or a file larger than {@link #MAX_FILE_BYTES} is an error naming the file
 * and the line. What a value means is the caller's business.
 */
public final class KeyValueFile {
    /** Largest file accepted. */
    public static final int MAX_FILE_BYTES = 64 * 1024;
    /** Longest line accepted, in bytes, without its line end. */
    public static final int MAX_LINE_BYTES = 1024;

    private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9.-]{0,63}");

    private KeyValueFile() {}

    /** One {@code key = value} line. */
    public record Entry(String key, String value, int line) {}

    /** The file's bytes: never more than {@link #MAX_FILE_BYTES} + 1, whatever the file is. */
    public static byte[] read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(MAX_FILE_BYTES + 1);
        }
    }

    /**
     * The entries of {@code content} in file order.
     *
     * @param kind what the file is, first word of every message ("policy", "config")
     * @param source the file's name in messages
     * @param keys the keys the file may set
     * @throws IllegalArgumentException "KIND SOURCE line N: what is wrong"
     */
    public static List<Entry> parse(String kind, String source, byte[] content, List<String> keys) {
        if (content.length > MAX_FILE_BYTES) {
            throw new IllegalArgumentException(kind + " " + source + " is larger than the allowed maximum (" + MAX_FILE_BYTES + " bytes)");
        }
        Map<String, Integer> lines = new LinkedHashMap<>();
        List<Entry> out = new ArrayList<>();
        int start = 0;
        int lineNo = 0;
        while (start < content.length) {
            lineNo++;
            int end = start;
            while (end < content.length && content[end] != '\n') end++;
            int len = end - start;
            if (len > 0 && content[start + len - 1] == '\r') len--;
            if (len > MAX_LINE_BYTES) {
                throw error(kind, source, lineNo, "line is longer than the allowed maximum (" + MAX_LINE_BYTES + " bytes)");
            }
            String line = decode(kind, source, lineNo, content, start, len).strip();
            start = end + 1;
            if (line.isEmpty() || line.startsWith("#")) continue;
            int eq = line.indexOf('=');
            if (eq < 0) throw error(kind, source, lineNo, "expected \"key = value\", got \"" + abbreviate(line) + "\"");
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (!KEY.matcher(key).matches() || !keys.contains(key)) {
                throw error(kind, source, lineNo, "unknown key \"" + abbreviate(key) + "\" (known keys: " + String.join(", ", keys) + ")");
            }
            Integer first = lines.putIfAbsent(key, lineNo);
            if (first != null) throw error(kind, source, lineNo, "duplicate key \"" + key + "\" (first set on line " + first + ")");
            out.add(new Entry(key, value, lineNo));
        }
        return out;
    }

    /** "KIND SOURCE line N: MESSAGE". */
    public static IllegalArgumentException error(String kind, String source, int line, String message) {
        return new IllegalArgumentException(kind + " " + source + " line " + line + ": " + message);
    }

    /** At most 40 characters of {@code s}, control characters shown as {@code ?}: safe to put in a message. */
    public static String abbreviate(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && i < 40; i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return s.length() > 40 ? sb + "..." : sb.toString();
    }

    private static String decode(String kind, String source, int lineNo, byte[] b, int off, int len) {
        String s;
        try {
            s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b, off, len)).toString();
        } catch (CharacterCodingException e) {
            throw error(kind, source, lineNo, "not valid UTF-8");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                throw error(kind, source, lineNo, String.format("control character U+%04X", (int) c));
            }
        }
        return s;
    }
}
