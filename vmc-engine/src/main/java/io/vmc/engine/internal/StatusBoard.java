package io.vmc.engine.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * What {@code vmc engine} tells its user about itself: the VM it serves (agent, SPICE session), the
 * mode, the calls, the last reason a call could not run here (so it fell back inside the VM or
 * failed) and the devices in use. Pure state; views (terminal lines, the status window) get the
 * whole text after every change. Thread-safe.
 */
public final class StatusBoard {
    private final Object lock = new Object();
    private final List<Consumer<List<String>>> views = new CopyOnWriteArrayList<>();
    private final String mode;
    private String vm = "no agent connected yet";
    private String spice;                                  // null: no SPICE session of ours
    private final Map<String, String[]> calls = new LinkedHashMap<>(); // id -> {app, state}
    private String lastNotOptimized = "none";
    private List<LiveCaptures.Shown> captures = List.of();

    /** @param mode where this engine's media runs (OPTIMIZED on a thin client) */
    public StatusBoard(String mode) {
        this.mode = mode;
    }

    public void agentConnected(String software) {
        set(() -> vm = "agent connected (" + LiveCaptures.shownText(software) + ")");
    }

    public void agentDisconnected(String why) {
        set(() -> vm = "agent disconnected: " + why + " (media keeps flowing)");
    }

    public void spice(String state) {
        set(() -> spice = state);
    }

    public void callStarted(String id, String app) {
        set(() -> calls.put(id, new String[] {LiveCaptures.shownText(app), "NEW"}));
    }

    public void callState(String id, String state) {
        set(() -> calls.computeIfPresent(id, (k, v) -> new String[] {v[0], state}));
    }

    public void callEnded(String id) {
        set(() -> calls.remove(id));
    }

    /** Why the last call could not have its media here (refused, failed). */
    public void notOptimized(String reason) {
        set(() -> lastNotOptimized = reason);
    }

    /** For {@link LiveCaptures#addView}. */
    public void captures(List<LiveCaptures.Shown> live) {
        set(() -> captures = live);
    }

    /** Adds a view; it gets the current text at once. Views run in order under a lock: they must not block. */
    public void addView(Consumer<List<String>> view) {
        synchronized (lock) {
            views.add(view);
            view.accept(lines());
        }
    }

    /** The status as lines of text, the same for the terminal and the window. */
    public List<String> lines() {
        synchronized (lock) {
            List<String> l = new ArrayList<>();
            l.add("VM: " + vm + (spice == null ? "" : "; SPICE " + spice));
            l.add("mode: " + mode);
            l.add("calls: " + (calls.isEmpty() ? "none" : calls.size()));
            calls.forEach((id, c) -> l.add("  call " + id + " app \"" + c[0] + "\": " + c[1]));
            l.add("last call not optimized: " + lastNotOptimized);
            l.add("devices in use: " + (captures.isEmpty() ? "none" : captures.size()));
            for (LiveCaptures.Shown c : captures) l.add("  " + c.describe());
            return List.copyOf(l);
        }
    }

    private void set(Runnable change) {
        synchronized (lock) {
            List<String> before = lines();
            change.run();
            List<String> now = lines();
            if (now.equals(before)) return;
            for (Consumer<List<String>> v : views) v.accept(now);
        }
    }
}
