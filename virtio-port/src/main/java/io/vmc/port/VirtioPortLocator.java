package io.vmc.port;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Finds the device node of a named virtio-serial port: {@code /dev/virtio-ports/NAME} where udev
 * made that link, else the {@code /dev/vportNpM} whose {@code /sys/class/virtio-ports/vportNpM/name}
 * holds NAME (initramfs guests, containers without udev). The roots are injectable so that tests
 * can use a fake tree.
 */
public final class VirtioPortLocator {

    /** Longest port name accepted; QEMU's names are short, this only bounds what we read. */
    public static final int MAX_NAME_LENGTH = 255;

    private static final VirtioPortLocator SYSTEM = new VirtioPortLocator(Path.of("/dev"), Path.of("/sys"));

    private final Path devRoot;
    private final Path sysRoot;

    public VirtioPortLocator(Path devRoot, Path sysRoot) {
        this.devRoot = devRoot;
        this.sysRoot = sysRoot;
    }

    /** The locator for this machine's {@code /dev} and {@code /sys}. */
    public static VirtioPortLocator system() {
        return SYSTEM;
    }

    /** Resolves {@code name}, or empty when no such port exists. */
    public Optional<Path> find(String name) throws IOException {
        validateName(name);
        Path link = devRoot.resolve("virtio-ports").resolve(name);
        if (Files.exists(link)) {
            return Optional.of(link);
        }
        String node = listPorts().get(name);
        return node == null ? Optional.empty() : Optional.of(devRoot.resolve(node));
    }

    /** Like {@link #find} but fails with a message that lists the ports that do exist. */
    public Path resolve(String name) throws IOException {
        Optional<Path> found = find(name);
        if (found.isPresent()) {
            return found.get();
        }
        TreeMap<String, String> ports = listPorts();
        throw new NoSuchFileException(devRoot.resolve("virtio-ports").resolve(name).toString(), null,
                "no virtio-serial port named '" + name + "' in this guest (ports seen in "
                        + sysRoot.resolve("class/virtio-ports") + ": " + (ports.isEmpty() ? "none" : ports.keySet())
                        + "); the VM needs <channel type='spiceport'> or <channel type='unix'> with"
                        + " <target type='virtio' name='" + name + "'/>, and the guest needs virtio_console");
    }

    /** Port name to device node name ({@code vport1p1}), from sysfs; empty if sysfs has none. */
    public TreeMap<String, String> listPorts() throws IOException {
        TreeMap<String, String> ports = new TreeMap<>();
        Path classDir = sysRoot.resolve("class").resolve("virtio-ports");
        if (!Files.isDirectory(classDir)) {
            return ports;
        }
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(classDir)) {
            dir.forEach(entries::add);
        }
        for (Path entry : entries) {
            Path nameFile = entry.resolve("name");
            if (!Files.isRegularFile(nameFile)) {
                continue;
            }
            // An unnamed port has an empty file; sysfs files are small, but bound the read anyway.
            byte[] raw;
            try (var in = Files.newInputStream(nameFile)) {
                raw = in.readNBytes(MAX_NAME_LENGTH + 2);
            }
            String portName = new String(raw, StandardCharsets.UTF_8).strip();
            if (!portName.isEmpty() && portName.length() <= MAX_NAME_LENGTH) {
                ports.putIfAbsent(portName, entry.getFileName().toString());
            }
        }
        return ports;
    }

    static void validateName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("port name must not be empty");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("port name is " + name.length() + " characters long, the maximum is "
                    + MAX_NAME_LENGTH);
        }
        if (name.equals(".") || name.equals("..") || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("port name must not contain '/' or NUL or be '.' or '..': " + name);
        }
    }

    @Override
    public String toString() {
        return "VirtioPortLocator[dev=" + devRoot + ", sys=" + sysRoot + "]";
    }
}
