package io.vmc.it.lab;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

/**
 * A plain top-level X11 window of one solid colour that stands for a SPICE session window when
 * there is no real VM desktop: the engine's overlay draws the remote video into a child of it.
 * ImageMagick's {@code display} shows it (a tiny X client, so no native code here); the same
 * package's {@code import} takes the screenshots.
 */
public final class SessionWindow implements AutoCloseable {
    private static final Pattern WINDOW_ID = Pattern.compile("Window id: (0x[0-9a-fA-F]+)");
    private static final Pattern ABSOLUTE_X = Pattern.compile("Absolute upper-left X: +(-?\\d+)");
    private static final Pattern ABSOLUTE_Y = Pattern.compile("Absolute upper-left Y: +(-?\\d+)");
    private static final Pattern BORDER = Pattern.compile("Border width: +(\\d+)");
    private static final Pattern WIDTH = Pattern.compile("Width: +(\\d+)");
    private static final Pattern HEIGHT = Pattern.compile("Height: +(\\d+)");

    private final String display;
    private final Process process;
    private final long id;

    private SessionWindow(String display, Process process, long id) {
        this.display = display;
        this.process = process;
        this.id = id;
    }

    /**
     * Opens a {@code width x height} window titled {@code title} at {@code x,y} (a window manager
     * may place it elsewhere) filled with {@code rgb}, and waits until it is mapped.
     */
    public static SessionWindow open(String display, String title, int x, int y, int width, int height, int rgb,
            Path log) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("display", "-title", title, "-geometry", "+" + x + "+" + y,
                "-size", width + "x" + height, String.format(Locale.ROOT, "xc:#%06x", rgb & 0xffffff))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("DISPLAY", display);
        Process p = pb.start();
        p.getOutputStream().close();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (true) {
                if (!p.isAlive()) {
                    throw new IOException("display (ImageMagick) ended with " + p.exitValue() + "; see " + log);
                }
                String info = xwininfo(display, "-name", title);
                if (info != null && info.contains("IsViewable")) {
                    Matcher m = WINDOW_ID.matcher(info);
                    if (m.find()) {
                        return new SessionWindow(display, p, Long.decode(m.group(1)));
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("window '" + title + "' did not appear on " + display + " within 20 s");
                }
                TimeUnit.MILLISECONDS.sleep(100);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            p.destroyForcibly();
            throw e;
        }
    }

    /** The X11 window id, for {@code vmc engine --overlay-window}. */
    public long id() {
        return id;
    }

    public String display() {
        return display;
    }

    /**
     * The window as the user sees it: a crop of the whole screen, because a shot of the window
     * alone leaves out the overlay's child window, which has its own contents.
     */
    public BufferedImage screenshot() throws IOException, InterruptedException {
        return screenshot(display, id);
    }

    /** The same for any window on {@code display}, e.g. a SPICE viewer's, by its X11 id. */
    public static BufferedImage screenshot(String display, long windowId) throws IOException, InterruptedException {
        String info = xwininfo(display, "-id", Long.toString(windowId));
        if (info == null) {
            throw new IOException("window " + windowId + " is gone from " + display);
        }
        // xwininfo's position is the border's outer corner; the window's own pixels start inside it
        int border = number(BORDER, info);
        int x = Math.max(0, number(ABSOLUTE_X, info) + border);
        int y = Math.max(0, number(ABSOLUTE_Y, info) + border);
        ProcessBuilder pb = new ProcessBuilder("import", "-window", "root", "png:-")
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("DISPLAY", display);
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] png = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("import -window root failed on " + display);
        }
        BufferedImage root = ImageIO.read(new ByteArrayInputStream(png));
        return root.getSubimage(x, y, Math.min(number(WIDTH, info), root.getWidth() - x),
                Math.min(number(HEIGHT, info), root.getHeight() - y));
    }

    private static int number(Pattern p, String info) throws IOException {
        Matcher m = p.matcher(info);
        if (!m.find()) {
            throw new IOException("xwininfo did not say " + p.pattern() + ": " + info);
        }
        return Integer.parseInt(m.group(1));
    }

    /** xwininfo's report, or null when the window is not (yet) there. */
    private static String xwininfo(String display, String... selector) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("xwininfo"));
        command.addAll(List.of(selector));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("DISPLAY", display);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return null;
        }
        return p.exitValue() == 0 ? out : null;
    }

    @Override
    public void close() {
        Shell.stop(process);
    }
}
