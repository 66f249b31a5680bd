package io.vmc.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The call-detail record's JSON: whatever the strings hold, the line stays one line of valid JSON that reads back the same. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class JsonObjectWriterTest {

    @Test
    void everyCharacterReadsBack() {
        StringBuilder all = new StringBuilder();
        for (int c = 0; c <= 0xFFFF; c++) all.append((char) c); // includes every control character and lone surrogates
        String line = new JsonObjectWriter().put("s", all.toString()).toString();
        assertThat(line).doesNotContain("\n", "\r", "\u2028", "\u2029");
        assertThat(StrictJson.object(line).get("s").getAsString()).isEqualTo(all.toString());
    }

    @Test
    void hostileAppIdsCannotAddFieldsOrLines() {
        String evil = "app\",\"outcome\":\"completed\"}\n{\"x\":\"\\";
        String line = new JsonObjectWriter().put("app", evil).put("outcome", "failed").toString();
        JsonObject o = StrictJson.object(line);
        assertThat(o.keySet()).containsExactly("app", "outcome");
        assertThat(o.get("app").getAsString()).isEqualTo(evil);
        assertThat(o.get("outcome").getAsString()).isEqualTo("failed");
        assertThat(line).doesNotContain("\n");
    }

    @Test
    void randomStringsRoundTrip() {
        Random r = new Random(16);
        for (int i = 0; i < 2000; i++) {
            char[] cs = new char[r.nextInt(40)];
            for (int j = 0; j < cs.length; j++) cs[j] = (char) (r.nextBoolean() ? r.nextInt(0x80) : r.nextInt(0x10000));
            String s = new String(cs);
            String line = new JsonObjectWriter().put(s, s).toString();
            JsonObject o = StrictJson.object(line);
            assertThat(o.get(s).getAsString()).isEqualTo(s);
        }
    }

    @Test
    void numbersNullsNestingAndLists() {
        String line = new JsonObjectWriter().put("n", 12L).put("d", 4.25).put("tiny", 1e-7).put("nan", Double.NaN)
                .put("inf", Double.POSITIVE_INFINITY).put("b", true).put("none", (String) null)
                .put("o", new JsonObjectWriter().put("k", "v")).put("no", (JsonObjectWriter) null)
                .put("l", List.of("a", "\"b\"")).put("empty", List.of()).toString();
        JsonObject o = StrictJson.object(line);
        assertThat(o.get("n").getAsLong()).isEqualTo(12);
        assertThat(o.get("d").getAsDouble()).isEqualTo(4.25);
        assertThat(line).contains("\"tiny\":0.0000001");
        assertThat(o.get("nan").isJsonNull()).isTrue();
        assertThat(o.get("inf").isJsonNull()).isTrue();
        assertThat(o.get("b").getAsBoolean()).isTrue();
        assertThat(o.get("none").isJsonNull()).isTrue();
        assertThat(o.getAsJsonObject("o").get("k").getAsString()).isEqualTo("v");
        assertThat(o.get("no").isJsonNull()).isTrue();
        assertThat(o.getAsJsonArray("l").get(1).getAsString()).isEqualTo("\"b\"");
        assertThat(o.getAsJsonArray("empty")).isEmpty();
        assertThat(new JsonObjectWriter().toString()).isEqualTo("{}");
    }
}
