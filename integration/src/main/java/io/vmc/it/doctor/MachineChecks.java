package io.vmc.it.doctor;

import static io.vmc.it.doctor.Check.missing;
import static io.vmc.it.doctor.Check.ok;
import static io.vmc.it.doctor.Check.warn;

import com.sun.jna.NativeLibrary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.freedesktop.gstreamer.ElementFactory;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Version;

/** The checks each role needs. Everything here only looks; nothing is changed or installed. */
public final class MachineChecks {

    /** The virtio-serial port name agentd opens in the guest. */
    public static final String PORT_NAME = "org.spice-space.vmc.0";

    /** GStreamer elements the engine uses for audio, by Debian package that ships them. */
    static final Map<String, List<String>> AUDIO_ELEMENTS = Map.of(
            "gstreamer1.0-plugins-base", List.of("appsrc", "appsink", "audiotestsrc", "audioconvert",
                    "audioresample", "opusenc", "opusdec"),
            "gstreamer1.0-plugins-good", List.of("rtpjitterbuffer", "rtpopuspay", "rtpopusdepay",
                    "rtppcmupay", "rtppcmudepay", "rtppcmapay", "rtppcmadepay", "rtpg722pay",
                    "rtpg722depay", "mulawenc", "mulawdec", "alawenc", "alawdec", "wavenc", "level"),
            "gstreamer1.0-plugins-bad", List.of("webrtcdsp", "webrtcechoprobe"),
            "gstreamer1.0-libav", List.of("avenc_g722", "avdec_g722"),
            "gstreamer1.0-pulseaudio", List.of("pulsesrc", "pulsesink"));

    /** Elements for video calls and the overlay. */
    static final Map<String, List<String>> VIDEO_ELEMENTS = Map.of(
            "gstreamer1.0-plugins-base", List.of("videotestsrc", "videoconvert", "videoscale"),
            "gstreamer1.0-plugins-good", List.of("vp8enc", "vp8dec", "rtpvp8pay", "rtpvp8depay",
                    "v4l2src"),
            "gstreamer1.0-x", List.of("ximagesink"));

    /** Tools the real-component tests start (dev role). */
    static final Map<String, String> DEV_TOOLS = Map.ofEntries(
            Map.entry("qemu-system-x86_64", "qemu-system-x86"),
            Map.entry("busybox", "busybox-static"),
            Map.entry("baresip", "baresip"),
            Map.entry("turnserver", "coturn"),
            Map.entry("tshark", "tshark"),
            Map.entry("Xvfb", "xvfb"),
            Map.entry("pulseaudio", "pulseaudio"),
            Map.entry("pactl", "pulseaudio-utils"),
            Map.entry("ip", "iproute2"),
            Map.entry("stun", "stun-client"),
            Map.entry("xdotool", "xdotool"),
            Map.entry("import", "imagemagick"),
            Map.entry("virt-xml-validate", "libvirt-clients"),
            Map.entry("xmllint", "libxml2-utils"));

    private MachineChecks() {}

