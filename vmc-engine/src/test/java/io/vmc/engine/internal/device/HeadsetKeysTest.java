package io.vmc.engine.internal.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.transport.proto.CallControl.Action;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HeadsetKeysTest {
    private static Optional<Action> press(int code, boolean ringing, boolean inCall) {
        return HeadsetKeys.action(InputEvent.of(InputEvent.EV_KEY, code, InputEvent.PRESSED), ringing, inCall);
    }

    @Test
    void theHookButtonAnswersARingAndHangsUpACall() {
        for (int hook : new int[] {HeadsetKeys.KEY_PHONE, HeadsetKeys.KEY_PLAYPAUSE, HeadsetKeys.KEY_MEDIA}) {
            assertThat(press(hook, true, false)).contains(Action.ANSWER);
            assertThat(press(hook, true, true)).as("a second call ringing during a call").contains(Action.ANSWER);
            assertThat(press(hook, false, true)).contains(Action.HANG_UP);
            assertThat(press(hook, false, false)).isEmpty();
        }
        assertThat(press(HeadsetKeys.KEY_PICKUP_PHONE, true, false)).contains(Action.ANSWER);
        assertThat(press(HeadsetKeys.KEY_PICKUP_PHONE, false, true)).isEmpty();
        assertThat(press(HeadsetKeys.KEY_HANGUP_PHONE, true, false)).as("decline").contains(Action.HANG_UP);
    }

    @Test
    void muteAndVolumeMeanSomethingOnlyWithACall() {
        assertThat(press(HeadsetKeys.KEY_MICMUTE, false, true)).contains(Action.TOGGLE_MUTE);
        assertThat(press(HeadsetKeys.KEY_MICMUTE, true, false)).isEmpty();
        assertThat(press(HeadsetKeys.KEY_VOLUMEUP, false, true)).contains(Action.VOLUME_UP);
        assertThat(press(HeadsetKeys.KEY_VOLUMEDOWN, true, false)).contains(Action.VOLUME_DOWN);
        assertThat(press(HeadsetKeys.KEY_VOLUMEUP, false, false)).isEmpty();
    }

    @Test
    void releasesRepeatsAndOtherKeysMeanNothingExceptVolumeRepeats() {
        assertThat(HeadsetKeys.action(InputEvent.of(InputEvent.EV_KEY, HeadsetKeys.KEY_PHONE, InputEvent.RELEASED), false, true)).isEmpty();
        assertThat(HeadsetKeys.action(InputEvent.of(InputEvent.EV_KEY, HeadsetKeys.KEY_PHONE, InputEvent.REPEATED), false, true)).isEmpty();
        assertThat(HeadsetKeys.action(InputEvent.of(InputEvent.EV_KEY, HeadsetKeys.KEY_VOLUMEUP, InputEvent.REPEATED), false, true))
                .contains(Action.VOLUME_UP);
        assertThat(press(30 /* KEY_A */, true, true)).isEmpty();
        assertThat(HeadsetKeys.action(InputEvent.of(InputEvent.EV_MSC, HeadsetKeys.KEY_PHONE, 1), true, true)).isEmpty();
        assertThat(HeadsetKeys.name(HeadsetKeys.KEY_MICMUTE)).contains("KEY_MICMUTE");
    }
}
