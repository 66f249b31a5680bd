package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.transport.proto.AddRemoteCandidate;
import io.vmc.transport.proto.CreateAnswer;
import io.vmc.transport.proto.CreateSession;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #21 part 1, driven through vmc.v1 and proved on the wire: a guest that names a destination
 * cannot make the thin client send media there unless the policy allows the address and, for a
 * peer without ICE, the destination has sent a valid packet first (symmetric RTP).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MediaDestinationTest {
    @TempDir Path dir;
    @TempDir Path dirB;

    private static final SessionOptions.Builder PLAIN_PCMU = SessionOptions.newBuilder()
            .setSrtp(SessionOptions.SrtpPolicy.SRTP_DISABLED).addAudioCodecs("PCMU");

    /** An engine on 127.0.0.1 with exactly this policy (no loopback allowance unless it says so). */
    private TestEngine engine(Path d, String policy) {
        EngineConfig.Builder b = EngineConfig.builder().iceAddress(InetAddress.getLoopbackAddress())
                .audioSource(EngineConfig.AudioSource.tone(440)).audioSink(EngineConfig.AudioSink.none()).recordDir(d);
        EnginePolicy.parse("engine.conf", policy.getBytes(StandardCharsets.UTF_8)).applyTo(b);
        return new TestEngine(b.build(), d);
    }

    /** The issue's offer: plain RTP, PCMU, to {@code addr:port}, no ICE. */
    private static String plainOffer(String addr, int port) {
        return "v=0\r\no=- 1 1 IN IP4 " + addr + "\r\ns=-\r\nc=IN IP4 " + addr + "\r\nt=0 0\r\n"
                + "m=audio " + port + " RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n";
    }

    private static int unusedPort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static Response answer(TestEngine e, String sid, String offer) {
        return e.call(Request.newBuilder().setCreateAnswer(CreateAnswer.newBuilder().setSessionId(sid).setRemoteSdp(offer)));
    }

    /** Packets seen on the wire for {@code port} during {@code seconds}, while {@code during} runs first. */
    private static int packetsTo(int port, int seconds, Runnable during) throws Exception {
        Tools.require("tshark");
        try (WireCapture cap = new WireCapture("udp dst port " + port)) {
            during.run();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            // absence cannot be awaited: watch a fixed window
            await().pollDelay(Duration.ofSeconds(seconds)).atMost(Duration.ofSeconds(seconds + 2)).until(() -> System.nanoTime() >= end);
            Thread.yield();
            await().pollDelay(Duration.ofMillis(300)).until(() -> true); // tshark prints with a short delay
            return cap.payloads.size();
        }
    }

    @Test
    void theIssueScenarioPutsNothingOnTheWireByDefault() throws Exception {
        int port = unusedPort();
        try (TestEngine a = engine(dir, "")) {
            String sid = a.createSession(PLAIN_PCMU.clone());
            Response[] r = new Response[1];
            int seen = packetsTo(port, 5, () -> r[0] = answer(a, sid, plainOffer("127.0.0.1", port)));
            assertThat(r[0].getError().getCode()).isEqualTo(Error.Code.PERMISSION_DENIED);
            assertThat(r[0].getError().getMessage()).isEqualTo("media to 127.0.0.1:" + port + " refused: 127.0.0.1 is a loopback address,"
                    + " refused by the client policy (allowed with media.allow-local = loopback)");
            System.out.println("wire: default policy, packets to 127.0.0.1:" + port + " in 5 s: " + seen);
            assertThat(seen).as("packets to the named port in 5 s").isZero();
        }
    }

    @Test
    void aSilentDestinationGetsProbesOnlyUntilItSendsAValidPacket() throws Exception {
        int port = unusedPort();
        try (TestEngine a = engine(dir, TestEngine.LOOPBACK_POLICY)) {
            String sid = a.createSession(PLAIN_PCMU.clone());
            int probes = packetsTo(port, 5, () -> assertThat(answer(a, sid, plainOffer("127.0.0.1", port)).hasError()).isFalse());
            System.out.println("wire: loopback allowed, silent destination, packets in 5 s: " + probes + ", held " + a.counters(sid).get("heldUnverified"));
            // probes at 0, 1 and 3 s; the other ~250 packets of 5 s are held
            assertThat(probes).as("packets to a silent destination in 5 s").isBetween(1, 4);
            assertThat(a.counters(sid).get("probesSent")).isBetween(1L, 4L);
            assertThat(a.counters(sid).get("heldUnverified")).isGreaterThan(200L);

            // the destination shows it wants the media: one plain RTP packet from that very port
            InetSocketAddress engineAt = a.engine.localMediaAddress(sid);
            try (DatagramSocket peer = new DatagramSocket(port, InetAddress.getLoopbackAddress())) {
                int full = packetsTo(port, 2, () -> {
                    try {
                        byte[] p = new byte[12 + 160];
                        p[0] = (byte) 0x80; // RTP version 2, PT 0 (PCMU), SSRC 0x01020304
                        p[8] = 1; p[9] = 2; p[10] = 3; p[11] = 4;
                        peer.send(new DatagramPacket(p, p.length, engineAt));
                    } catch (java.io.IOException e) {
                        throw new AssertionError(e);
                    }
                });
                System.out.println("wire: after one RTP packet from the destination, packets in 2 s: " + full);
                assertThat(full).as("packets in the 2 s after the destination sent RTP").isGreaterThan(60);
            }
        }
    }

    @Test
    void withPlainPeersTrustedTheOldBehaviourComesBack() throws Exception {
        int port = unusedPort();
        try (TestEngine a = engine(dir, TestEngine.LOOPBACK_POLICY + "media.plain-peers = trust\n")) {
            String sid = a.createSession(PLAIN_PCMU.clone());
            int seen = packetsTo(port, 5, () -> assertThat(answer(a, sid, plainOffer("127.0.0.1", port)).hasError()).isFalse());
            System.out.println("wire: media.plain-peers = trust (the old behaviour), packets in 5 s: " + seen);
            assertThat(seen).as("packets to the named port in 5 s, plain peers trusted").isGreaterThan(200);
        }
    }

    @Test
    void twoEnginesThatBothWaitFindEachOther() {
        for (SessionOptions.SrtpPolicy srtp : List.of(SessionOptions.SrtpPolicy.SRTP_DISABLED, SessionOptions.SrtpPolicy.SRTP_REQUIRED)) {
            try (TestEngine a = new TestEngine(440, dir); TestEngine b = new TestEngine(880, dirB)) {
                SessionOptions.Builder o = SessionOptions.newBuilder().setSrtp(srtp).addAudioCodecs("PCMU");
                String sa = a.createSession(o.clone());
                String sb = b.createSession(o.clone());
                a.setAnswer(sa, withoutIce(b.answer(sb, withoutIce(a.offer(sa)))));
                a.awaitReceived(sa, 50);
                b.awaitReceived(sb, 50);
                assertThat(a.lastState(sa)).isEqualTo(SessionState.State.CONNECTED);
                // at most a couple of probes each before the other's first packet arrived (a side whose
                // pipeline starts later may hear the other's probe first and send none)
                long pa = a.counters(sa).get("probesSent");
                long pb = b.counters(sb).get("probesSent");
                assertThat(pa).as("A's probes, %s", srtp).isBetween(0L, 3L);
                assertThat(pb).as("B's probes, %s", srtp).isBetween(0L, 3L);
                assertThat(pa + pb).as("probes, %s", srtp).isPositive();
            }
        }
    }

    @Test
    void refusalsNameTheirReason() throws Exception {
        try (TestEngine a = engine(dir, "media.allowed-networks = 10.0.0.0/8, 192.0.2.0/24\n")) {
            String sid = a.createSession(PLAIN_PCMU.clone());
            assertRefused(answer(a, sid, plainOffer("169.254.7.7", 4000)), "169.254.7.7 is a link-local address");
            assertRefused(answer(a, sid, plainOffer("198.51.100.1", 4000)), "198.51.100.1 is outside the client policy's media.allowed-networks [10.0.0.0/8, 192.0.2.0/24]");
            assertThat(answer(a, sid, plainOffer("10.9.9.9", 4000)).hasError()).isFalse();
        }
        try (TestEngine a = engine(dir, "media.require-srtp = true\nmedia.require-ice = true\n")) {
            Response r = a.call(Request.newBuilder().setCreateSession(CreateSession.newBuilder().setOptions(PLAIN_PCMU.clone().setAudio(true))));
            assertRefused(r, "srtp=SRTP_DISABLED refused: the client policy requires SRTP (media.require-srtp)");
            // optional SRTP becomes required: the offer is RTP/SAVP
            String opt = a.createSession(SessionOptions.newBuilder().setSrtp(SessionOptions.SrtpPolicy.SRTP_OPTIONAL));
            assertThat(a.offer(opt)).contains("RTP/SAVP");
            String sid = a.createSession(SessionOptions.newBuilder());
            String sdes = plainOffer("10.1.1.1", 4000).replace("RTP/AVP", "RTP/SAVP")
                    + "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n";
            assertRefused(answer(a, sid, sdes), "the client policy requires ICE (media.require-ice)");
        }
        try (TestEngine a = engine(dir, ""); TestEngine b = new TestEngine(880, dirB)) {
            // an ICE peer whose candidates are all on loopback: nothing to check against
            String sa = a.createSession(SessionOptions.newBuilder());
            String sb = b.createSession(SessionOptions.newBuilder());
            assertRefused(answer(a, sa, b.offer(sb)), "audio: 1 ICE candidate(s) refused: 127.0.0.1 is a loopback address");
            // a trickled one is refused on its own
            String sc = a.createSession(SessionOptions.newBuilder());
            a.offer(sc);
            Response t = a.call(Request.newBuilder().setAddRemoteCandidate(AddRemoteCandidate.newBuilder().setSessionId(sc)
                    .setCandidate("1 1 udp 2130706431 127.0.0.1 5000 typ host")));
            assertRefused(t, "ICE candidate refused: 127.0.0.1 is a loopback address");
        }
    }

    @Test
    void theSendCeilingCapsWhatASessionSends() {
        // PCMU: 200 bytes a packet with IP and UDP headers, 50 a second = 80 kbit/s; the ceiling is 64
        Consumer<EngineConfig.Builder> ceiling = c -> EnginePolicy.parse("engine.conf", "media.max-send-kbps = 64\n".getBytes(StandardCharsets.UTF_8)).applyTo(c);
        try (TestEngine a = new TestEngine(440, dir, ceiling); TestEngine b = new TestEngine(880, dirB)) {
            String sa = a.createSession(PLAIN_PCMU.clone());
            String sb = b.createSession(PLAIN_PCMU.clone());
            a.setAnswer(sa, b.answer(sb, a.offer(sa)));
            b.awaitReceived(sb, 100); // the 4 KB burst is spent by then
            long r0 = b.stats(sb).getPacketsReceived();
            long t0 = System.nanoTime();
            await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> true);
            double pps = (b.stats(sb).getPacketsReceived() - r0) * 1e9 / (System.nanoTime() - t0);
            assertThat(pps).as("packets a second under a 64 kbit/s ceiling").isBetween(30.0, 45.0);
            assertThat(a.counters(sa).get("overSendCeiling")).isGreaterThan(20L);
        }
    }

    private static void assertRefused(Response r, String reason) {
        assertThat(r.hasError()).as("expected a refusal: %s", reason).isTrue();
        assertThat(r.getError().getCode()).isEqualTo(Error.Code.PERMISSION_DENIED);
        assertThat(r.getError().getMessage()).contains(reason);
    }

    /** The same SDP as a peer without ICE would write it. */
    static String withoutIce(String sdp) {
        StringBuilder sb = new StringBuilder();
        for (String line : sdp.split("\r\n")) {
            if (line.startsWith("a=ice-") || line.startsWith("a=candidate") || line.startsWith("a=end-of-candidates")) continue;
            sb.append(line).append("\r\n");
        }
        return sb.toString();
    }
}
