package io.vmc.stun;

import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.socket.IceUdpSocketWrapper;
import org.ice4j.stunclient.SimpleAddressDetector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Interop with ice4j's STUN stack (the library the engine uses for ICE). */
@Timeout(60)
class Ice4jStunIT {
    final TranslationTable table = new TranslationTable();
    StunServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeAll
    static void quietIce4j() {
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    }

    TransportAddress mappingFor(InetSocketAddress serverAddress, DatagramSocket socket) throws Exception {
        SimpleAddressDetector detector = new SimpleAddressDetector(
                new TransportAddress(serverAddress.getAddress(), serverAddress.getPort(), Transport.UDP));
        detector.start();
        try {
            return detector.getMappingFor(new IceUdpSocketWrapper(socket));
        } finally {
            detector.shutDown();
        }
    }

    @Test
    void ice4jGetsObservedThenTranslatedMapping() throws Exception {
        server = StunServer.builder().udp(new InetSocketAddress("127.0.0.1", 0)).translationTable(table).build().start();
        InetSocketAddress target = server.udpAddresses().get(0);
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            int localPort = s.getLocalPort(); // the detector closes the socket when it shuts down
            TransportAddress plain = mappingFor(target, s);
            assertThat(plain).isNotNull();
            assertThat(plain.getAddress()).isEqualTo(InetAddress.getLoopbackAddress());
            assertThat(plain.getPort()).isEqualTo(localPort);
        }
        table.setDynamicRules("agentd", List.of(Rule.parse("127.0.0.0/8 -> [2001:db8::7]:3000")));
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            TransportAddress mapped = mappingFor(target, s);
            assertThat(mapped).isNotNull();
            assertThat(mapped.getAddress()).isEqualTo(InetAddress.getByName("2001:db8::7"));
            assertThat(mapped.getPort()).isEqualTo(3000);
        }
        assertThat(server.stats().errorResponses()).isZero();
        assertThat(server.stats().dropped()).isZero();
    }
}
