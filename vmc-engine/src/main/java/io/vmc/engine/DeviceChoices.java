package io.vmc.engine;

import io.vmc.engine.internal.KeyValueFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The user's last engine-wide device choices (microphone, speaker, ringer, camera), as device ids, in a
 * small {@code key = value} file of the user's config dir, so that they come back at the next call,
 * after a reconnect and after an engine restart. Ids are hashes of PulseAudio's device names (of a
 * camera's card and bus), so they stay the same while the device exists. A bad file is logged and ignored, never fatal.
 */
final class DeviceChoices {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceChoices.class);
    static final List<String> KEYS = List.of("microphone", "speaker", "ringer", "camera");
    private static final Pattern ID = Pattern.compile("(mic|spk|cam)-[0-9a-f]{12}");

    private final Path file;
    private final Map<String, String> ids = new LinkedHashMap<>();

    DeviceChoices(Path file) {
        this.file = file;
        if (file == null) return;
        try {
            for (KeyValueFile.Entry e : KeyValueFile.parse("device choices", file.toString(), KeyValueFile.read(file), KEYS)) {
                if (ID.matcher(e.value()).matches()) ids.put(e.key(), e.value());
            }
        } catch (NoSuchFileException e) {
            // nothing chosen yet
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("ignoring the remembered devices: {}", e.getMessage());
        }
    }

    /** The remembered device id for {@code key} (one of {@link #KEYS}), or null. */
    synchronized String get(String key) {
        return ids.get(key);
    }

    synchronized void remember(String key, String id) {
        if (id.equals(ids.put(key, id)) || file == null) return;
        StringBuilder sb = new StringBuilder("# written by vmc engine: the devices last chosen\n");
        ids.forEach((k, v) -> sb.append(k).append(" = ").append(v).append('\n'));
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, sb, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("cannot remember the chosen device in {}: {}", file, e.toString());
        }
    }
}
