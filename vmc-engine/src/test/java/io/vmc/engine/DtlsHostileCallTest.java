package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed DTLS records and handshake floods through a whole DTLS-SRTP call, from the address ICE
 * chose (the only one whose packets reach DTLS): a relay on loopback sits between two engines (the
 * SDP's candidates point at it) and, mid-call, sends engine A garbage records, truncated records
 * and a replayed handshake flight, 6,000 datagrams. The call stays CONNECTED with media both ways,
 * or fails with a reason; the heap stays bounded.
 */
class DtlsHostileCallTest {
    @TempDir Path dirA;
    @TempDir Path dirB;

    /** Two sockets: one faces A (as B), one faces B (as A); whatever comes in goes out of the other. */
    static final class Relay implements AutoCloseable {
        final DatagramSocket towardA = socket();
        final DatagramSocket towardB = socket();
        final AtomicReference<InetSocketAddress> a = new AtomicReference<>();
        final AtomicReference<InetSocketAddress> b = new AtomicReference<>();
        /** The first DTLS datagram B sent (its handshake flight): what the flood replays. */
        final AtomicReference<byte[]> firstDtlsFromB = new AtomicReference<>();
        private final Thread t1 = pump(towardA, towardB, a, b, null);
        private final Thread t2 = pump(towardB, towardA, b, a, firstDtlsFromB);

        static DatagramSocket socket() {
            try {
                return new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            } catch (SocketException e) {
                throw new IllegalStateException(e);
            }
        }

        static Thread pump(DatagramSocket in, DatagramSocket out, AtomicReference<InetSocketAddress> from,
                           AtomicReference<InetSocketAddress> to, AtomicReference<byte[]> dtls) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[2048];
                while (!in.isClosed()) {
                    try {
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        in.receive(p);
                        from.set((InetSocketAddress) p.getSocketAddress());
                        int first = buf[0] & 0xff;
                        if (dtls != null && first >= 20 && first <= 63) {
                            dtls.compareAndSet(null, java.util.Arrays.copyOf(buf, p.getLength()));
                        }
                        InetSocketAddress dest = to.get();
                        if (dest != null) out.send(new DatagramPacket(buf, 0, p.getLength(), dest));
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            }, "relay");
            t.setDaemon(true);
            t.start();
            return t;
        }

        /** The SDP with every candidate (and the default address) at {@code s}'s port. */
        static String through(String sdp, DatagramSocket s) {
            int port = s.getLocalPort();
            return sdp.replaceAll("(a=candidate:\\S+ \\d+ (?i:udp) \\d+ 127\\.0\\.0\\.1 )\\d+", "$1" + port)
                    .replaceAll("(?m)^(m=audio )\\d+", "$1" + port);
        }

        void toA(byte[] p) throws java.io.IOException {
            towardA.send(new DatagramPacket(p, p.length, a.get()));
        }

        @Override
        public void close() {
            towardA.close();
            towardB.close();
        }
    }

    static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        System.gc();
        return r.totalMemory() - r.freeMemory();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void garbageAndFloodedDtlsFromThePeersAddressLeaveTheCallConnected() throws Exception {
        try (TestEngine a = new TestEngine(440, dirA); TestEngine b = new TestEngine(880, dirB); Relay relay = new Relay()) {
            String sa = a.createSession(SessionOptions.newBuilder().setDtlsSrtp(true));
            String sb = b.createSession(SessionOptions.newBuilder());
            // the first offer of a fresh test JVM (GStreamer, ice4j, the certificate) took over TestEngine's
            // 10 s on a loaded machine once: this one waits longer
            String offer = a.engine.handle(io.vmc.transport.proto.Request.newBuilder().setId(1_000_000)
                    .setCreateOffer(io.vmc.transport.proto.CreateOffer.newBuilder().setSessionId(sa)).build())
                    .get(60, TimeUnit.SECONDS).getDescription().getSdp();
            // B must see A at the relay, A must see B at the relay
            String answer = b.answer(sb, Relay.through(offer, relay.towardB));
            relay.b.set(firstCandidate(answer));
            relay.a.set(firstCandidate(offer));
            a.setAnswer(sa, Relay.through(answer, relay.towardA));
            a.awaitState(sa, SessionState.State.CONNECTED);
            b.awaitState(sb, SessionState.State.CONNECTED);
            a.awaitReceived(sa, 50);
            assertThat(relay.firstDtlsFromB.get()).as("the handshake went through the relay").isNotNull();
            long heapBefore = usedHeap();

            Random r = new Random(17);
            byte[] flight = relay.firstDtlsFromB.get();
            for (int i = 0; i < 2000; i++) {
                byte[] g = new byte[13 + r.nextInt(1200)];
                r.nextBytes(g);
                g[0] = (byte) (20 + r.nextInt(44));           // a DTLS first byte (RFC 7983)
                g[1] = (byte) 0xfe;                           // DTLS 1.x version
                g[2] = (byte) (r.nextBoolean() ? 0xfd : 0xff);
                relay.toA(g);
                relay.toA(java.util.Arrays.copyOf(g, 1 + r.nextInt(12))); // truncated record header
                relay.toA(flight);                            // the handshake flight again, and again
                if (i % 200 == 0) Thread.sleep(20);           // let the receive thread breathe, as a real flood would not
            }
            long received = a.stats(sa).getPacketsReceived();
            await().atMost(Duration.ofSeconds(20)).until(() -> a.stats(sa).getPacketsReceived() > received + 50
                    || a.lastState(sa) == SessionState.State.FAILED);
            SessionState.State st = a.lastState(sa);
            if (st == SessionState.State.FAILED) {
                assertThat(a.events.stream().filter(e -> e.hasSessionState() && e.getSessionState().getState() == st)
                        .map(e -> e.getSessionState().getReason()).findFirst()).hasValueSatisfying(s -> assertThat(s).isNotBlank());
            } else {
                assertThat(st).isEqualTo(SessionState.State.CONNECTED);
                long sentB = b.stats(sb).getPacketsReceived();
                await().atMost(Duration.ofSeconds(10)).until(() -> b.stats(sb).getPacketsReceived() > sentB + 50);
                assertThat(a.counters(sa)).containsEntry("authFailed", 0L);
            }
            assertThat(a.counters(sa)).as("the flood came from the trusted address: it reached DTLS")
                    .containsEntry("untrustedSource", 0L);
            long growth = usedHeap() - heapBefore;
            System.out.printf("DTLS-HOSTILE-CALL: state %s, heap %+.1f MiB after 6000 datagrams%n", st, growth / 1048576.0);
            assertThat(growth).as("heap growth after 6,000 hostile datagrams").isLessThan(64L << 20);
        }
    }

    static InetSocketAddress firstCandidate(String sdp) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("a=candidate:\\S+ \\d+ (?i:udp) \\d+ 127\\.0\\.0\\.1 (\\d+)").matcher(sdp);
        if (!m.find()) throw new AssertionError("no loopback UDP candidate in\n" + sdp);
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(m.group(1)));
    }
}
