package io.vmc.agent.web;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.vmc.agent.daemon.Errors;
import io.vmc.engine.internal.KeyValueFile;
import io.vmc.transport.proto.Envelope;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One WebSocket text message is one {@code vmc.v1.Envelope} in protobuf's JSON mapping, with only
 * its body: {@code {"request": {...}}} from the client, {@code {"response": {...}}} and
 * {@code {"event": {...}}} from agentd. So every request, response and event of vmc.proto is in the
 * web API as soon as it is in the proto, with no change here.
 *
 * <p>Parsing is strict: an unknown field, a wrong type, trailing text or nesting deeper than
 * {@link WebApi#MAX_JSON_DEPTH} is an INVALID_ARGUMENT response (with the request's id when it can
 * be read), never a closed connection. Pure functions; thread-safe.
 */
final class JsonFrames {
    private static final JsonFormat.Parser STRICT = JsonFormat.parser();
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
    /** Longest piece of the parser's message repeated in an error. */
    private static final int MAX_DETAIL_CHARS = 200;
    /**
     * Longest number in a message, in characters: a uint64 has 20 digits, a double's shortest form
     * about 25. JsonFormat reads integer fields (given as numbers or as strings) through BigDecimal,
     * whose cost grows with the digits and the exponent: {@code 1E100000015} took minutes.
     */
    static final int MAX_NUMBER_CHARS = 40;
    /** Largest exponent of a number, in digits: a double ends at 1e308. */
    private static final int MAX_EXPONENT_DIGITS = 3;
    /**
     * What BigDecimal reads as a number (JsonFormat's integer fields accept such strings too).
     * Possessive, so that a long run of digits cannot make it backtrack.
     */
    private static final Pattern DECIMAL = Pattern.compile("[-+]?+(?:[0-9]++\\.?+[0-9]*+|\\.[0-9]++)(?:[eE][-+]?+0*+([0-9]*+))?+");

    private JsonFrames() {}

    /** A client message: the request to serve, or the error to answer instead. */
    record Inbound(Request request, Response error) {
        static Inbound invalid(long id, String message) {
            return new Inbound(null, Errors.error(Error.Code.INVALID_ARGUMENT, message).toBuilder().setId(id).build());
        }
    }

    static Inbound parse(String text) {
        String outline = outlineError(text);
        if (outline != null) {
            return Inbound.invalid(0, outline);
        }
        Envelope.Builder b = Envelope.newBuilder();
        try {
            STRICT.merge(text, b);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            // RuntimeException: the JSON reader's own (a number out of range, a bad escape)
            return Inbound.invalid(idIfReadable(text), "not a vmc.v1 message in protobuf's JSON mapping: " + detail(e));
        }
        if (b.getBodyCase() != Envelope.BodyCase.REQUEST) {
            return Inbound.invalid(0, "a client sends {\"request\": {...}}; got "
                    + (b.getBodyCase() == Envelope.BodyCase.BODY_NOT_SET ? "no body" : "a " + b.getBodyCase().name().toLowerCase(java.util.Locale.ROOT)));
        }
        Request r = b.getRequest();
        if (b.getSeq() != 0 || b.getAck() != 0) {
            return Inbound.invalid(r.getId(), "seq and ack belong to the unix socket's transport; leave them out on the WebSocket");
        }
        if (r.getId() == 0) {
            return Inbound.invalid(0, "request.id must be set (1 to 2^64-1, unique among this connection's requests in flight)");
        }
        return new Inbound(r, null);
    }

    static String response(Response r) {
        return print(Envelope.newBuilder().setResponse(r));
    }

    static String event(Event e) {
        return print(Envelope.newBuilder().setEvent(e));
    }

    private static String print(MessageOrBuilder m) {
        try {
            return PRINTER.print(m);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("vmc.v1 has no Any fields to fail on", e);
        }
    }

