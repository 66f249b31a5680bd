package io.vmc.overlay.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.overlay.GuestMonitor;
import io.vmc.overlay.Rect;
import io.vmc.overlay.ScalingMode;
import io.vmc.overlay.VideoArea;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class MonitorLayoutTest {

    /** Two display channels, each reporting its own surface at 0,0: what QEMU gives without a guest driver. */
    static final List<GuestMonitor> TWO_CHANNELS = List.of(new GuestMonitor(11, 0, Rect.of(0, 0, 720, 400)),
            new GuestMonitor(22, 1, Rect.of(0, 0, 640, 480)));

    static VideoArea desktop(int x, int y, int w, int h) {
        return VideoArea.builder().area(Rect.of(x, y, w, h)).screenSize(1360, 480).build();
    }

    @Test
    void channelsThatOverlapAreSideBySideInChannelOrder() {
        assertThat(MonitorLayout.arrange(TWO_CHANNELS)).containsExactly(Rect.of(0, 0, 720, 400), Rect.of(720, 0, 640, 480));
    }

    @Test
    void monitorsReportedApartKeepTheGuestsPositions() {
        // one channel with two heads, the second below the first: the guest's own layout
        List<GuestMonitor> heads = List.of(new GuestMonitor(1, 0, Rect.of(0, 0, 1024, 768)),
                new GuestMonitor(2, 0, Rect.of(100, 768, 800, 600)));
        assertThat(MonitorLayout.arrange(heads)).containsExactly(Rect.of(0, 0, 1024, 768), Rect.of(100, 768, 800, 600));
        MonitorLayout.Located l = MonitorLayout.locate(desktop(300, 900, 200, 100), heads);
        assertThat(l.index()).isEqualTo(1);
        assertThat(l.window()).isEqualTo(2);
        assertThat(l.area().area()).isEqualTo(Rect.of(200, 132, 200, 100));
        assertThat(l.area().screenWidth()).isEqualTo(800);
        assertThat(l.area().screenHeight()).isEqualTo(600);
    }

    /**
     * What SpiceHeadsIT's guest reports: the Linux qxl driver with modetest's framebuffer of 1824 x
     * 768 scanned out by head 1 (1024x768 at 0,0) and head 2 (800x600 at 1024,0). The driver puts
     * each head's framebuffer in a column of its own on its shadow surface: head 2 at 1824 + 1024.
     */
    static final List<GuestMonitor> QXL_SHADOW = List.of(new GuestMonitor(1, 0, Rect.of(0, 0, 1024, 768)),
            new GuestMonitor(2, 0, Rect.of(2848, 0, 800, 600)));

    @Test
    void headsReportedOnTheQxlShadowSurfaceAreSideBySideInHeadOrder() {
        assertThat(MonitorLayout.arrange(QXL_SHADOW)).containsExactly(Rect.of(0, 0, 1024, 768), Rect.of(1024, 0, 800, 600));
        // an area on the guest's second head (desktop x 1124) is drawn in the second head's window
        MonitorLayout.Located l = MonitorLayout.locate(desktop(1124, 100, 240, 180), QXL_SHADOW);
        assertThat(l.window()).isEqualTo(2);
        assertThat(l.area()).isEqualTo(VideoArea.builder().area(Rect.of(100, 100, 240, 180)).screenSize(800, 600).build());
        assertThat(MonitorLayout.locate(desktop(100, 100, 240, 180), QXL_SHADOW).window()).isEqualTo(1);
        // where it was reported, nothing of the guest's desktop is: no video there
        assertThat(MonitorLayout.locate(desktop(2948, 100, 240, 180), QXL_SHADOW)).isNull();

        // the X modesetting driver: one 2048-wide desktop framebuffer, head 2 at 1024 reported at 2048 + 1024
        List<GuestMonitor> modesetting = List.of(new GuestMonitor(1, 0, Rect.of(0, 0, 1024, 768)),
                new GuestMonitor(2, 0, Rect.of(3072, 0, 1024, 768)));
        assertThat(MonitorLayout.locate(desktop(1500, 300, 240, 180), modesetting).window()).isEqualTo(2);
        // the console: both heads show one 1024-wide framebuffer, each in its column, touching: kept as it is
        List<GuestMonitor> console = List.of(new GuestMonitor(1, 0, Rect.of(0, 0, 1024, 768)),
                new GuestMonitor(2, 0, Rect.of(1024, 0, 1024, 768)));
        assertThat(MonitorLayout.arrange(console)).containsExactly(Rect.of(0, 0, 1024, 768), Rect.of(1024, 0, 1024, 768));
    }

    @Test
    void onlyADesktopLayoutIsKeptOtherwiseHeadsGoSideBySide() {
        // to the right, lower and shorter, touching along part of an edge: a desktop layout
        List<GuestMonitor> lower = List.of(new GuestMonitor(1, 0, Rect.of(0, 0, 1024, 768)),
                new GuestMonitor(2, 0, Rect.of(1024, 168, 800, 600)));
        assertThat(MonitorLayout.arrange(lower)).containsExactly(Rect.of(0, 0, 1024, 768), Rect.of(1024, 168, 800, 600));
        assertThat(MonitorLayout.locate(desktop(1100, 200, 100, 100), lower).area().area()).isEqualTo(Rect.of(76, 32, 100, 100));
        // the second head left of the first (it starts at 0): kept
        List<GuestMonitor> left = List.of(new GuestMonitor(1, 0, Rect.of(800, 0, 1024, 768)),
                new GuestMonitor(2, 0, Rect.of(0, 0, 800, 600)));
        assertThat(MonitorLayout.arrange(left)).containsExactly(Rect.of(800, 0, 1024, 768), Rect.of(0, 0, 800, 600));
        assertThat(MonitorLayout.locate(desktop(100, 100, 100, 100), left).window()).isEqualTo(2);
        // not a desktop: only corners touch, a gap, not from 0,0, overlapping (clones)
        List<List<Rect>> notDesktops = List.of(
                List.of(Rect.of(0, 0, 1024, 768), Rect.of(1024, 768, 800, 600)),
                List.of(Rect.of(0, 0, 1024, 768), Rect.of(1100, 0, 800, 600)),
                List.of(Rect.of(50, 0, 1024, 768), Rect.of(1074, 0, 800, 600)),
                List.of(Rect.of(0, 0, 1024, 768), Rect.of(0, 0, 800, 600)));
        for (List<Rect> r : notDesktops) {
            List<GuestMonitor> heads = List.of(new GuestMonitor(1, 0, r.get(0)), new GuestMonitor(2, 0, r.get(1)));
            assertThat(MonitorLayout.arrange(heads)).as("%s", r)
                    .containsExactly(Rect.of(0, 0, r.get(0).width(), r.get(0).height()), Rect.of(r.get(0).width(), 0, 800, 600));
        }
        // a head not shown yet (0x0) neither breaks a layout nor is ever chosen
        List<GuestMonitor> withOff = List.of(new GuestMonitor(1, 0, Rect.of(0, 0, 1024, 768)), new GuestMonitor(2, 0, Rect.of(0, 0, 0, 0)),
                new GuestMonitor(3, 0, Rect.of(1024, 0, 800, 600)));
        assertThat(MonitorLayout.arrange(withOff).get(2)).isEqualTo(Rect.of(1024, 0, 800, 600));
        assertThat(MonitorLayout.locate(desktop(1100, 10, 50, 50), withOff).window()).isEqualTo(3);
    }

    @Test
    void aDeviceWithTwoHeadsAndASecondDeviceAreLaidOutDeviceByDevice() {
        // channel 0: the shadow layout above (1824 wide once side by side); channel 1 after it
        List<GuestMonitor> ms = new ArrayList<>(QXL_SHADOW);
        ms.add(new GuestMonitor(3, 1, Rect.of(0, 0, 640, 480)));
        assertThat(MonitorLayout.arrange(ms)).containsExactly(Rect.of(0, 0, 1024, 768), Rect.of(1024, 0, 800, 600),
                Rect.of(1824, 0, 640, 480));
        assertThat(MonitorLayout.locate(desktop(1900, 10, 100, 100), ms).window()).isEqualTo(3);
        // an explicit monitor number counts the windows in this order
        VideoArea third = VideoArea.builder().area(Rect.of(10, 20, 100, 80)).screenSize(640, 480).monitor(3).build();
        assertThat(MonitorLayout.locate(third, ms).window()).isEqualTo(3);
        VideoArea second = VideoArea.builder().area(Rect.of(10, 20, 100, 80)).screenSize(800, 600).monitor(2).build();
        assertThat(MonitorLayout.locate(second, ms).window()).isEqualTo(2);
    }

    @Test
    void anAreaOnTheSecondMonitorGoesToItsWindowRelativeToIt() {
        MonitorLayout.Located l = MonitorLayout.locate(desktop(800, 100, 240, 180), TWO_CHANNELS);
        assertThat(l.index()).isEqualTo(1);
        assertThat(l.window()).isEqualTo(22);
        assertThat(l.area()).isEqualTo(VideoArea.builder().area(Rect.of(80, 100, 240, 180)).screenSize(640, 480).build());
        // and one on the first stays there, unchanged but for the monitor's own size
        l = MonitorLayout.locate(desktop(100, 100, 240, 180), TWO_CHANNELS);
        assertThat(l.window()).isEqualTo(11);
        assertThat(l.area().area()).isEqualTo(Rect.of(100, 100, 240, 180));
        assertThat(l.area().screenWidth()).isEqualTo(720);
    }

    @Test
    void visibleRegionsMoveWithTheArea() {
        VideoArea a = VideoArea.builder().area(Rect.of(800, 100, 240, 180)).screenSize(1360, 480)
                .visibleRegions(List.of(Rect.of(800, 100, 120, 180))).build();
        MonitorLayout.Located l = MonitorLayout.locate(a, TWO_CHANNELS);
        assertThat(l.area().visibleRegions()).containsExactly(Rect.of(80, 100, 120, 180));
        // hidden stays hidden
        VideoArea hidden = VideoArea.builder().area(Rect.of(800, 100, 240, 180)).screenSize(1360, 480)
                .visibleRegions(List.of()).build();
        assertThat(MonitorLayout.locate(hidden, TWO_CHANNELS).area().visibleRegions()).isEmpty();
    }

    @Test
    void anAreaAcrossTheEdgeGoesWhereMostOfItIsAndIsCutThere() {
        // 200 wide from x=650: 70 on the first, 130 on the second
        MonitorLayout.Located l = MonitorLayout.locate(desktop(650, 50, 200, 100), TWO_CHANNELS);
        assertThat(l.window()).isEqualTo(22);
        assertThat(l.area().area()).isEqualTo(Rect.of(-70, 50, 200, 100));
        Placement p = GeometryMapper.map(l.area(), Rect.of(0, 0, 640, 480), ScalingMode.FIT);
        assertThat(p.window()).isEqualTo(Rect.of(-70, 50, 200, 100));
        assertThat(p.shape()).containsExactly(Rect.of(70, 0, 130, 100)); // only the part on this monitor
        // mostly on the first
        assertThat(MonitorLayout.locate(desktop(600, 50, 200, 100), TWO_CHANNELS).window()).isEqualTo(11);
        // exactly half and half: the first
        assertThat(MonitorLayout.locate(desktop(620, 50, 200, 100), TWO_CHANNELS).window()).isEqualTo(11);
        // below the first monitor (400 high) but within the second (480): the second, though most of its x is on the first
        assertThat(MonitorLayout.locate(desktop(600, 410, 200, 50), TWO_CHANNELS).window()).isEqualTo(22);
    }

    @Test
    void anExplicitMonitorWinsAndItsCoordinatesAreItsOwn() {
        VideoArea a = VideoArea.builder().area(Rect.of(10, 20, 100, 80)).screenSize(640, 480).monitor(2).build();
        MonitorLayout.Located l = MonitorLayout.locate(a, TWO_CHANNELS);
        assertThat(l.window()).isEqualTo(22);
        assertThat(l.area()).isSameAs(a);
        VideoArea first = VideoArea.builder().area(Rect.of(800, 20, 100, 80)).screenSize(1360, 480).monitor(1).build();
        assertThat(MonitorLayout.locate(first, TWO_CHANNELS).window()).isEqualTo(11);
    }

    @Test
    void anUnknownMonitorOrAnAreaOnNoMonitorShowsNothing() {
        VideoArea third = VideoArea.builder().area(Rect.of(10, 20, 100, 80)).screenSize(640, 480).monitor(3).build();
        assertThat(MonitorLayout.locate(third, TWO_CHANNELS)).isNull();
        VideoArea huge = VideoArea.builder().area(Rect.of(10, 20, 100, 80)).screenSize(640, 480).monitor(Integer.MAX_VALUE).build();
        assertThat(MonitorLayout.locate(huge, TWO_CHANNELS)).isNull();
        assertThat(MonitorLayout.locate(desktop(2000, 0, 100, 100), TWO_CHANNELS)).isNull(); // right of both
        assertThat(MonitorLayout.locate(desktop(-500, -500, 100, 100), TWO_CHANNELS)).isNull();
        assertThat(MonitorLayout.locate(desktop(100, 100, 0, 0), TWO_CHANNELS)).isNull(); // empty
        assertThat(MonitorLayout.locate(desktop(100, 100, 10, 10), List.of())).isNull(); // no monitors
    }

    @Test
    void negativeAndHugeValuesStayBounded() {
        List<GuestMonitor> hostile = List.of(new GuestMonitor(1, 0, Rect.of(Integer.MIN_VALUE, Integer.MIN_VALUE, -5, Integer.MAX_VALUE)),
                new GuestMonitor(2, 1, Rect.of(Integer.MAX_VALUE, 0, Integer.MAX_VALUE, Integer.MAX_VALUE)),
                new GuestMonitor(3, 2, Rect.of(0, 0, 640, 480)));
        // the same as heads of one channel, and channels that come back out of order
        List<GuestMonitor> heads = hostile.stream().map(m -> new GuestMonitor(m.window(), 7, m.shown())).toList();
        List<GuestMonitor> mixed = List.of(hostile.get(0), hostile.get(2), new GuestMonitor(4, Integer.MIN_VALUE, Rect.of(-1, -1, 1, 1)),
                new GuestMonitor(5, 0, Rect.of(Integer.MAX_VALUE, Integer.MAX_VALUE, 16384, 16384)));
        for (List<GuestMonitor> layout : List.of(hostile, heads, mixed)) {
            for (Rect r : MonitorLayout.arrange(layout)) {
                assertThat(Math.abs((long) r.x())).isLessThanOrEqualTo(GeometryMapper.MAX_COORDINATE + 16L * GeometryMapper.MAX_SCREEN_SIDE);
                assertThat(Math.abs((long) r.y())).isLessThanOrEqualTo(GeometryMapper.MAX_COORDINATE + 16L * GeometryMapper.MAX_SCREEN_SIDE);
                assertThat(r.width()).isBetween(0, GeometryMapper.MAX_SCREEN_SIDE);
                assertThat(r.height()).isBetween(0, GeometryMapper.MAX_SCREEN_SIDE);
            }
        }
        MonitorLayout.Located l = MonitorLayout.locate(desktop(Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE), hostile);
        if (l != null) {
            assertThat(Math.abs((long) l.area().area().x())).isLessThanOrEqualTo(GeometryMapper.MAX_COORDINATE);
        }
    }

    @Test
    void moreThanSixteenMonitorsAreCut() {
        List<GuestMonitor> many = new ArrayList<>();
        for (int i = 0; i < 100; i++) many.add(new GuestMonitor(i + 1, i, Rect.of(0, 0, 100, 100)));
        assertThat(MonitorLayout.arrange(many)).hasSize(GuestMonitor.MAX_MONITORS);
        assertThat(MonitorLayout.locate(desktop(1550, 10, 20, 20), many).window()).isEqualTo(16);
        assertThat(MonitorLayout.locate(desktop(1650, 10, 20, 20), many)).isNull(); // would be the 17th
    }

    @Test
    void randomInputAlwaysGivesABoundedPlacementOnAListedWindow() {
        Random rnd = new Random(19);
        for (int i = 0; i < 20_000; i++) {
            List<GuestMonitor> ms = new ArrayList<>();
            int n = rnd.nextInt(5);
            for (int k = 0; k < n; k++) {
                ms.add(new GuestMonitor(100 + k, rnd.nextInt(3), Rect.of(wild(rnd), wild(rnd), wild(rnd), wild(rnd))));
            }
            VideoArea a = VideoArea.builder().area(Rect.of(wild(rnd), wild(rnd), wild(rnd), wild(rnd)))
                    .screenSize(wild(rnd), wild(rnd)).monitor(rnd.nextInt(6)).build();
            MonitorLayout.Located l = MonitorLayout.locate(a, ms);
            if (l == null) continue;
            assertThat(l.window()).isBetween(100L, 100L + n - 1);
            Placement p = GeometryMapper.map(l.area(), Rect.of(0, 0, 1024, 768), ScalingMode.FIT);
            if (p.visible()) {
                assertThat(p.window().width()).isBetween(1, GeometryMapper.MAX_WINDOW_SIDE);
            }
        }
    }

    private static int wild(Random rnd) {
        return switch (rnd.nextInt(4)) {
            case 0 -> rnd.nextInt();
            case 1 -> rnd.nextInt(2000) - 200;
            case 2 -> rnd.nextBoolean() ? Integer.MAX_VALUE : Integer.MIN_VALUE;
            default -> rnd.nextInt(800);
        };
    }
}
