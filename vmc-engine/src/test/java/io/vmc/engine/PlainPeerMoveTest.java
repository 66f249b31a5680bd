package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.engine.internal.transport.SrtpContext;
import io.vmc.engine.sdp.Crypto;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A peer without ICE (SDES-SRTP, PCMU, symmetric RTP, played here by two UDP sockets) re-offers a
 * new media address. The engine keeps sending to the old address until a packet from the new one
 * passes SRTP authentication; forged packets from the new address change nothing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PlainPeerMoveTest {
    private static final long SSRC = 0x5eed1234L;
    @TempDir Path dir;

    /** One RTP sender (one SSRC, one sequence) that can send from either socket, with the right key or a wrong one. */
    static final class Peer {
        final SrtpContext srtp;
        final SrtpContext forger;
        final AtomicInteger seq = new AtomicInteger(1000);
        volatile DatagramSocket from;
        volatile boolean forge;
        volatile InetSocketAddress to;

        Peer(byte[] key) {
            srtp = new SrtpContext(Crypto.AES_CM_128_HMAC_SHA1_80, key, key);
            forger = new SrtpContext(Crypto.AES_CM_128_HMAC_SHA1_80, random(), random());
        }

        void sendOne() {
            try {
                int s = seq.getAndIncrement();
                byte[] p = new byte[12 + 160];
                p[0] = (byte) 0x80;
                p[1] = 0; // PCMU
                p[2] = (byte) (s >> 8);
                p[3] = (byte) s;
                long ts = 160L * s;
                for (int i = 0; i < 4; i++) p[4 + i] = (byte) (ts >> (24 - 8 * i));
                for (int i = 0; i < 4; i++) p[8 + i] = (byte) (SSRC >> (24 - 8 * i));
                for (int i = 12; i < p.length; i++) p[i] = (byte) 0xff;
                SrtpContext.Buf b = new SrtpContext.Buf(p, 0, p.length, 16);
                (forge ? forger : srtp).protectRtp(b, SSRC);
                from.send(new DatagramPacket(b.getBuffer(), b.getOffset(), b.getLength(), to));
            } catch (Exception e) {
                // the socket closed at the end of the test
            }
        }
    }

    static byte[] random() {
        byte[] k = new byte[Crypto.KEY_AND_SALT_BYTES];
        new SecureRandom().nextBytes(k);
        return k;
    }

    static String offer(int version, int port, byte[] key) {
        return "v=0\r\no=peer 42 " + version + " IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio " + port + " RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
                + "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + Base64.getEncoder().encodeToString(key) + "\r\n"
                + "a=ptime:20\r\na=sendrecv\r\n";
    }

    /** Counts what arrives on a socket, on a thread of its own. */
    static Thread counter(DatagramSocket s, AtomicLong n) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[2048];
            while (!s.isClosed()) {
                try {
                    s.receive(new DatagramPacket(buf, buf.length));
                    n.incrementAndGet();
                } catch (SocketTimeoutException e) {
                    // poll again
                } catch (Exception e) {
                    return;
                }
            }
        }, "plain-peer-rx");
        t.setDaemon(true);
        t.start();
        return t;
    }

    static void awaitMore(AtomicLong n, long more) {
        long from = n.get();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> n.get() >= from + more);
    }

    @Test
    void newAddressIsUsedOnlyAfterItAuthenticates() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        byte[] key = random();
        AtomicLong at1 = new AtomicLong();
        AtomicLong at2 = new AtomicLong();
        ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor();
        try (TestEngine a = new TestEngine(440, dir);
             DatagramSocket s1 = new DatagramSocket(0, lo);
             DatagramSocket s2 = new DatagramSocket(0, lo)) {
            s1.setSoTimeout(200);
            s2.setSoTimeout(200);
            counter(s1, at1);
            counter(s2, at2);
            String sid = a.createSession(SessionOptions.newBuilder().addAudioCodecs("PCMU"));
            String answer = a.answer(sid, offer(1, s1.getLocalPort(), key));
            Matcher m = Pattern.compile("m=audio (\\d+) ").matcher(answer);
            assertThat(m.find()).isTrue();
            Peer peer = new Peer(key);
            peer.from = s1;
            peer.to = new InetSocketAddress(lo, Integer.parseInt(m.group(1)));
            pace.scheduleAtFixedRate(peer::sendOne, 0, 20, TimeUnit.MILLISECONDS);
            a.awaitState(sid, SessionState.State.CONNECTED);
            a.awaitReceived(sid, 20);
            awaitMore(at1, 20);
            assertThat(a.stats(sid).getRemoteAddress()).endsWith(":" + s1.getLocalPort());

            // re-offer: the peer's media moves to s2 (same key, same stream)
            a.answer(sid, offer(2, s2.getLocalPort(), key));
            // before s2 has sent anything, media still goes to s1
            awaitMore(at1, 20);
            assertThat(at2.get()).isZero();

            // forged packets from s2 do not move anything
            peer.forge = true;
            peer.from = s2;
            long untrusted = a.counters(sid).get("untrustedSource");
            await().atMost(Duration.ofSeconds(10)).until(() -> a.counters(sid).get("untrustedSource") > untrusted + 20);
            assertThat(at2.get()).isZero();
            assertThat(a.stats(sid).getRemoteAddress()).endsWith(":" + s1.getLocalPort());

            // the first authentic packet from s2 moves the media there
            peer.forge = false;
            awaitMore(at2, 50);
            assertThat(a.stats(sid).getRemoteAddress()).endsWith(":" + s2.getLocalPort());
            long on1 = at1.get();
            awaitMore(at2, 50);
            assertThat(at1.get()).isLessThanOrEqualTo(on1 + 2);
            long rx = a.stats(sid).getPacketsReceived();
            await().atMost(Duration.ofSeconds(10)).until(() -> a.stats(sid).getPacketsReceived() > rx + 50);
            assertThat(a.counters(sid)).containsEntry("wrongSsrc", 0L);
        } finally {
            pace.shutdownNow();
        }
    }
}
