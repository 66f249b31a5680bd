package io.vmc.engine;

import io.vmc.engine.internal.device.HeadsetInputs;
import io.vmc.engine.internal.device.HeadsetKeys;
import io.vmc.transport.proto.CallControl;
import io.vmc.transport.proto.SessionState;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs in the test guest for {@code HeadsetButtonsGuestIT}: the engine's {@link HeadsetButtons}
 * on real kernel input devices. {@code args[0]} is {@code uinput-headset.py}, which makes a virtual
 * headset and a virtual keyboard (that also has the headset's keys) through uinput. The headset is
 * found the way the engine finds one, through sysfs ({@link HeadsetInputs}) under the place the
 * audio device would be (here {@code /devices/virtual/input}, where uinput puts both), and the
 * script presses its buttons. Prints, one a line: {@code FOUND node name led=B}, {@code READING [nodes]},
 * {@code EVENT action session key device}, {@code LED code value} (what the headset's LED was told),
 * then {@code TIMED_PRESSES} more volume presses, each with {@code LATENCY_US n} (from just before the
 * script wrote the press to uinput to the event, both on the guest's real-time clock), {@code NODES [nodes]}
 * after the headset is unplugged, and {@code DONE}. In package {@code io.vmc.engine} because
 * {@link HeadsetButtons} is the engine's own, not public, class.
 */
public final class HeadsetButtonsGuestMain {
    private static final long STEP_SECONDS = 120; // an interpreted JVM under TCG on a busy host
    public static final int TIMED_PRESSES = 20;

    /** A call-control event and when it came (real-time clock, ns). */
    private record Arrived(CallControl control, long atNanos) {
    }

    private HeadsetButtonsGuestMain() {
    }

    public static void main(String[] args) throws Exception {
        Process tool = new ProcessBuilder("python3", "-u", args[0]).redirectErrorStream(true).start();
        BlockingQueue<String> toolLines = new LinkedBlockingQueue<>();
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(tool.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    System.out.println(line);
                    toolLines.add(line);
                }
            } catch (IOException e) {
                System.out.println("TOOL-OUTPUT-ENDED " + e);
            }
        });
        pump.setDaemon(true);
        pump.start();
        OutputStream toolIn = tool.getOutputStream();

        String headset = expect(toolLines, "CREATED headset ").split(" ")[2];
        expect(toolLines, "CREATED keyboard ");
        Path headsetNode = awaitEventNode(headset);

        BlockingQueue<Arrived> controls = new LinkedBlockingQueue<>();
        AtomicBoolean ringing = new AtomicBoolean();
        HeadsetInputs.AudioDevice where = new HeadsetInputs.AudioDevice("/devices/virtual/input", null, null);
        HeadsetInputs finder = new HeadsetInputs(Path.of("/sys"), Path.of("/dev/input"));
        for (HeadsetInputs.Input i : finder.find(where)) {
            System.out.println("FOUND " + i.node() + " " + i.name() + " led=" + i.muteLed());
        }
        try (HeadsetButtons buttons = new HeadsetButtons(e -> {
            if (!e.hasCallControl()) return;
            java.time.Instant now = java.time.Instant.now();
            CallControl c = e.getCallControl();
            controls.add(new Arrived(c, now.getEpochSecond() * 1_000_000_000L + now.getNano()));
            System.out.println("EVENT " + c.getAction() + " " + c.getSessionId() + " " + c.getKey() + " " + c.getDeviceId());
        }, null, finder, ringing::get, () -> "ring-1")) {
            buttons.follow(List.of(new HeadsetButtons.InUse("headset-1", where)));
            System.out.println("READING " + buttons.nodes());
            awaitOpened(headsetNode); // a press before the reader opened the node is not queued for it

            // Ringing: the hook button answers; the keyboard's own KEY_PHONE is not read.
            ringing.set(true);
            press(toolIn, toolLines, "keyboard", HeadsetKeys.KEY_PHONE);
            press(toolIn, toolLines, "headset", HeadsetKeys.KEY_PHONE);
            next(controls);
            press(toolIn, toolLines, "headset", HeadsetKeys.KEY_VOLUMEUP);
            next(controls);
            ringing.set(false);
            // Nothing rings, no call: mute means nothing (the next event shows it was read and dropped).
            press(toolIn, toolLines, "headset", HeadsetKeys.KEY_MICMUTE);
            buttons.sessionState("call-1", SessionState.State.CONNECTED);
            press(toolIn, toolLines, "headset", HeadsetKeys.KEY_MICMUTE);
            next(controls);
            buttons.muted("call-1", true); // the app muted: the LED follows
            expect(toolLines, "LED 7 1");
            press(toolIn, toolLines, "keyboard", HeadsetKeys.KEY_VOLUMEDOWN);
            press(toolIn, toolLines, "headset", HeadsetKeys.KEY_VOLUMEDOWN);
            next(controls);
            press(toolIn, toolLines, "headset", HeadsetKeys.KEY_PHONE);
            next(controls);
            buttons.muted("call-1", false);
            expect(toolLines, "LED 7 0");

            // The app has not hung up yet: volume presses, timed.
            for (int i = 0; i < TIMED_PRESSES; i++) {
                long pressed = press(toolIn, toolLines, "headset", HeadsetKeys.KEY_VOLUMEUP);
                System.out.println("LATENCY_US " + (next(controls).atNanos() - pressed) / 1000);
            }

            command(toolIn, "unplug headset");
            expect(toolLines, "UNPLUGGED headset");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(STEP_SECONDS);
            while (!buttons.nodes().isEmpty() && System.nanoTime() < end) {
                Thread.sleep(50); // the reader sees the end of the device and stops
            }
            System.out.println("NODES " + buttons.nodes());
        }
        toolIn.close();
        tool.waitFor(STEP_SECONDS, TimeUnit.SECONDS);
        System.out.println("DONE");
        System.exit(0);
    }

    /** Presses and releases {@code key}; returns when the script wrote it (real-time clock, ns). */
    private static long press(OutputStream toolIn, BlockingQueue<String> lines, String device, int key) throws Exception {
        command(toolIn, "press " + device + " " + key);
        return Long.parseLong(expect(lines, "PRESSED " + device + " " + key + " ").split(" ")[3]);
    }

    private static void command(OutputStream toolIn, String line) throws IOException {
        toolIn.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        toolIn.flush();
    }

    private static Arrived next(BlockingQueue<Arrived> controls) throws InterruptedException {
        Arrived a = controls.poll(STEP_SECONDS, TimeUnit.SECONDS);
        if (a == null) fail("no CallControl event within " + STEP_SECONDS + " s");
        return a;
    }

    private static String expect(BlockingQueue<String> lines, String prefix) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(STEP_SECONDS);
        for (long left; (left = end - System.nanoTime()) > 0; ) {
            String line = lines.poll(left, TimeUnit.NANOSECONDS);
            if (line != null && line.startsWith(prefix)) return line;
        }
        fail("the uinput tool did not say '" + prefix + "'");
        return null;
    }

    /** The event node evdev gives the uinput device {@code inputN} (it appears shortly after). */
    private static Path awaitEventNode(String input) throws Exception {
        Path dir = Path.of("/sys/class/input", input);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(STEP_SECONDS);
        while (System.nanoTime() < end) {
            try (var s = Files.list(dir)) {
                var ev = s.map(p -> p.getFileName().toString()).filter(n -> n.matches("event[0-9]+")).findFirst();
                if (ev.isPresent() && Files.exists(Path.of("/dev/input", ev.get()))) return Path.of("/dev/input", ev.get());
            } catch (IOException e) {
                // not there yet
            }
            Thread.sleep(50);
        }
        fail("no event node for " + input + " (is evdev loaded?)");
        return null;
    }

    /** Waits until this process has {@code node} open (the reader thread's open). */
    private static void awaitOpened(Path node) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(STEP_SECONDS);
        while (System.nanoTime() < end) {
            try (var fds = Files.list(Path.of("/proc/self/fd"))) {
                if (fds.anyMatch(fd -> {
                    try {
                        return Files.readSymbolicLink(fd).equals(node);
                    } catch (IOException e) {
                        return false;
                    }
                })) return;
            }
            Thread.sleep(50);
        }
        fail("the reader did not open " + node);
    }

    private static void fail(String why) {
        System.out.println("FAILED " + why);
        System.exit(1);
    }
}
