package io.vmc.engine.internal.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmc.engine.internal.EngineException;
import io.vmc.transport.proto.Rect;
import io.vmc.transport.proto.StartScreenShare;
import java.awt.Rectangle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The guest's area and the sent format of a screen share: mapping, cutting, hostile values. */
@Timeout(10)
class ScreenShareTest {
    private static StartScreenShare area(int x, int y, int w, int h, int sw, int sh) {
        return StartScreenShare.newBuilder().setArea(Rect.newBuilder().setX(x).setY(y).setWidth(w).setHeight(h))
                .setScreenWidth(sw).setScreenHeight(sh).build();
    }

    @Test
    void theAppsAreaIsScaledToTheScreenTheEngineShowsAndCutToIt() {
        assertThat(ScreenShare.guestArea(area(100, 50, 400, 300, 1920, 1080), 1920, 1080)).isEqualTo(new Rectangle(100, 50, 400, 300));
        // the app knows a 2x bigger screen than the SPICE picture (HiDPI guest)
        assertThat(ScreenShare.guestArea(area(200, 100, 800, 600, 3840, 2160), 1920, 1080)).isEqualTo(new Rectangle(100, 50, 400, 300));
        // a window half off the screen: only its visible part
        assertThat(ScreenShare.guestArea(area(-100, 1000, 400, 300, 1920, 1080), 1920, 1080)).isEqualTo(new Rectangle(0, 1000, 300, 80));
    }

    @Test
    void hostileAreasAreRefusedWithWhatWasSeen() {
        assertThatThrownBy(() -> ScreenShare.guestArea(area(5000, 5000, 10, 10, 1920, 1080), 1920, 1080))
                .isInstanceOf(EngineException.class).hasMessageContaining("outside the guest screen");
        assertThatThrownBy(() -> ScreenShare.guestArea(area(0, 0, 0, 10, 1920, 1080), 1920, 1080))
                .hasMessageContaining("0x10");
        assertThatThrownBy(() -> ScreenShare.guestArea(area(Integer.MIN_VALUE, 0, Integer.MAX_VALUE, 10, 1920, 1080), 1920, 1080))
                .isInstanceOf(EngineException.class);
        assertThatThrownBy(() -> ScreenShare.guestArea(area(0, 0, 10, 10, 1920, 0), 1920, 1080))
                .hasMessageContaining("screen_width and screen_height");
        assertThatThrownBy(() -> ScreenShare.guestArea(area(0, 0, 10, 10, -1, -1), 1920, 1080)) // uint32 4294967295
                .hasMessageContaining("screen_width and screen_height");
        assertThatThrownBy(() -> ScreenShare.guestArea(area(0, 0, -1, 10, 1920, 1080), 1920, 1080))
                .hasMessageContaining("4294967295x10");
    }

    @Test
    void theSentFormatKeepsTheAspectWithinFullHdAndAtLeastQqvga() {
        assertThat(ScreenShare.fit(1920, 1080, 5)).extracting("width", "height", "fps").containsExactly(1920, 1080, 5);
        assertThat(ScreenShare.fit(3840, 2160, 15)).extracting("width", "height").containsExactly(1920, 1080);
        assertThat(ScreenShare.fit(1001, 701, 5)).extracting("width", "height").containsExactly(1000, 700);
        assertThat(ScreenShare.fit(50, 20, 5)).extracting("width", "height").containsExactly(160, 120);
        assertThat(ScreenShare.fit(2560, 1600, 5)).extracting("width", "height").containsExactly(1728, 1080);
    }
}