    /**
     * The request id of a message that failed strict parsing (an unknown field, a wrong type), if it
     * is a JSON object with a readable {@code request.id}; else 0.
     */
    private static long idIfReadable(String text) {
        Struct.Builder b = Struct.newBuilder();
        try {
            STRICT.merge(text, b);
            Value id = b.getFieldsOrDefault("request", Value.getDefaultInstance()).getStructValue()
                    .getFieldsOrDefault("id", Value.getDefaultInstance());
            return switch (id.getKindCase()) {
                case NUMBER_VALUE -> id.getNumberValue() >= 1 && id.getNumberValue() < 0x1p63 && id.getNumberValue() == Math.rint(id.getNumberValue())
                        ? (long) id.getNumberValue() : 0;
                case STRING_VALUE -> id.getStringValue().matches("[1-9][0-9]{0,18}") ? Long.parseLong(id.getStringValue()) : 0;
                default -> 0;
            };
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            return 0;
        }
    }

    private static String detail(Exception e) {
        String m = String.valueOf(e.getMessage());
        return m.length() <= MAX_DETAIL_CHARS ? m : m.substring(0, MAX_DETAIL_CHARS) + "...";
    }

    /**
     * What is wrong with {@code text} as strict JSON (RFC 8259), or null: it must be one object with
     * nothing after it, no name twice in an object, nesting objects and arrays at most
     * {@link WebApi#MAX_JSON_DEPTH} deep. JsonFormat reads leniently (single quotes, comments,
     * unquoted names, the last of two equal names) and recurses per level, so this runs first, on
     * Gson's reader in strict mode, which keeps its own stack and stops at the first fault.
     */
    static String outlineError(String text) {
        JsonReader r = new JsonReader(new StringReader(text));
        r.setLenient(false);
        Deque<Set<String>> names = new ArrayDeque<>();
        try {
            if (r.peek() != JsonToken.BEGIN_OBJECT) {
                return "a message is one JSON object, {\"request\": {...}}";
            }
            do {
                switch (r.peek()) {
                    case BEGIN_OBJECT, BEGIN_ARRAY -> {
                        if (names.size() == WebApi.MAX_JSON_DEPTH) {
                            return "JSON nested too deep; the allowed maximum is " + WebApi.MAX_JSON_DEPTH + " levels";
                        }
                        if (r.peek() == JsonToken.BEGIN_OBJECT) {
                            r.beginObject();
                        } else {
                            r.beginArray();
                        }
                        names.push(new HashSet<>());
                    }
                    case END_OBJECT -> {
                        r.endObject();
                        names.pop();
                    }
                    case END_ARRAY -> {
                        r.endArray();
                        names.pop();
                    }
                    case NAME -> {
                        String n = r.nextName();
                        if (!names.peek().add(n)) {
                            return "the name \"" + KeyValueFile.abbreviate(n) + "\" appears twice in one object";
                        }
                    }
                    case NUMBER, STRING -> {
                        String fault = numberFault(r.nextString());
                        if (fault != null) {
                            return fault;
                        }
                    }
                    default -> r.skipValue(); // true, false or null
                }
            } while (!names.isEmpty());
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            return "not JSON: " + detail(e);
        }
        try {
            return r.peek() == JsonToken.END_DOCUMENT ? null : "text after the JSON object";
        } catch (IOException e) {
            return "text after the JSON object"; // strict mode refuses a second value outright
        }
    }

    /**
     * Why a JSON number, or a string that reads as one, is refused, or null: more than
     * {@link #MAX_NUMBER_CHARS} characters or an exponent of more than three digits. Other strings
     * pass whatever their length.
     */
    private static String numberFault(String literal) {
        Matcher m = DECIMAL.matcher(literal);
        if (!m.matches()) {
            return null; // a string that is no number; a JSON number always matches
        }
        String exponent = m.group(1);
        if (literal.length() <= MAX_NUMBER_CHARS && (exponent == null || exponent.length() <= MAX_EXPONENT_DIGITS)) {
            return null;
        }
        return "a number may have at most " + MAX_NUMBER_CHARS + " characters and an exponent of at most "
                + MAX_EXPONENT_DIGITS + " digits; got " + KeyValueFile.abbreviate(literal);
    }
}
