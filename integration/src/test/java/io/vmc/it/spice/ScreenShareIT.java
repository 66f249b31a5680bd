package io.vmc.it.spice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.engine.EngineConfig;
import io.vmc.engine.ScreenShareConsent;
import io.vmc.engine.TestEngine;
import io.vmc.it.lab.SessionWindow;
import io.vmc.it.lab.Xvfb;
import io.vmc.overlay.OverlaySupport;
import io.vmc.port.spice.ScreenPicture;
import io.vmc.port.spice.SpiceClient;
import io.vmc.port.spice.SpiceOptions;
import io.vmc.port.spice.SpiceSession;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.GetStats;
import io.vmc.transport.proto.MediaKind;
import io.vmc.transport.proto.Rect;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import io.vmc.transport.proto.SetVideoGeometry;
import io.vmc.transport.proto.StartScreenShare;
import io.vmc.transport.proto.StopScreenShare;
import io.vmc.transport.proto.StreamStats;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A screen share from engine A, the SPICE client of a real QEMU guest, to engine B. The guest is a
 * 53-byte boot sector that draws four coloured quadrants in VGA mode 13h (SeaBIOS boots it in well
 * under a second, even under TCG): a known picture without a guest OS. B's video is drawn by A's
 * overlay over the guest's top-left quadrant of the SPICE window; the share must still show the
 * guest's red there (the SPICE display's pixels, not the window's). Denied first: A answers
 * PERMISSION_DENIED and sends no video packet. Then allowed: B draws the four quadrants in its own
 * window, checked pixel by pixel. Then stopped: A stops sending. The user's answer comes from a
 * scripted {@link ScreenShareConsent} here; the Swing prompt itself is driven with xdotool in
 * vmc-engine's ScreenSharePromptTest.
 */
@Timeout(300)
class ScreenShareIT {
    // VGA palette 4, 2, 1, 14 as QEMU shows them (6-bit DAC values times 4): top-left red,
    // top-right green, bottom-left blue, bottom-right yellow
    static final int RED = 0xA80000;
    static final int GREEN = 0x00A800;
    static final int BLUE = 0x0000A8;
    static final int YELLOW = 0xFFFF57;

