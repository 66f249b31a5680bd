package io.vmc.engine.internal.rtp;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The receiver's side of Generic NACK (RFC 4585 section 6.2.1): which extended sequence numbers are
 * missing, which of them to ask for now, and what an arriving packet was. Bounded: only gaps within
 * {@code window} numbers of the highest and younger than {@code maxAgeNanos} are asked for, each at
 * most {@code maxNacksPerSeq} times; a forward jump larger than the window is a stream reset, not a
 * burst of NACKs. Pure logic on passed-in times; not thread-safe, the caller locks.
 */
public final class NackTracker {
    /** What an arriving packet was. */
    public enum Arrival {
        /** Newer than anything before (in order, or after a gap). */
        NEW,
        /** Filled a gap before we asked for it: reordering. */
        REORDERED,
        /** Filled a gap we had NACKed: a retransmission (or a very late original). */
        RECOVERED,
        /** Seen already, or older than what we track. */
        DUPLICATE
    }

    private static final class Gap {
        final long firstSeenNanos;
        long lastNackNanos;
        int nacks;

        Gap(long now) {
            this.firstSeenNanos = now;
        }
    }

    private final int window;
    private final long reorderDelayNanos;
    private final long maxAgeNanos;
    private final int maxNacksPerSeq;
    private final TreeMap<Long, Gap> missing = new TreeMap<>();
    private long highest = -1;
    private long resets;
    private long givenUp;

    /**
     * @param window how far behind the highest number a gap is still asked for (also the bound on
     *               tracked gaps)
     * @param reorderDelayNanos how long a gap waits for its packet before the first NACK (packets do
     *               arrive out of order, e.g. through ice4j's socket multiplexing)
     */
    public NackTracker(int window, long reorderDelayNanos, long maxAgeNanos, int maxNacksPerSeq) {
        if (window < 1 || window > 4096) throw new IllegalArgumentException("window must be 1..4096, got " + window);
        this.window = window;
        this.reorderDelayNanos = reorderDelayNanos;
        this.maxAgeNanos = maxAgeNanos;
        this.maxNacksPerSeq = maxNacksPerSeq;
    }

    public Arrival onPacket(long ext, long nowNanos) {
        if (highest < 0) {
            highest = ext;
            return Arrival.NEW;
        }
        if (ext > highest) {
            long gap = ext - highest - 1;
            if (gap >= window) {
                missing.clear(); // a jump, not a loss we could repair
                resets++;
            } else {
                for (long s = highest + 1; s < ext; s++) missing.put(s, new Gap(nowNanos));
            }
            highest = ext;
            missing.headMap(highest - window, false).clear();
            return Arrival.NEW;
        }
        Gap g = missing.remove(ext);
        if (g == null) return Arrival.DUPLICATE;
        return g.nacks > 0 ? Arrival.RECOVERED : Arrival.REORDERED;
    }

    /** Forget everything (the stream restarted). */
    public void reset() {
        missing.clear();
        highest = -1;
        resets++;
    }

    /**
     * The numbers to NACK now, at most {@code max}, oldest first: gaps older than the reorder delay
     * never asked for, and gaps last asked for at least {@code retryNanos} ago. Gaps too old or asked for too often are dropped.
     */
    public List<Long> due(long nowNanos, long retryNanos, int max) {
        List<Long> out = new ArrayList<>();
        for (Iterator<Map.Entry<Long, Gap>> it = missing.entrySet().iterator(); it.hasNext() && out.size() < max; ) {
            Map.Entry<Long, Gap> e = it.next();
            Gap g = e.getValue();
            if (nowNanos - g.firstSeenNanos > maxAgeNanos || g.nacks >= maxNacksPerSeq) {
                it.remove();
                givenUp++;
                continue;
            }
            if (ready(g, nowNanos, retryNanos)) {
                g.nacks++;
                g.lastNackNanos = nowNanos;
                out.add(e.getKey());
            }
        }
        return out;
    }

    /** Whether {@link #due} would name anything now (cheap enough to ask per packet: at most window entries). */
    public boolean anyDue(long nowNanos, long retryNanos) {
        for (Gap g : missing.values()) {
            if (nowNanos - g.firstSeenNanos > maxAgeNanos || g.nacks >= maxNacksPerSeq) continue;
            if (ready(g, nowNanos, retryNanos)) return true;
        }
        return false;
    }

    private boolean ready(Gap g, long nowNanos, long retryNanos) {
        return g.nacks == 0 ? nowNanos - g.firstSeenNanos >= reorderDelayNanos : nowNanos - g.lastNackNanos >= retryNanos;
    }

    public int missingCount() {
        return missing.size();
    }

    /** Jumps larger than the window and explicit resets. */
    public long resets() {
        return resets;
    }

    /** Gaps dropped unrepaired (too old or asked for too often). */
    public long givenUp() {
        return givenUp;
    }
}
