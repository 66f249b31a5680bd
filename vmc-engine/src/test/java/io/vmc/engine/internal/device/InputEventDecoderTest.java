package io.vmc.engine.internal.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class InputEventDecoderTest {
    /**
     * A USB headset's hook button in the shape the kernel reports it (as evtest shows it): MSC_SCAN
     * with the HID usage (Telephony page 0x0b, Hook Switch 0x20), the key, a SYN_REPORT; then the release.
     */
    static byte[] hookPressAndRelease() {
        return stream(
                new InputEvent(1764680000L, 123456, InputEvent.EV_MSC, 4, 0x000b0020),
                new InputEvent(1764680000L, 123456, InputEvent.EV_KEY, HeadsetKeys.KEY_PHONE, 1),
                new InputEvent(1764680000L, 123456, InputEvent.EV_SYN, InputEvent.SYN_REPORT, 0),
                new InputEvent(1764680000L, 231002, InputEvent.EV_MSC, 4, 0x000b0020),
                new InputEvent(1764680000L, 231002, InputEvent.EV_KEY, HeadsetKeys.KEY_PHONE, 0),
                new InputEvent(1764680000L, 231002, InputEvent.EV_SYN, InputEvent.SYN_REPORT, 0));
    }

    static byte[] stream(InputEvent... events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (InputEvent e : events) out.writeBytes(InputEventDecoder.encode(e));
        return out.toByteArray();
    }

    @Test
    void decodesARecordedButtonPressIntoTwoReports() throws Exception {
        byte[] b = hookPressAndRelease();
        // the wire layout of the first event, little endian: sec, usec, type, code, value
        assertThat(b).startsWith(0x40, 0xe1, 0x2e, 0x69, 0, 0, 0, 0, 0x40, 0xe2, 0x01, 0, 0, 0, 0, 0, 0x04, 0, 0x04, 0, 0x20, 0, 0x0b, 0);
        List<List<InputEvent>> reports = new InputEventDecoder().decode(b, 0, b.length);
        assertThat(reports).hasSize(2);
        assertThat(reports.get(0)).hasSize(2);
        assertThat(reports.get(0).get(1)).isEqualTo(new InputEvent(1764680000L, 123456, InputEvent.EV_KEY, HeadsetKeys.KEY_PHONE, 1));
        assertThat(reports.get(1).get(1).value()).isEqualTo(InputEvent.RELEASED);
    }

    @Test
    void inputSplitAtEveryBytePositionDecodesTheSame() throws Exception {
        byte[] b = hookPressAndRelease();
        List<List<InputEvent>> whole = new InputEventDecoder().decode(b, 0, b.length);
        for (int cut = 0; cut <= b.length; cut++) {
            InputEventDecoder d = new InputEventDecoder();
            List<List<InputEvent>> got = new ArrayList<>(d.decode(b, 0, cut));
            got.addAll(d.decode(b, cut, b.length - cut));
            assertThat(got).as("cut at %d", cut).isEqualTo(whole);
        }
        InputEventDecoder d = new InputEventDecoder();
        List<List<InputEvent>> got = new ArrayList<>();
        for (int i = 0; i < b.length; i++) got.addAll(d.decode(b, i, 1));
        assertThat(got).isEqualTo(whole);
    }

    @Test
    void anUnfinishedReportIsKeptUntilItsSyn() throws Exception {
        InputEventDecoder d = new InputEventDecoder();
        assertThat(d.decode(stream(InputEvent.of(InputEvent.EV_KEY, HeadsetKeys.KEY_MICMUTE, 1)), 0, 24)).isEmpty();
        assertThat(d.decode(stream(InputEvent.of(InputEvent.EV_SYN, 0, 0)), 0, 24)).hasSize(1);
    }

    @Test
    void synDroppedDiscardsTheReportInProgressAndTheRestUpToTheNextSyn() throws Exception {
        byte[] b = stream(InputEvent.of(InputEvent.EV_KEY, HeadsetKeys.KEY_PHONE, 1),
                InputEvent.of(InputEvent.EV_SYN, InputEvent.SYN_DROPPED, 0),
                InputEvent.of(InputEvent.EV_KEY, HeadsetKeys.KEY_PHONE, 0),
                InputEvent.of(InputEvent.EV_SYN, InputEvent.SYN_REPORT, 0),
                InputEvent.of(InputEvent.EV_KEY, HeadsetKeys.KEY_MICMUTE, 1),
                InputEvent.of(InputEvent.EV_SYN, InputEvent.SYN_REPORT, 0));
        List<List<InputEvent>> r = new InputEventDecoder().decode(b, 0, b.length);
        assertThat(r).hasSize(1);
        assertThat(r.get(0).get(0).code()).isEqualTo(HeadsetKeys.KEY_MICMUTE);
    }

    @Test
    void refusesEventsOutsideTheKernelsRanges() {
        for (InputEvent bad : List.of(new InputEvent(0, 0, InputEvent.EV_MAX + 1, 0, 0),
                new InputEvent(0, 0, 0xffff, 0xffff, -1),
                new InputEvent(0, 0, InputEvent.EV_KEY, InputEvent.KEY_MAX + 1, 1),
                new InputEvent(0, 0, InputEvent.EV_KEY, HeadsetKeys.KEY_PHONE, 3),
                new InputEvent(0, 0, InputEvent.EV_KEY, HeadsetKeys.KEY_PHONE, -1),
                new InputEvent(0, 1_000_000, InputEvent.EV_KEY, HeadsetKeys.KEY_PHONE, 1),
                new InputEvent(0, -1, InputEvent.EV_SYN, 0, 0))) {
            byte[] b = stream(bad);
            assertThatThrownBy(() -> new InputEventDecoder().decode(b, 0, b.length)).as("%s", bad)
                    .isInstanceOf(InputEventDecoder.MalformedInputException.class).hasMessageContaining("input event 1:");
        }
    }

    @Test
    void aReportLongerThanTheLimitIsRefusedAndTheDecoderStaysClosed() {
        InputEvent[] many = new InputEvent[InputEventDecoder.MAX_EVENTS_PER_REPORT + 1];
        java.util.Arrays.fill(many, InputEvent.of(InputEvent.EV_MSC, 4, 1));
        byte[] b = stream(many);
        InputEventDecoder d = new InputEventDecoder();
        assertThatThrownBy(() -> d.decode(b, 0, b.length)).hasMessageContaining("longer than 64 events");
        byte[] good = hookPressAndRelease();
        assertThatThrownBy(() -> d.decode(good, 0, good.length)).hasMessageContaining("malformed before");
    }

    @Test
    void randomBytesEndInAnExceptionOrInBoundedReportsNeverInAnythingElse() {
        Random rnd = new Random(20);
        for (int round = 0; round < 2000; round++) {
            byte[] b = new byte[rnd.nextInt(24 * 80)];
            rnd.nextBytes(b);
            InputEventDecoder d = new InputEventDecoder();
            try {
                for (List<InputEvent> r : d.decode(b, 0, b.length)) {
                    assertThat(r).hasSizeLessThanOrEqualTo(InputEventDecoder.MAX_EVENTS_PER_REPORT);
                }
            } catch (InputEventDecoder.MalformedInputException expected) {
                // most random input has a type above EV_MAX
            }
        }
    }
}
