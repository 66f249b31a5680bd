package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.Rect;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import io.vmc.transport.proto.SetVideoGeometry;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Under a private Xvfb: engine A has an overlay parent window (a plain blue X window), engine B
 * sends {@code videotestsrc pattern=red}; A's SetVideoGeometry puts red exactly inside the mapped
 * rectangle with the blue parent untouched around it; clear removes it; hostile geometry is refused.
 */
class VideoOverlayCallTest {
    private static final int W = 800;
    private static final int H = 600;
    private static final int BLUE = 0x0000ff;

    @TempDir Path dirA;
    @TempDir Path dirB;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void remoteVideoIsDrawnExactlyInTheMappedRectangle() throws Exception {
        Tools.require("Xvfb");
        Tools.require("import");
        try (XServer x = XServer.start(); ParentWindow parent = new ParentWindow(x.display, W, H, BLUE);
             TestEngine a = new TestEngine(440, dirA, c -> c.overlayParentWindow(parent.id()).overlayDisplay(x.display));
             TestEngine b = new TestEngine(880, dirB, c -> c.videoSource(EngineConfig.VideoSource.testPattern("red")))) {
            String sa = a.createSession(SessionOptions.newBuilder().setVideo(true));
            String sb = b.createSession(SessionOptions.newBuilder().setVideo(true));
            a.setAnswer(sa, b.answer(sb, a.offer(sa)));
            a.awaitState(sa, SessionState.State.CONNECTED);
            await().atMost(Duration.ofSeconds(20)).until(() -> VideoCallTest.video(a, sa).getFramesDecoded() > 10);

            // the parent has the guest screen's size: FIT maps 1:1, so the guest rectangle is the window rectangle
            Rect area = Rect.newBuilder().setX(100).setY(80).setWidth(320).setHeight(240).build();
            a.ok(req(geometry(sa).setArea(area).setVisibleAll(true).setScreenWidth(W).setScreenHeight(H)));
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                    .until(() -> isRed(shot(x.display).getRGB(260, 200)));
            BufferedImage img = shot(x.display);
            for (int[] p : new int[][] {{100, 80}, {419, 80}, {100, 319}, {419, 319}, {260, 200}}) {
                assertThat(isRed(img.getRGB(p[0], p[1]))).as("red at %d,%d: %06x", p[0], p[1], img.getRGB(p[0], p[1]) & 0xffffff).isTrue();
            }
            for (int[] p : new int[][] {{99, 200}, {420, 200}, {260, 79}, {260, 320}, {5, 5}, {700, 500}}) {
                assertThat(img.getRGB(p[0], p[1]) & 0xffffff).as("untouched at %d,%d", p[0], p[1]).isEqualTo(BLUE);
            }

            // hostile values from the guest are refused at the boundary; the overlay keeps drawing
            Response r = a.call(req(geometry(sa).setArea(area.toBuilder().setX(-1_000_000)).setVisibleAll(true).setScreenWidth(W).setScreenHeight(H)));
            assertThat(r.getError().getCode()).isEqualTo(Error.Code.INVALID_ARGUMENT);
            r = a.call(req(geometry(sa).setArea(area.toBuilder().setWidth(-1)).setVisibleAll(true).setScreenWidth(W).setScreenHeight(H)));
            assertThat(r.getError().getCode()).isEqualTo(Error.Code.INVALID_ARGUMENT);
            SetVideoGeometry.Builder many = geometry(sa).setArea(area).setScreenWidth(W).setScreenHeight(H);
            for (int i = 0; i < 5000; i++) many.addVisible(Rect.newBuilder().setX(i % 800).setY(i % 600).setWidth(1).setHeight(1));
            assertThat(a.call(req(many)).getError().getCode()).isEqualTo(Error.Code.INVALID_ARGUMENT);
            assertThat(a.call(req(geometry(sa).setArea(area).setScreenWidth(0).setScreenHeight(H))).getError().getCode())
                    .isEqualTo(Error.Code.INVALID_ARGUMENT);
            assertThat(isRed(shot(x.display).getRGB(260, 200))).isTrue();

            // clear: the parent shows through again
            a.ok(req(geometry(sa).setClear(true)));
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                    .until(() -> (shot(x.display).getRGB(260, 200) & 0xffffff) == BLUE);

            a.close(sa);
            b.close(sb);
        }
    }

