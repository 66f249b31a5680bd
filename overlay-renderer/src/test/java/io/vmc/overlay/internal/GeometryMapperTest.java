package io.vmc.overlay.internal;

import static io.vmc.overlay.ScalingMode.FIT;
import static io.vmc.overlay.ScalingMode.FIT_DOWNSCALE_ONLY;
import static io.vmc.overlay.ScalingMode.ONE_TO_ONE;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.overlay.Rect;
import io.vmc.overlay.VideoArea;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class GeometryMapperTest {

    static VideoArea area(int x, int y, int w, int h, int gw, int gh) {
        return VideoArea.builder().area(Rect.of(x, y, w, h)).screenSize(gw, gh).build();
    }

    static VideoArea area(int x, int y, int w, int h, int gw, int gh, Rect... visible) {
        return VideoArea.builder().area(Rect.of(x, y, w, h)).screenSize(gw, gh).visibleRegions(List.of(visible)).build();
    }

    @Test
    void sameSizeIsIdentityPlusDisplayOffset() {
        Placement p = GeometryMapper.map(area(100, 80, 640, 360, 1920, 1080), Rect.of(5, 51, 1920, 1080), FIT);
        assertThat(p.visible()).isTrue();
        assertThat(p.window()).isEqualTo(Rect.of(105, 131, 640, 360));
        assertThat(p.shape()).isNull();
    }

    @Test
    void fitScalesDownWithPillarbox() {
        // 1920x1080 into 1000x700: s = min(0.5208, 0.6481) = 0.5208 -> 1000x563 at y offset (700-563)/2 = 68
        Placement p = GeometryMapper.map(area(960, 540, 480, 270, 1920, 1080), Rect.of(0, 0, 1000, 700), FIT);
        // edges: x 960*1000/1920 = 500, 1440 -> 750; y 540*563/1080 = 281.5 -> 282, 810 -> 422.25 -> 422
        assertThat(p.window()).isEqualTo(Rect.of(500, 350, 250, 140));
    }

    @Test
    void fitScalesUpWithLetterboxBarsLeftAndRight() {
        // 720x400 into 1000x700 -> s = min(1.389, 1.75) -> 1000x556 centred at y = 72
        Placement p = GeometryMapper.map(area(0, 0, 720, 400, 720, 400), Rect.of(0, 0, 1000, 700), FIT);
        assertThat(p.window()).isEqualTo(Rect.of(0, 72, 1000, 556));
        // 4:3 guest into a wide display: bars left and right
        p = GeometryMapper.map(area(0, 0, 800, 600, 800, 600), Rect.of(10, 20, 1000, 600), FIT);
        assertThat(p.window()).isEqualTo(Rect.of(110, 20, 800, 600));
    }

    @Test
    void downscaleOnlyNeverEnlarges() {
        Placement p = GeometryMapper.map(area(0, 0, 720, 400, 720, 400), Rect.of(0, 0, 1000, 700), FIT_DOWNSCALE_ONLY);
        assertThat(p.window()).isEqualTo(Rect.of(140, 150, 720, 400));
        p = GeometryMapper.map(area(0, 0, 1600, 1200, 1600, 1200), Rect.of(0, 0, 800, 800), FIT_DOWNSCALE_ONLY);
        assertThat(p.window()).isEqualTo(Rect.of(0, 100, 800, 600));
    }

    @Test
    void oneToOneCentresWhenSmallerAndClipsWhenLarger() {
        Placement p = GeometryMapper.map(area(10, 10, 100, 50, 720, 400), Rect.of(0, 0, 1000, 700), ONE_TO_ONE);
        assertThat(p.window()).isEqualTo(Rect.of(150, 160, 100, 50));
        // Guest larger than the display: top-left shown; an area across the right edge is shaped.
        p = GeometryMapper.map(area(900, 100, 200, 100, 1920, 1080), Rect.of(0, 0, 1000, 700), ONE_TO_ONE);
        assertThat(p.window()).isEqualTo(Rect.of(900, 100, 200, 100));
        assertThat(p.shape()).containsExactly(Rect.of(0, 0, 100, 100));
    }

    @Test
    void areaPartlyOffTheGuestScreenKeepsItsFullSizeAndIsShaped() {
        Placement p = GeometryMapper.map(area(-320, 200, 640, 480, 1600, 1200), Rect.of(0, 0, 800, 600), FIT);
        assertThat(p.window()).isEqualTo(Rect.of(-160, 100, 320, 240));
        assertThat(p.shape()).containsExactly(Rect.of(160, 0, 160, 240));
    }

    @Test
    void letterboxBarsNeverShowVideo() {
        // Guest 800x600 in 1000x600: image at x 100..900; an area spilling over the right edge is clipped at 900.
        Placement p = GeometryMapper.map(area(700, 0, 200, 100, 800, 600), Rect.of(0, 0, 1000, 600), FIT);
        assertThat(p.window()).isEqualTo(Rect.of(800, 0, 200, 100));
        assertThat(p.shape()).containsExactly(Rect.of(0, 0, 100, 100));
    }

    @Test
    void visibleRegionsMapToWindowCoordinates() {
        Placement p = GeometryMapper.map(area(200, 100, 640, 480, 1600, 1200,
                Rect.of(300, 100, 220, 100), Rect.of(200, 200, 320, 380)), Rect.of(0, 0, 800, 600), FIT);
        assertThat(p.window()).isEqualTo(Rect.of(100, 50, 320, 240));
        assertThat(p.shape()).containsExactly(Rect.of(50, 0, 110, 50), Rect.of(0, 50, 160, 190));
    }

    @Test
    void adjacentVisibleRectanglesStayAdjacentAfterScaling() {
        // Odd scale 2/3: edges are rounded one by one, so 0..100 and 100..200 meet at 67.
        Placement p = GeometryMapper.map(area(0, 0, 300, 300, 1500, 1500,
                Rect.of(0, 0, 100, 300), Rect.of(100, 0, 101, 300)), Rect.of(0, 0, 1000, 1000), FIT);
        assertThat(p.shape()).containsExactly(Rect.of(0, 0, 67, 200), Rect.of(67, 0, 67, 200));
    }

    @Test
    void visibleRegionCoveringTheWholeAreaMeansNoShape() {
        Placement p = GeometryMapper.map(area(0, 0, 100, 100, 1000, 1000, Rect.of(-50, -50, 500, 500)),
                Rect.of(0, 0, 1000, 1000), FIT);
        assertThat(p.window()).isEqualTo(Rect.of(0, 0, 100, 100));
        assertThat(p.shape()).isNull();
    }

    @Test
    void hiddenCases() {
        Rect d = Rect.of(0, 0, 800, 600);
        assertThat(GeometryMapper.map(VideoArea.HIDDEN, d, FIT).visible()).isFalse();
        assertThat(GeometryMapper.map(area(0, 0, 100, 100, 1600, 1200, new Rect[0]), d, FIT).visible()).isFalse();
        assertThat(GeometryMapper.map(area(0, 0, 100, 100, 0, 1200), d, FIT).visible()).isFalse();
        assertThat(GeometryMapper.map(area(0, 0, 100, 100, 1600, -1), d, FIT).visible()).isFalse();
        assertThat(GeometryMapper.map(area(0, 0, -100, 100, 1600, 1200), d, FIT).visible()).isFalse();
        assertThat(GeometryMapper.map(area(1600, 0, 100, 100, 1600, 1200), d, FIT).visible()).as("right of the screen").isFalse();
        assertThat(GeometryMapper.map(area(0, 0, 100, 100, 1600, 1200), Rect.of(0, 0, 0, 600), FIT).visible()).isFalse();
        // visible rects all outside the area
        assertThat(GeometryMapper.map(area(0, 0, 100, 100, 1600, 1200, Rect.of(500, 500, 10, 10)), d, FIT).visible())
                .isFalse();
        // a one-pixel guest area scaled by 0.5 rounds to nothing
        assertThat(GeometryMapper.map(area(1, 1, 1, 1, 1600, 1200), d, FIT).visible()).isFalse();
    }

    @Test
    void hostileValuesAreClampedAndBounded() {
        Rect d = Rect.of(0, 0, 800, 600);
        int[] values = {Integer.MIN_VALUE, -70000, -1, 0, 1, 599, 70000, Integer.MAX_VALUE};
        for (int x : values) {
            for (int w : values) {
                for (int gw : values) {
                    Placement p = GeometryMapper.map(area(x, x, w, w, gw, gw), d, FIT);
                    assertBounded(p, d);
                    p = GeometryMapper.map(area(x, x, w, w, gw, gw, Rect.of(w, x, gw, w)), d, ONE_TO_ONE);
                    assertBounded(p, d);
                }
            }
        }
        // An area wider than MAX_WINDOW_SIDE gets a window of its visible part only.
        Placement p = GeometryMapper.map(area(-5000, -5000, 100000, 100000, 1600, 1200), d, FIT);
        assertThat(p.window()).isEqualTo(Rect.of(0, 0, 800, 600));
        assertThat(p.shape()).isNull();
    }

    @Test
    void thousandsOfVisibleRectanglesAreCutToTheLargest() {
        List<Rect> many = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            many.add(Rect.of(i % 100 * 10, i / 100 * 10, 10, 10));
        }
        many.add(Rect.of(0, 0, 1000, 20)); // the largest
        Placement p = GeometryMapper.map(VideoArea.builder().area(Rect.of(0, 0, 1000, 1000)).screenSize(1000, 1000)
                .visibleRegions(many).build(), Rect.of(0, 0, 1000, 1000), FIT);
        assertThat(p.shape()).hasSize(GeometryMapper.MAX_VISIBLE_RECTS);
        assertThat(p.shape().get(0)).isEqualTo(Rect.of(0, 0, 1000, 20));
    }

    @Test
    void randomInputNeverEscapesTheDisplay() {
        Random r = new Random(42);
        for (int i = 0; i < 20000; i++) {
            Rect d = Rect.of(r.nextInt(200), r.nextInt(200), 1 + r.nextInt(2000), 1 + r.nextInt(2000));
            List<Rect> vis = new ArrayList<>();
            for (int k = r.nextInt(5); k > 0; k--) {
                vis.add(Rect.of(r.nextInt(), r.nextInt(), r.nextInt(), r.nextInt()));
            }
            VideoArea.Builder b = VideoArea.builder().area(Rect.of(r.nextInt(4000) - 1000, r.nextInt(4000) - 1000,
                    r.nextInt(5000) - 100, r.nextInt(5000) - 100)).screenSize(r.nextInt(5000) - 10, r.nextInt(5000) - 10);
            if (r.nextBoolean()) {
                b.visibleRegions(vis);
            }
            assertBounded(GeometryMapper.map(b.build(), d, io.vmc.overlay.ScalingMode.values()[r.nextInt(3)]), d);
        }
    }

    /** The window fits X11's 16-bit protocol fields and what shows lies inside the display. */
    static void assertBounded(Placement p, Rect d) {
        if (!p.visible()) {
            return;
        }
        Rect w = p.window();
        assertThat(w.width()).isBetween(1, GeometryMapper.MAX_WINDOW_SIDE);
        assertThat(w.height()).isBetween(1, GeometryMapper.MAX_WINDOW_SIDE);
        assertThat(w.x()).isBetween(Short.MIN_VALUE + 0, Short.MAX_VALUE + 0);
        assertThat(w.y()).isBetween(Short.MIN_VALUE + 0, Short.MAX_VALUE + 0);
        List<Rect> shape = p.shape() == null ? List.of(Rect.of(0, 0, w.width(), w.height())) : p.shape();
        assertThat(shape).hasSizeBetween(1, GeometryMapper.MAX_VISIBLE_RECTS);
        for (Rect s : shape) {
            assertThat(s.isEmpty()).isFalse();
            assertThat(w.x() + s.x()).isGreaterThanOrEqualTo(d.x());
            assertThat(w.y() + s.y()).isGreaterThanOrEqualTo(d.y());
            assertThat(w.x() + s.x() + s.width()).isLessThanOrEqualTo(d.x() + d.width());
            assertThat(w.y() + s.y() + s.height()).isLessThanOrEqualTo(d.y() + d.height());
            assertThat(s.x()).isGreaterThanOrEqualTo(0);
            assertThat(s.x() + s.width()).isLessThanOrEqualTo(w.width());
        }
    }
}
