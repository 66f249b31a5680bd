package io.vmc.it.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vmc.it.lab.NetworkLab;
import io.vmc.it.lab.Xvfb;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vmc demo --video} as a user runs it: the optimized call with video both ways in the
 * namespace topology. Each session window (a private Xvfb here) must show the peer's test pattern
 * exactly in the softphone's video area during the call and only the desktop after hang-up, the
 * engines must decode video, and still no media may cross the VDI side.
 */
@Timeout(240)
class VideoDemoIT {

    @Test
    void videoIsDrawnAtTheSoftphonesVideoAreaAndNeverCrossesTheVdiSide(@TempDir Path runDir) throws Exception {
        boolean ci = "true".equals(System.getenv("CI"));
        if (!ci) {
            assumeTrue(NetworkLab.isSupported(), "needs root and iproute2 for network namespaces");
            assumeTrue(Xvfb.missing("Xvfb", "display", "import", "xwininfo").isEmpty(),
                    "needs xvfb, imagemagick and x11-utils");
        }
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8);

        int exit = new Demo(new Demo.Options(8, "opus", false, false, runDir, out).withVideo(true)).run();

        String report = text.toString(StandardCharsets.UTF_8);
        assertThat(report).contains("Network namespaces: VDI side", "Session windows (640x480");
        assertThat(report).contains(
                "[ok] alice's session window showed bob's green video in the video area (320x240 at 100,80)",
                "[ok] bob's session window showed alice's red video in the video area (320x240 at 100,80)",
                "[ok] alice's video left the session window at hang-up",
                "[ok] bob's video left the session window at hang-up");
        assertThat(report).containsPattern("\\[ok\\] alice's engine decoded bob's video: VP8, [1-9]\\d* frames");
        assertThat(report).containsPattern("\\[ok\\] bob's engine decoded alice's video: VP8, [1-9]\\d* frames");
        assertThat(report).containsPattern("\\[ok\\] no media crossed the VDI side: 0 UDP packets");
        assertThat(report).contains("[ok] alice heard bob's 880 Hz tone", "[ok] bob heard alice's 440 Hz tone");
        assertThat(report).contains("PASS: optimized video call");
        assertThat(runDir.resolve("alice-session-window.png")).exists();
        assertThat(Files.size(runDir.resolve("bob-session-window.png"))).isPositive();
        assertThat(exit).as(report).isZero();
    }
}
