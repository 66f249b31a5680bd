package io.vmc.stun;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Interop with two C clients nobody here wrote: Debian's {@code stun} (stun-client 0.97, RFC 3489:
 * no magic cookie, CHANGE-REQUEST tests) and coturn's {@code turnutils_stunclient} (RFC 5389+).
 */
@Timeout(60)
class ClassicAndCoturnClientsIT {
    @TempDir
    Path dir;
    final TranslationTable table = new TranslationTable();
    StunServer server;
    int port;

    @BeforeEach
    void start() throws Exception {
        server = StunServer.builder().udp(new InetSocketAddress("127.0.0.1", 0)).tcp(new InetSocketAddress("127.0.0.1", 0))
                .translationTable(table).build().start();
        port = server.udpAddresses().get(0).getPort();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static int freePort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return s.getLocalPort();
        }
    }

    @Test
    void debianStunClientSeesObservedThenTranslatedAddress() throws Exception {
        String stun = ExternalTool.require("stun", "stun-client").toString();
        int source = freePort();
        // Test 1 only: one Binding request from the given source port. The exit code is a bit field.
        ExternalTool.Result plain = ExternalTool.run(20, dir, stun, "127.0.0.1:" + port, "1", "-v", "-p", String.valueOf(source));
        assertThat(ExternalTool.lines(plain.output(), "MappedAddress =")).as(plain.output())
                .containsExactly("MappedAddress = 127.0.0.1:" + source);

        table.setFileRules(List.of(Rule.parse("127.0.0.0/8 -> 198.51.100.7")));
        int source2 = freePort();
        ExternalTool.Result mapped = ExternalTool.run(20, dir, stun, "127.0.0.1:" + port, "1", "-v", "-p", String.valueOf(source2));
        assertThat(ExternalTool.lines(mapped.output(), "MappedAddress =")).as(mapped.output())
                .containsExactly("MappedAddress = 198.51.100.7:" + source2);
    }

    @Test
    void debianStunClientFullClassicTestRunCompletes() throws Exception {
        String stun = ExternalTool.require("stun", "stun-client").toString();
        ExternalTool.Result r = ExternalTool.run(30, dir, stun, "127.0.0.1:" + port, "-v");
        // Tests II and III ask for another address/port: answered with 420, as coturn does without RFC 5780.
        assertThat(r.output()).contains("MappedAddress = 127.0.0.1:").contains("ErrorCode = 4 20")
                .contains("test I = 1").contains("Primary: ");
        assertThat(server.stats().errorResponses()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void turnutilsStunclientSeesObservedThenTranslatedAddress() throws Exception {
        String client = ExternalTool.require("turnutils_stunclient", "coturn").toString();
        ExternalTool.Result plain = ExternalTool.run(20, dir, client, "-p", String.valueOf(port), "127.0.0.1");
        assertThat(plain.exitCode()).as(plain.output()).isZero();
        assertThat(ExternalTool.lines(plain.output(), "UDP reflexive addr:")).as(plain.output()).isNotEmpty()
                .allSatisfy(l -> assertThat(l).matches(".*UDP reflexive addr: 127\\.0\\.0\\.1:\\d+$"));

        table.setDynamicRules("agentd", List.of(Rule.parse("127.0.0.1 -> 203.0.113.9:40000")));
        ExternalTool.Result mapped = ExternalTool.run(20, dir, client, "-p", String.valueOf(port), "127.0.0.1");
        assertThat(ExternalTool.lines(mapped.output(), "UDP reflexive addr:")).as(mapped.output()).isNotEmpty()
                .allSatisfy(l -> assertThat(l).endsWith("UDP reflexive addr: 203.0.113.9:40000"));
    }
}
