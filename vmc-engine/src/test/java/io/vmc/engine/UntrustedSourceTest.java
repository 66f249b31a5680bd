package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Packets from an address that has not passed ICE are dropped and counted; the call is not disturbed. */
class UntrustedSourceTest {
    @TempDir Path dirA;
    @TempDir Path dirB;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void packetsFromNonConsentedAddressesAreDropped() throws Exception {
        try (TestEngine a = new TestEngine(440, dirA); TestEngine b = new TestEngine(880, dirB);
             DatagramSocket attacker = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            String sa = a.createSession(SessionOptions.newBuilder().setSrtp(SessionOptions.SrtpPolicy.SRTP_DISABLED).addAudioCodecs("PCMU"));
            String sb = b.createSession(SessionOptions.newBuilder().setSrtp(SessionOptions.SrtpPolicy.SRTP_DISABLED).addAudioCodecs("PCMU"));
            a.setAnswer(sa, b.answer(sb, a.offer(sa)));
            a.awaitState(sa, SessionState.State.CONNECTED);
            a.awaitReceived(sa, 20);
            InetSocketAddress target = a.engine.localMediaAddress(sa);
            byte[] fake = new byte[172];
            fake[0] = (byte) 0x80; // plausible plain RTP, PT 0
            for (int i = 0; i < 200; i++) {
                attacker.send(new DatagramPacket(fake, fake.length, target));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> a.counters(sa).get("untrustedSource") >= 200);
            assertThat(a.counters(sa)).containsEntry("wrongSsrc", 0L).containsEntry("unknownPayloadType", 0L);
            long r = a.stats(sa).getPacketsReceived();
            await().atMost(Duration.ofSeconds(5)).until(() -> a.stats(sa).getPacketsReceived() > r + 50);
        }
    }
}
