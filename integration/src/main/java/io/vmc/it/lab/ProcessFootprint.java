package io.vmc.it.lab;

import java.util.Locale;

/** What a process holds at one instant, from /proc: threads, open files, resident memory. */
public record ProcessFootprint(int threads, int openFiles, long rssBytes) {

    public static ProcessFootprint of(long pid) {
        return new ProcessFootprint(ProcessCpu.threads(pid), ProcessCpu.openFiles(pid), ProcessCpu.rssBytes(pid));
    }

    public static ProcessFootprint of(VmcProcess p) {
        return of(p.pid());
    }

    /** Whether this is no more than {@code base} plus the slack (noise of timers and caches, not a leak). */
    public boolean within(ProcessFootprint base, int threadSlack, int fileSlack, long rssSlackBytes) {
        return threads <= base.threads + threadSlack && openFiles <= base.openFiles + fileSlack
                && rssBytes <= base.rssBytes + rssSlackBytes;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%d threads, %d fds, %.1f MB RSS", threads, openFiles, rssBytes / 1e6);
    }
}