    @Test
    void theGuestScreenReachesThePeerWithoutTheOverlayAndADenialSendsNothing(@TempDir Path dir) throws Exception {
        Prerequisites.require(true, "qemu-system-x86_64", "Xvfb", "import", "display", "xwininfo");
        Xvfb xvfb = Xvfb.shared();
        Path disk = Files.write(dir.resolve("quadrants.img"), quadrantsBootSector());
        try (SpiceQemu qemu = SpiceQemu.start(false, null, null,
                List.of("-drive", "file=" + disk + ",format=raw,if=ide"))) {
            SpiceSession session = SpiceClient.open(SpiceOptions.builder(qemu.uri()).x11Display(xvfb.display())
                    .title("VMC screen share").build(), new RecordingListener());
            try {
                await().atMost(Duration.ofSeconds(60)).until(session::isConnected);
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                        .until(() -> session.captureScreen(null).filter(ScreenShareIT::showsQuadrants).isPresent());
                ScreenPicture guest = session.captureScreen(null).orElseThrow();
                int gw = guest.screenWidth();
                int gh = guest.screenHeight();
                long xid = session.displayWindowId().orElseThrow();
                OverlaySupport.reclaimErrorHandler();

                ConcurrentLinkedQueue<Boolean> answers = new ConcurrentLinkedQueue<>();
                AtomicReference<ScreenShareConsent.Question> asked = new AtomicReference<>();
                ScreenShareConsent user = new ScreenShareConsent() {
                    @Override
                    public CompletableFuture<Boolean> ask(Question q) {
                        asked.set(q);
                        return CompletableFuture.completedFuture(answers.remove());
                    }

                    @Override
                    public AutoCloseable sharing(Question q, Runnable stop) {
                        return () -> { };
                    }
                };
                try (SessionWindow peerWindow = SessionWindow.open(xvfb.display(), "peer of the share", 0, 0, 640, 400,
                        0x808080, dir.resolve("peer-window.log"));
                     TestEngine ea = new TestEngine(440, Files.createDirectories(dir.resolve("a")), c -> c
                             .screenSource(session::captureScreen).screenShareConsent(user)
                             .overlayParentWindow(xid).overlayDisplay(xvfb.display()));
                     TestEngine eb = new TestEngine(880, Files.createDirectories(dir.resolve("b")), c -> c
                             .videoSource(EngineConfig.VideoSource.testPattern("white"))
                             .overlayParentWindow(peerWindow.id()).overlayDisplay(xvfb.display()))) {
                    String sa = ea.createSession(SessionOptions.newBuilder().setVideo(true).setScreenShare(true));
                    String sb = eb.createSession(SessionOptions.newBuilder().setVideo(true));
                    String offer = ea.offer(sa);
                    assertThat(offer).contains("a=content:slides");
                    ea.setAnswer(sa, eb.answer(sb, offer));
                    ea.awaitState(sa, SessionState.State.CONNECTED);
                    await().atMost(Duration.ofSeconds(30)).until(() -> video(ea, sa).getFramesDecoded() > 10);

                    // B's (white) video over the guest's red quadrant in A's SPICE window: on screen, not in the share
                    ea.ok(geometry(sa, Rect.newBuilder().setX(0).setY(0).setWidth(gw / 2).setHeight(gh / 2).build(), gw, gh));
                    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300))
                            .until(() -> countNear(SessionWindow.screenshot(xvfb.display(), xid), 0xFFFFFF) > 1000);

                    // denied: an error with the reason, and not one video packet
                    answers.add(false);
                    Response denied = ea.call(share(sa));
                    assertThat(denied.getError().getCode()).isEqualTo(Error.Code.PERMISSION_DENIED);
                    assertThat(denied.getError().getMessage()).contains("denied");
                    Thread.sleep(2000); // nothing may come: there is no event to await
                    assertThat(video(ea, sa).getPacketsSent()).isZero();
                    assertThat(asked.get().what()).contains("whole screen");
                    assertThat(asked.get().preview().rgb(gw / 4, gh / 4)).isEqualTo(RED);

                    // allowed: B shows the guest's quadrants, the top-left red, not the overlay's white
                    answers.add(true);
                    ea.ok(share(sa));
                    eb.ok(geometry(sb, Rect.newBuilder().setX(0).setY(0).setWidth(640).setHeight(400).build(), 640, 400));
                    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                        BufferedImage img = peerWindow.screenshot();
                        assertThat(near(img.getRGB(160, 100), RED)).as("top-left red, was %06x", img.getRGB(160, 100) & 0xffffff).isTrue();
                        assertThat(near(img.getRGB(480, 100), GREEN)).as("top-right green, was %06x", img.getRGB(480, 100) & 0xffffff).isTrue();
                        assertThat(near(img.getRGB(160, 300), BLUE)).as("bottom-left blue, was %06x", img.getRGB(160, 300) & 0xffffff).isTrue();
                        assertThat(near(img.getRGB(480, 300), YELLOW)).as("bottom-right yellow, was %06x", img.getRGB(480, 300) & 0xffffff).isTrue();
                        assertThat(countNear(img, 0xFFFFFF)).as("no overlay white in the share").isLessThan(50);
                    });

