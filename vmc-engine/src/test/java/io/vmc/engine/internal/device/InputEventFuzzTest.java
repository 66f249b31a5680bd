package io.vmc.engine.internal.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of the evdev reader's decoder (the bytes a headset's input node gives):
 * any bytes, split anywhere. Only {@link InputEventDecoder.MalformedInputException} may come out, and
 * once it has, the decoder refuses everything after it; no report is longer than
 * {@link InputEventDecoder#MAX_EVENTS_PER_REPORT}; never more events out than whole 24-byte events in.
 *
 * <p>Seeds, in {@code src/test/resources/io/vmc/engine/internal/device/InputEventFuzzTestInputs/eventsSurviveAnything/}:
 * a KEY_MICMUTE press and release, a SYN_DROPPED burst.
 */
class InputEventFuzzTest {
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "8s")
    void eventsSurviveAnything(FuzzedDataProvider data) {
        InputEventDecoder decoder = new InputEventDecoder();
        long bytesIn = 0;
        long eventsOut = 0;
        while (data.remainingBytes() > 0) {
            byte[] chunk = data.consumeBytes(data.consumeInt(0, 200));
            bytesIn += chunk.length;
            List<List<InputEvent>> reports;
            try {
                reports = decoder.decode(chunk, 0, chunk.length);
            } catch (InputEventDecoder.MalformedInputException expected) {
                assertThat(expected.getMessage()).isNotBlank();
                assertThatThrownBy(() -> decoder.decode(new byte[InputEvent.BYTES], 0, InputEvent.BYTES))
                        .isInstanceOf(InputEventDecoder.MalformedInputException.class);
                return;
            }
            for (List<InputEvent> r : reports) {
                assertThat(r).hasSizeLessThanOrEqualTo(InputEventDecoder.MAX_EVENTS_PER_REPORT);
                eventsOut += r.size();
            }
            assertThat(eventsOut).isLessThanOrEqualTo(bytesIn / InputEvent.BYTES);
        }
    }
}