    private static SetVideoGeometry.Builder geometry(String sid) {
        return SetVideoGeometry.newBuilder().setSessionId(sid).setMappingId(1);
    }

    private static Request.Builder req(SetVideoGeometry.Builder b) {
        return Request.newBuilder().setSetVideoGeometry(b);
    }

    static boolean isRed(int argb) {
        int rgb = argb & 0xffffff;
        return (rgb >> 16 & 0xff) > 200 && (rgb >> 8 & 0xff) < 60 && (rgb & 0xff) < 60;
    }

    static BufferedImage shot(String display) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("import", "-display", display, "-window", "root", "png:-")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] png = p.getInputStream().readAllBytes();
        if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("import failed");
        return ImageIO.read(new ByteArrayInputStream(png));
    }

    /** A private Xvfb on a free display number; {@code -displayfd} says when it accepts connections. */
    static final class XServer implements AutoCloseable {
        final Process process;
        final String display;

        private XServer(Process process, String display) {
            this.process = process;
            this.display = display;
        }

        static XServer start() throws IOException {
            int first = 300 + java.util.concurrent.ThreadLocalRandom.current().nextInt(600);
            for (int n = first; n < first + 50; n++) {
                if (new java.io.File("/tmp/.X" + n + "-lock").exists() || new java.io.File("/tmp/.X11-unix/X" + n).exists()) continue;
                Process p = new ProcessBuilder("Xvfb", ":" + n, "-displayfd", "1", "-screen", "0", W + "x" + H + "x24",
                        "-nolisten", "tcp").redirectError(ProcessBuilder.Redirect.DISCARD).start();
                String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII)).readLine();
                if (line != null && !line.isBlank() && p.isAlive()) return new XServer(p, ":" + line.trim());
                p.destroyForcibly();
            }
            throw new IOException("no free X display number from :" + first);
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** The few Xlib calls the test needs (its own binding: the overlay's nativeapi package is internal). */
    interface X11 extends com.sun.jna.Library {
        X11 INSTANCE = com.sun.jna.Native.load("X11", X11.class);

        Pointer XOpenDisplay(String name);

        NativeLong XDefaultRootWindow(Pointer display);

        NativeLong XCreateSimpleWindow(Pointer display, NativeLong parent, int x, int y, int width, int height,
                                       int borderWidth, NativeLong border, NativeLong background);

        int XMapWindow(Pointer display, NativeLong window);

        int XSync(Pointer display, int discard);

        int XDestroyWindow(Pointer display, NativeLong window);

        int XCloseDisplay(Pointer display);
    }

    /** A plain top-level window at 0,0 with a solid background, standing in for the session window. */
    static final class ParentWindow implements AutoCloseable {
        private final Pointer display;
        private final NativeLong window;

        ParentWindow(String displayName, int width, int height, int background) {
            Pointer d = null;
            for (int i = 0; d == null && i < 20; i++) d = X11.INSTANCE.XOpenDisplay(displayName);
            if (d == null) throw new IllegalStateException("cannot open " + displayName);
            display = d;
            window = X11.INSTANCE.XCreateSimpleWindow(display, X11.INSTANCE.XDefaultRootWindow(display), 0, 0, width, height,
                    0, new NativeLong(0), new NativeLong(background));
            X11.INSTANCE.XMapWindow(display, window);
            X11.INSTANCE.XSync(display, 0);
        }

        long id() {
            return window.longValue();
        }

        @Override
        public void close() {
            X11.INSTANCE.XDestroyWindow(display, window);
            X11.INSTANCE.XCloseDisplay(display);
        }
    }
}
