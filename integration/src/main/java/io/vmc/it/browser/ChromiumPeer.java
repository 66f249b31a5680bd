package io.vmc.it.browser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A page's RTCPeerConnection in headless Debian Chromium (driven by puppeteer-core through
 * integration/browser/driver.js), its fake microphone and camera playing a {@link FakeMedia}.
 * Besides the common calls, it measures call setup: offer to the first audio it hears.
 */
public final class ChromiumPeer extends WebRtcPeer {

    private ChromiumPeer(String name, String namespace, FakeMedia media, List<String> command, Path log)
            throws IOException {
        super(name, namespace, media, command, log);
    }

    /**
     * Starts Chromium inside {@code namespace} (null: this one) with {@code media} as its devices;
     * its profile and log go to {@code dir}. Needs {@code npm ci} in integration/browser (the build runs it).
     */
    public static ChromiumPeer start(String name, String namespace, FakeMedia media, Path dir) throws IOException {
        Path browser = BrowserFiles.directory();
        if (!Files.isDirectory(browser.resolve("node_modules/puppeteer-core"))) {
            throw new IOException("puppeteer-core is not installed in " + browser + " (the Maven build runs npm ci there)");
        }
        String chromium = BrowserFiles.onPath("chromium");
        Path profile = Files.createDirectories(dir.resolve(name + "-profile"));
        return new ChromiumPeer(name, namespace, media, List.of(BrowserFiles.onPath("node"), browser.resolve("driver.js").toString(),
                "--chromium", chromium, "--audio", media.wav().toString(), "--video", media.y4m().toString(),
                "--profile", profile.toString()), dir.resolve(name + ".log"));
    }

    /**
     * A new RTCPeerConnection with the fake camera alone (no microphone): its offer is one
     * m=video, as a camera-only or screen-share-only page sends it.
     */
    public void startVideoOnly() throws IOException {
        call("start", java.util.Map.of("audio", false, "video", true));
    }

    /** A new RTCPeerConnection with microphone, camera and a data channel: its offer ends in an m=application line. */
    public void startWithDataChannel() throws IOException {
        call("start", java.util.Map.of("dataChannel", true));
    }

    /** Milliseconds from this connection's first offer to the first audio it heard; null before that. */
    public Double offerToFirstAudioMs() throws IOException {
        var t = call("setupTime").getAsJsonObject().get("offerToFirstAudioMs");
        return t.isJsonNull() ? null : t.getAsDouble();
    }

    /** The mean colour of the far side's video around the fractions {@code fx, fy} of its width and height. */
    public Colour seeingAt(double fx, double fy) throws IOException {
        var c = call("seeingAt", fx, fy).getAsJsonObject();
        return new Colour(c.get("r").getAsInt(), c.get("g").getAsInt(), c.get("b").getAsInt());
    }

    /** The far side's video size in pixels, {width, height}; {0, 0} before any picture. */
    public int[] videoSize() throws IOException {
        var c = call("seeingAt", 0.5, 0.5).getAsJsonObject();
        return new int[] {c.get("width").getAsInt(), c.get("height").getAsInt()};
    }
}
