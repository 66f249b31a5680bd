package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.engine.VideoOverlayCallTest.ParentWindow;
import io.vmc.engine.VideoOverlayCallTest.XServer;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.Rect;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import io.vmc.transport.proto.SetVideoGeometry;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Under a private Xvfb: engine A sends green and receives B's red. With the remote video mapped
 * and a self view mapped (SetVideoGeometry self_view=true), a screenshot shows red at the remote
 * rectangle and green at the self-view rectangle at once, the blue parent elsewhere; the self view
 * follows a move, clearing it leaves the remote video alone, and closing the call removes both.
 */
class SelfViewCallTest {
    private static final int W = 800;
    private static final int H = 600;
    private static final int BLUE = 0x0000ff;
    private static final Rect REMOTE = Rect.newBuilder().setX(60).setY(60).setWidth(320).setHeight(240).build();
    private static final Rect SELF = Rect.newBuilder().setX(480).setY(360).setWidth(240).setHeight(180).build();
    private static final Rect SELF_MOVED = Rect.newBuilder().setX(480).setY(60).setWidth(160).setHeight(120).build();

    @TempDir Path dirA;
    @TempDir Path dirB;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void selfViewShowsWhatIsSentBesideTheRemoteVideo() throws Exception {
        Tools.require("Xvfb");
        Tools.require("import");
        try (XServer x = XServer.start(); ParentWindow parent = new ParentWindow(x.display, W, H, BLUE);
             TestEngine a = new TestEngine(440, dirA, c -> c.overlayParentWindow(parent.id()).overlayDisplay(x.display)
                     .videoSource(EngineConfig.VideoSource.testPattern("green")));
             TestEngine b = new TestEngine(880, dirB, c -> c.videoSource(EngineConfig.VideoSource.testPattern("red")))) {
            String sa = a.createSession(SessionOptions.newBuilder().setVideo(true));
            String sb = b.createSession(SessionOptions.newBuilder().setVideo(true));
            // asked before the call is up: kept and shown once the sender runs
            a.ok(req(geometry(sa, 2, SELF).setSelfView(true)));
            a.setAnswer(sa, b.answer(sb, a.offer(sa)));
            a.awaitState(sa, SessionState.State.CONNECTED);
            await().atMost(Duration.ofSeconds(20)).until(() -> VideoCallTest.video(a, sa).getFramesDecoded() > 10);
            a.ok(req(geometry(sa, 1, REMOTE)));

            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(300)).until(() -> {
                BufferedImage img = VideoOverlayCallTest.shot(x.display);
                return isRed(img.getRGB(220, 180)) && isGreen(img.getRGB(600, 450));
            });
            BufferedImage img = VideoOverlayCallTest.shot(x.display);
            assertInside(img, REMOTE, SelfViewCallTest::isRed, "remote red");
            assertInside(img, SELF, SelfViewCallTest::isGreen, "self view green");
            for (int[] p : new int[][] {{5, 5}, {59, 180}, {381, 180}, {479, 450}, {721, 450}, {600, 359}, {600, 541}, {790, 590}}) {
                assertThat(img.getRGB(p[0], p[1]) & 0xffffff).as("untouched at %d,%d", p[0], p[1]).isEqualTo(BLUE);
            }
            // what is shown is what is sent: B decodes A's green
            assertThat(VideoCallTest.video(b, sb).getFramesDecoded()).isPositive();

            // the self view follows a move
            a.ok(req(geometry(sa, 2, SELF_MOVED).setSelfView(true)));
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(300)).until(() -> {
                BufferedImage i = VideoOverlayCallTest.shot(x.display);
                return isGreen(i.getRGB(560, 120)) && (i.getRGB(600, 450) & 0xffffff) == BLUE;
            });
            assertInside(VideoOverlayCallTest.shot(x.display), SELF_MOVED, SelfViewCallTest::isGreen, "moved self view");

