package io.vmc.engine.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.engine.internal.rtp.RtpPackets;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * AEAD_AES_128_GCM (RFC 7714) as the engine negotiates it, against libsrtp: GStreamer 1.22's
 * DTLS elements offer only the AES-CM profiles, so the keys of a GCM handshake between two of our
 * endpoints go to a plain {@code srtpenc}/{@code srtpdec} in gst-launch in place of one endpoint.
 * What our {@link SrtpContext} protects comes out of libsrtp byte for byte, and libsrtp's GCM
 * packets authenticate and decrypt in ours.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SrtpGcmInteropTest {
    private static final long OUR_SSRC = 0x01020304L;
    private static final long GST_SSRC = 0x0a0b0c0dL;

    @TempDir Path tmp;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void tools() {
        io.vmc.engine.ToolsAccess.require("gst-launch-1.0");
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void gcmKeysFromOurHandshakeWorkWithLibsrtp() throws Exception {
        List<SrtpProfile> gcm = List.of(SrtpProfile.AEAD_AES_128_GCM);
        try (LoopbackPeer us = new LoopbackPeer("us", gcm, Duration.ofSeconds(10));
             LoopbackPeer other = new LoopbackPeer("other", gcm, Duration.ofSeconds(10))) {
            LoopbackPeer.pair(us, other);
            other.endpoint.start(DtlsRole.SERVER, us.certificate.fingerprint());
            us.endpoint.start(DtlsRole.CLIENT, other.certificate.fingerprint());
            SrtpKeys ours = us.connected.get(10, TimeUnit.SECONDS).keys();
            SrtpKeys theirs = other.connected.get(10, TimeUnit.SECONDS).keys();
            assertThat(ours.profile()).isEqualTo(SrtpProfile.AEAD_AES_128_GCM);
            assertThat(ours.localKeyAndSalt()).hasSize(28);
            other.close(); // GStreamer takes its place with its keys
            String decKey = HexFormat.of().formatHex(theirs.remoteKeyAndSalt()); // = our write key
            String encKey = HexFormat.of().formatHex(theirs.localKeyAndSalt()); // = our read key
            String gcmCaps = ",srtp-cipher=aes-128-gcm,srtp-auth=null,srtcp-cipher=aes-128-gcm,srtcp-auth=null";
            int gstPort = UdpPorts.free();
            Path rx = Files.createDirectories(tmp.resolve("rx"));
            Process gst = gstLaunch("udpsrc", "address=127.0.0.1", "port=" + gstPort,
                    "caps=application/x-srtp,media=audio,clock-rate=8000,encoding-name=PCMU,payload=0,ssrc=(uint)" + OUR_SSRC
                            + ",srtp-key=(buffer)" + decKey + gcmCaps,
                    "!", "srtpdec", "!", "multifilesink", "location=" + rx.resolve("p%05d.rtp"), "max-files=100", "sync=false", "async=false",
                    "audiotestsrc", "is-live=true", "!", "audio/x-raw,rate=8000,channels=1", "!", "mulawenc",
                    "!", "rtppcmupay", "ssrc=" + GST_SSRC, "!", "srtpenc", "key=" + encKey,
                    "rtp-cipher=aes-128-gcm", "rtp-auth=null", "rtcp-cipher=aes-128-gcm", "rtcp-auth=null",
                    "!", "udpsink", "host=127.0.0.1", "port=" + us.address().getPort(), "sync=false", "async=false");
            UdpPorts.awaitBound(gstPort, gst, this::log);
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), gstPort);
            try (SrtpContext ctx = ours.newContext(SrtpContext.JITSI_REPLAY_WINDOW)) {
                // libsrtp -> us
                int ok = 0;
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (ok < 25 && System.nanoTime() < end) {
                    byte[] wire = us.media.poll(1, TimeUnit.SECONDS);
                    if (wire == null || RtpPackets.looksLikeRtcp(wire, 0, wire.length)) continue;
                    byte[] plain = SrtpExchange.unprotect(ctx, wire, false, GST_SSRC);
                    assertThat(plain).as("libsrtp's GCM packet %d authenticates in our SrtpContext", ok).isNotNull();
                    assertThat(plain.length).isEqualTo(wire.length - 16); // RFC 7714: a 16-byte tag
                    ok++;
                }
                assertThat(ok).as("GCM packets from libsrtp; log:%n%s", log()).isEqualTo(25);
                // us -> libsrtp
                List<byte[]> sent = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    byte[] plain = SrtpExchange.rtp(OUR_SSRC, 100 + i, String.format("VMC-GCM-%03d", i).getBytes(StandardCharsets.US_ASCII));
                    sent.add(plain);
                    byte[] wire = SrtpExchange.protect(ctx, plain, false, OUR_SSRC);
                    us.socket.send(new DatagramPacket(wire, wire.length, to));
                }
                try {
                    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> files(rx).size() >= 20);
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    // the assertion below says what arrived, with GStreamer's log
                }
                List<byte[]> got = new ArrayList<>();
                for (Path f : files(rx)) got.add(Files.readAllBytes(f));
                assertThat(got).as("packets libsrtp decrypted; log:%n%s", log()).hasSize(20);
                for (int i = 0; i < 20; i++) assertThat(got.get(i)).as("packet %d", i).isEqualTo(sent.get(i));
            }
        }
    }

    private Process gstLaunch(String... pipeline) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("gst-launch-1.0", "-q"));
        cmd.addAll(List.of(pipeline));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("GST_DEBUG", "1,srtp*:3");
        Process p = pb.redirectErrorStream(true).redirectOutput(tmp.resolve("gst.log").toFile()).start();
        processes.add(p);
        return p;
    }

    private String log() throws IOException {
        Path f = tmp.resolve("gst.log");
        return Files.exists(f) ? Files.readString(f) : "";
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
