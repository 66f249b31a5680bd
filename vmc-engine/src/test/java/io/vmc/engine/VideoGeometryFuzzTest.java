package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.vmc.engine.internal.EngineException;
import io.vmc.overlay.Rect;
import io.vmc.overlay.ScalingMode;
import io.vmc.overlay.VideoArea;
import io.vmc.overlay.GuestMonitor;
import io.vmc.overlay.internal.GeometryMapper;
import io.vmc.overlay.internal.MonitorLayout;
import io.vmc.overlay.internal.Placement;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.SetVideoGeometry;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of the guest's video geometry, from the protobuf bytes on: the
 * {@code SetVideoGeometry} message as the guest sends it (protobuf's parser), the engine's checks
 * ({@link VideoGeometry}: refusals are INVALID_ARGUMENT with a reason) and the mapping onto a session
 * window of any size in each scaling mode ({@link GeometryMapper}), directly and after finding the
 * monitor on a two-monitor guest ({@link MonitorLayout}). What is placed is never empty,
 * never larger than {@link GeometryMapper#MAX_WINDOW_SIDE} or the display, and its shape lies inside
 * the window with at most {@link GeometryMapper#MAX_VISIBLE_RECTS} rectangles.
 *
 * <p>Seeds, in {@code src/test/resources/io/vmc/engine/VideoGeometryFuzzTestInputs/geometrySurvivesAnything/}:
 * a display size then a real SetVideoGeometry (area on a 1920x1080 screen, two visible rectangles).
 */
class VideoGeometryFuzzTest {
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "8s")
    void geometrySurvivesAnything(FuzzedDataProvider data) {
        Rect display = Rect.of(data.consumeInt(-100, 4000), data.consumeInt(-100, 4000), data.consumeInt(0, 8192), data.consumeInt(0, 8192));
        SetVideoGeometry m;
        try {
            m = SetVideoGeometry.parseFrom(data.consumeRemainingAsBytes());
        } catch (InvalidProtocolBufferException expected) {
            return;
        }
        VideoArea area;
        try {
            VideoGeometry.mappingId(m);
            area = VideoGeometry.toVideoArea(m);
        } catch (EngineException refused) {
            assertThat(refused.code()).isEqualTo(Error.Code.INVALID_ARGUMENT);
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        if (area == null) return; // clear
        // as on a two-monitor guest: the monitor found (or none), and the area relative to it
        MonitorLayout.Located on = MonitorLayout.locate(area, TWO_MONITORS);
        if (on != null) assertThat(on.window()).isIn(1L, 2L);
        for (ScalingMode mode : ScalingMode.values()) {
            check(GeometryMapper.map(area, display, mode), display);
            if (on != null) check(GeometryMapper.map(on.area(), display, mode), display);
        }
    }

    private static final List<GuestMonitor> TWO_MONITORS = List.of(new GuestMonitor(1, 0, Rect.of(0, 0, 1920, 1080)),
            new GuestMonitor(2, 1, Rect.of(0, 0, 1280, 1024)));

    private static void check(Placement p, Rect display) {
        if (!p.visible()) return;
        Rect w = p.window();
        assertThat(w.width()).isPositive().isLessThanOrEqualTo(Math.max(GeometryMapper.MAX_WINDOW_SIDE, display.width()));
        assertThat(w.height()).isPositive().isLessThanOrEqualTo(Math.max(GeometryMapper.MAX_WINDOW_SIDE, display.height()));
        if (p.shape() != null) {
            assertThat(p.shape()).isNotEmpty().hasSizeLessThanOrEqualTo(GeometryMapper.MAX_VISIBLE_RECTS).allSatisfy(r -> {
                assertThat(r.x()).isBetween(0, w.width() - 1);
                assertThat(r.y()).isBetween(0, w.height() - 1);
                assertThat((long) r.x() + r.width()).isBetween(1L, (long) w.width());
                assertThat((long) r.y() + r.height()).isBetween(1L, (long) w.height());
            });
        }
    }
}
