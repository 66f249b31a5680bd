package io.vmc.agent.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.engine.internal.KeyValueFile;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.SessionCreated;
import io.vmc.transport.proto.SessionState;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The JSON frame codec against valid and hostile text. */
@Timeout(30)
class JsonFramesTest {
    @Test
    void aRequestInEitherFieldSpellingParsesToTheProto() {
        Request r = JsonFrames.parse("{\"request\": {\"id\": \"42\", \"setMute\": {\"sessionId\": \"s-1\", \"kind\": \"AUDIO\", \"muted\": true}}}").request();
        assertThat(r.getId()).isEqualTo(42);
        assertThat(r.getSetMute().getSessionId()).isEqualTo("s-1");
        assertThat(r.getSetMute().getMuted()).isTrue();
        assertThat(JsonFrames.parse("{\"request\": {\"id\": 42, \"set_mute\": {\"session_id\": \"s-1\", \"kind\": 1}}}").request().getSetMute().getKind())
                .isEqualTo(io.vmc.transport.proto.MediaKind.AUDIO);
        assertThat(JsonFrames.parse("{\"request\":{\"id\":\"18446744073709551615\",\"getStatus\":{}}}").request().getId()).isEqualTo(-1L); // 2^64-1
    }

    @Test
    void responsesAndEventsPrintAsOneEnvelopeBodyWithJsonNames() {
        assertThat(JsonFrames.response(Response.newBuilder().setId(3).setSessionCreated(SessionCreated.newBuilder().setSessionId("s-a")).build()))
                .isEqualTo("{\"response\":{\"id\":\"3\",\"sessionCreated\":{\"sessionId\":\"s-a\"}}}");
        assertThat(JsonFrames.event(Event.newBuilder().setSessionState(SessionState.newBuilder().setSessionId("s-a")
                .setState(SessionState.State.CONNECTED)).build()))
                .isEqualTo("{\"event\":{\"sessionState\":{\"sessionId\":\"s-a\",\"state\":\"CONNECTED\"}}}");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", " ", "null", "42", "\"text\"", "[]", "{", "}", "{\"request\":", "{\"request\": {\"id\": 1, \"getStatus\": {}}} trailing",
        "{\"request\": {\"id\": 1, \"getStatus\": {}, \"x\": 1}}", "{\"request\": {\"id\": -1, \"getStatus\": {}}}",
        "{\"request\": {\"id\": 1.5, \"getStatus\": {}}}", "{\"request\": {\"id\": 1e400, \"getStatus\": {}}}",
        "{\"request\": {\"id\": \"18446744073709551616\", \"getStatus\": {}}}", "{\"request\": {\"id\": 1, \"getStatus\": []}}",
        "{\"request\": {\"id\": 1, \"setMute\": {\"kind\": \"LOUD\"}}}", "{\"request\": {\"id\": 1, \"getStatus\": {}, \"getStats\": {}}}",
        "{\"request\": {\"id\": 1, \"createAnswer\": {\"remoteSdp\": \"\\uZZZZ\"}}}",
        "{\"request\": {\"getStatus\": {}}}", "{\"request\": {\"id\": 0, \"getStatus\": {}}}", "{\"event\": {}}", "{\"response\": {\"id\": 1}}",
        "{\"hello\": {}}", "{\"ping\": {}}", "{}", "{\"ack\": 3, \"request\": {\"id\": 1, \"getStatus\": {}}}",
        "{\"request\": {\"id\": 1, \"getStatus\": {}}, \"request\": {\"id\": 2, \"getStatus\": {}}}", "{'request': {'id': 1}}",
        "{\"request\": {\"id\": 1, \"getStatus\": {}},}", "\u0000\u0001\u0002",
        "{request: {id: 1, getStatus: {}}}", "{\"request\": {\"id\": 1, /* c */ \"getStatus\": {}}}", "{\"request\" = {\"id\": 1}}",
        "{\"request\": {\"id\": 1; \"getStatus\": {}}}", "{\"request\": {\"id\": NaN, \"getStatus\": {}}}",
        "{\"request\": {\"id\": 1, \"getStatus\": {}, \"id\": 2}}", "{\"request\": {\"id\": 1, \"@type\": \"x\"}}"
    })
    void hostileTextIsAnInvalidArgumentNeverAnException(String text) {
        JsonFrames.Inbound in = JsonFrames.parse(text);
        assertThat(in.request()).as(text).isNull();
        assertThat(in.error().getError().getCode()).isEqualTo(Error.Code.INVALID_ARGUMENT);
        assertThat(in.error().getError().getMessage()).isNotBlank().hasSizeLessThan(400);
    }

    @Test
    void theIdOfABadRequestIsEchoedWhenItCanBeRead() {
        assertThat(JsonFrames.parse("{\"request\": {\"id\": 77, \"getStatus\": {}, \"extra\": true}}").error().getId()).isEqualTo(77);
        assertThat(JsonFrames.parse("{\"request\": {\"id\": \"78\", \"setMute\": {\"muted\": \"yes\"}}}").error().getId()).isEqualTo(78);
        assertThat(JsonFrames.parse("{\"request\": {\"id\": 1.5, \"getStatus\": {}}}").error().getId()).isZero();
        assertThat(JsonFrames.parse("{\"request\": {\"id\": \"x\", \"getStatus\": {}}}").error().getId()).isZero();
    }

    @Test
    void deepNestingIsRefusedBeforeTheParserRecurses() {
        assertThat(JsonFrames.outlineError("{\"a\": [1, {\"b\": \"[[[[{{{{\\\"\"}]} \r\n")).isNull();
        assertThat(JsonFrames.outlineError("\"\\\"[[[\"")).contains("one JSON object");
        assertThat(JsonFrames.outlineError("{\"a\": 1, \"a\": 2}")).contains("\"a\" appears twice");
        assertThat(JsonFrames.outlineError("{\"a\": {\"b\": 1}, \"c\": {\"b\": 2}}")).as("the same name in two objects").isNull();
        assertThat(JsonFrames.outlineError("{} {}")).contains("text after");
        assertThat(JsonFrames.outlineError("{\"a\": \"}\"} x")).contains("text after");
        String deep = "{\"request\":".repeat(200_000);
        assertThat(JsonFrames.parse(deep).error().getError().getMessage()).contains("nested too deep");
        assertThat(JsonFrames.parse("[".repeat(WebApi.MAX_JSON_DEPTH) + "]".repeat(WebApi.MAX_JSON_DEPTH)).error()).isNotNull();
        // the deepest real request parses
        assertThat(JsonFrames.parse("{\"request\":{\"id\":1,\"setVideoGeometry\":{\"sessionId\":\"s\",\"visible\":[{\"x\":1,\"width\":2}]}}}").request()
                .getSetVideoGeometry().getVisible(0).getWidth()).isEqualTo(2);
    }

    @Test
    void numbersThatWouldCostTheParserMinutesAreRefusedFirst() {
        // found by JsonFramesFuzzTest: BigDecimal scaled 10^100000015 for this id
        for (String id : new String[] {"110000001569558133E0000100000015", "\"1E100000015\"", "1e-99999999", "1" + "0".repeat(59),
                "\"" + "9".repeat(100_000) + "\""}) {
            String text = "{\"request\":{\"id\":" + id + ",\"getStatus\":{}}}";
            assertThat(JsonFrames.parse(text).error().getError().getMessage()).as(KeyValueFile.abbreviate(id))
                    .contains("a number may have at most 40 characters");
        }
        assertThat(JsonFrames.parse("{\"request\":{\"id\":1.5e3,\"getStatus\":{}}}").request().getId()).isEqualTo(1500);
        assertThat(JsonFrames.parse("{\"request\":{\"id\":\"18446744073709551615\",\"getStatus\":{}}}").request().getId()).isEqualTo(-1);
        // a long string that is no number is an ordinary value
        assertThat(JsonFrames.outlineError("{\"remoteSdp\": \"" + "1".repeat(100_000) + "x\"}")).isNull();
    }

    @Test
    void randomBytesAndTruncationsOfAValidRequestNeverThrow() {
        String valid = "{\"request\":{\"id\":\"5\",\"createAnswer\":{\"sessionId\":\"s-1\",\"remoteSdp\":\"v=0\\r\\no=- 1 1 IN IP4 127.0.0.1\\r\\n\"}}}";
        for (int i = 0; i < valid.length(); i++) {
            JsonFrames.Inbound in = JsonFrames.parse(valid.substring(0, i));
            assertThat(in.request()).isNull();
        }
        assertThat(JsonFrames.parse(valid).request().getCreateAnswer().getRemoteSdp()).startsWith("v=0\r\n");
        Random rnd = new Random(7);
        for (int i = 0; i < 2000; i++) {
            char[] c = new char[rnd.nextInt(64)];
            for (int j = 0; j < c.length; j++) {
                c[j] = "{}[]\":,0123456789.eE-+tfnul\\ abc".charAt(rnd.nextInt(32));
            }
            JsonFrames.Inbound in = JsonFrames.parse(new String(c));
            assertThat(in.request() != null || in.error() != null).isTrue();
        }
    }
}
