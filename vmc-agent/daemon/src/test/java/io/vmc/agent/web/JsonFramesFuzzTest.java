package io.vmc.agent.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vmc.transport.proto.Error;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of the web API's inbound JSON (what any page or local program sends on the
 * WebSocket). {@link JsonFrames#parse} never throws: it gives a request with an id, or an
 * INVALID_ARGUMENT answer with a reason; and the answer itself prints as JSON the client can read.
 *
 * <p>Seeds, in {@code src/test/resources/io/vmc/agent/web/JsonFramesFuzzTestInputs/jsonSurvivesAnything/}:
 * a CreateSession request, a SetVideoGeometry request, a nested array.
 */
class JsonFramesFuzzTest {
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "8s")
    void jsonSurvivesAnything(byte[] data) {
        JsonFrames.Inbound in = JsonFrames.parse(new String(data, StandardCharsets.UTF_8));
        assertThat(in.request() == null).isNotEqualTo(in.error() == null);
        if (in.request() != null) {
            assertThat(in.request().getId()).isNotZero();
        } else {
            assertThat(in.error().getError().getCode()).isEqualTo(Error.Code.INVALID_ARGUMENT);
            assertThat(in.error().getError().getMessage()).isNotBlank();
            assertThat(JsonFrames.response(in.error())).startsWith("{\"response\":");
        }
    }
}
