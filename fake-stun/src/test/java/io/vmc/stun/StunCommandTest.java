package io.vmc.stun;

import io.vmc.stun.internal.StunMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@Timeout(60)
class StunCommandTest {
    @Test
    void runsWithARuleFileReloadsItAndStopsWhenInterrupted(@TempDir Path dir) throws Exception {
        Path rules = dir.resolve("rules");
        Files.writeString(rules, "# test\n127.0.0.0/8 -> 198.51.100.7\n");
        StunCommand cmd = new StunCommand();
        CommandLine cli = new CommandLine(cmd);
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        AtomicInteger exit = new AtomicInteger(-1);
        Thread t = new Thread(() -> exit.set(cli.execute("--udp", "127.0.0.1:0", "--tcp", "127.0.0.1:0",
                "--rules", rules.toString(), "--threads", "1")));
        t.start();
        cmd.awaitStarted();
        assertThat(out.toString()).contains("fake-stun listening on udp 127.0.0.1:").contains("tcp 127.0.0.1:").contains("1 rules");
        InetSocketAddress target = cmd.server().udpAddresses().get(0);
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            int port = s.getLocalPort();
            StunMessage r = StunTestClient.udpBinding(s, target);
            assertThat(r.xorMappedAddress()).contains(new InetSocketAddress(InetAddress.getByName("198.51.100.7"), port));
            Files.writeString(rules, "127.0.0.0/8 -> 198.51.100.8:9999\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> StunTestClient.udpBinding(s, target).xorMappedAddress()
                    .orElseThrow().equals(new InetSocketAddress(InetAddress.getByName("198.51.100.8"), 9999)));
        }
        t.interrupt();
        t.join(10_000);
        assertThat(t.isAlive()).isFalse();
        assertThat(exit.get()).isZero();
    }

    @Test
    void badArgumentsAndBadRulesFail(@TempDir Path dir) throws Exception {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new StunCommand()).setErr(new PrintWriter(err, true));
        assertThat(cli.execute("--udp", "localhost:x")).isEqualTo(2);
        assertThat(err.toString()).contains("--udp 'localhost:x' is not ADDR:PORT");
        Path rules = dir.resolve("rules");
        Files.writeString(rules, "127.0.0.1 -> nowhere\n");
        err.getBuffer().setLength(0);
        assertThat(new CommandLine(new StunCommand()).setErr(new PrintWriter(err, true))
                .execute("--udp", "127.0.0.1:0", "--rules", rules.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("cannot load rules").contains("rules:1:");
    }

    @Test
    void parsesAddressForms() throws Exception {
        assertThat(StunCommand.parseAddress("3478", "--udp")).isEqualTo(new InetSocketAddress("0.0.0.0", 3478));
        assertThat(StunCommand.parseAddress("127.0.0.2:5", "--udp")).isEqualTo(new InetSocketAddress("127.0.0.2", 5));
        assertThat(StunCommand.parseAddress("[::1]:5", "--udp")).isEqualTo(new InetSocketAddress("::1", 5));
        assertThat(StunCommand.parseAddress("*:5", "--udp")).isEqualTo(new InetSocketAddress("0.0.0.0", 5));
    }

    @Test
    void helpWorks() {
        StringWriter out = new StringWriter();
        assertThat(new CommandLine(new StunCommand()).setOut(new PrintWriter(out)).execute("--help")).isZero();
        assertThat(out.toString()).contains("--rules=FILE").contains("SOURCE -> MAPPED");
    }
}
