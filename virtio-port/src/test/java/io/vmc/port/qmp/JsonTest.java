package io.vmc.port.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class JsonTest {

    @Test
    void parsesAQmpEvent() {
        Object o = Json.parse("{\"timestamp\": {\"seconds\": 1700000000, \"microseconds\": 5},"
                + " \"event\": \"VSERPORT_CHANGE\", \"data\": {\"open\": true, \"id\": \"vmcport\"}}");
        assertThat(o).isEqualTo(Map.of("timestamp", Map.of("seconds", 1700000000L, "microseconds", 5L),
                "event", "VSERPORT_CHANGE", "data", Map.of("open", true, "id", "vmcport")));
    }

    @Test
    void parsesScalarsArraysAndEscapes() {
        assertThat(Json.parse("[1, -2.5e1, \"a\\\"b\\u00e9\\n\", null, false, [], {}]"))
                .isEqualTo(java.util.Arrays.asList(1L, -25.0, "a\"b\u00e9\n", null, false, List.of(), Map.of()));
    }

    @Test
    void writesWhatItParses() {
        Map<String, Object> m = Map.of("path", "/machine/peripheral/x\"y", "n", 3L, "l", List.of(true));
        assertThat(Json.parse(Json.write(m))).isEqualTo(m);
    }

    @Test
    void rejectsHostileInput() {
        for (String bad : new String[] {"", "{", "{\"a\"", "{\"a\":}", "[1,]", "\"abc", "\"\\u12\"", "\"\\x\"",
                "tru", "01x", "{} {}", "{\"a\":1,}", "\"a\u0001\"", "[" .repeat(40) + "]".repeat(40), "-"}) {
            assertThatThrownBy(() -> Json.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("bad JSON");
        }
    }

    @Test
    void deepNestingIsRefusedBeforeTheStackGrows() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertThatThrownBy(() -> Json.parse(deep)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Nesting limit " + Json.MAX_DEPTH);
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertThat(Json.parse(ok)).isInstanceOf(List.class);
        // non-JSON Gson's lenient mode would take: single quotes, comments, NaN, unquoted names
        for (String lenient : new String[] {"{'a':1}", "{\"a\":1} // c", "NaN", "{a:1}", "[1e999]"}) {
            assertThatThrownBy(() -> Json.parse(lenient)).as(lenient).hasMessageStartingWith("bad JSON");
        }
    }

    @Test
    void randomBytesNeverThrowAnythingElse() {
        Random r = new Random(42);
        String alphabet = "{}[]\",:\\u0123456789.-+eEtrufalsn \n";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder();
            for (int j = r.nextInt(30); j > 0; j--) {
                b.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            try {
                Json.parse(b.toString());
            } catch (IllegalArgumentException expected) {
                // Fine: rejected with a message.
            }
        }
    }
}
