package io.vmc.it.spice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.it.lab.Xvfb;
import io.vmc.port.spice.SpiceClient;
import io.vmc.port.spice.SpiceOptions;
import io.vmc.port.spice.SpiceSession;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The display window under Xvfb: it shows what QEMU shows (its own {@code screendump} over QMP),
 * has the title, follows a resize with scaling, F11 toggles fullscreen, and closing it (the
 * window manager's WM_DELETE_WINDOW) closes the session.
 */
@Timeout(180)
class SpiceDisplayIT {
    static Xvfb xvfb;
    static SpiceQemu qemu;
    static SpiceSession session;
    static final RecordingListener EVENTS = new RecordingListener();

    @BeforeAll
    static void start() throws Exception {
        Prerequisites.require(true, "qemu-system-x86_64", "Xvfb", "xdotool", "import", "xwininfo");
        xvfb = Xvfb.shared();
        qemu = SpiceQemu.start(true, null);
        session = SpiceClient.open(SpiceOptions.builder(qemu.uri()).x11Display(xvfb.display())
                .title("VMC display test").build(), EVENTS);
        await().atMost(Duration.ofSeconds(60)).until(session::isConnected);
    }

    @AfterAll
    static void stop() {
        if (session != null) {
            session.close();
        }
        if (qemu != null) {
            qemu.close();
        }
        // The shared Xvfb stays until the test JVM ends (see Xvfb).
    }

    @Test
    void theWindowShowsTheGuestScreenAndCanBeResizedAndMadeFullscreen() throws Exception {
        long xid = session.displayWindowId().orElseThrow();
        assertThat(xvfb.run("xdotool", "search", "--name", "VMC display test").lines().map(Long::parseLong))
                .contains(xid);

        AtomicReference<Double> last = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    last.set(similarityNow(xid));
                    assertThat(last.get()).isGreaterThan(0.9);
                });
        System.out.println("window vs screendump correlation: " + last.get());

        xvfb.run("xdotool", "windowsize", Long.toString(xid), "800", "500");
        await().atMost(Duration.ofSeconds(30)).until(() -> geometry(xvfb, xid)[0] == 800);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(similarityNow(xid)).isGreaterThan(0.9));

        xvfb.run("xdotool", "windowfocus", "--sync", Long.toString(xid));
        xvfb.run("xdotool", "key", "F11");
        // Xvfb has no window manager to carry out the fullscreen request: check that F11 reached the window.
        await().atMost(Duration.ofSeconds(30)).until(session::isFullscreen);
        xvfb.run("xdotool", "key", "F11");
        await().atMost(Duration.ofSeconds(30)).until(() -> !session.isFullscreen());
    }

    @Test
    void closingTheWindowClosesTheSession() throws Exception {
        RecordingListener events = new RecordingListener();
        // Its own VM: a second client of the class's VM would take that session over.
        try (SpiceQemu own = SpiceQemu.start(true, null)) {
            SpiceSession second = SpiceClient.open(SpiceOptions.builder(own.uri()).x11Display(xvfb.display())
                    .title("VMC close test").build(), events);
            try {
            await().atMost(Duration.ofSeconds(60)).until(second::isConnected);
            long xid = second.displayWindowId().orElseThrow();
            // What a window manager sends when the user clicks the close button.
            X11.deleteWindow(xvfb.display(), xid);
            await().atMost(Duration.ofSeconds(30)).until(() -> events.events.contains("windowClosed"));
            await().atMost(Duration.ofSeconds(30)).until(() -> second.displayWindowId().isEmpty());
            assertThat(second.isConnected()).isFalse();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> second.portChannel(SpiceClient.VMC_PORT_NAME))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("is closed");
            } finally {
                second.close();
            }
        }
    }

    /** The few Xlib calls to send WM_DELETE_WINDOW (xdotool 3.20160805 cannot). */
    interface X11 extends com.sun.jna.Library {
        X11 LIB = com.sun.jna.Native.load("libX11.so.6", X11.class);
        int CLIENT_MESSAGE = 33;

        com.sun.jna.Pointer XOpenDisplay(String name);

        com.sun.jna.NativeLong XInternAtom(com.sun.jna.Pointer dpy, String name, int onlyIfExists);

        int XSendEvent(com.sun.jna.Pointer dpy, com.sun.jna.NativeLong w, int propagate, com.sun.jna.NativeLong mask,
                com.sun.jna.Pointer event);

        int XFlush(com.sun.jna.Pointer dpy);

        int XCloseDisplay(com.sun.jna.Pointer dpy);

        static void deleteWindow(String display, long xid) {
            com.sun.jna.Pointer dpy = LIB.XOpenDisplay(display);
            assertThat(dpy).as("XOpenDisplay(%s)", display).isNotNull();
            try {
                // XClientMessageEvent on LP64: type@0 serial@8 send_event@16 display@24 window@32
                // message_type@40 format@48 data.l[5]@56; the XEvent union is 192 bytes.
                com.sun.jna.Memory ev = new com.sun.jna.Memory(192);
                ev.clear();
                ev.setInt(0, CLIENT_MESSAGE);
                ev.setInt(16, 1);
                ev.setPointer(24, dpy);
                ev.setLong(32, xid);
                ev.setLong(40, LIB.XInternAtom(dpy, "WM_PROTOCOLS", 0).longValue());
                ev.setInt(48, 32);
                ev.setLong(56, LIB.XInternAtom(dpy, "WM_DELETE_WINDOW", 0).longValue());
                assertThat(LIB.XSendEvent(dpy, new com.sun.jna.NativeLong(xid), 0, new com.sun.jna.NativeLong(0), ev))
                        .isNotZero();
                LIB.XFlush(dpy);
            } finally {
                LIB.XCloseDisplay(dpy);
            }
        }
    }

    /** Width and height of the window, from xwininfo. */
    static int[] geometry(Xvfb x, long xid) throws IOException, InterruptedException {
        String info = x.run("xwininfo", "-id", Long.toString(xid));
        int w = Integer.parseInt(info.replaceAll("(?s).*Width: (\\d+).*", "$1"));
        int h = Integer.parseInt(info.replaceAll("(?s).*Height: (\\d+).*", "$1"));
        return new int[] {w, h};
    }

    /** Correlation of block luminance between QEMU's screendump and the window, scaled to fit. */
    private static double similarityNow(long xid) throws Exception {
        BufferedImage guest = readPpm(qemu.screendump());
        Path shot = qemu.dir().resolve("window-" + System.nanoTime() + ".png");
        xvfb.run("import", "-window", Long.toString(xid), shot.toString());
        BufferedImage window = ImageIO.read(shot.toFile());
        return similarity(guest, window);
    }

    static double similarity(BufferedImage guest, BufferedImage window) {
        int gw = guest.getWidth();
        int gh = guest.getHeight();
        double s = Math.min((double) window.getWidth() / gw, (double) window.getHeight() / gh);
        double ox = (window.getWidth() - gw * s) / 2;
        double oy = (window.getHeight() - gh * s) / 2;
        int block = 8;
        int bx = gw / block;
        int by = gh / block;
        double[] a = new double[bx * by];
        double[] b = new double[bx * by];
        for (int j = 0; j < by; j++) {
            for (int i = 0; i < bx; i++) {
                double sa = 0;
                double sb = 0;
                int n = 0;
                for (int y = j * block; y < (j + 1) * block; y += 2) {
                    for (int x = i * block; x < (i + 1) * block; x += 2) {
                        sa += luma(guest.getRGB(x, y));
                        int wx = (int) Math.min(window.getWidth() - 1, ox + (x + 0.5) * s);
                        int wy = (int) Math.min(window.getHeight() - 1, oy + (y + 0.5) * s);
                        sb += luma(window.getRGB(wx, wy));
                        n++;
                    }
                }
                a[j * bx + i] = sa / n;
                b[j * bx + i] = sb / n;
            }
        }
        return correlation(a, b);
    }

    private static double luma(int rgb) {
        return 0.299 * ((rgb >> 16) & 0xff) + 0.587 * ((rgb >> 8) & 0xff) + 0.114 * (rgb & 0xff);
    }

    private static double correlation(double[] a, double[] b) {
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < a.length; i++) {
            ma += a[i];
            mb += b[i];
        }
        ma /= a.length;
        mb /= b.length;
        double cov = 0;
        double va = 0;
        double vb = 0;
        for (int i = 0; i < a.length; i++) {
            cov += (a[i] - ma) * (b[i] - mb);
            va += (a[i] - ma) * (a[i] - ma);
            vb += (b[i] - mb) * (b[i] - mb);
        }
        return va == 0 || vb == 0 ? 0 : cov / Math.sqrt(va * vb);
    }

    /** Reads a binary PPM (P6, maxval 255), which is what QEMU's screendump writes. */
    static BufferedImage readPpm(Path file) throws IOException {
        byte[] data = Files.readAllBytes(file);
        InputStream in = new ByteArrayInputStream(data);
        String magic = token(in);
        if (!magic.equals("P6")) {
            throw new IOException("not a P6 PPM: " + magic);
        }
        int w = Integer.parseInt(token(in));
        int h = Integer.parseInt(token(in));
        int max = Integer.parseInt(token(in));
        if (max != 255) {
            throw new IOException("unsupported PPM maxval " + max);
        }
        int off = data.length - in.available();
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = off + 3 * (y * w + x);
                img.setRGB(x, y, ((data[p] & 0xff) << 16) | ((data[p + 1] & 0xff) << 8) | (data[p + 2] & 0xff));
            }
        }
        return img;
    }

    private static String token(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '#') {
                while ((c = in.read()) != -1 && c != '\n') {
                    // comment
                }
                continue;
            }
            if (Character.isWhitespace(c)) {
                if (sb.length() > 0) {
                    break;
                }
                continue;
            }
            sb.append((char) c);
        }
        return sb.toString();
    }
}
