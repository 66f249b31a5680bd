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
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.freedesktop.gstreamer.ElementFactory;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Version;

/**
 * The checks each role needs: every line of the package list ({@link Setup}) for the role, plus
 * what no package fixes (a running PulseAudio, an X display, the guest's virtio port). Everything
 * here only looks; nothing is changed or installed.
 */
public final class MachineChecks {

    /** The virtio-serial port name agentd opens in the guest. */
    public static final String PORT_NAME = "org.spice-space.vmc.0";

    /** The package list's name of GStreamer's core library: checked by initialising GStreamer. */
    static final String GSTREAMER_LIBRARY = "gstreamer-1.0";

    private MachineChecks() {}

    public static List<Check> forRole(Role role) {
        return forRole(role, Setup.bundled());
    }

    static List<Check> forRole(Role role, List<Setup.Need> list) {
        List<Check> checks = new ArrayList<>();
        checks.add(new Check("java", MachineChecks::java));
        Set<String> features = features(role);
        for (Setup.Need need : list) {
            Setup.Level level = need.level(role.listName(), features);
            if (level != Setup.Level.NONE) {
                boolean required = level == Setup.Level.REQUIRED;
                checks.add(new Check(need.label(), () -> need(need, required ? "" : onlyFor(need, role))));
            }
        }
        switch (role) {
            case CLIENT -> {
                checks.add(new Check("pulseaudio server", () -> pulseAudio(true)));
                checks.add(new Check("X display + XShm", () -> xDisplay(true)));
            }
            case GUEST -> checks.add(new Check("virtio port " + PORT_NAME, MachineChecks::virtioPort));
            case DEV -> {
                checks.add(new Check("pulseaudio server", () -> pulseAudio(false)));
                checks.add(new Check("X display + XShm", () -> xDisplay(false)));
            }
            case DEMO -> {
                // test tones, no speaker, windows only with --video: nothing beyond the list
            }
        }
        return checks;
    }

    /** The features the role uses on this machine as it is: the demo uses namespaces as root. */
    static Set<String> features(Role role) {
        return role == Role.DEMO ? Setup.demoFeatures(false, false) : Set.of();
    }

    /** Looks needs up as the doctor does: elements in GStreamer's registry, libraries through JNA. */
    public static Setup.Probe probe() {
        return need -> need(need, "").status() == Check.Status.OK;
    }

    /** " (only for ./vmc demo --video)": why a need the role lacks is no more than a warning. */
    private static String onlyFor(Setup.Need need, Role role) {
        return " (only for " + String.join(", ", need.featuresOf(role.listName())) + ")";
    }

    /** @param only empty for a required need, else the "only for" note of an optional one */
    static Check.Result need(Setup.Need need, String only) {
        boolean required = only.isEmpty();
        return switch (need.kind()) {
            case TOOL -> onPath(need.name()) ? ok("on PATH")
                    : Check.absent(need, required, need.name() + " not found on PATH" + only);
            case ELEMENT -> gstElement(need, required, only);
            case LIBRARY -> need.name().equals(GSTREAMER_LIBRARY) ? gstreamer(need, required)
                    : library(need, required, only);
            case FILE -> Setup.fileExists(need.name()) ? ok("present")
                    : Check.absent(need, required, "no " + need.name() + only);
            case PACKAGE -> !Setup.installedPackages(List.of(need.debianPackage())).isEmpty() ? ok("installed")
                    : Check.absent(need, required, "package " + need.debianPackage() + " is not installed" + only);
        };
    }

    static Check.Result java() {
        int feature = Runtime.version().feature();
        return feature >= 17 ? ok("Java " + Runtime.version())
                : missing("Java " + feature + " is too old, VMC needs 17 or newer", "openjdk-17-jre-headless");
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
            Gst.init(Version.of(1, 16), "vmc-doctor", io.vmc.engine.internal.media.GstSupport.NO_SEGTRAP);
            return true;
        } catch (RuntimeException | LinkageError e) {
            gstInitError = e.getMessage();
            return false;
        }
    }

    static Check.Result gstreamer(Setup.Need need, boolean required) {
        if (!gstInit()) {
            return Check.absent(need, required, "GStreamer 1.x cannot be loaded: " + gstInitError);
        }
        return ok(Gst.getVersionString());
    }

    static Check.Result gstElement(Setup.Need need, boolean required, String only) {
        if (!gstInit()) {
            return Check.absent(need, required, "GStreamer is not available" + only);
        }
        return elementExists(need.name()) ? ok("present")
                : Check.absent(need, required, "element '" + need.name() + "' not found" + only);
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
            return warn("not checked: pactl is missing (see tool pactl)", null);
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
            return warn("DISPLAY=" + display + " not checked: xdpyinfo is missing (x11-utils)", null);
        }
        ProcessOutput out = run(List.of("xdpyinfo", "-display", display));
        if (out.exitCode != 0) {
            String detail = "cannot open display " + display;
            return required ? missing(detail, "check DISPLAY and X authority") : warn(detail, null);
        }
        return out.text.contains("MIT-SHM") ? ok("display " + display + " with MIT-SHM")
                : warn("display " + display + " has no MIT-SHM: video drawing will be slower", null);
    }

    static Check.Result library(Setup.Need need, boolean required, String only) {
        try {
            NativeLibrary lib = NativeLibrary.getInstance(need.name());
            return ok(lib.getFile() == null ? "loaded" : lib.getFile().toString());
        } catch (UnsatisfiedLinkError e) {
            return Check.absent(need, required, "lib" + need.name() + " cannot be loaded" + only);
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

    static boolean onPath(String command) {
        return Setup.onPath(command);
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
