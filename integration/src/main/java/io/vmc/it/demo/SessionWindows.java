package io.vmc.it.demo;

import io.vmc.it.lab.SessionWindow;
import io.vmc.it.lab.Xvfb;
import java.awt.Rectangle;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The video demo's stand-ins for the two users' SPICE session windows: plain windows with the
 * guest screen's size (so guest desktop coordinates map 1:1), side by side on the user's
 * {@code $DISPLAY}, or on a private Xvfb when there is none. Each engine draws the remote video
 * into its party's window at the softphone's video area.
 */
final class SessionWindows implements AutoCloseable {
    static final int GUEST_WIDTH = 640;
    static final int GUEST_HEIGHT = 480;
    /** The sample softphone's video pane on the guest desktop. */
    static final Rectangle VIDEO_AREA = new Rectangle(100, 80, 320, 240);
    /** The windows' colour where no video is drawn (the "guest desktop"). */
    static final int BACKGROUND = 0x3050a0;
    private static final int GAP = 10;

    private final Xvfb xvfb;
    private final String display;
    private final Map<String, SessionWindow> windows = new LinkedHashMap<>();

    private SessionWindows(Xvfb xvfb, String display) {
        this.xvfb = xvfb;
        this.display = display;
    }

    /** Opens one window per party, on $DISPLAY when set, else on a private Xvfb. */
    static SessionWindows open(List<Party> parties, Path runDir, PrintStream out)
            throws IOException, InterruptedException {
        String userDisplay = System.getenv("DISPLAY");
        boolean own = userDisplay == null || userDisplay.isBlank();
        Optional<String> missing = own ? Xvfb.missing("Xvfb", "display", "import", "xwininfo")
                : Xvfb.missing("display", "import", "xwininfo");
        if (missing.isPresent()) {
            throw new IOException("--video needs " + missing.get() + " (./vmc doctor --role demo names their packages)");
        }
        Xvfb xvfb = own ? Xvfb.start(parties.size() * (GUEST_WIDTH + GAP), GUEST_HEIGHT + GAP) : null;
        SessionWindows result = new SessionWindows(xvfb, own ? xvfb.display() : userDisplay);
        try {
            int x = 0;
            for (Party p : parties) {
                result.windows.put(p.name(), SessionWindow.open(result.display, "VMC demo: " + p.name()
                        + "'s session window", x, 0, GUEST_WIDTH, GUEST_HEIGHT, BACKGROUND,
                        runDir.resolve(p.name() + "-session-window.log")));
                x += GUEST_WIDTH + GAP;
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            result.close();
            throw e;
        }
        out.printf("Session windows (%dx%d, as the guest screen) on %s%s%s; the softphones' video area is %dx%d at %d,%d.%n",
                GUEST_WIDTH, GUEST_HEIGHT, own ? "a private Xvfb " : "$DISPLAY ", result.display,
                own ? "" : " (keep them uncovered: the check reads the screen)",
                VIDEO_AREA.width, VIDEO_AREA.height, VIDEO_AREA.x, VIDEO_AREA.y);
        return result;
    }

    SessionWindow of(Party p) {
        return windows.get(p.name());
    }

    /** What {@code vmc engine} needs to draw into {@code p}'s window and to send {@code p}'s pattern. */
    List<String> engineOptions(Party p) {
        return List.of("--overlay-window", Long.toString(of(p).id()), "--video-pattern", p.videoColour().pattern());
    }

    /** The engine takes the overlay's X display from $DISPLAY. */
    Map<String, String> engineEnvironment() {
        return Map.of("DISPLAY", display);
    }

    /** What {@code vmc softphone} needs to make video calls with its pane at {@link #VIDEO_AREA}. */
    static List<String> softphoneOptions() {
        return List.of("--video",
                "--video-area", VIDEO_AREA.x + "," + VIDEO_AREA.y + "," + VIDEO_AREA.width + "," + VIDEO_AREA.height,
                "--screen-size", GUEST_WIDTH + "x" + GUEST_HEIGHT);
    }

    @Override
    public void close() {
        windows.values().forEach(SessionWindow::close);
        if (xvfb != null) {
            xvfb.close();
        }
    }
}
