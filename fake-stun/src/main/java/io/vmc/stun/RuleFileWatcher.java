package io.vmc.stun;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Reloads a rule file on change. inotify (WatchService on the parent directory, so that editors that
 * save by rename are seen) plus a poll every {@link #POLL_MILLIS}, for file systems without change
 * events (NFS, 9p). Runs on one daemon thread.
 */
final class RuleFileWatcher implements Closeable {
    /** Fallback polling period. */
    static final long POLL_MILLIS = 1000;
    /** Quiet time after the last change event before the file is read. */
    static final long SETTLE_MILLIS = 100;
    /** Rule files larger than this are rejected. */
    static final long MAX_FILE_BYTES = 1 << 20;

    private static final Logger log = LoggerFactory.getLogger(RuleFileWatcher.class);

    private final TranslationTable table;
    private final Path file;
    private final WatchService watch;
    private final Thread thread;
    private volatile boolean closed;
    private String lastText;

    private RuleFileWatcher(TranslationTable table, Path file) throws IOException {
        this.table = table;
        this.file = file.toAbsolutePath();
        Path dir = this.file.getParent();
        this.watch = dir.getFileSystem().newWatchService();
        dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
        this.thread = new Thread(this::run, "fake-stun-rules " + this.file.getFileName());
        this.thread.setDaemon(true);
    }

    static RuleFileWatcher start(TranslationTable table, Path file) throws IOException {
        RuleFileWatcher w = new RuleFileWatcher(table, file);
        try {
            String text = read(w.file);
            table.setFileRules(RuleParser.parseFile(text, w.file.toString()));
            w.lastText = text;
        } catch (IOException | RuntimeException e) {
            w.watch.close();
            throw e;
        }
        log.info("loaded {} rules from {}", table.rules().size(), w.file);
        w.thread.start();
        return w;
    }

    private void run() {
        try {
            while (!closed) {
                var key = watch.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                // Settle: an in-place write (truncate, then write) fires several events; read once they stop,
                // so that the empty, truncated file is not taken for "no rules".
                while (key != null) {
                    key.pollEvents();
                    key.reset();
                    key = watch.poll(SETTLE_MILLIS, TimeUnit.MILLISECONDS);
                }
                reload();
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        }
    }

    private void reload() {
        String text;
        try {
            text = read(file);
        } catch (NoSuchFileException e) {
            return; // mid-rename, or removed: keep the last rules
        } catch (IOException e) {
            log.warn("cannot read rule file {}: {}; keeping the {} rules in effect", file, e.toString(),
                    table.rules().size());
            return;
        }
        if (text.equals(lastText)) {
            return;
        }
        lastText = text;
        try {
            List<Rule> rules = RuleParser.parseFile(text, file.toString());
            table.setFileRules(rules);
            log.info("reloaded {} rules from {}", rules.size(), file);
        } catch (RuleSyntaxException e) {
            log.error("rule file rejected, previous rules stay in effect: {}", e.getMessage());
        }
    }

    private static String read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new IOException("rule file " + file + " of " + size + " bytes exceeds the allowed maximum ("
                    + MAX_FILE_BYTES + ")");
        }
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        closed = true;
        watch.close();
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
