package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmc.engine.internal.EngineException;
import io.vmc.overlay.VideoArea;
import io.vmc.transport.proto.Rect;
import io.vmc.transport.proto.SetVideoGeometry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class VideoGeometryTest {
    private static Rect r(int x, int y, int w, int h) {
        return Rect.newBuilder().setX(x).setY(y).setWidth(w).setHeight(h).build();
    }

    private static SetVideoGeometry.Builder g() {
        return SetVideoGeometry.newBuilder().setArea(r(10, 20, 300, 200)).setScreenWidth(1920).setScreenHeight(1080);
    }

    @Test
    void mapsFieldsOneToOne() {
        VideoArea a = VideoGeometry.toVideoArea(g().setVisibleAll(true).build());
        assertThat(a.area()).isEqualTo(io.vmc.overlay.Rect.of(10, 20, 300, 200));
        assertThat(a.screenWidth()).isEqualTo(1920);
        assertThat(a.fullyVisible()).isTrue();
        VideoArea part = VideoGeometry.toVideoArea(g().addVisible(r(10, 20, 100, 200)).build());
        assertThat(part.visibleRegions()).containsExactly(io.vmc.overlay.Rect.of(10, 20, 100, 200));
        // visible_all=false and no rectangles: hidden
        assertThat(VideoGeometry.toVideoArea(g().build()).visibleRegions()).isEmpty();
        assertThat(VideoGeometry.toVideoArea(g().setClear(true).build())).isNull();
        // negative origins inside the limit are legal (area partly off screen)
        assertThat(VideoGeometry.toVideoArea(g().setArea(r(-100, -50, 300, 200)).setVisibleAll(true).build()).area().x()).isEqualTo(-100);
    }

    @Test
    void carriesTheMonitorAndRefusesOneBeyondSixteen() {
        assertThat(VideoGeometry.toVideoArea(g().setVisibleAll(true).build()).monitor()).isZero(); // desktop coordinates
        assertThat(VideoGeometry.toVideoArea(g().setVisibleAll(true).setMonitor(2).build()).monitor()).isEqualTo(2);
        assertThat(VideoGeometry.toVideoArea(g().setVisibleAll(true).setMonitor(16).build()).monitor()).isEqualTo(16);
        assertThatThrownBy(() -> VideoGeometry.toVideoArea(g().setMonitor(17).build()))
                .isInstanceOf(EngineException.class).hasMessageContaining("monitor 17 exceeds 16");
        assertThatThrownBy(() -> VideoGeometry.toVideoArea(g().setMonitor(-1).build()))
                .isInstanceOf(EngineException.class).hasMessageContaining("monitor 4294967295 exceeds 16");
    }

    @Test
    void refusesHostileValues() {
        assertThatThrownBy(() -> VideoGeometry.toVideoArea(g().clearArea().build())).isInstanceOf(EngineException.class).hasMessageContaining("area");
        assertThatThrownBy(() -> VideoGeometry.toVideoArea(g().setArea(r(Integer.MIN_VALUE, 0, 1, 1)).build()))
                .isInstanceOf(EngineException.class).hasMessageContaining("outside");
        assertThatThrownBy(() -> VideoGeometry.toVideoArea(g().setArea(r(0, 0, -1, 1)).build()))
                .isInstanceOf(EngineException.class).hasMessageContaining("4294967295 exceeds 16384");
        assertThatThrownBy(() -> VideoGeometry.toVideoArea(g().setScreenWidth(0).build())).isInstanceOf(EngineException.class);
        assertThatThrownBy(() -> VideoGeometry.toVideoArea(g().setScreenHeight(100_000).build())).isInstanceOf(EngineException.class);
        SetVideoGeometry.Builder many = g();
        for (int i = 0; i < VideoGeometry.MAX_VISIBLE_RECTS + 1; i++) many.addVisible(r(i, i, 1, 1));
        assertThatThrownBy(() -> VideoGeometry.toVideoArea(many.build())).isInstanceOf(EngineException.class).hasMessageContaining("1025 rectangles");
        assertThatThrownBy(() -> VideoGeometry.toVideoArea(g().addVisible(r(0, 0, 1, 70000)).build()))
                .isInstanceOf(EngineException.class).hasMessageContaining("visible[0].height");
    }
}
