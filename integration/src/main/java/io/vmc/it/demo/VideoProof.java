package io.vmc.it.demo;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * The video part of the demo's proof, from screenshots as a user would look: each session window
 * shows the peer's test pattern inside the softphone's video area and the desktop around it
 * during the call, and nothing there after hang-up. Each look saves the screenshot next to the
 * logs ({@code NAME-session-window.png}, {@code NAME-after-hang-up.png}).
 */
final class VideoProof {

    /** One line of the demo's checks. */
    record Check(boolean ok, String passText, String failText) {}

    private static final VideoAreaCheck.Result NOT_LOOKED = new VideoAreaCheck.Result(false, "no screenshot taken");

    private final SessionWindows windows;
    private final Path runDir;
    private final Map<String, VideoAreaCheck.Result> lastLook = new ConcurrentHashMap<>();

    VideoProof(SessionWindows windows, Path runDir) {
        this.windows = windows;
        this.runDir = runDir;
    }

    /** Looks at {@code viewer}'s window unless it already showed {@code peer}'s video; cheap to call each second. */
    void lookDuringCall(Party viewer, Party peer) {
        if (lastLook.getOrDefault(viewer.name(), NOT_LOOKED).ok()) {
            return;
        }
        VideoAreaCheck.Result result;
        try {
            BufferedImage shot = screenshot(viewer, "session-window");
            result = VideoAreaCheck.videoShown(shot, SessionWindows.VIDEO_AREA, peer.videoColour(),
                    SessionWindows.BACKGROUND);
        } catch (IOException e) {
            result = new VideoAreaCheck.Result(false, "screenshot failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result = new VideoAreaCheck.Result(false, "interrupted");
        }
        lastLook.put(viewer.name(), result);
    }

    /** What the call showed {@code viewer}: the peer's video where the softphone put it, decoded by the engine. */
    List<Check> duringCall(Party viewer, Party peer) {
        Rectangle a = SessionWindows.VIDEO_AREA;
        VideoAreaCheck.Result look = lastLook.getOrDefault(viewer.name(), NOT_LOOKED);
        CallObserver o = viewer.observer();
        long frames = o.videoStatLong("frames_decoded");
        String codec = o.videoStat("codec").orElse("-");
        return List.of(
                new Check(look.ok(), String.format(Locale.ROOT,
                        "%s's session window showed %s's %s video in the video area (%dx%d at %d,%d), the desktop "
                                + "around it (screenshot %s)", viewer.name(), peer.name(), peer.videoColour().pattern(),
                        a.width, a.height, a.x, a.y, shotFile(viewer, "session-window").getFileName()),
                        String.format(Locale.ROOT, "%s's session window did not show %s's %s video: %s (softphone: %s)",
                                viewer.name(), peer.name(), peer.videoColour().pattern(), look.detail(),
                                o.videoArea())),
                new Check(frames > 0, String.format(Locale.ROOT, "%s's engine decoded %s's video: %s, %d frames",
                        viewer.name(), peer.name(), codec, frames),
                        String.format(Locale.ROOT, "%s's engine decoded no video (codec %s, %d packets received)",
                                viewer.name(), codec, o.videoStatLong("received"))));
    }

    /**
     * After hang-up the softphone took its video area back: within a few seconds the window shows
     * only the desktop there.
     */
    Check afterHangUp(Party viewer) {
        VideoAreaCheck.Result look = NOT_LOOKED;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        try {
            do {
                look = VideoAreaCheck.videoGone(screenshot(viewer, "after-hang-up"), SessionWindows.VIDEO_AREA,
                        SessionWindows.BACKGROUND);
                if (!look.ok()) {
                    TimeUnit.MILLISECONDS.sleep(300);
                }
            } while (!look.ok() && System.nanoTime() < deadline);
        } catch (IOException e) {
            look = new VideoAreaCheck.Result(false, "screenshot failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            look = new VideoAreaCheck.Result(false, "interrupted");
        }
        return new Check(look.ok(), viewer.name() + "'s video left the session window at hang-up",
                viewer.name() + "'s session window still shows video after hang-up: " + look.detail());
    }

    private BufferedImage screenshot(Party viewer, String what) throws IOException, InterruptedException {
        BufferedImage shot = windows.of(viewer).screenshot();
        ImageIO.write(shot, "png", shotFile(viewer, what).toFile());
        return shot;
    }

    private Path shotFile(Party viewer, String what) {
        return runDir.resolve(viewer.name() + "-" + what + ".png");
    }
}
