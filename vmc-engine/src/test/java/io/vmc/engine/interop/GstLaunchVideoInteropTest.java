package io.vmc.engine.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.engine.EngineConfig;
import io.vmc.engine.XTestAccess;
import io.vmc.engine.internal.rtp.MediaFlow;
import io.vmc.engine.internal.rtp.RtpPackets;
import io.vmc.engine.internal.media.VideoCodec;
import io.vmc.engine.internal.rtp.VideoFlow;
import io.vmc.overlay.OverlayOptions;
import io.vmc.overlay.OverlaySupport;
import io.vmc.overlay.Rect;
import io.vmc.overlay.VideoArea;
import io.vmc.overlay.VideoOverlay;
import io.vmc.engine.sdp.Crypto;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's video RTP session against plain {@code gst-launch-1.0} processes, which nobody here
 * configured beyond an SDES key, for VP8 and H.264: what the engine puts on the wire (SRTP with its
 * own SSRC, sequence numbers and SRTCP on the same port) decodes in a stock receiver, and a stock
 * sender's SRTP stream decodes in the engine and its overlay draws it. ICE is left out on purpose (gst-launch has none): the engine's
 * {@link VideoFlow} is driven through its {@link MediaFlow.Io} bound to a loopback UDP socket, which
 * is exactly what the ICE-selected socket would carry.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GstLaunchVideoInteropTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir Path tmp;
    private ScheduledExecutorService timer;
    private DatagramSocket socket;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void setUp() throws SocketException {
        io.vmc.engine.ToolsAccess.require("gst-launch-1.0");
        timer = Executors.newScheduledThreadPool(1);
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        if (socket != null) socket.close();
        if (timer != null) timer.shutdownNow();
    }

    /** Engine sends SMPTE bars; {@code udpsrc ! srtpdec ! ... ! vp8dec|avdec_h264 ! pngenc} must show the bars. */
    @ParameterizedTest
    @EnumSource(VideoCodec.class)
    void engineStreamDecodesInGstLaunchReceiver(VideoCodec codec) throws Exception {
        requireCodec(codec);
        int pt = codec.defaultPayloadType();
        byte[] engineKey = key();
        int gstPort = freeUdpPort();
        InetSocketAddress gst = new InetSocketAddress(InetAddress.getLoopbackAddress(), gstPort);
        AtomicLong firstSsrc = new AtomicLong(-1);
        AtomicLong sent = new AtomicLong();
        MediaFlow.Io io = new SocketIo() {
            @Override
            public void send(byte[] buf, int off, int len) throws IOException {
                // SRTP leaves the RTP header in clear: the SSRC that srtpdec must be told about
                if (!RtpPackets.looksLikeRtcp(buf, off, len)) firstSsrc.compareAndSet(-1, RtpPackets.ssrc(buf, off));
                socket.send(new DatagramPacket(buf, off, len, gst));
                sent.incrementAndGet();
            }
        };
        EngineConfig config = EngineConfig.builder().videoSource(EngineConfig.VideoSource.testPattern("smpte")).build();
        // send only: the peer's key is never used, but VideoFlow wants both halves of an SDES pair
        VideoFlow.Params params = new VideoFlow.Params(codec, pt, pt, Crypto.AES_CM_128_HMAC_SHA1_80, engineKey, key(), true, false);
        try (VideoFlow flow = new VideoFlow(params, config, null, timer, io)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> firstSsrc.get() >= 0);
            Path frames = Files.createDirectories(tmp.resolve("frames"));
            Path rtcp = Files.createDirectories(tmp.resolve("rtcp"));
            Process receiver = gstLaunch("receiver",
                    "udpsrc", "address=127.0.0.1", "port=" + gstPort,
                    "caps=application/x-srtp,media=video,clock-rate=90000,encoding-name=" + codec.sdpName() + ",payload=" + pt
                            + ",ssrc=(uint)" + firstSsrc.get() + ",srtp-key=(buffer)" + HexFormat.of().formatHex(engineKey)
                            + ",srtp-cipher=aes-128-icm,srtp-auth=hmac-sha1-80,srtcp-cipher=aes-128-icm,srtcp-auth=hmac-sha1-80",
                    "!", "srtpdec", "name=dec", "!", "rtpjitterbuffer", "latency=100",
                    "!", codec == VideoCodec.VP8 ? "rtpvp8depay" : "rtph264depay",
                    "!", codec == VideoCodec.VP8 ? "vp8dec" : VideoCodec.hasElement("avdec_h264") ? "avdec_h264" : "openh264dec", "!", "videoconvert", "!", "video/x-raw,format=RGB",
                    "!", "pngenc", "!", "multifilesink", "location=" + frames.resolve("f%06d.png"), "max-files=5",
                    // rtcp-mux: srtpdec tells SRTCP from SRTP on the one port; each decrypted compound packet to a file
                    "dec.rtcp_src", "!", "multifilesink", "location=" + rtcp.resolve("r%06d.bin"), "max-files=20",
                    "sync=false", "async=false");
            // the engine's periodic keyframe (at most 2 s) lets a receiver that joined late start decoding
            awaitOrExplain(() -> frameCount(frames) >= 30 || !receiver.isAlive(), "receiver");
            assertThat(receiver.isAlive()).as("gst-launch receiver alive; log:%n%s", log("receiver")).isTrue();
            receiver.destroy();
            receiver.waitFor(5, TimeUnit.SECONDS);
            BufferedImage img = lastReadableFrame(frames);
            assertThat(img.getWidth()).isEqualTo(640);
            assertThat(img.getHeight()).isEqualTo(480);
            assertSmpteBars(img);
            assertThat(flow.packetsSent()).isGreaterThan(30);
            // the engine's SRTCP (a sender report while it sends, and PLIs because it decodes nothing) authenticated by libsrtp
            List<byte[]> reports = readAll(rtcp);
            assertThat(reports).isNotEmpty().allSatisfy(r -> {
                assertThat(r.length).isGreaterThanOrEqualTo(8);
                assertThat(r[1] & 0xff).as("first RTCP packet type: SR").isEqualTo(200);
                assertThat(RtpPackets.readU32(r, 4)).as("SR sender SSRC").isEqualTo(firstSsrc.get());
            });
        }
    }

    /** {@code videotestsrc ! vp8enc|openh264enc ! rtp...pay ! srtpenc ! udpsink} into the engine: frames decoded, nothing dropped. */
    @ParameterizedTest
    @EnumSource(VideoCodec.class)
    void gstLaunchSenderStreamDecodesInEngine(VideoCodec codec) throws Exception {
        requireCodec(codec);
        int pt = codec == VideoCodec.VP8 ? 100 : 102; // a peer's own numbering, as SDP would carry it
        byte[] gstKey = key();
        InetSocketAddress[] peer = new InetSocketAddress[1];
        MediaFlow.Io io = new SocketIo() {
            @Override
            public void send(byte[] buf, int off, int len) throws IOException {
                InetSocketAddress p = peer[0];
                if (p != null) socket.send(new DatagramPacket(buf, off, len, p)); // symmetric RTP: RTCP back to the source
            }
        };
        EngineConfig config = EngineConfig.builder().build();
        VideoFlow.Params params = new VideoFlow.Params(codec, pt, pt, Crypto.AES_CM_128_HMAC_SHA1_80, key(), gstKey, false, true);
        try (VideoFlow flow = new VideoFlow(params, config, null, timer, io)) {
            Thread rx = new Thread(() -> receiveLoop(flow, peer), "interop-rx");
            rx.setDaemon(true);
            rx.start();
            List<String> pipeline = new ArrayList<>(List.of("videotestsrc", "is-live=true", "pattern=ball",
                    "!", "video/x-raw,format=I420,width=320,height=240,framerate=30/1", "!"));
            pipeline.addAll(gstSender(codec, pt));
            pipeline.addAll(List.of("!", "srtpenc", "key=" + HexFormat.of().formatHex(gstKey),
                    "!", "udpsink", "host=127.0.0.1", "port=" + Integer.toString(socket.getLocalPort())));
            Process sender = gstLaunch("sender", pipeline.toArray(String[]::new));
            awaitOrExplain(() -> flow.framesDecoded() >= 30 || !sender.isAlive(), "sender");
            assertThat(sender.isAlive()).as("gst-launch sender alive; log:%n%s", log("sender")).isTrue();
            assertThat(flow.framesDecoded()).isGreaterThanOrEqualTo(30);
            assertThat(flow.counters()).containsEntry("videoAuthFailed", 0L)
                    .containsEntry("videoWrongSsrc", 0L).containsEntry("videoUnknownPayloadType", 0L);
        }
    }

    /** VP8 always; H.264 where this machine's GStreamer has openh264/libav (else VP8 only is offered). */
    private static void requireCodec(VideoCodec codec) {
        boolean usable = VideoCodec.usable(List.of(codec), VideoCodec::hasElement).size() == 1;
        if (!usable && "true".equals(System.getenv("CI"))) throw new AssertionError(codec + " elements are required under CI=true");
        org.junit.jupiter.api.Assumptions.assumeTrue(usable, codec + " elements missing");
    }

    /**
     * What a user sees: a gst-launch sender's SMPTE bars, received by the engine's VideoFlow and drawn
     * by its overlay into a window on a private Xvfb, at the mapped rectangle with the bars in order,
     * the parent window untouched around it.
     */
    @ParameterizedTest
    @EnumSource(VideoCodec.class)
    void gstLaunchSenderStreamRendersInTheEngineOverlay(VideoCodec codec) throws Exception {
        requireCodec(codec);
        int blue = 0x0000ff;
        try (XTestAccess.Screen screen = new XTestAccess.Screen(blue)) {
            assertThat(OverlaySupport.initialize()).as("overlay: %s", OverlaySupport.unavailabilityCause()).isTrue();
            int pt = codec.defaultPayloadType();
            byte[] gstKey = key();
            VideoFlow.Params params = new VideoFlow.Params(codec, pt, pt, Crypto.AES_CM_128_HMAC_SHA1_80, key(), gstKey, false, true);
            MediaFlow.Io io = new SocketIo() {
                @Override
                public void send(byte[] buf, int off, int len) {
                    // receive-only here: our RTCP has nowhere to go (gst-launch's udpsink does not read)
                }
            };
            try (VideoOverlay overlay = VideoOverlay.attach(OverlayOptions.builder().parentWindow(screen.parentWindow())
                        .displayName(screen.display()).name("interop").build());
                 VideoFlow flow = new VideoFlow(params, EngineConfig.builder().build(), overlay, timer, io)) {
                Rect area = Rect.of(100, 80, 320, 240);
                overlay.setVideoArea(VideoArea.builder().area(area).screenSize(screen.width(), screen.height()).build());
                Thread rx = new Thread(() -> receiveLoop(flow, new InetSocketAddress[1]), "interop-rx");
                rx.setDaemon(true);
                rx.start();
                List<String> pipeline = new ArrayList<>(List.of("videotestsrc", "is-live=true", "pattern=smpte",
                        "!", "video/x-raw,format=I420,width=320,height=240,framerate=30/1", "!"));
                pipeline.addAll(gstSender(codec, pt));
                pipeline.addAll(List.of("!", "srtpenc", "key=" + HexFormat.of().formatHex(gstKey),
                        "!", "udpsink", "host=127.0.0.1", "port=" + Integer.toString(socket.getLocalPort())));
                Process sender = gstLaunch("sender", pipeline.toArray(String[]::new));
                awaitOrExplain(() -> flow.framesDecoded() >= 30 || !sender.isAlive(), "sender");
                assertThat(sender.isAlive()).as("gst-launch sender alive; log:%n%s", log("sender")).isTrue();
                // the overlay draws asynchronously: wait for the first bar, then check them all
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                        .until(() -> (screen.shot().getRGB(area.x() + 20, area.y() + 80) & 0xffffff) != blue);
                BufferedImage img = screen.shot();
                assertSmpteBars(img.getSubimage(area.x(), area.y(), area.width(), area.height()));
                for (int[] p : new int[][] {{99, 160}, {420, 160}, {260, 79}, {260, 320}, {5, 5}, {700, 500}}) {
                    assertThat(img.getRGB(p[0], p[1]) & 0xffffff).as("parent untouched at %d,%d", p[0], p[1]).isEqualTo(blue);
                }
            }
        }
    }

    /** A stock sender: a keyframe every second (no RTCP path back, so no PLI) and SPS/PPS in band. */
    private static List<String> gstSender(VideoCodec codec, int pt) {
        return codec == VideoCodec.VP8
                ? List.of("vp8enc", "deadline=1", "keyframe-max-dist=30", "!", "rtpvp8pay", "pt=" + pt, "mtu=1200")
                : List.of("openh264enc", "gop-size=30", "!", "rtph264pay", "pt=" + pt, "mtu=1200", "config-interval=-1");
    }

    private void receiveLoop(VideoFlow flow, InetSocketAddress[] peer) {
        byte[] buf = new byte[RtpPackets.MAX_PACKET + 100];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        while (!socket.isClosed()) {
            try {
                p.setLength(buf.length);
                socket.receive(p);
                peer[0] = (InetSocketAddress) p.getSocketAddress();
                flow.onPacket(p.getData(), p.getOffset(), p.getLength());
            } catch (IOException e) {
                return; // socket closed at the end of the test
            }
        }
    }

    /**
     * The 7 top bars of videotestsrc's SMPTE pattern (white, yellow, cyan, green, magenta, red,
     * blue; full intensity in GStreamer 1.22), sampled in the middle of each bar with room for the
     * codec's loss.
     */
    static void assertSmpteBars(BufferedImage img) {
        int[][] expected = {{255, 255, 255}, {255, 255, 0}, {0, 255, 255}, {0, 255, 0}, {255, 0, 255}, {255, 0, 0}, {0, 0, 255}};
        int y = img.getHeight() / 3;
        for (int i = 0; i < expected.length; i++) {
            int x = (int) ((i + 0.5) * img.getWidth() / 7.0);
            int rgb = img.getRGB(x, y);
            int[] got = {(rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff};
            for (int c = 0; c < 3; c++) {
                assertThat(Math.abs(got[c] - expected[i][c]))
                        .as("bar %d at (%d,%d): got rgb(%d,%d,%d), expected about rgb(%d,%d,%d)", i, x, y,
                                got[0], got[1], got[2], expected[i][0], expected[i][1], expected[i][2])
                        .isLessThan(40);
            }
        }
    }

    private static List<byte[]> readAll(Path dir) throws IOException {
        List<byte[]> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) out.add(Files.readAllBytes(p));
        }
        return out;
    }

    /** Frames written so far: multifilesink numbers them from 0 and keeps the last few. */
    private static int frameCount(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("f\\d{6}\\.png"))
                    .mapToInt(n -> Integer.parseInt(n.substring(1, 7)) + 1).max().orElse(0);
        }
    }

    /** The newest frame that is complete (the process may have been stopped while writing one). */
    private static BufferedImage lastReadableFrame(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".png")).sorted().toList();
        }
        for (int i = files.size() - 1; i >= 0; i--) {
            try {
                BufferedImage img = ImageIO.read(files.get(i).toFile());
                if (img != null) return img;
            } catch (IOException partial) {
                // try the one before
            }
        }
        throw new AssertionError("no decodable frame in " + files);
    }

    private void awaitOrExplain(java.util.concurrent.Callable<Boolean> done, String process) throws IOException {
        try {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(done);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("not done within 20 s; gst-launch " + process + " log:\n" + log(process), e);
        }
    }

    private Process gstLaunch(String name, String... pipeline) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("gst-launch-1.0", "-q"));
        cmd.addAll(List.of(pipeline));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("GST_DEBUG", "2"); // warnings, e.g. srtpdec's auth failures, into the log
        Process p = pb.redirectErrorStream(true)
                .redirectOutput(tmp.resolve(name + ".log").toFile()).start();
        processes.add(p);
        return p;
    }

    private String log(String name) throws IOException {
        Path f = tmp.resolve(name + ".log");
        return Files.exists(f) ? Files.readString(f) : "";
    }

    private static byte[] key() {
        byte[] k = new byte[Crypto.KEY_AND_SALT_BYTES];
        RANDOM.nextBytes(k);
        return k;
    }

    /** A port that was free a moment ago (gst-launch binds it itself). */
    private static int freeUdpPort() throws SocketException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return s.getLocalPort();
        }
    }

    private abstract static class SocketIo implements MediaFlow.Io {
        @Override
        public void dtmfReceived(String digit, int durationMs) {
        }

        @Override
        public void mediaError(String message) {
            throw new AssertionError("media error: " + message);
        }
    }
}
