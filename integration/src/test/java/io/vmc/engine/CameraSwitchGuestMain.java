package io.vmc.engine;

import io.vmc.transport.proto.Device;
import io.vmc.transport.proto.ListDevices;
import io.vmc.transport.proto.MediaKind;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.SelectDevice;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.StreamStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs in the test guest for {@code CameraSwitchGuestIT}, where vivid gives two real V4L2 cameras,
 * the first showing red, the second blue. Lists the cameras twice (two engine runs), then makes a
 * video call from an engine using the default (red) camera, chosen through SelectDevice, to a peer
 * engine that looks at the centre of each picture it decodes, and switches the call to the blue
 * camera mid-call. Prints, one a line: {@code CAMERA run id default=B name}, {@code COLOUR-BEFORE c
 * frames=n}, {@code SWITCH-UNKNOWN code}, {@code COLOUR-AFTER c frames=n}, {@code WRONG-SSRC n},
 * {@code LOST before after}, {@code INDICATOR text} (the camera the user is shown), then, after vivid
 * unplugs the blue camera ({@code args[0]} is {@code vivid-control.py}), {@code COLOUR-UNPLUGGED c
 * frames=n} and {@code ACTIVE-DEVICE reason replaced=id device=id}, and {@code DONE}.
 * In package {@code io.vmc.engine} for {@link TestEngine} and the engine's capture indicator.
 */
public final class CameraSwitchGuestMain {
    private static final long STEP_MILLIS = 240_000; // a JVM and two VP8 pipelines under TCG
    /** Pictures the peer must decode from each camera. */
    public static final int FRAMES = 10;

