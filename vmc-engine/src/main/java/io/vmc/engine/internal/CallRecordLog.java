package io.vmc.engine.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where call-detail records go: one JSON line per ended call on the {@code io.vmc.engine.calls}
 * logger (INFO) and, when a file is configured, appended to it. The file is opened for each record,
 * so log rotation that moves it needs no signal; a new file is readable by its owner only (the
 * records tell which app called when, and for how long).
 */
public final class CallRecordLog implements Consumer<CallDetailRecord> {
    private static final Logger LOG = LoggerFactory.getLogger("io.vmc.engine.calls");

    private final Path file;
    private boolean warned;

    /** @param file the JSON-lines file to append to, or null for the log only */
    public CallRecordLog(Path file) {
        this.file = file;
    }

    @Override
    public void accept(CallDetailRecord r) {
        String line = r.toJson();
        LOG.info("call record {}", line);
        if (file == null) return;
        synchronized (this) {
            try {
                createPrivate(file);
                Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
                warned = false;
            } catch (IOException | UnsupportedOperationException e) {
                if (!warned) LOG.warn("cannot append call records to {}: {}", file, e.toString());
                warned = true; // once per outage, not once per call
            }
        }
    }

    private static void createPrivate(Path file) throws IOException {
        if (Files.exists(file)) return;
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            // created meanwhile: append to it
        }
    }
}
