package io.vmc.it.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vmc.it.lab.NetworkLab;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mission, proved on the wire: the VDI side (agents, softphones, SIP) in one namespace, each
 * thin client's engine in its own; a capture on the VDI side's links sees no UDP at all during
 * the call while the office link between the clients carries the media both ways.
 */
@Timeout(180)
class NoHairpinIT {

    @Test
    void mediaSkipsTheVdiSideInNetworkNamespaces(@TempDir Path runDir) throws Exception {
        boolean ci = "true".equals(System.getenv("CI"));
        if (!ci) {
            assumeTrue(NetworkLab.isSupported(), "needs root and iproute2 for network namespaces");
        }
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8);

        int exit = new Demo(new Demo.Options(6, "opus", false, false, runDir, out)).run();

        String report = text.toString(StandardCharsets.UTF_8);
        assertThat(report).contains("Network namespaces: VDI side");
        assertThat(report).containsPattern("\\[ok\\] no media crossed the VDI side: 0 UDP packets");
        assertThat(report).containsPattern("\\[ok\\] media went peer to peer on the office link: [1-9]\\d* packets "
                + "Alice->Bob, [1-9]\\d* Bob->Alice");
        assertThat(report).contains("[ok] alice heard bob's 880 Hz tone", "[ok] bob heard alice's 440 Hz tone");
        assertThat(report).contains("[ok] alice's media was encrypted (SRTP)");
        assertThat(exit).as(report).isZero();
    }

    @Test
    void loopbackModeProvesItWithSocketOwnership(@TempDir Path runDir) throws Exception {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8);

        int exit = new Demo(new Demo.Options(5, "PCMU", false, true, runDir, out)).run();

        String report = text.toString(StandardCharsets.UTF_8);
        assertThat(report).contains("Loopback mode: asked for with --loopback");
        assertThat(report).contains("[ok] media sockets belong to the engines only");
        assertThat(report).contains("[ok] bob heard alice's 440 Hz tone");
        assertThat(exit).as(report).isZero();
    }
}