            // clearing mapping 2 (a plain clear, as MediaSession.clearVideoArea sends it) removes only the self view
            a.ok(req(SetVideoGeometry.newBuilder().setSessionId(sa).setMappingId(2).setClear(true)));
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(300))
                    .until(() -> (VideoOverlayCallTest.shot(x.display).getRGB(560, 120) & 0xffffff) == BLUE);
            img = VideoOverlayCallTest.shot(x.display);
            assertInside(img, REMOTE, SelfViewCallTest::isRed, "remote red after self view clear");
            assertThat(VideoCallTest.video(a, sa).getPacketsSent()).as("sending goes on").isPositive();

            // hostile mapping ids are refused at the boundary
            Response r = a.call(req(geometry(sa, 70000, SELF).setSelfView(true)));
            assertThat(r.getError().getCode()).isEqualTo(Error.Code.INVALID_ARGUMENT);
            assertThat(r.getError().getMessage()).contains("mapping_id 70000");

            // shown again, then the call ends: both overlays go with it
            a.ok(req(geometry(sa, 2, SELF).setSelfView(true)));
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(300))
                    .until(() -> isGreen(VideoOverlayCallTest.shot(x.display).getRGB(600, 450)));
            a.close(sa);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(300)).until(() -> {
                BufferedImage i = VideoOverlayCallTest.shot(x.display);
                return (i.getRGB(600, 450) & 0xffffff) == BLUE && (i.getRGB(220, 180) & 0xffffff) == BLUE;
            });
            b.close(sb);
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void selfViewOfACameraAppearsOnlyOnceTheUserAllowsIt() throws Exception {
        Tools.require("Xvfb");
        Tools.require("import");
        CameraConsentCallTest.ScriptedConsent consent = new CameraConsentCallTest.ScriptedConsent(null);
        try (XServer x = XServer.start(); ParentWindow parent = new ParentWindow(x.display, W, H, BLUE);
             TestEngine a = new TestEngine(440, dirA, c -> c.overlayParentWindow(parent.id()).overlayDisplay(x.display)
                     .videoSource(EngineConfig.VideoSource.simulatedCamera("green"))
                     .cameraPolicy(EngineConfig.CameraPolicy.ASK).cameraConsent(consent));
             TestEngine b = new TestEngine(880, dirB, c -> c.videoSource(EngineConfig.VideoSource.testPattern("red")))) {
            String sa = a.createSession(SessionOptions.newBuilder().setVideo(true));
            String sb = b.createSession(SessionOptions.newBuilder().setVideo(true));
            a.setAnswer(sa, b.answer(sb, a.offer(sa)));
            a.awaitState(sa, SessionState.State.CONNECTED);
            a.ok(req(geometry(sa, 1, REMOTE)));
            a.ok(req(geometry(sa, 2, SELF).setSelfView(true))); // accepted while the question is open
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300))
                    .until(() -> isRed(VideoOverlayCallTest.shot(x.display).getRGB(220, 180)));
            // the remote video plays; the self view stays empty: the camera is not open
            assertThat(VideoOverlayCallTest.shot(x.display).getRGB(600, 450) & 0xffffff).isEqualTo(BLUE);
            assertThat(VideoCallTest.video(a, sa).getPacketsSent()).isZero();

            consent.answers.get(0).complete(CameraConsent.Answer.ALLOW);
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(300))
                    .until(() -> isGreen(VideoOverlayCallTest.shot(x.display).getRGB(600, 450)));
            assertInside(VideoOverlayCallTest.shot(x.display), SELF, SelfViewCallTest::isGreen, "self view after Allow");
            a.close(sa);
            b.close(sb);
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void selfViewNeedsAVideoSessionThatSends() {
        try (TestEngine a = new TestEngine(440, dirA, c -> c.videoSource(EngineConfig.VideoSource.camera(null))
                .cameraPolicy(EngineConfig.CameraPolicy.DENY));
             TestEngine plain = new TestEngine(440, dirB)) {
            String denied = a.createSession(SessionOptions.newBuilder().setVideo(true));
            Response r = a.call(req(geometry(denied, 2, SELF).setSelfView(true)));
            assertThat(r.getError().getCode()).isEqualTo(Error.Code.PERMISSION_DENIED);
            assertThat(r.getError().getMessage()).contains("no self view", "camera use denied by policy");
            String audio = plain.createSession(SessionOptions.newBuilder());
            r = plain.call(req(geometry(audio, 2, SELF).setSelfView(true)));
            assertThat(r.getError().getCode()).isEqualTo(Error.Code.FAILED_PRECONDITION);
            assertThat(r.getError().getMessage()).contains("no self view: this session has no video");
            String video = plain.createSession(SessionOptions.newBuilder().setVideo(true));
            r = plain.call(req(geometry(video, 2, SELF).setSelfView(true)));
            assertThat(r.getError().getMessage()).contains("no overlay window");
        }
    }

    private static void assertInside(BufferedImage img, Rect r, java.util.function.IntPredicate colour, String what) {
        int x0 = r.getX();
        int y0 = r.getY();
        int x1 = r.getX() + r.getWidth() - 1;
        int y1 = r.getY() + r.getHeight() - 1;
        for (int[] p : new int[][] {{x0, y0}, {x1, y0}, {x0, y1}, {x1, y1}, {(x0 + x1) / 2, (y0 + y1) / 2}}) {
            assertThat(colour.test(img.getRGB(p[0], p[1]))).as("%s at %d,%d: %06x", what, p[0], p[1], img.getRGB(p[0], p[1]) & 0xffffff).isTrue();
        }
    }

    private static SetVideoGeometry.Builder geometry(String sid, int mapping, Rect area) {
        return SetVideoGeometry.newBuilder().setSessionId(sid).setMappingId(mapping).setArea(area)
                .setVisibleAll(true).setScreenWidth(W).setScreenHeight(H);
    }

    private static Request.Builder req(SetVideoGeometry.Builder b) {
        return Request.newBuilder().setSetVideoGeometry(b);
    }

    static boolean isRed(int argb) {
        return VideoOverlayCallTest.isRed(argb);
    }

    static boolean isGreen(int argb) {
        int rgb = argb & 0xffffff;
        return (rgb >> 16 & 0xff) < 60 && (rgb >> 8 & 0xff) > 200 && (rgb & 0xff) < 60;
    }
}
