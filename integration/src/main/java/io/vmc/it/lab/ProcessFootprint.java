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

    /**
     * Asks the JVM {@code pid} for a full garbage collection (jcmd GC.run): GStreamer and socket
     * objects that Java dropped are released by their cleaners only then, so counting before it
     * mixes garbage with leaks.
     */
    public static void collectGarbage(long pid) throws java.io.IOException, InterruptedException {
        Process p = new ProcessBuilder("jcmd", Long.toString(pid), "GC.run").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new java.io.IOException("jcmd " + pid + " GC.run did not finish within 60 s");
        }
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
