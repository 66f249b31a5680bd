package io.vmc.engine.internal.device;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Finds the input devices that belong to an audio device, through sysfs: the event nodes under the
 * same USB device as the ALSA card behind the PulseAudio device (a USB headset's HID interface is a
 * sibling of its audio interfaces), under the card itself for on-board jacks, or, for a Bluetooth
 * headset, the AVRCP input device whose {@code uniq} is the headset's address. Only devices with at
 * least one {@link HeadsetKeys} key and without letter keys count: never a keyboard.
 */
public final class HeadsetInputs {
    /** sysfs files read here are a few hundred bytes; more is not sysfs. */
    static final int MAX_ATTRIBUTE_BYTES = 4096;
    /** How far up from the sound card a USB device may be (card, interface, device: 3). */
    static final int MAX_DEPTH = 8;
    private static final Pattern EVENT = Pattern.compile("event[0-9]{1,4}");
    private static final Pattern BT_ADDRESS = Pattern.compile("([0-9A-Fa-f]{2}[:_]){5}[0-9A-Fa-f]{2}");
    private static final int KEY_A = 30;
    private static final int KEY_Z = 44;

    /** An event node of a headset. */
    public record Input(Path node, String name, boolean muteLed) {
    }

    /** Where PulseAudio says the audio device is (its proplist), each null when absent. */
    public record AudioDevice(String sysfsPath, String alsaCard, String bluetoothAddress) {
    }

    private final Path sysfs;
    private final Path devInput;

    /** @param sysfs {@code /sys}; @param devInput {@code /dev/input} (both replaceable for tests) */
    public HeadsetInputs(Path sysfs, Path devInput) {
        this.sysfs = sysfs;
        this.devInput = devInput;
    }

    public List<Input> find(AudioDevice audio) throws IOException {
        if (!Files.isDirectory(sysfs)) return List.of();
        Path root = sysfs.toRealPath();
        Path anchor = null;
        String bt = audio.bluetoothAddress() != null && BT_ADDRESS.matcher(audio.bluetoothAddress()).matches()
                ? audio.bluetoothAddress().replace('_', ':').toLowerCase(Locale.ROOT) : null;
        Path card = card(root, audio);
        if (card != null) anchor = usbDeviceAbove(root, card);
        if (anchor == null) anchor = card;
        if (anchor == null && bt == null) return List.of();
        List<Input> found = new ArrayList<>();
        Path classInput = root.resolve("class/input");
        if (!Files.isDirectory(classInput)) return List.of();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(classInput)) {
            for (Path ev : dir) {
                String node = ev.getFileName().toString();
                if (!EVENT.matcher(node).matches()) continue;
                Path real;
                try {
                    real = ev.toRealPath();
                } catch (IOException e) {
                    continue; // unplugged while we looked
                }
                Path dev = real.resolve("device");
                boolean mine = anchor != null && real.startsWith(anchor);
                if (!mine && bt != null) mine = bt.equals(attributeOf(dev.resolve("uniq")).toLowerCase(Locale.ROOT));
                if (!mine) continue;
                BigInteger keys = bits(attributeOf(dev.resolve("capabilities/key")));
                if (keys.testBit(KEY_A) && keys.testBit(KEY_Z)) continue;
                boolean headsetKey = false;
                for (int code : HeadsetKeys.codes()) headsetKey |= keys.testBit(code);
                if (!headsetKey) continue;
                boolean led = bits(attributeOf(dev.resolve("capabilities/led"))).testBit(InputEvent.LED_MUTE);
                found.add(new Input(devInput.resolve(node), attributeOf(dev.resolve("name")), led));
            }
        }
        found.sort(java.util.Comparator.comparing(i -> i.node().toString()));
        return found;
    }

    private static Path card(Path sysfs, AudioDevice audio) {
        Path p = null;
        if (audio.sysfsPath() != null && audio.sysfsPath().startsWith("/devices/") && !audio.sysfsPath().contains("..")) {
            p = sysfs.resolve(audio.sysfsPath().substring(1));
        } else if (audio.alsaCard() != null && audio.alsaCard().matches("[0-9]{1,3}")) {
            p = sysfs.resolve("class/sound/card" + audio.alsaCard());
        }
        if (p == null) return null;
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return null;
        }
    }

    /** The nearest directory at or above {@code card} that is a USB device (it has {@code idVendor}). */
    private static Path usbDeviceAbove(Path sysfs, Path card) {
        Path p = card;
        for (int i = 0; i < MAX_DEPTH && p != null && p.startsWith(sysfs); i++, p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("idVendor"))) return p;
        }
        return null;
    }

    /** A sysfs attribute's text, trimmed; empty when absent or oversized. */
    public static String attributeOf(Path file) {
        try {
            if (!Files.isRegularFile(file)) return "";
            byte[] b;
            try (var in = Files.newInputStream(file)) {
                b = in.readNBytes(MAX_ATTRIBUTE_BYTES + 1);
            }
            return b.length > MAX_ATTRIBUTE_BYTES ? "" : new String(b, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * An input capability bitmap as sysfs prints it: hex words of the kernel's long, most
     * significant first, separated by spaces ("1000000000 0 0 c0000"). Malformed text is no bits.
     */
    public static BigInteger bits(String text) {
        if (text.isEmpty()) return BigInteger.ZERO;
        String[] words = text.split(" ");
        if (words.length > 16) return BigInteger.ZERO; // KEY_MAX needs 12 words of 64 bits
        BigInteger v = BigInteger.ZERO;
        for (String w : words) {
            if (!w.matches("[0-9a-f]{1,16}")) return BigInteger.ZERO;
            v = v.shiftLeft(64).or(new BigInteger(w, 16));
        }
        return v;
    }
}