    public static List<Check> forRole(Role role) {
        List<Check> checks = new ArrayList<>();
        checks.add(new Check("java", MachineChecks::java));
        switch (role) {
            case CLIENT -> {
                addGStreamer(checks, AUDIO_ELEMENTS, true);
                addGStreamer(checks, VIDEO_ELEMENTS, true);
                checks.add(new Check("pulseaudio server", () -> pulseAudio(true)));
                checks.add(new Check("X display + XShm", () -> xDisplay(true)));
                checks.add(new Check("spice-client-glib", () -> library("spice-client-glib-2.0",
                        "libspice-client-glib-2.0-8")));
                checks.add(new Check("spice-client-gtk", () -> library("spice-client-gtk-3.0",
                        "libspice-client-gtk-3.0-5")));
            }
            case GUEST -> {
                checks.add(new Check("virtio port " + PORT_NAME, MachineChecks::virtioPort));
                // Fallback mode does the media inside the VM: useful, not required.
                addGStreamer(checks, AUDIO_ELEMENTS, false);
            }
            case DEV -> {
                addGStreamer(checks, AUDIO_ELEMENTS, true);
                addGStreamer(checks, VIDEO_ELEMENTS, true);
                DEV_TOOLS.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
                        checks.add(new Check("tool " + e.getKey(), () -> tool(e.getKey(), e.getValue()))));
                checks.add(new Check("guest kernel", MachineChecks::guestKernel));
                checks.add(new Check("pulseaudio server", () -> pulseAudio(false)));
                checks.add(new Check("X display + XShm", () -> xDisplay(false)));
            }
        }
        return checks;
    }

    static Check.Result java() {
        int feature = Runtime.version().feature();
        return feature >= 17 ? ok("Java " + Runtime.version())
                : missing("Java " + feature + " is too old, VMC needs 17 or newer", "openjdk-17-jre-headless");
    }

    private static void addGStreamer(List<Check> checks, Map<String, List<String>> elements, boolean required) {
        if (checks.stream().noneMatch(c -> c.name().equals("gstreamer"))) {
            checks.add(new Check("gstreamer", MachineChecks::gstreamer));
        }
        elements.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            for (String element : e.getValue()) {
                checks.add(new Check("gst element " + element,
                        () -> gstElement(element, e.getKey(), required)));
            }
        });
    }

    private static volatile String gstInitError;

    private static synchronized boolean gstInit() {
        if (Gst.isInitialized()) {
            return true;
        }
        if (gstInitError != null) {
            return false;
        }
        try {
            Gst.init(Version.of(1, 16), "vmc-doctor");
            return true;
        } catch (RuntimeException | LinkageError e) {
            gstInitError = e.getMessage();
            return false;
        }
    }

    static Check.Result gstreamer() {
        if (!gstInit()) {
            return missing("GStreamer 1.x cannot be loaded: " + gstInitError, "libgstreamer1.0-0");
        }
        return ok(Gst.getVersionString());
    }

    static Check.Result gstElement(String element, String debianPackage, boolean required) {
        if (!gstInit()) {
            return missing("GStreamer is not available", "libgstreamer1.0-0");
        }
        if (elementExists(element)) {
            return ok("present");
        }
        String detail = "element '" + element + "' not found";
        return required ? missing(detail, debianPackage) : warn(detail + " (fallback media needs it)", debianPackage);
    }

    private static boolean elementExists(String element) {
        try {
            return ElementFactory.find(element) != null;
        } catch (IllegalArgumentException notFound) { // gst1-java-core reports a missing factory this way
            return false;
        }
    }

    static Check.Result pulseAudio(boolean required) {
        if (!onPath("pactl")) {
            return required ? missing("pactl not found", "pulseaudio-utils")
                    : warn("pactl not found", "pulseaudio-utils");
        }
        ProcessOutput out = run(List.of("pactl", "info"));
        if (out.exitCode == 0) {
            String server = out.text.lines().filter(l -> l.startsWith("Server Name:")).findFirst().orElse("reachable");
            return ok(server.trim());
        }
        String detail = "no PulseAudio server reachable (" + firstLine(out.text) + ")";
        String fix = "start one: pulseaudio --start (package pulseaudio)";
        return required ? missing(detail, fix) : warn(detail + "; tests start their own", fix);
    }

    static Check.Result xDisplay(boolean required) {
        String display = System.getenv("DISPLAY");
        if (display == null || display.isBlank()) {
            String detail = "DISPLAY is not set (the overlay draws into the session's X11 window)";
            return required ? missing(detail, "run inside the X session") : warn(detail + "; tests start Xvfb", null);
        }
        if (!onPath("xdpyinfo")) {
            return warn("DISPLAY=" + display + " but xdpyinfo is missing to check it", "x11-utils");
        }
        ProcessOutput out = run(List.of("xdpyinfo", "-display", display));
        if (out.exitCode != 0) {
            String detail = "cannot open display " + display;
            return required ? missing(detail, "check DISPLAY and X authority") : warn(detail, null);
        }
        return out.text.contains("MIT-SHM") ? ok("display " + display + " with MIT-SHM")
                : warn("display " + display + " has no MIT-SHM: video drawing will be slower", null);
    }

    static Check.Result library(String name, String debianPackage) {
        try {
            NativeLibrary lib = NativeLibrary.getInstance(name);
            return ok(lib.getFile() == null ? "loaded" : lib.getFile().toString());
        } catch (UnsatisfiedLinkError e) {
            return missing("lib" + name + " cannot be loaded", debianPackage);
        }
    }

    static Check.Result virtioPort() {
        Path dev = Path.of("/dev/virtio-ports", PORT_NAME);
        if (Files.exists(dev)) {
            return ok(dev.toString());
        }
        Path sys = Path.of("/sys/class/virtio-ports");
        if (Files.isDirectory(sys)) {
            try (Stream<Path> ports = Files.list(sys)) {
                for (Path p : (Iterable<Path>) ports::iterator) {
                    Path nameFile = p.resolve("name");
                    if (Files.isReadable(nameFile)
                            && Files.readString(nameFile, StandardCharsets.UTF_8).trim().equals(PORT_NAME)) {
                        return ok("/dev/" + p.getFileName());
                    }
                }
            } catch (IOException e) {
                return missing("cannot read " + sys + ": " + e.getMessage(), null);
            }
        }
        return missing("no virtio port named " + PORT_NAME + " in this VM",
                "the admin adds the VMC channel to the VM (docs/admin-guide.md)");
    }

    static Check.Result guestKernel() {
        try (Stream<Path> boot = Files.list(Path.of("/boot"))) {
            return boot.filter(p -> p.getFileName().toString().startsWith("vmlinuz-")).findFirst()
                    .map(p -> ok(p.toString()))
                    .orElseGet(() -> missing("no kernel in /boot for the test guest", "linux-image-amd64"));
        } catch (IOException e) {
            return missing("no /boot: " + e.getMessage(), "linux-image-amd64");
        }
    }

    static Check.Result tool(String command, String debianPackage) {
        return onPath(command) ? ok("on PATH") : missing(command + " not found", debianPackage);
    }

    static boolean onPath(String command) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    private record ProcessOutput(int exitCode, String text) {}

    private static ProcessOutput run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readNBytes(64 * 1024);
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new ProcessOutput(-1, "timed out");
            }
            return new ProcessOutput(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new ProcessOutput(-1, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ProcessOutput(-1, "interrupted");
        }
    }

    private static String firstLine(String text) {
        return text.lines().findFirst().orElse("").trim();
    }
}
