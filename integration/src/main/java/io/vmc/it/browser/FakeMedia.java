package io.vmc.it.browser;

import io.vmc.it.lab.Shell;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What a peer's fake microphone and camera play: a sine tone (WAV) and a solid colour (Y4M),
 * made with GStreamer. Chromium loops both files ({@code --use-file-for-fake-audio-capture},
 * {@code --use-file-for-fake-video-capture}); webrtcbin generates the same from the numbers.
 *
 * @param toneHz the tone's frequency
 * @param rgb the colour, 0xRRGGBB
 */
public record FakeMedia(double toneHz, int rgb, Path wav, Path y4m) {

    /** Writes the tone and the colour into {@code dir} (two seconds of each; the browser loops them). */
    public static FakeMedia create(double toneHz, int rgb, Path dir) throws IOException {
        String name = String.format(Locale.ROOT, "%.0fhz-%06x", toneHz, rgb);
        Path wav = dir.resolve(name + ".wav");
        Path y4m = dir.resolve(name + ".y4m");
        // 48 kHz mono, 20 buffers of 0.1 s: a whole number of periods for whole-Hz tones, so the loop has no click.
        Shell.run("gst-launch-1.0", "-q", "audiotestsrc", "wave=sine", "freq=" + toneHz, "volume=0.5",
                "num-buffers=20", "samplesperbuffer=4800", "!", "audio/x-raw,format=S16LE,rate=48000,channels=1",
                "!", "wavenc", "!", "filesink", "location=" + wav);
        Shell.run("gst-launch-1.0", "-q", "videotestsrc", "pattern=solid-color",
                "foreground-color=" + String.format(Locale.ROOT, "0xff%06x", rgb), "num-buffers=30", "!",
                "video/x-raw,format=I420,width=320,height=240,framerate=30/1", "!", "y4menc", "!",
                "filesink", "location=" + y4m);
        return new FakeMedia(toneHz, rgb, wav, y4m);
    }

    /** The colour as RRGGBB, as webrtcbin_peer.py takes it. */
    public String hex() {
        return String.format(Locale.ROOT, "%06x", rgb);
    }
}
