package io.vmc.stun;

import io.netty.channel.epoll.Epoll;
import io.vmc.stun.internal.Stun;
import io.vmc.stun.internal.StunMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The server on real loopback sockets. */
@Timeout(60)
class StunServerTest {
    static final InetSocketAddress ANY_LOOPBACK_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    StunServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    StunServer start(boolean epoll) throws IOException {
        server = StunServer.builder().udp(ANY_LOOPBACK_PORT).tcp(ANY_LOOPBACK_PORT).threads(2)
                .preferNativeTransport(epoll).build().start();
        return server;
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void udpBindingReturnsTheObservedAddress(boolean epoll) throws Exception {
        start(epoll);
        assertThat(server.transportName()).isEqualTo(epoll && Epoll.isAvailable() ? "epoll" : "nio");
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            for (int i = 0; i < 20; i++) {
                StunMessage r = StunTestClient.udpBinding(s, server.udpAddresses().get(0));
                assertThat(r.xorMappedAddress()).contains((InetSocketAddress) s.getLocalSocketAddress());
            }
        }
        assertThat(server.stats().answered()).isEqualTo(20);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void tcpBindingReturnsTheObservedAddressForSeveralRequestsOnOneConnection(boolean epoll) throws Exception {
        start(epoll);
        try (Socket s = new Socket()) {
            s.connect(server.tcpAddresses().get(0), 5000);
            s.setSoTimeout(5000);
            byte[] tid1 = StunTestClient.newTransactionId();
            byte[] tid2 = StunTestClient.newTransactionId();
            byte[] both = concat(StunMessage.bindingRequest(tid1).encoder().fingerprint(true).toBytes(),
                    StunMessage.bindingRequest(tid2).toBytes());
            s.getOutputStream().write(both);
            StunMessage r1 = StunTestClient.tcpRead(s);
            StunMessage r2 = StunTestClient.tcpRead(s);
            assertThat(r1.transactionId()).isEqualTo(tid1);
            assertThat(r2.transactionId()).isEqualTo(tid2);
            assertThat(r1.xorMappedAddress()).contains((InetSocketAddress) s.getLocalSocketAddress());
        }
    }

    @Test
    void tcpRequestsAreTranslatedToo() throws Exception {
        TranslationTable table = new TranslationTable();
        table.setDynamicRules("agentd", List.of(Rule.parse("127.0.0.0/8 -> 198.51.100.9:4000")));
        server = StunServer.builder().tcp(ANY_LOOPBACK_PORT).translationTable(table).build().start();
        try (Socket s = new Socket()) {
            s.connect(server.tcpAddresses().get(0), 5000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(StunMessage.bindingRequest(new byte[12]).encoder().fingerprint(true).toBytes());
            assertThat(StunTestClient.tcpRead(s).xorMappedAddress())
                    .contains(new InetSocketAddress(InetAddress.getByName("198.51.100.9"), 4000));
        }
    }

    @Test
    void tcpGarbageClosesTheConnection() throws Exception {
        start(true);
        try (Socket s = new Socket()) {
            s.connect(server.tcpAddresses().get(0), 5000);
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void ipv6LoopbackWorks() throws Exception {
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 0);
        try (DatagramSocket probe = new DatagramSocket(v6)) {
            probe.getLocalPort();
        } catch (IOException e) {
            assumeTrue(false, "no IPv6 loopback here: " + e);
        }
        server = StunServer.builder().udp(v6).build().start();
        try (DatagramSocket s = new DatagramSocket(v6)) {
            StunMessage r = StunTestClient.udpBinding(s, server.udpAddresses().get(0));
            assertThat(r.xorMappedAddress()).contains((InetSocketAddress) s.getLocalSocketAddress());
            assertThat(r.xorMappedAddress().orElseThrow().getAddress().getAddress()).hasSize(16);
        }
    }

    @Test
    void translationAppliesWithoutRestart() throws Exception {
        TranslationTable table = new TranslationTable();
        server = StunServer.builder().udp(ANY_LOOPBACK_PORT).translationTable(table).build().start();
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            InetSocketAddress self = (InetSocketAddress) s.getLocalSocketAddress();
            InetSocketAddress target = server.udpAddresses().get(0);
            assertThat(StunTestClient.udpBinding(s, target).xorMappedAddress()).contains(self);
            table.setDynamicRules("agentd", List.of(Rule.parse("127.0.0.0/8 -> 198.51.100.7")));
            assertThat(StunTestClient.udpBinding(s, target).xorMappedAddress())
                    .contains(new InetSocketAddress(InetAddress.getByName("198.51.100.7"), self.getPort()));
            table.removeDynamicRules("agentd");
            assertThat(StunTestClient.udpBinding(s, target).xorMappedAddress()).contains(self);
        }
    }

    @Test
    void hostileDatagramsOnTheWireGetNoAnswerAndDoNotStopTheServer() throws Exception {
        start(true);
        InetSocketAddress target = server.udpAddresses().get(0);
        Random rnd = new Random(3);
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            s.setSendBufferSize(1 << 20);
            for (int size : new int[] {0, 1, 19, 20, Stun.MAX_REQUEST_BYTES + 1, 9000, 65507}) {
                byte[] junk = new byte[size];
                rnd.nextBytes(junk);
                if (size >= 20) {
                    byte[] header = StunMessage.bindingRequest(new byte[12]).toBytes();
                    System.arraycopy(header, 0, junk, 0, 20);
                    int len = (size - 20) & 0xFFFC;
                    junk[2] = (byte) (len >>> 8);
                    junk[3] = (byte) len;
                }
                s.send(new DatagramPacket(junk, junk.length, target));
            }
            for (int i = 0; i < 1000; i++) {
                byte[] junk = new byte[rnd.nextInt(600)];
                rnd.nextBytes(junk);
                s.send(new DatagramPacket(junk, junk.length, target));
            }
            // The valid request after all that is answered, and it is the first thing that comes back.
            StunMessage r = StunTestClient.udpBinding(s, target);
            assertThat(r.type()).isEqualTo(Stun.BINDING_SUCCESS);
        }
        // "size 20" is a valid empty Binding request: the one answer besides ours.
        assertThat(server.stats().answered()).isEqualTo(2);
        assertThat(server.stats().dropped()).isGreaterThanOrEqualTo(1000);
    }

    @Test
    void portsAreReleasedOnCloseAndABusyPortIsReported() throws Exception {
        start(true);
        InetSocketAddress udp = server.udpAddresses().get(0);
        assertThatThrownBy(() -> StunServer.builder().udp(udp).build().start())
                .isInstanceOf(IOException.class).hasMessageContaining("cannot bind udp");
        server.close();
        server = StunServer.builder().udp(udp).build().start();
        assertThat(server.udpAddresses()).containsExactly(udp);
    }

    @Test
    void builderValidates() {
        assertThatThrownBy(() -> StunServer.builder().build()).hasMessageContaining("at least one udp or tcp address");
        assertThatThrownBy(() -> StunServer.builder().threads(0)).hasMessageContaining("threads must be within 1..256");
        assertThatThrownBy(() -> StunServer.builder().software("x".repeat(128))).hasMessageContaining("at most 127");
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
