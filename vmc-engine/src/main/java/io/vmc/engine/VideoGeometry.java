package io.vmc.engine;

import io.vmc.engine.internal.EngineException;
import io.vmc.overlay.Rect;
import io.vmc.overlay.VideoArea;
import io.vmc.transport.proto.SetVideoGeometry;
import java.util.ArrayList;
import java.util.List;

/**
 * Validates a guest's SetVideoGeometry (untrusted) and maps it to the overlay's {@link VideoArea}.
 * Out-of-range values are refused here with a message; the overlay clamps again when it maps.
 */
final class VideoGeometry {
    /** Largest guest coordinate magnitude accepted. */
    static final int MAX_COORDINATE = 65536;
    /** Largest guest rectangle side and screen side accepted. */
    static final int MAX_SIDE = 16384;
    /** Most visible rectangles accepted in one update (the overlay applies at most 64 of them). */
    static final int MAX_VISIBLE_RECTS = 1024;

    /** Largest monitor number accepted (the overlay considers at most 16 monitors). */
    static final int MAX_MONITOR = io.vmc.overlay.GuestMonitor.MAX_MONITORS;

    /** Largest mapping id accepted (the agent API allows 0..255). */
    static final int MAX_MAPPING_ID = 255;

    private VideoGeometry() {
    }

    static int mappingId(SetVideoGeometry m) {
        long id = Integer.toUnsignedLong(m.getMappingId());
        if (id > MAX_MAPPING_ID) throw EngineException.invalid("mapping_id " + id + " exceeds " + MAX_MAPPING_ID);
        return (int) id;
    }

    /** @return the area to show, or null to remove the mapping (clear) */
    static VideoArea toVideoArea(SetVideoGeometry m) {
        if (m.getClear()) return null;
        if (!m.hasArea()) throw EngineException.invalid("area is missing (use clear=true to remove the video area)");
        int sw = side(m.getScreenWidth(), "screen_width");
        int sh = side(m.getScreenHeight(), "screen_height");
        if (sw == 0 || sh == 0) throw EngineException.invalid("screen_width and screen_height must be > 0");
        if (m.getVisibleCount() > MAX_VISIBLE_RECTS) {
            throw EngineException.invalid("visible has " + m.getVisibleCount() + " rectangles, at most " + MAX_VISIBLE_RECTS + " allowed");
        }
        long monitor = Integer.toUnsignedLong(m.getMonitor());
        if (monitor > MAX_MONITOR) throw EngineException.invalid("monitor " + monitor + " exceeds " + MAX_MONITOR);
        VideoArea.Builder b = VideoArea.builder().area(rect(m.getArea(), "area")).screenSize(sw, sh).monitor((int) monitor);
        if (!m.getVisibleAll()) {
            List<Rect> visible = new ArrayList<>(m.getVisibleCount());
            for (int i = 0; i < m.getVisibleCount(); i++) visible.add(rect(m.getVisible(i), "visible[" + i + "]"));
            b.visibleRegions(visible); // empty = hidden
        }
        return b.build();
    }

    private static Rect rect(io.vmc.transport.proto.Rect r, String name) {
        if (Math.abs((long) r.getX()) > MAX_COORDINATE || Math.abs((long) r.getY()) > MAX_COORDINATE) {
            throw EngineException.invalid(name + " origin (" + r.getX() + "," + r.getY() + ") outside ±" + MAX_COORDINATE);
        }
        return Rect.of(r.getX(), r.getY(), side(r.getWidth(), name + ".width"), side(r.getHeight(), name + ".height"));
    }

    private static int side(int unsigned, String name) {
        long v = Integer.toUnsignedLong(unsigned);
        if (v > MAX_SIDE) throw EngineException.invalid(name + " " + v + " exceeds " + MAX_SIDE);
        return (int) v;
    }
}
