package io.vmc.engine.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The STUN queue between an ICE endpoint's reader and ice4j's STUN stack. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StunPacketsTest {
    private static final InetSocketAddress PEER = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000);

    @Test
    void handsOverACopyWithItsSender() throws Exception {
        try (DatagramSocket host = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            StunPackets stun = new StunPackets(host);
            byte[] data = {0, 1, 0, 0, 0x21, 0x12, (byte) 0xa4, 0x42};
            stun.deliver(new DatagramPacket(data, data.length, PEER));
            data[0] = 99; // the reader's buffer is reused for the next datagram
            DatagramPacket p = new DatagramPacket(new byte[1500], 1500);
            stun.receive(p);
            assertThat(p.getLength()).isEqualTo(8);
            assertThat(p.getData()[0]).isZero();
            assertThat(p.getSocketAddress()).isEqualTo(PEER);
            assertThat(stun.getLocalPort()).isEqualTo(host.getLocalPort());
        }
    }

    @Test
    void aFloodKeepsAtMostItsCapacity() throws Exception {
        try (DatagramSocket host = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            StunPackets stun = new StunPackets(host);
            for (int i = 0; i < 10_000; i++) stun.deliver(new DatagramPacket(new byte[] {(byte) i}, 1, PEER));
            DatagramPacket p = new DatagramPacket(new byte[1500], 1500);
            for (int i = 0; i < StunPackets.CAPACITY; i++) {
                stun.receive(p);
                assertThat(p.getData()[0]).isEqualTo((byte) i); // the first ones, in order
            }
            CompletableFuture<Void> more = CompletableFuture.runAsync(() -> receive(stun));
            Thread.sleep(200); // nothing else may arrive: only a close ends the wait
            assertThat(more).isNotDone();
            stun.close();
            assertThat(more).failsWithin(10, TimeUnit.SECONDS).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .withCauseInstanceOf(java.io.UncheckedIOException.class);
        }
    }

    @Test
    void closedMeansSocketExceptionAndNoMoreDatagrams() throws Exception {
        try (DatagramSocket host = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            StunPackets stun = new StunPackets(host);
            stun.close();
            stun.deliver(new DatagramPacket(new byte[1], 1, PEER));
            assertThatThrownBy(() -> stun.receive(new DatagramPacket(new byte[10], 10))).isInstanceOf(SocketException.class);
            assertThatThrownBy(() -> stun.receive(new DatagramPacket(new byte[10], 10))).isInstanceOf(SocketException.class);
        }
    }

    private static void receive(StunPackets stun) {
        try {
            stun.receive(new DatagramPacket(new byte[10], 10));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
