package io.vmc.engine.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The thin client's devices the guest has live right now (microphone, camera, screen), so that the
 * user sees them and can stop them: every capture registers here while it runs, views (the
 * always-on-top indicator, the log) show the list, and the user's Stop comes back through
 * {@link #stop}. One per engine; thread-safe.
 *
 * <p>How a capture uses it:
 * <pre>{@code
 * LiveCaptures.Capture c = captures.show(appId, Kind.MICROPHONE, "Built-in Audio", () -> userStoppedMic());
 * ...
 * c.close(); // the capture ended (call closed, app stopped it): the indicator goes away
 * }</pre>
 * {@code userStop} must end or mute the capture for good (the guest cannot undo a user's stop) and
 * tell the app; it runs once, on the thread that stopped it (the AWT event thread for the
 * indicator's button), so it must not block: hop to the engine's own thread.
 */
public final class LiveCaptures {
    /** Longest device label or app id kept; longer ones are cut (they may come from the guest). */
    public static final int MAX_LABEL_CHARS = 80;

    /** What is captured. */
    public enum Kind {
        MICROPHONE("microphone"), CAMERA("camera"), SCREEN("screen");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        /** The word the user reads: "microphone", "camera", "screen". */
        public String label() {
            return label;
        }
    }

    /**
     * One live capture as the user sees it. {@code appId} and {@code device} are single-line printable
     * text of at most {@link #MAX_LABEL_CHARS} characters; views still show them as plain text, never markup.
     */
    public record Shown(long id, String appId, Kind kind, String device) {
        /** One line for a terminal or log: {@code microphone "Monitor of Null Output" live for app "softphone"}. */
        public String describe() {
            return kind.label() + " \"" + device + "\" live for app \"" + appId + "\"";
        }
    }

    /** A registered capture. {@link #close} when the capture ends; closing twice, or after a user stop, does nothing. */
    public interface Capture extends AutoCloseable {
        /** True once the user stopped this capture on the thin client. */
        boolean stoppedByUser();

        @Override
        void close();
    }

    /** Something that shows the live captures. Called in order, with the whole list, after every change; must not block. */
    @FunctionalInterface
    public interface View {
        void changed(List<Shown> live);
    }

    private final Object lock = new Object();
    private final Map<Long, Entry> live = new LinkedHashMap<>();
    private final List<View> views = new CopyOnWriteArrayList<>();
    private long nextId = 1;

    /**
     * Registers a capture that is live from now on.
     *
     * @param appId the app that asked for it (CreateSession's app_id; guest text, cut and cleaned here)
     * @param deviceLabel the device as the user knows it
     * @param userStop what the user's Stop does (see the class comment)
     */
    public Capture show(String appId, Kind kind, String deviceLabel, Runnable userStop) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(userStop, "userStop");
        Entry e;
        synchronized (lock) {
            e = new Entry(new Shown(nextId++, shownText(appId), kind, shownText(deviceLabel)), userStop);
            live.put(e.shown.id(), e);
            publish();
        }
        return e;
    }

    /**
     * The user's Stop for the capture {@code id}: takes it off the list and runs its {@code userStop}.
     * Returns false if it had already ended.
     */
    public boolean stop(long id) {
        Entry e;
        synchronized (lock) {
            e = live.remove(id);
            if (e == null) return false;
            e.stoppedByUser = true;
            publish();
        }
        e.userStop.run();
        return true;
    }

    /** What is live now, oldest first. */
    public List<Shown> live() {
        synchronized (lock) {
            return snapshot();
        }
    }

    /** Adds a view; it gets the current list at once. */
    public void addView(View v) {
        synchronized (lock) {
            views.add(v);
            v.changed(snapshot());
        }
    }

    // views run under the lock so that they see the changes in order; they must not block
    private void publish() {
        List<Shown> now = snapshot();
        for (View v : views) v.changed(now);
    }

    private List<Shown> snapshot() {
        List<Shown> l = new ArrayList<>();
        for (Entry e : live.values()) l.add(e.shown);
        return List.copyOf(l);
    }

    private final class Entry implements Capture {
        final Shown shown;
        final Runnable userStop;
        boolean stoppedByUser; // guarded by lock

        Entry(Shown shown, Runnable userStop) {
            this.shown = shown;
            this.userStop = userStop;
        }

        @Override
        public boolean stoppedByUser() {
            synchronized (lock) {
                return stoppedByUser;
            }
        }

        @Override
        public void close() {
            synchronized (lock) {
                if (live.remove(shown.id()) != null) publish();
            }
        }
    }

    /**
     * Text from the guest made safe to show on one line: control and format characters (line breaks,
     * bidi overrides) become spaces, the result is cut to {@link #MAX_LABEL_CHARS}; empty is "(none)".
     */
    public static String shownText(String s) {
        if (s == null || s.isBlank()) return "(none)";
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(c -> {
            int type = Character.getType(c);
            boolean hidden = Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR || type == Character.UNASSIGNED || type == Character.SURROGATE;
            b.appendCodePoint(hidden ? ' ' : c);
        });
        String t = b.toString().strip();
        if (t.codePointCount(0, t.length()) > MAX_LABEL_CHARS) {
            t = t.substring(0, t.offsetByCodePoints(0, MAX_LABEL_CHARS)) + "…";
        }
        return t;
    }
}
