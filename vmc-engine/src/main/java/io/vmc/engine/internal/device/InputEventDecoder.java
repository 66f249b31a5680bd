package io.vmc.engine.internal.device;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a byte stream from an evdev node (or anything pretending to be one) into {@link InputEvent}s
 * and groups them into reports ended by {@code SYN_REPORT}. Input may arrive split anywhere. Strict:
 * an event type above {@code EV_MAX}, a key code above {@code KEY_MAX}, a key value other than 0/1/2,
 * microseconds outside 0..999999 or a report longer than {@link #MAX_EVENTS_PER_REPORT} events is a
 * {@link MalformedInputException}, after which the decoder refuses further input: a source that lies
 * once is not read again. {@code SYN_DROPPED} (the kernel's buffer overflowed) discards the report
 * in progress and the rest up to the next {@code SYN_REPORT}, as linux/input.h says to.
 */
public final class InputEventDecoder {
    /** Longer reports than any headset makes (a keyboard sends about 6 events per key). */
    public static final int MAX_EVENTS_PER_REPORT = 64;

    private final ByteBuffer partial = ByteBuffer.allocate(InputEvent.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private final List<InputEvent> report = new ArrayList<>();
    private boolean dropping;
    private boolean failed;
    private long decoded;

    /** Thrown for bytes that are not a well-formed event stream. */
    public static final class MalformedInputException extends Exception {
        MalformedInputException(String message) {
            super(message);
        }
    }

    /**
     * Decodes {@code len} bytes and returns the reports they complete (each without its
     * {@code SYN_REPORT}), in order; bytes of an unfinished event or report are kept.
     */
    public List<List<InputEvent>> decode(byte[] buf, int off, int len) throws MalformedInputException {
        if (failed) throw new MalformedInputException("the stream was malformed before: not decoding more");
        if (off < 0 || len < 0 || off + len > buf.length) throw new IndexOutOfBoundsException("off " + off + " len " + len);
        List<List<InputEvent>> out = new ArrayList<>();
        int end = off + len;
        while (off < end) {
            int n = Math.min(partial.remaining(), end - off);
            partial.put(buf, off, n);
            off += n;
            if (partial.hasRemaining()) break;
            partial.flip();
            InputEvent e = new InputEvent(partial.getLong(), partial.getLong(), Short.toUnsignedInt(partial.getShort()),
                    Short.toUnsignedInt(partial.getShort()), partial.getInt());
            partial.clear();
            try {
                accept(e, out);
            } catch (MalformedInputException ex) {
                failed = true;
                throw ex;
            }
        }
        return out;
    }

    /** Events decoded so far, including those of dropped reports. */
    public long decoded() {
        return decoded;
    }

    private void accept(InputEvent e, List<List<InputEvent>> out) throws MalformedInputException {
        decoded++;
        if (e.type() > InputEvent.EV_MAX) throw bad(e, "type " + e.type() + " exceeds EV_MAX (" + InputEvent.EV_MAX + ")");
        if (e.micros() < 0 || e.micros() > 999_999) throw bad(e, "microseconds " + e.micros() + " outside 0..999999");
        if (e.type() == InputEvent.EV_KEY) {
            if (e.code() > InputEvent.KEY_MAX) throw bad(e, "key code " + e.code() + " exceeds KEY_MAX (" + InputEvent.KEY_MAX + ")");
            if (e.value() < 0 || e.value() > 2) throw bad(e, "key value " + e.value() + " is not 0, 1 or 2");
        }
        if (e.type() == InputEvent.EV_SYN && e.code() == InputEvent.SYN_DROPPED) {
            report.clear();
            dropping = true;
            return;
        }
        if (e.isSynReport()) {
            if (!dropping && !report.isEmpty()) out.add(List.copyOf(report));
            report.clear();
            dropping = false;
            return;
        }
        if (dropping) return;
        if (report.size() >= MAX_EVENTS_PER_REPORT) {
            throw bad(e, "report longer than " + MAX_EVENTS_PER_REPORT + " events without SYN_REPORT");
        }
        report.add(e);
    }

    private MalformedInputException bad(InputEvent e, String what) {
        return new MalformedInputException("input event " + decoded + ": " + what + " (" + e + ")");
    }

    /** The 24 bytes of {@code e}, as the kernel reads them from a write to an event node. */
    public static byte[] encode(InputEvent e) {
        return ByteBuffer.allocate(InputEvent.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(e.seconds())
                .putLong(e.micros()).putShort((short) e.type()).putShort((short) e.code()).putInt(e.value()).array();
    }
}
