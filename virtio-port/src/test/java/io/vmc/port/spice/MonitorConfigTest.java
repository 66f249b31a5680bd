package io.vmc.port.spice;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Reading spice-gtk's "monitors" GArray from real native memory laid out as spice-gtk lays it. */
@Timeout(10)
class MonitorConfigTest {

    /** Keeps the entries' memory alive as long as the GArray that points at it. */
    private final List<Memory> keep = new ArrayList<>();

    /** A {@code GArray {gchar *data; guint len}} of {@code SpiceDisplayMonitorConfig}s (six guints each). */
    private Memory garray(int declaredLen, int[]... entries) {
        Memory data = new Memory(Math.max(1, entries.length) * (long) MonitorConfig.ENTRY_SIZE);
        data.clear();
        for (int i = 0; i < entries.length; i++) {
            for (int f = 0; f < 6; f++) {
                data.setInt(i * (long) MonitorConfig.ENTRY_SIZE + f * 4L, entries[i][f]);
            }
        }
        Memory array = new Memory(Native.POINTER_SIZE + 8);
        array.clear();
        array.setPointer(0, entries.length == 0 ? null : data);
        array.setInt(Native.POINTER_SIZE, declaredLen);
        keep.add(data);
        keep.add(array);
        return array;
    }

    @Test
    void twoHeadsOfOneQxlDeviceLieSideBySide() {
        // what a guest with qxl max_outputs=2 sends: {id, surface_id, x, y, width, height}
        List<MonitorConfig> c = MonitorConfig.parse(garray(2, new int[] {0, 0, 0, 0, 1024, 768},
                new int[] {1, 0, 1024, 0, 1024, 768}));
        assertThat(c).containsExactly(new MonitorConfig(0, 0, 0, 1024, 768), new MonitorConfig(1, 1024, 0, 1024, 768));
        assertThat(MonitorConfig.extraHeads(c)).containsExactly(1);
    }

    @Test
    void aHeadTheGuestTurnedOffHasNoWindow() {
        // the qxl driver keeps a disabled output in the config with a zero size
        List<MonitorConfig> c = MonitorConfig.parse(garray(3, new int[] {0, 0, 0, 0, 800, 600},
                new int[] {1, 0, 0, 0, 0, 0}, new int[] {2, 0, 800, 0, 640, 480}));
        assertThat(c).hasSize(3);
        assertThat(c.get(1).enabled()).isFalse();
        assertThat(MonitorConfig.extraHeads(c)).containsExactly(2);
        assertThat(MonitorConfig.extraHeads(MonitorConfig.parse(garray(1, new int[] {0, 0, 0, 0, 800, 600}))))
                .as("one head: no window beyond the channel's first").isEmpty();
    }

    @Test
    void extraHeadsAreAscendingWhateverTheGuestsOrder() {
        List<MonitorConfig> c = MonitorConfig.parse(garray(3, new int[] {3, 0, 2048, 0, 100, 100},
                new int[] {1, 0, 1024, 0, 100, 100}, new int[] {0, 0, 0, 0, 100, 100}));
        assertThat(MonitorConfig.extraHeads(c)).containsExactly(1, 3);
    }

    @Test
    void noArrayOrAnEmptyOneIsNoConfig() {
        assertThat(MonitorConfig.parse(null)).isEmpty();
        assertThat(MonitorConfig.parse(garray(0))).isEmpty();
        assertThat(MonitorConfig.parse(garray(5))).as("a length but no data").isEmpty();
    }

    @Test
    void hostileIdsSizesAndCountsGiveABoundedAnswer() {
        List<MonitorConfig> c = MonitorConfig.parse(garray(6,
                new int[] {-1, 0, 0, 0, 100, 100}, // 0xffffffff as a guint
                new int[] {MonitorConfig.MAX_HEADS, 0, 0, 0, 100, 100},
                new int[] {Integer.MAX_VALUE, 0, 0, 0, 100, 100},
                new int[] {1, 0, 0, 0, -5, 100}, // a size above 2^31 reads negative: not on
                new int[] {1, 0, 9, 9, 100, 100}, // a second entry for head 1: the first counts
                new int[] {2, 0, 0, 0, 100, 0}));
        assertThat(c).extracting(MonitorConfig::id).containsExactly(1, 2);
        assertThat(c.get(0).x()).isZero();
        assertThat(MonitorConfig.extraHeads(c)).isEmpty();
    }

    @Test
    void aLengthBeyondTheLimitReadsNoMoreThanTheLimit() {
        int[][] entries = new int[MonitorConfig.MAX_ENTRIES + 10][];
        for (int i = 0; i < entries.length; i++) {
            // heads 0..14, filler up to the limit, then head 15 only past it: never read
            int id = i < 15 ? i : i < MonitorConfig.MAX_ENTRIES ? 99 : 15;
            entries[i] = new int[] {id, 0, i * 10, 0, 10, 10};
        }
        List<MonitorConfig> c = MonitorConfig.parse(garray(entries.length, entries));
        assertThat(c).extracting(MonitorConfig::id).hasSize(15).doesNotContain(15);
        assertThat(MonitorConfig.parse(garray(Integer.MAX_VALUE, entries))).as("a huge count").hasSize(15);
    }

    @Test
    void randomConfigsNeverGiveAnOutOfRangeOrRepeatedHead() {
        Random r = new Random(19);
        for (int round = 0; round < 500; round++) {
            int n = r.nextInt(20);
            int[][] entries = new int[n][];
            for (int i = 0; i < n; i++) {
                entries[i] = new int[] {r.nextInt(40) - 10, r.nextInt(), r.nextInt(), r.nextInt(), r.nextInt(), r.nextInt()};
            }
            List<MonitorConfig> c = MonitorConfig.parse(garray(n, entries));
            assertThat(c).extracting(MonitorConfig::id).doesNotHaveDuplicates()
                    .allMatch(id -> id >= 0 && id < MonitorConfig.MAX_HEADS);
            assertThat(MonitorConfig.extraHeads(c)).isSorted().allMatch(id -> id > 0);
        }
    }

    @Test
    void windowsAreNumberedInHeadOrderTheFirstWithThePlainTitle() {
        assertThat(SpiceSession.windowTitle("Desk", 0)).isEqualTo("Desk");
        assertThat(SpiceSession.windowTitle("Desk", 1)).isEqualTo("Desk (display 2)");
        List<SpiceSession.Head> heads = new ArrayList<>(List.of(new SpiceSession.Head(1, 0),
                new SpiceSession.Head(0, 1), SpiceSession.Head.FIRST, new SpiceSession.Head(0, 10)));
        java.util.Collections.sort(heads);
        assertThat(heads).containsExactly(SpiceSession.Head.FIRST, new SpiceSession.Head(0, 1),
                new SpiceSession.Head(0, 10), new SpiceSession.Head(1, 0));
    }
}
