package io.vmc.overlay.internal;

import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.Caps;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Pad;
import org.freedesktop.gstreamer.glib.Natives;
import io.vmc.overlay.nativeapi.GstEvents;
import org.freedesktop.gstreamer.PadProbeReturn;
import org.freedesktop.gstreamer.PadProbeType;
import java.util.concurrent.atomic.AtomicReference;
import org.freedesktop.gstreamer.interfaces.VideoOverlay;

/**
 * The GStreamer half: a bin with one sink pad that scales decoded video to the overlay window's
 * size (ximagesink does not scale) and draws it there.
 *
 * <pre>
 *  sink -> valve -> videoscale -> capsfilter(window size) -> queue(leaky, 2 buffers)
 *       -> videoconvert -> ximagesink(handle-events=false)
 * </pre>
 *
 * The window is the whole mapped area even when part of it is clipped, so there is no crop stage:
 * a crop computed for one frame size but met by frames of another fails negotiation and stops the
 * stream. The leaky queue keeps a slow X server from stalling the decoder; the valve drops frames
 * once the window is gone.
 *
 * <p>New window sizes reach the capsfilter on the upstream streaming thread, between two frames (a
 * buffer probe on the scaler's sink pad), the thread that also runs upstream caps queries. Changed
 * from another thread, or from a thread behind a queue, the filter can flip in the middle of a
 * caps query, which fails with not-negotiated and stops the stream (seen at start-up and with
 * resizes every 16 ms). So the queue sits after the capsfilter.
 */
public final class OverlaySink {

    private final Bin bin;
    private final Element valve;
    private final Element windowCaps;
    private final VideoOverlay overlay;
    private String lastWindow = "";
    private final AtomicReference<String> pendingCaps = new AtomicReference<>();
    private final Pad scalerInput;
    private volatile boolean drawing = true;

    private volatile long window;

    public OverlaySink(String name, String displayName, long window) {
        this.window = window;
        bin = Gst.parseBinFromDescription(
                "valve name=valve drop=false ! videoscale name=scale ! capsfilter name=wincaps"
                        + " caps=video/x-raw,width=16,height=16,pixel-aspect-ratio=1/1"
                        + " ! queue name=q max-size-buffers=2 max-size-bytes=0 max-size-time=0 leaky=downstream"
                        + " ! videoconvert name=convert ! ximagesink name=xsink handle-events=false",
                true);
        bin.setName(name);
        valve = bin.getElementByName("valve");
        windowCaps = bin.getElementByName("wincaps");
        Element xsink = bin.getElementByName("xsink");
        scalerInput = bin.getElementByName("scale").getStaticPad("sink");
        if (displayName != null) {
            xsink.set("display", displayName);
        }
        overlay = VideoOverlay.wrap(xsink);
        overlay.handleEvent(false);
        // Before READY: ximagesink then never creates a window of its own.
        overlay.setWindowHandle(window);
        // ximagesink forgets the handle when it goes to NULL, and on the next caps it would open a
        // top-level window of its own. Events reach the probe before the sink: give the handle back
        // first (a no-op in ximagesink while it still has it). Events are few; frames do not pass here.
        // Only downstream CAPS: set_window_handle itself sends events upstream through this pad.
        // set_window_handle can itself push a nested CAPS event through this probe on the same
        // thread; handing the window back again from inside deadlocks ximagesink (seen in CI).
        ThreadLocal<Boolean> handingBack = ThreadLocal.withInitial(() -> false);
        xsink.getStaticPad("sink").addProbe(PadProbeType.EVENT_DOWNSTREAM, (pad, info) -> {
            if (drawing && !handingBack.get() && GstEvents.isCaps(Natives.getRawPointer(info.getEvent()))) {
                handingBack.set(true);
                try {
                    overlay.setWindowHandle(this.window);
                } finally {
                    handingBack.set(false);
                }
            }
            return PadProbeReturn.OK;
        });
    }

    public Bin bin() {
        return bin;
    }

    /** Makes frames come out the size of {@code p.window()}. */
    public void apply(Placement p) {
        String win = "video/x-raw,width=" + Math.max(1, p.window().width()) + ",height="
                + Math.max(1, p.window().height()) + ",pixel-aspect-ratio=1/1";
        if (!win.equals(lastWindow)) {
            lastWindow = win;
            if (pendingCaps.getAndSet(win) == null) { // the latest wins; applied before the next frame
                // A probe only while a change waits: a JNA callback on every frame costs ~1 % of a core.
                Pad.PROBE[] self = new Pad.PROBE[1];
                java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
                self[0] = (pad, info) -> {
                    if (done.compareAndSet(false, true)) {
                        String caps = pendingCaps.getAndSet(null);
                        if (caps != null) {
                            windowCaps.set("caps", Caps.fromString(caps));
                        }
                        pad.removeProbe(self[0]);
                    }
                    return PadProbeReturn.OK;
                };
                scalerInput.addProbe(PadProbeType.BUFFER, self[0]);
            }
        }
    }

    /** Redraws the last frame at the window's current size and place. */
    public void expose() {
        overlay.expose();
    }

    /** Draws into {@code newWindow} from the next frame on (the old one is gone). */
    public void setWindow(long newWindow) {
        window = newWindow;
        overlay.setWindowHandle(newWindow);
    }

    /** Drops frames from now on; used when the window is gone. */
    public void stopDrawing() {
        drawing = false;
        valve.set("drop", true);
    }
}