                    // a second start while sharing is refused; stop: no more packets
                    assertThat(ea.call(share(sa)).getError().getCode()).isEqualTo(Error.Code.FAILED_PRECONDITION);
                    ea.ok(Request.newBuilder().setStopScreenShare(StopScreenShare.newBuilder().setSessionId(sa)));
                    Thread.sleep(1000);
                    long sent = video(ea, sa).getPacketsSent();
                    Thread.sleep(2000);
                    assertThat(video(ea, sa).getPacketsSent()).isEqualTo(sent);
                    assertThat(ea.lastState(sa)).isEqualTo(SessionState.State.CONNECTED);
                }
            } finally {
                session.close();
            }
        }
    }

    private static Request.Builder share(String sid) {
        return Request.newBuilder().setStartScreenShare(StartScreenShare.newBuilder().setSessionId(sid).setMaxFps(5));
    }

    private static Request.Builder geometry(String sid, Rect area, int gw, int gh) {
        return Request.newBuilder().setSetVideoGeometry(SetVideoGeometry.newBuilder().setSessionId(sid).setMappingId(1)
                .setArea(area).setVisibleAll(true).setScreenWidth(gw).setScreenHeight(gh));
    }

    private static StreamStats video(TestEngine e, String sid) {
        return e.ok(Request.newBuilder().setGetStats(GetStats.newBuilder().setSessionId(sid))).getStats()
                .getStreamsList().stream().filter(s -> s.getKind() == MediaKind.VIDEO).findFirst().orElse(StreamStats.getDefaultInstance());
    }

    static boolean showsQuadrants(ScreenPicture p) {
        int w = p.width();
        int h = p.height();
        return near(p.rgb(w / 4, h / 4), RED) && near(p.rgb(3 * w / 4, h / 4), GREEN)
                && near(p.rgb(w / 4, 3 * h / 4), BLUE) && near(p.rgb(3 * w / 4, 3 * h / 4), YELLOW);
    }

    /** Within what VP8 and two colour conversions do to a flat colour. */
    static boolean near(int argb, int rgb) {
        for (int shift = 0; shift <= 16; shift += 8) {
            if (Math.abs((argb >> shift & 0xff) - (rgb >> shift & 0xff)) > 40) return false;
        }
        return true;
    }

    static int countNear(BufferedImage img, int rgb) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                if (near(img.getRGB(x, y), rgb)) n++;
            }
        }
        return n;
    }

    /**
     * A boot sector: VGA mode 13h (320x200, 256 colours), rows 0-99 of colour 4 then 2, rows
     * 100-199 of colour 1 then 14 (160 pixels each), then halt; padded to a 1 MiB disk.
     */
    static byte[] quadrantsBootSector() {
        int[] code = {
            0xB8, 0x13, 0x00,       // mov ax,0x0013
            0xCD, 0x10,             // int 0x10: set mode 13h
            0xB8, 0x00, 0xA0,       // mov ax,0xA000
            0x8E, 0xC0,             // mov es,ax
            0x31, 0xFF,             // xor di,di
            0xFC,                   // cld
            0x31, 0xD2,             // xor dx,dx          ; row
            0xB0, 0x04,             // row: mov al,4      ; red
            0x83, 0xFA, 0x64,       // cmp dx,100
            0x72, 0x02,             // jb +2
            0xB0, 0x01,             // mov al,1           ; blue
            0xB9, 0xA0, 0x00,       // mov cx,160
            0xF3, 0xAA,             // rep stosb
            0xB0, 0x02,             // mov al,2           ; green
            0x83, 0xFA, 0x64,       // cmp dx,100
            0x72, 0x02,             // jb +2
            0xB0, 0x0E,             // mov al,14          ; yellow
            0xB9, 0xA0, 0x00,       // mov cx,160
            0xF3, 0xAA,             // rep stosb
            0x42,                   // inc dx
            0x81, 0xFA, 0xC8, 0x00, // cmp dx,200
            0x72, 0xDD,             // jb row
            0xF4,                   // hlt
            0xEB, 0xFD,             // jmp hlt
        };
        byte[] sector = new byte[1 << 20]; // SeaBIOS could not read a disk of one sector
        for (int i = 0; i < code.length; i++) sector[i] = (byte) code[i];
        sector[510] = 0x55;
        sector[511] = (byte) 0xAA;
        return sector;
    }
}
