package io.vmc.engine.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.engine.internal.rtp.RtpPackets;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The engine's DTLS-SRTP endpoint against GStreamer's {@code dtlssrtpenc}/{@code dtlssrtpdec}
 * (OpenSSL underneath, the DTLS stack of webrtcbin) in a plain {@code gst-launch-1.0}, in both
 * DTLS roles: the handshake completes with each side's fingerprint checked (GStreamer's
 * certificate is made and fingerprinted by the openssl command line, not by our code), a stock
 * sender's SRTP stream decrypts with the keys our endpoint exported, and our SRTP decrypts in
 * GStreamer (its decrypted packets, written one per file, are ours byte for byte).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DtlsGstInteropTest {
    private static final long GST_SSRC = 0x11223344L;
    private static final long OUR_SSRC = 0x55667788L;

    @TempDir Path tmp;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void tools() {
        io.vmc.engine.ToolsAccess.require("gst-launch-1.0");
        io.vmc.engine.ToolsAccess.require("openssl");
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @EnumSource(DtlsRole.class)
    void handshakeAndSrtpBothWaysWithGstreamer(DtlsRole ourRole) throws Exception {
        OpensslCertificate gstCert = OpensslCertificate.create(tmp, "gst");
        try (LoopbackPeer us = new LoopbackPeer("vmc", SrtpProfile.DEFAULT_PREFERENCE, Duration.ofSeconds(15))) {
            int gstPort = UdpPorts.free();
            us.remote = new InetSocketAddress(InetAddress.getLoopbackAddress(), gstPort);
            Path rx = Files.createDirectories(tmp.resolve("rx"));
            if (ourRole == DtlsRole.CLIENT) {
                Process gst = gstPeer(gstCert, gstPort, us.address().getPort(), false, rx);
                UdpPorts.awaitBound(gstPort, gst, () -> log("gst")); // else our first ClientHello meets a closed port and waits for its retransmission
                us.endpoint.start(DtlsRole.CLIENT, gstCert.fingerprint());
            } else {
                // GStreamer's client starts the handshake as soon as it plays: our endpoint queues its ClientHello until start()
                us.endpoint.start(DtlsRole.SERVER, gstCert.fingerprint());
                gstPeer(gstCert, gstPort, us.address().getPort(), true, rx);
            }
            DtlsSrtpSession s;
            try {
                s = us.connected.get(20, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("no handshake with GStreamer; ours: " + us.failed.getNow(null) + "; gst log:\n" + log("gst"), e);
            }
            System.out.printf("GStreamer %s: %s, %s, handshake %.1f ms on our side%n", ourRole == DtlsRole.CLIENT ? "server" : "client",
                    s.keys().profile(), s.cipherSuite(), s.handshakeNanos() / 1e6);
            try (SrtpContext ctx = s.keys().newContext(SrtpContext.JITSI_REPLAY_WINDOW)) {
                // GStreamer -> us: its PCMU stream decrypts and authenticates with our exported keys. Its
                // first few packets after the handshake do not: GStreamer protected them before its
                // srtpenc had the DTLS keys (dtlssrtpenc starts srtpenc with random-key=TRUE; 1-6 packets in our runs).
                // After the first good one, all must be good.
                int ok = 0;
                int early = 0;
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (ok < 25 && System.nanoTime() < end) {
                    byte[] wire = us.media.poll(1, TimeUnit.SECONDS);
                    if (wire == null || RtpPackets.looksLikeRtcp(wire, 0, wire.length)) continue;
                    assertThat(RtpPackets.ssrc(wire, 0)).isEqualTo(GST_SSRC);
                    byte[] plain = SrtpExchange.unprotect(ctx, wire, false, GST_SSRC);
                    if (plain == null) {
                        assertThat(ok).as("a packet failed authentication after %d good ones", ok).isZero();
                        assertThat(++early).as("packets that failed authentication before the first good one").isLessThanOrEqualTo(10);
                        continue;
                    }
                    assertThat(plain[1] & 0x7f).isEqualTo(0); // PCMU
                    assertThat(plain.length).isEqualTo(wire.length - (s.keys().profile() == SrtpProfile.AEAD_AES_128_GCM ? 16 : 10));
                    ok++;
                }
                System.out.printf("GStreamer -> VMC: %d SRTP packets authenticated (%d early ones protected before GStreamer was keyed)%n", ok, early);
                assertThat(ok).as("GStreamer SRTP packets decrypted; gst log:%n%s", log("gst")).isEqualTo(25);
                // us -> GStreamer: dtlssrtpdec decrypts what our SrtpContext protected
                List<byte[]> sent = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    byte[] payload = String.format("VMC-DTLS-INTEROP-%03d", i).getBytes(StandardCharsets.US_ASCII);
                    byte[] plain = SrtpExchange.rtp(OUR_SSRC, 500 + i, payload);
                    sent.add(plain);
                    byte[] wire = SrtpExchange.protect(ctx, plain, false, OUR_SSRC);
                    us.socket.send(new DatagramPacket(wire, wire.length, us.remote));
                    Thread.sleep(20); // paced like audio
                }
                try {
                    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> files(rx).size() >= 20);
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    // the assertion below says what arrived, with GStreamer's log
                }
                List<byte[]> got = new ArrayList<>();
                for (Path f : files(rx)) got.add(Files.readAllBytes(f));
                assertThat(got).as("packets GStreamer decrypted; gst log:%n%s", log("gst")).hasSize(20);
                for (int i = 0; i < 20; i++) assertThat(got.get(i)).as("packet %d", i).isEqualTo(sent.get(i));
            }
            assertThat(us.failed).isNotDone();
        }
    }

    /**
     * One gst-launch process with both halves on one connection id: {@code dtlssrtpdec} reads the
     * network (DTLS and SRTP) and writes our decrypted RTP packets to files; {@code dtlssrtpenc}
     * sends its DTLS and a PCMU stream's SRTP to us.
     */
    private Process gstPeer(OpensslCertificate cert, int gstPort, int ourPort, boolean client, Path rx) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("gst-launch-1.0", "-q",
                "udpsrc", "address=127.0.0.1", "port=" + gstPort,
                "!", "dtlssrtpdec", "name=dec", "connection-id=vmc", "pem=\"" + cert.pem() + "\"",
                "dec.rtp_src", "!", "multifilesink", "location=" + rx.resolve("p%05d.rtp"), "max-files=100", "sync=false", "async=false",
                "dec.rtcp_src", "!", "fakesink", "sync=false", "async=false",
                // linked by pad name after the decoder exists: gst-launch crashes when dtlssrtpenc comes first
                "dtlssrtpenc", "name=enc", "connection-id=vmc", "is-client=" + client,
                "!", "udpsink", "host=127.0.0.1", "port=" + ourPort, "sync=false", "async=false",
                "audiotestsrc", "is-live=true", "!", "audio/x-raw,rate=8000,channels=1", "!", "mulawenc",
                "!", "rtppcmupay", "ssrc=" + GST_SSRC, "!", "enc.rtp_sink_0"));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("GST_DEBUG", "1,dtls*:3,srtp*:3");
        Process p = pb.redirectErrorStream(true).redirectOutput(tmp.resolve("gst.log").toFile()).start();
        processes.add(p);
        return p;
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    private String log(String name) throws IOException {
        Path f = tmp.resolve(name + ".log");
        return Files.exists(f) ? Files.readString(f) : "";
    }
}
