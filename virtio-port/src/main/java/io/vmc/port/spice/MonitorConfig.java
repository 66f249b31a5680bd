package io.vmc.port.spice;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.util.ArrayList;
import java.util.List;

/**
 * One entry of a display channel's "monitors" property, spice-gtk's
 * {@code SpiceDisplayMonitorConfig}: a head of the channel's device and the part of the surface it
 * shows. The guest's driver sends these (guest to client: bounded where read).
 */
record MonitorConfig(int id, int x, int y, int width, int height) {
    /** Heads per display channel considered; QXL has at most 16 ({@code max_outputs}), more are ignored. */
    static final int MAX_HEADS = 16;
    /** Entries read from one array at most (a bad count must not walk off the array). */
    static final int MAX_ENTRIES = 64;
    /** {@code sizeof(SpiceDisplayMonitorConfig)}: six guints, id, surface_id, x, y, width, height. */
    static final int ENTRY_SIZE = 24;

    /** Whether the guest shows this head (remote-viewer: a zero size is a disabled head). */
    boolean enabled() {
        return width > 0 && height > 0;
    }

    /**
     * The entries of a {@code GArray} of {@code SpiceDisplayMonitorConfig} ({@code {data, len}}),
     * first of each id, ids 0..{@link #MAX_HEADS}-1 only, in array order; empty for null.
     */
    static List<MonitorConfig> parse(Pointer garray) {
        List<MonitorConfig> out = new ArrayList<>();
        if (garray == null) {
            return out;
        }
        Pointer data = garray.getPointer(0);
        int len = garray.getInt(Native.POINTER_SIZE);
        if (data == null || len <= 0) {
            return out;
        }
        boolean[] seen = new boolean[MAX_HEADS];
        for (int i = 0; i < Math.min(len, MAX_ENTRIES); i++) {
            long o = (long) i * ENTRY_SIZE;
            int id = data.getInt(o);
            if (id < 0 || id >= MAX_HEADS || seen[id]) {
                continue;
            }
            seen[id] = true;
            out.add(new MonitorConfig(id, data.getInt(o + 8), data.getInt(o + 12), data.getInt(o + 16), data.getInt(o + 20)));
        }
        return out;
    }

    /** The enabled heads other than 0, ascending: the windows beyond a channel's first. */
    static List<Integer> extraHeads(List<MonitorConfig> configs) {
        return configs.stream().filter(c -> c.id() > 0 && c.enabled()).map(MonitorConfig::id).sorted().toList();
    }
}
