package io.vmc.it.browser;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * GStreamer's webrtcbin (Debian's plugins-bad, through Python GI: integration/browser/webrtcbin_peer.py),
 * a second WebRTC implementation: it sends a sine tone and a solid colour and reads back what it receives.
 */
public final class WebrtcbinPeer extends WebRtcPeer {
    /** Debian's interpreter, where python3-gi installs (not a virtualenv's python3 on PATH). */
    static final String PYTHON = "/usr/bin/python3";

    private WebrtcbinPeer(String name, String namespace, FakeMedia media, List<String> command, Path log)
            throws IOException {
        super(name, namespace, media, command, log);
    }

    /** Starts the script inside {@code namespace} (null: this one), sending {@code media}'s tone and colour. */
    public static WebrtcbinPeer start(String name, String namespace, FakeMedia media, Path dir) throws IOException {
        return new WebrtcbinPeer(name, namespace, media, List.of(PYTHON, BrowserFiles.directory().resolve("webrtcbin_peer.py").toString(),
                "--tone", String.format(Locale.ROOT, "%.1f", media.toneHz()), "--colour", media.hex()),
                dir.resolve(name + ".log"));
    }
}
