package io.vmc.engine;

import io.vmc.transport.proto.Device;
import io.vmc.transport.proto.DeviceList;
import io.vmc.transport.proto.GetStats;
import io.vmc.transport.proto.ListDevices;
import io.vmc.transport.proto.MediaKind;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.SelectDevice;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.StreamStats;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Runs in the test guest for {@code CameraChoiceGuestIT}, where vivid gives two real V4L2 cameras:
 * an engine lists the cameras, the user (through the app) chooses the second one, then the next
 * engine run (same user, same device-choices file) makes a video call and must open that camera,
 * not the default one. Prints, one a line: {@code CAMERA id default=B name}, {@code SELECTED id},
 * {@code MIDCALL code}, {@code RINGER code}, {@code OPEN [node=v4l2-name ...]} (the /dev/video nodes
 * the engine holds open during the call, with their kernel names), {@code VIDEO-RECEIVED n} at the
 * far end, and {@code DONE}. In package {@code io.vmc.engine} for {@link TestEngine}.
 */
public final class CameraChoiceGuestMain {
    private static final long STEP_MILLIS = 180_000; // an interpreted JVM and a VP8 encoder under TCG

    private CameraChoiceGuestMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("vmc-camera");
        Path choices = dir.resolve("devices.conf");
        Consumer<EngineConfig.Builder> camera = c -> c.videoSource(EngineConfig.VideoSource.camera(null))
                .cameraPolicy(EngineConfig.CameraPolicy.ALLOW).deviceChoicesFile(choices)
                .videoFormat(new EngineConfig.VideoFormat(320, 240, 5));
        String chosen;
        try (TestEngine e = new TestEngine(440, Files.createDirectories(dir.resolve("first")), camera)) {
            DeviceList l = e.ok(Request.newBuilder().setListDevices(ListDevices.getDefaultInstance())).getDevices();
            List<Device> cams = new ArrayList<>();
            for (Device d : l.getDevicesList()) {
                if (d.getKind() == Device.DeviceKind.CAMERA) {
                    cams.add(d);
                    System.out.println("CAMERA " + d.getId() + " default=" + d.getIsDefault() + " " + d.getName());
                }
            }
            Device other = cams.stream().filter(d -> !d.getIsDefault()).findFirst().orElseThrow();
            chosen = other.getId();
            e.ok(Request.newBuilder().setSelectDevice(SelectDevice.newBuilder().setDeviceId(chosen)));
            System.out.println("SELECTED " + chosen);
            String s = e.createSession(SessionOptions.newBuilder().setVideo(true));
            System.out.println("MIDCALL " + e.call(Request.newBuilder().setSelectDevice(SelectDevice.newBuilder()
                    .setDeviceId(chosen).setSessionId(s))).getError().getCode());
            System.out.println("RINGER " + e.call(Request.newBuilder().setSelectDevice(SelectDevice.newBuilder()
                    .setDeviceId(chosen).setRinger(true))).getError().getCode());
            e.close(s);
        }
        // the user's next engine run: nothing selected in it, the choice comes from the file
        try (TestEngine a = new TestEngine(440, Files.createDirectories(dir.resolve("a")), camera);
             TestEngine b = new TestEngine(880, Files.createDirectories(dir.resolve("b")),
                     c -> c.videoSource(EngineConfig.VideoSource.testPattern("ball")).videoFormat(new EngineConfig.VideoFormat(320, 240, 5)))) {
            String sa = a.createSession(SessionOptions.newBuilder().setVideo(true));
            String sb = b.createSession(SessionOptions.newBuilder().setVideo(true));
            a.setAnswer(sa, b.answer(sb, a.offer(sa)));
            long until = System.currentTimeMillis() + STEP_MILLIS;
            while (video(b, sb).getPacketsReceived() < 10 && System.currentTimeMillis() < until) {
                Thread.sleep(500);
            }
            System.out.println("OPEN " + openVideoNodes());
            System.out.println("VIDEO-RECEIVED " + video(b, sb).getPacketsReceived());
        }
        System.out.println("DONE");
    }

    private static StreamStats video(TestEngine e, String sid) {
        var s = e.ok(Request.newBuilder().setGetStats(GetStats.newBuilder().setSessionId(sid))).getStats();
        return s.getStreamsList().stream().filter(x -> x.getKind() == MediaKind.VIDEO).findFirst()
                .orElse(StreamStats.getDefaultInstance());
    }

    /** The /dev/video nodes this process has open, each with the kernel's name for it. */
    private static TreeSet<String> openVideoNodes() throws IOException {
        TreeSet<String> out = new TreeSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    Path target = Files.readSymbolicLink(fd);
                    if (target.toString().startsWith("/dev/video")) {
                        String node = target.getFileName().toString();
                        out.add(node + "=" + Files.readString(Path.of("/sys/class/video4linux", node, "name")).strip());
                    }
                } catch (IOException gone) {
                    // closed meanwhile
                }
            }
        }
        return out;
    }
}
