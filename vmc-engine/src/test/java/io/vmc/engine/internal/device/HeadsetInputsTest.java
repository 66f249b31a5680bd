package io.vmc.engine.internal.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sysfs tree laid out as the kernel does for a USB headset, a USB keyboard, an on-board jack and a Bluetooth headset. */
class HeadsetInputsTest {
    @TempDir Path sys;
    private HeadsetInputs finder;

    private static final String USB_HEADSET = "devices/pci0000:00/0000:00:14.0/usb1/1-2";
    private static final String USB_TWIN = "devices/pci0000:00/0000:00:14.0/usb1/1-3";
    private static final String USB_KEYBOARD = "devices/pci0000:00/0000:00:14.0/usb1/1-4";
    private static final String HDA = "devices/pci0000:00/0000:00:1f.3";

    /** sysfs's key bitmap of the given codes: 64-bit hex words, most significant first. */
    static String bitmap(int... codes) {
        BigInteger v = BigInteger.ZERO;
        for (int c : codes) v = v.setBit(c);
        int words = Math.max(1, (v.bitLength() + 63) / 64);
        StringBuilder sb = new StringBuilder();
        for (int w = words - 1; w >= 0; w--) {
            if (sb.length() > 0) sb.append(' ');
            sb.append(v.shiftRight(64 * w).and(BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE)).toString(16));
        }
        return sb.toString();
    }

    private void usbDevice(String dir) throws IOException {
        Files.createDirectories(sys.resolve(dir));
        Files.writeString(sys.resolve(dir).resolve("idVendor"), "0b0e\n");
    }

    private void card(String dir, int n) throws IOException {
        Path card = Files.createDirectories(sys.resolve(dir));
        Files.createDirectories(sys.resolve("class/sound"));
        Files.createSymbolicLink(sys.resolve("class/sound/card" + n), card);
    }

    private void input(String inputDir, String event, String name, String keys, String leds, String uniq) throws IOException {
        Path in = Files.createDirectories(sys.resolve(inputDir));
        Path ev = Files.createDirectories(in.resolve(event));
        Files.createSymbolicLink(ev.resolve("device"), in);
        Files.writeString(in.resolve("name"), name + "\n");
        Files.createDirectories(in.resolve("capabilities"));
        Files.writeString(in.resolve("capabilities/key"), keys + "\n");
        Files.writeString(in.resolve("capabilities/led"), leds + "\n");
        if (uniq != null) Files.writeString(in.resolve("uniq"), uniq + "\n");
        Files.createDirectories(sys.resolve("class/input"));
        Files.createSymbolicLink(sys.resolve("class/input").resolve(event), ev);
    }

    @BeforeEach
    void layOut() throws IOException {
        usbDevice(USB_HEADSET);
        card(USB_HEADSET + "/1-2:1.0/sound/card1", 1);
        input(USB_HEADSET + "/1-2:1.3/0003:0B0E:2456.0004/input/input21", "event5", "Jabra Evolve 40",
                bitmap(HeadsetKeys.KEY_VOLUMEDOWN, HeadsetKeys.KEY_VOLUMEUP, HeadsetKeys.KEY_PHONE, HeadsetKeys.KEY_MICMUTE),
                bitmap(InputEvent.LED_MUTE, 8), null);
        // an identical second headset: its own card, its own buttons
        usbDevice(USB_TWIN);
        card(USB_TWIN + "/1-3:1.0/sound/card2", 2);
        input(USB_TWIN + "/1-3:1.3/0003:0B0E:2456.0005/input/input22", "event6", "Jabra Evolve 40",
                bitmap(HeadsetKeys.KEY_PHONE), "0", null);
        // a USB keyboard with volume keys on another port
        usbDevice(USB_KEYBOARD);
        input(USB_KEYBOARD + "/1-4:1.0/0003:046D:C31C.0001/input/input3", "event2", "Logitech Keyboard",
                bitmap(30, 44, HeadsetKeys.KEY_VOLUMEUP, HeadsetKeys.KEY_MICMUTE), bitmap(0, 1, 2), null);
        // on-board audio: the headset jack's button is an input device of the card itself
        card(HDA + "/sound/card0", 0);
        input(HDA + "/sound/card0/input12", "event9", "HDA Intel PCH Headphone Mic", bitmap(HeadsetKeys.KEY_PLAYPAUSE), "0", null);
        // a Bluetooth headset's AVRCP buttons: a virtual input device named by its address
        input("devices/virtual/input/input30", "event11", "WH-1000XM4 (AVRCP)",
                bitmap(HeadsetKeys.KEY_PLAYPAUSE, HeadsetKeys.KEY_VOLUMEUP), "0", "38:18:4C:AA:BB:CC");
        finder = new HeadsetInputs(sys, Path.of("/dev/input"));
    }

    @Test
    void findsTheButtonsOnTheSameUsbDeviceAsTheCardAndNotTheKeyboard() throws IOException {
        assertThat(finder.find(new HeadsetInputs.AudioDevice("/" + USB_HEADSET + "/1-2:1.0/sound/card1", "1", null)))
                .containsExactly(new HeadsetInputs.Input(Path.of("/dev/input/event5"), "Jabra Evolve 40", true));
        assertThat(finder.find(new HeadsetInputs.AudioDevice(null, "1", null))).as("by card number alone")
                .extracting(HeadsetInputs.Input::node).containsExactly(Path.of("/dev/input/event5"));
        assertThat(finder.find(new HeadsetInputs.AudioDevice(null, "2", null))).as("the twin headset")
                .containsExactly(new HeadsetInputs.Input(Path.of("/dev/input/event6"), "Jabra Evolve 40", false));
    }

    @Test
    void findsTheJackButtonOfOnBoardAudioAndTheBluetoothHeadsetByAddress() throws IOException {
        assertThat(finder.find(new HeadsetInputs.AudioDevice("/" + HDA + "/sound/card0", "0", null)))
                .extracting(HeadsetInputs.Input::node).containsExactly(Path.of("/dev/input/event9"));
        assertThat(finder.find(new HeadsetInputs.AudioDevice(null, null, "38:18:4c:aa:bb:cc")))
                .extracting(HeadsetInputs.Input::node).containsExactly(Path.of("/dev/input/event11"));
        assertThat(finder.find(new HeadsetInputs.AudioDevice(null, null, "38_18_4C_AA_BB_CC"))).hasSize(1);
    }

    @Test
    void findsNothingForVirtualDevicesAndHostileProperties() throws IOException {
        assertThat(finder.find(new HeadsetInputs.AudioDevice(null, null, null))).as("a null sink").isEmpty();
        for (String path : new String[] {"/devices/../../etc", "/etc/passwd", "devices/x", "/devices/nowhere"}) {
            assertThat(finder.find(new HeadsetInputs.AudioDevice(path, null, null))).as(path).isEmpty();
        }
        assertThat(finder.find(new HeadsetInputs.AudioDevice(null, "1; rm -rf /", null))).isEmpty();
        assertThat(finder.find(new HeadsetInputs.AudioDevice(null, "99", null))).isEmpty();
        assertThat(finder.find(new HeadsetInputs.AudioDevice(null, null, "*"))).isEmpty();
        assertThat(new HeadsetInputs(sys.resolve("absent"), Path.of("/dev/input"))
                .find(new HeadsetInputs.AudioDevice(null, "1", null))).isEmpty();
    }

    @Test
    void parsesSysfsBitmapsStrictly() throws IOException {
        assertThat(HeadsetInputs.bits("1000000000 0 0 c0000").testBit(18)).isTrue();
        assertThat(HeadsetInputs.bits(bitmap(HeadsetKeys.KEY_HANGUP_PHONE)).testBit(HeadsetKeys.KEY_HANGUP_PHONE)).isTrue();
        assertThat(HeadsetInputs.bits("zz")).isZero();
        assertThat(HeadsetInputs.bits("1  2")).isZero();
        assertThat(HeadsetInputs.bits("11111111111111111")).as("a word longer than 64 bits").isZero();
        assertThat(HeadsetInputs.bits("1 ".repeat(17).trim())).as("more words than KEY_MAX needs").isZero();
        Path big = sys.resolve("big");
        Files.writeString(big, "f".repeat(HeadsetInputs.MAX_ATTRIBUTE_BYTES + 1));
        assertThat(HeadsetInputs.attributeOf(big)).isEmpty();
        assertThat(HeadsetInputs.attributeOf(sys.resolve("absent"))).isEmpty();
    }
}