    private CameraSwitchGuestMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("vmc-camera");
        Path choices = dir.resolve("devices.conf");
        Consumer<EngineConfig.Builder> camera = c -> c.videoSource(EngineConfig.VideoSource.camera(null))
                .cameraPolicy(EngineConfig.CameraPolicy.ALLOW).deviceChoicesFile(choices)
                .videoFormat(new EngineConfig.VideoFormat(320, 240, 5));
        for (int run = 1; run <= 2; run++) { // the ids must survive an engine restart
            try (TestEngine e = new TestEngine(440, Files.createDirectories(dir.resolve("list" + run)), camera)) {
                for (Device d : cameras(e)) {
                    System.out.println("CAMERA " + run + " " + d.getId() + " default=" + d.getIsDefault() + " " + d.getName());
                }
            }
        }
        AtomicReference<String> colour = new AtomicReference<>("NONE");
        AtomicLong pictures = new AtomicLong();
        try (TestEngine a = new TestEngine(440, Files.createDirectories(dir.resolve("a")), camera);
             TestEngine b = new TestEngine(880, Files.createDirectories(dir.resolve("b")),
                     c -> c.videoSource(EngineConfig.VideoSource.testPattern("ball")).videoFormat(new EngineConfig.VideoFormat(320, 240, 5))
                             .receivedVideoListener((w, h, i420) -> {
                                 colour.set(centre(w, h, i420));
                                 pictures.incrementAndGet();
                             }))) {
            List<String> indicator = new java.util.concurrent.CopyOnWriteArrayList<>();
            a.engine.captures().addView(live -> live.stream().filter(s -> s.kind() == io.vmc.engine.internal.LiveCaptures.Kind.CAMERA)
                    .forEach(s -> indicator.add(s.device())));
            List<Device> cams = cameras(a);
            Device red = cams.stream().filter(Device::getIsDefault).findFirst().orElseThrow();
            Device blue = cams.stream().filter(d -> !d.getIsDefault()).findFirst().orElseThrow();
            System.out.println("IDS " + red.getId() + " " + blue.getId());
            a.ok(Request.newBuilder().setSelectDevice(SelectDevice.newBuilder().setDeviceId(red.getId())));
            String sa = a.createSession(SessionOptions.newBuilder().setVideo(true));
            String sb = b.createSession(SessionOptions.newBuilder().setVideo(true));
            a.setAnswer(sa, b.answer(sb, a.offer(sa)));
            await(() -> pictures.get() >= FRAMES && !"NONE".equals(colour.get()));
            System.out.println("COLOUR-BEFORE " + colour.get() + " frames=" + video(b, sb).getFramesDecoded());
            long lostBefore = video(b, sb).getPacketsLost();

            System.out.println("SWITCH-UNKNOWN " + a.call(Request.newBuilder().setSelectDevice(SelectDevice.newBuilder()
                    .setDeviceId("cam-000000000000").setSessionId(sa))).getError().getCode());
            long switchNanos = System.nanoTime();
            a.ok(Request.newBuilder().setSelectDevice(SelectDevice.newBuilder().setDeviceId(blue.getId()).setSessionId(sa)));
            long atSwitch = video(b, sb).getFramesDecoded();
            await(() -> "BLUE".equals(colour.get()));
            System.out.println("SWITCH-MS " + (System.nanoTime() - switchNanos) / 1_000_000 + " (SelectDevice to the first blue picture decoded)");
            await(() -> "BLUE".equals(colour.get()) && video(b, sb).getFramesDecoded() >= atSwitch + FRAMES);
            StreamStats after = video(b, sb);
            System.out.println("COLOUR-AFTER " + colour.get() + " frames=" + (after.getFramesDecoded() - atSwitch));
            System.out.println("WRONG-SSRC " + b.counters(sb).getOrDefault("videoWrongSsrc", 0L));
            System.out.println("LOST " + lostBefore + " " + after.getPacketsLost());
            System.out.println("INDICATOR " + indicator);

            // vivid's Disconnect button unplugs the camera in use: the call goes on from the default one
            Process unplug = new ProcessBuilder("python3", args[0], "/dev/video1", "Disconnect").inheritIO().start();
            System.out.println("UNPLUG-EXIT " + unplug.waitFor());
            long atUnplug = video(b, sb).getFramesDecoded();
            await(() -> "RED".equals(colour.get()) && video(b, sb).getFramesDecoded() >= atUnplug + FRAMES);
            System.out.println("COLOUR-UNPLUGGED " + colour.get() + " frames=" + (video(b, sb).getFramesDecoded() - atUnplug));
            a.events.stream().filter(io.vmc.transport.proto.Event::hasActiveDevice).map(io.vmc.transport.proto.Event::getActiveDevice)
                    .forEach(d -> System.out.println("ACTIVE-DEVICE " + d.getReason() + " replaced=" + d.getReplaced().getId()
                            + " device=" + d.getDevice().getId()));
            System.out.println("WRONG-SSRC-END " + b.counters(sb).getOrDefault("videoWrongSsrc", 0L));
            System.out.println("REMEMBERED " + Files.readString(choices).lines().filter(l -> l.startsWith("camera")).findFirst().orElse("")
                    + " blue=" + blue.getId());
        }
        System.out.println("DONE");
    }

    private static List<Device> cameras(TestEngine e) {
        return e.ok(Request.newBuilder().setListDevices(ListDevices.getDefaultInstance())).getDevices().getDevicesList().stream()
                .filter(d -> d.getKind() == Device.DeviceKind.CAMERA).toList();
    }

    /** RED, BLUE or OTHER, from the chroma at the picture's centre (I420: Y plane, then U, then V). */
    static String centre(int w, int h, byte[] i420) {
        int chroma = (h / 4) * (w / 2) + w / 4;
        int u = i420[w * h + chroma] & 0xff;
        int v = i420[w * h + (w / 2) * (h / 2) + chroma] & 0xff;
        if (v > 180 && u < 140) return "RED";
        if (u > 180 && v < 140) return "BLUE";
        return "OTHER(u=" + u + ",v=" + v + ")";
    }

    private static StreamStats video(TestEngine e, String sid) {
        var s = e.ok(Request.newBuilder().setGetStats(io.vmc.transport.proto.GetStats.newBuilder().setSessionId(sid))).getStats();
        return s.getStreamsList().stream().filter(x -> x.getKind() == MediaKind.VIDEO).findFirst()
                .orElse(StreamStats.getDefaultInstance());
    }

    private static void await(Supplier<Boolean> done) throws InterruptedException {
        long until = System.currentTimeMillis() + STEP_MILLIS;
        while (!done.get() && System.currentTimeMillis() < until) {
            Thread.sleep(200);
        }
    }
}
