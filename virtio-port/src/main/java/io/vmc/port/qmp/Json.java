package io.vmc.port.qmp;

import com.google.gson.GsonBuilder;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * QMP's JSON on Gson's strict reader and writer: objects ({@link Map}), arrays ({@link List}),
 * strings, numbers ({@link Long} or {@link Double}), booleans and null. Bounded: a message longer
 * than {@link QmpWatcher#MAX_MESSAGE_CHARS} never gets here, nesting deeper than {@link #MAX_DEPTH}
 * is rejected by the reader before it goes deeper.
 */
final class Json {

    /** QMP replies nest a few levels; this only stops a hostile peer from blowing the stack. */
    static final int MAX_DEPTH = 32;

    private static final com.google.gson.Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();

    private Json() {}

    /** @throws IllegalArgumentException "bad JSON: ..." for anything RFC 8259 does not allow, or nesting beyond the limit */
    static Object parse(String text) {
        try (JsonReader r = new JsonReader(new StringReader(text))) {
            r.setStrictness(Strictness.STRICT);
            r.setNestingLimit(MAX_DEPTH);
            Object value = value(r);
            if (r.peek() != JsonToken.END_DOCUMENT) throw new IllegalArgumentException("bad JSON: trailing characters");
            return value;
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException && e.getMessage().startsWith("bad JSON")) throw (IllegalArgumentException) e;
            throw new IllegalArgumentException("bad JSON: " + e.getMessage(), e);
        }
    }

    private static Object value(JsonReader r) throws IOException {
        switch (r.peek()) {
            case BEGIN_OBJECT: {
                Map<String, Object> m = new LinkedHashMap<>();
                r.beginObject();
                while (r.hasNext()) m.put(r.nextName(), value(r));
                r.endObject();
                return Collections.unmodifiableMap(m);
            }
            case BEGIN_ARRAY: {
                List<Object> l = new ArrayList<>();
                r.beginArray();
                while (r.hasNext()) l.add(value(r));
                r.endArray();
                return Collections.unmodifiableList(l);
            }
            case STRING:
                return r.nextString();
            case NUMBER: {
                String n = r.nextString();
                if (n.matches("-?[0-9]{1,18}")) return Long.parseLong(n);
                double d = Double.parseDouble(n);
                if (!Double.isFinite(d)) throw new IllegalArgumentException("bad JSON: number out of range: " + n);
                return d;
            }
            case BOOLEAN:
                return r.nextBoolean();
            case NULL:
                r.nextNull();
                return null;
            default:
                throw new IllegalArgumentException("bad JSON: unexpected " + r.peek() + " at " + r.getPath());
        }
    }

    static String quote(String s) {
        return GSON.toJson(s);
    }

    /** Serializes maps, lists, strings, numbers, booleans and null. */
    static String write(Object value) {
        return GSON.toJson(value);
    }
}
