package io.vmc.engine.internal;

import java.math.BigDecimal;
import java.util.List;

/**
 * Writes one JSON object (RFC 8259) on one line, for the call-detail record. Strings are escaped
 * completely: quote, backslash, every control character, the JavaScript line separators U+2028
 * and U+2029, and unpaired surrogates, so text the guest chose (an app id) can neither break the
 * line nor the object. Non-finite numbers become {@code null}.
 */
final class JsonObjectWriter {
    private final StringBuilder sb = new StringBuilder("{");
    private boolean first = true;

    JsonObjectWriter put(String name, String value) {
        name(name);
        if (value == null) {
            sb.append("null");
        } else {
            string(sb, value);
        }
        return this;
    }

    JsonObjectWriter put(String name, long value) {
        name(name).append(value);
        return this;
    }

    JsonObjectWriter put(String name, double value) {
        name(name).append(Double.isFinite(value) ? BigDecimal.valueOf(value).stripTrailingZeros().toPlainString() : "null");
        return this;
    }

    JsonObjectWriter put(String name, boolean value) {
        name(name).append(value);
        return this;
    }

    /** A nested object; {@code null} writes {@code null}. */
    JsonObjectWriter put(String name, JsonObjectWriter value) {
        name(name).append(value == null ? "null" : value.toString());
        return this;
    }

    JsonObjectWriter put(String name, List<String> values) {
        name(name).append('[');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) sb.append(',');
            string(sb, values.get(i));
        }
        sb.append(']');
        return this;
    }

    private StringBuilder name(String name) {
        if (!first) sb.append(',');
        first = false;
        string(sb, name);
        return sb.append(':');
    }

    static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    boolean pairedHigh = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
                    if (pairedHigh) {
                        out.append(c).append(s.charAt(++i));
                    } else if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || Character.isSurrogate(c)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    @Override
    public String toString() {
        return sb + "}";
    }
}
