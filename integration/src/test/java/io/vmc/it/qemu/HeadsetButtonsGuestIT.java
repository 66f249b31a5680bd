package io.vmc.it.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.engine.HeadsetButtonsGuestMain;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Headset buttons on real kernel input devices: in the test guest (Debian's kernel, which has the
 * {@code uinput} and {@code evdev} modules this machine lacks), a virtual USB headset with
 * {@code KEY_PHONE}, {@code KEY_MICMUTE}, the volume keys and a mute LED, and a virtual keyboard
 * that has those keys too, next to its letters. The engine's headset reader
 * ({@link HeadsetButtonsGuestMain}) must find the headset and not the keyboard, turn the presses into
 * the call-control events the app gets, drive the headset's mute LED, and stop when it is unplugged.
 */
@Timeout(900)
class HeadsetButtonsGuestIT {

    @RegisterExtension
    static final GuestVmExtension GUEST = new GuestVmExtension(GuestVm.builder().memoryMb(1024));

    @Test
    void headsetButtonsBecomeCallControlAndTheKeyboardIsNotRead() throws Exception {
        GuestProcess modules = GUEST.vm().run(List.of("sh", "-c", "modprobe uinput && modprobe evdev && ls -l /dev/uinput"), Map.of());
        assertThat(modules.waitFor(Duration.ofSeconds(120))).as(modules.output()).isZero();

        Path script = Path.of(HeadsetButtonsGuestIT.class.getResource("/qemu/uinput-headset.py").toURI());
        // With the JIT (C1): the press-to-event times it prints are for docs/benchmarks.md.
        GuestProcess main = GUEST.vm().java(GuestVm.testClasspath(), List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"),
                HeadsetButtonsGuestMain.class.getName(), script.toString());
        assertThat(main.waitFor(Duration.ofSeconds(600))).as(main.output()).isZero();
        List<String> out = Arrays.asList(main.output().split("\n"));

        List<String> found = out.stream().filter(l -> l.startsWith("FOUND ")).toList();
        assertThat(found).as(main.output()).hasSize(1);
        assertThat(found.get(0)).contains("VMC Test Headset").endsWith("led=true");
        String node = found.get(0).split(" ")[1];
        assertThat(out).as("reads the headset's node only").contains("READING [" + node + "]");
        List<String> events = out.stream().filter(l -> l.startsWith("EVENT ")).toList();
        assertThat(events.subList(0, Math.min(5, events.size()))).as(main.output()).containsExactly(
                "EVENT ANSWER ring-1 KEY_PHONE headset-1",
                "EVENT VOLUME_UP ring-1 KEY_VOLUMEUP headset-1",
                "EVENT TOGGLE_MUTE call-1 KEY_MICMUTE headset-1",
                "EVENT VOLUME_DOWN call-1 KEY_VOLUMEDOWN headset-1",
                "EVENT HANG_UP call-1 KEY_PHONE headset-1");
        assertThat(events.subList(5, events.size())).as("one event per timed press")
                .hasSize(HeadsetButtonsGuestMain.TIMED_PRESSES).containsOnly("EVENT VOLUME_UP call-1 KEY_VOLUMEUP headset-1");
        assertThat(out).as("the mute LED followed the call's mute").containsSubsequence("LED 7 1", "LED 7 0");
        assertThat(out.stream().filter(l -> l.startsWith("RAW_US ")).count()).as("the baseline reader saw the presses")
                .isGreaterThanOrEqualTo(HeadsetButtonsGuestMain.TIMED_PRESSES);
        assertThat(out).as("the reader stopped when the headset went away").containsSubsequence("UNPLUGGED headset", "NODES []", "DONE");
        List<Long> engine = micros(out, "LATENCY_US ");
        // the plain reader saw every press, the timed ones last
        List<Long> raw = micros(out, "RAW_US " + io.vmc.engine.internal.device.HeadsetKeys.KEY_VOLUMEUP + " ");
        List<Long> rawTimed = raw.subList(Math.max(0, raw.size() - engine.size()), raw.size());
        System.out.println("HEADSET-PRESS-TO-EVENT us in the TCG guest, uinput write -> CallControl: " + summary(engine)
                + "; -> a plain blocking read of the node (baseline, same presses): " + summary(rawTimed));
    }

    /** The numbers after {@code prefix} on the lines that start with it, in order. */
    private static List<Long> micros(List<String> out, String prefix) {
        return out.stream().filter(l -> l.startsWith(prefix)).map(l -> Long.parseLong(l.substring(prefix.length()).strip())).toList();
    }

    private static String summary(List<Long> micros) {
        List<Long> s = micros.stream().sorted().toList();
        return "median " + s.get(s.size() / 2) + " (" + s.get(0) + "-" + s.get(s.size() - 1) + ", n=" + s.size() + ")";
    }
}
