package io.vmc.agent.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Dimension;
import java.awt.Rectangle;
import javax.swing.JPanel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ComponentVideoAreaTest {
    private static final Dimension SCREEN = new Dimension(1920, 1080);

    @Test
    void aFullyVisibleAreaNeedsNoVisibleRegions() {
        VideoArea a = ComponentVideoArea.fromScreenBounds(0, new Rectangle(100, 80, 640, 360),
                new Rectangle(100, 80, 640, 360), SCREEN);

        assertThat(a.area()).isEqualTo(Rect.of(100, 80, 640, 360));
        assertThat(a.fullyVisible()).isTrue();
        assertThat(a.isHidden()).isFalse();
        assertThat(a.screenWidth()).isEqualTo(1920);
    }

    @Test
    void aScrolledAreaReportsOnlyItsVisiblePart() {
        // The top 100 pixels are scrolled out of a viewport.
        VideoArea a = ComponentVideoArea.fromScreenBounds(1, new Rectangle(100, 80, 640, 360),
                new Rectangle(100, 180, 640, 400), SCREEN);

        assertThat(a.mappingId()).isEqualTo(1);
        assertThat(a.fullyVisible()).isFalse();
        assertThat(a.visibleRegions()).containsExactly(Rect.of(100, 180, 640, 260));
    }

    @Test
    void nothingVisibleMeansHidden() {
        VideoArea a = ComponentVideoArea.fromScreenBounds(0, new Rectangle(100, 80, 640, 360), new Rectangle(), SCREEN);

        assertThat(a.isHidden()).isTrue();
    }

    @Test
    void aComponentThatIsNotShowingIsHidden() {
        assertThat(ComponentVideoArea.of(2, new JPanel()).isHidden()).isTrue();
    }
}
