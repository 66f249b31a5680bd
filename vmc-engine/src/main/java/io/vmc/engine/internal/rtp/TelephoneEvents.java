package io.vmc.engine.internal.rtp;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.LongSupplier;

/**
 * DTMF as RTP events (<a href="https://www.rfc-editor.org/rfc/rfc4733">RFC 4733</a>), the audio
 * stream's feature. Receiving: packets of the negotiated telephone-event payload type are events,
 * not audio; each event is reported once, at its first end packet (section 2.5.1.4 sends the end
 * three times). Sending: digits are queued and {@link #tick} gives the event packet of each 20 ms
 * step (the end three times, 60 ms between digits); while an event is on, it replaces the audio
 * (section 2.5.1.1).
 *
 * <p>Receiving runs under the stream's receive lock; the sending side is not thread-safe, the
 * caller locks it (with its sequence numbers).
 */
public final class TelephoneEvents implements RtpFeature {
    /** Events 0..15 (section 3.2) as the digits they are. */
    public static final String DIGITS = "0123456789*#ABCD";
    /** The step of the sending ticker. */
    public static final int TICK_MS = 20;
    /** End packets sent per event (section 2.5.1.4). */
    static final int END_REPEATS = 3;
    /** Silence between two queued digits. */
    static final int GAP_MS = 60;
    /** Digits waiting at most: a guest that queues without end does not grow memory. */
    public static final int MAX_QUEUED = 256;

    /** Who hears a received digit. */
    public interface Listener {
        void dtmfReceived(String digit, int durationMs);
    }

    /** One event packet to send: the RTP header's marker and timestamp, and the 4-byte payload. */
    public record EventPacket(boolean marker, long timestamp, byte[] payload) {
    }

    private final int recvPt;
    private final int clockRate;
    private final Listener listener;
    // receive state, under the stream's lock
    private long lastTs = -1;
    private boolean lastEnded;
    // send state, under the caller's lock
    private final Deque<int[]> queue = new ArrayDeque<>(); // {event, durationMs}
    private int[] current;
    private long timestamp;
    private int elapsedMs;
    private int endsSent;
    private int gapMs;
    private boolean first;

    /** @param recvPt the peer's telephone-event payload type, -1 when it has none */
    public TelephoneEvents(int recvPt, int clockRate, Listener listener) {
        this.recvPt = recvPt;
        this.clockRate = clockRate;
        this.listener = listener;
    }

    /** Whether {@code pt} is the peer's telephone-event payload type. */
    public boolean isEventType(int pt) {
        return recvPt >= 0 && pt == recvPt;
    }

    @Override
    public Arrival onRtp(byte[] b, int off, int len, int headerLength, long extSeq, boolean restarted, Arrival arrival,
                         long nowNanos) {
        if (!isEventType(RtpPackets.payloadType(b, off))) return arrival;
        long ts = RtpPackets.timestamp(b, off);
        int p = off + headerLength;
        if (len - headerLength < 4) return Arrival.EVENT; // too short: still not audio
        int event = b[p] & 0xff;
        boolean end = (b[p + 1] & 0x80) != 0;
        int duration = ((b[p + 2] & 0xff) << 8) | (b[p + 3] & 0xff);
        if (event >= DIGITS.length()) return Arrival.EVENT; // other events (section 3.2 lists more): ignored
        if (ts != lastTs) {
            lastTs = ts;
            lastEnded = false;
        }
        if (end && !lastEnded) {
            lastEnded = true;
            listener.dtmfReceived(String.valueOf(DIGITS.charAt(event)), (int) (duration * 1000L / clockRate));
        }
        return Arrival.EVENT;
    }

    /** Queues the digits of {@code digits} (others are skipped); returns how many were queued. */
    public int queue(String digits, int durationMs) {
        int n = 0;
        for (char c : digits.toCharArray()) {
            int ev = DIGITS.indexOf(Character.toUpperCase(c));
            if (ev >= 0 && queue.size() < MAX_QUEUED) {
                queue.add(new int[] {ev, durationMs});
                n++;
            }
        }
        return n;
    }

    /** Whether an event is being sent (it replaces the audio). */
    public boolean sending() {
        return current != null;
    }

    /** Nothing queued, nothing being sent, no gap running: the ticker may stop. */
    public boolean idle() {
        return current == null && queue.isEmpty() && gapMs <= 0;
    }

    /**
     * One {@link #TICK_MS} step: the packet to send now, or null (between digits, or nothing queued).
     *
     * @param mediaTimestamp the RTP timestamp the audio would carry now: a new event starts there
     */
    public EventPacket tick(LongSupplier mediaTimestamp) {
        if (current == null) {
            if (gapMs > 0) {
                gapMs -= TICK_MS;
                return null;
            }
            current = queue.poll();
            if (current == null) return null;
            timestamp = mediaTimestamp.getAsLong() & 0xffffffffL;
            elapsedMs = 0;
            endsSent = 0;
            first = true;
        }
        elapsedMs = Math.min(elapsedMs + TICK_MS, current[1]);
        boolean end = elapsedMs >= current[1];
        int duration = (int) Math.min(0xffff, (long) elapsedMs * clockRate / 1000);
        byte[] payload = {(byte) current[0], (byte) ((end ? 0x80 : 0) | 10), (byte) (duration >> 8), (byte) duration}; // volume -10 dBm0
        EventPacket out = new EventPacket(first, timestamp, payload);
        first = false;
        if (end && ++endsSent >= END_REPEATS) {
            current = null;
            gapMs = GAP_MS;
        }
        return out;
    }
}
