package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * RFC 7675: when the peer stops answering consent checks, media stops going to it. The peer here
 * is replaced, on the same address, by a socket that receives but never answers STUN.
 */
class ConsentFreshnessTest {
    @TempDir Path dirA;
    @TempDir Path dirB;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void mediaStopsWhenConsentExpires() throws Exception {
        try (TestEngine a = new TestEngine(440, dirA, c -> c.consentTimeout(Duration.ofSeconds(3)));
             TestEngine b = new TestEngine(880, dirB)) {
            String sa = a.createSession(SessionOptions.newBuilder().addAudioCodecs("PCMU"));
            String sb = b.createSession(SessionOptions.newBuilder().addAudioCodecs("PCMU"));
            a.setAnswer(sa, b.answer(sb, a.offer(sa)));
            a.awaitState(sa, SessionState.State.CONNECTED);
            a.awaitReceived(sa, 20);
            // consent keeps being refreshed while the peer answers: still connected after > timeout
            long sent0 = a.stats(sa).getPacketsSent();
            await().atMost(Duration.ofSeconds(10)).until(() -> a.stats(sa).getPacketsSent() > sent0 + 200);
            assertThat(a.lastState(sa)).isEqualTo(SessionState.State.CONNECTED);

            InetSocketAddress peer = b.engine.localMediaAddress(sb);
            b.close(sb);
            try (DatagramSocket mute = new DatagramSocket(peer)) {
                mute.setSoTimeout(200);
                a.awaitState(sa, SessionState.State.DISCONNECTED);
                long sent = a.stats(sa).getPacketsSent();
                // drain what was in flight, then watch the wire for a second: STUN only, no media
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
                byte[] buf = new byte[2000];
                while (System.nanoTime() < until) {
                    try {
                        mute.receive(new DatagramPacket(buf, buf.length));
                    } catch (SocketTimeoutException e) {
                        break;
                    }
                }
                int media = 0;
                until = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                while (System.nanoTime() < until) {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    try {
                        mute.receive(p);
                    } catch (SocketTimeoutException e) {
                        continue;
                    }
                    if ((buf[0] & 0xc0) == 0x80) media++; // RTP/RTCP; STUN starts with 0b00
                }
                assertThat(media).isZero();
                assertThat(a.stats(sa).getPacketsSent()).isLessThanOrEqualTo(sent + 1);
            }
        }
    }
}
