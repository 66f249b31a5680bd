package io.vmc.engine.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * DTLS-SRTP handshake time on loopback, the engine's endpoints side by side with two stacks
 * nobody here wrote, in one run, rounds alternating: openssl s_client/s_server and GStreamer
 * dtlssrtpenc/dtlssrtpdec (both OpenSSL 3; ECDSA P-256 certificates on every side, mutual
 * authentication, use_srtp AES_CM_128_HMAC_SHA1_80 or what the pair picks). Every pair talks
 * through the same {@link HandshakeRelay}, which times the wire from the answered ClientHello to the
 * server's Finished, so process start-up and certificate making are outside the figure for all.
 * The engine's endpoints run in this JVM after a warm-up; the cold first handshake is printed too.
 *
 * <p>On demand: {@code mvn -B -ntp -o -pl vmc-engine -am verify -Dtest=DtlsHandshakeBenchmark
 * -Dvmc.bench=true -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=NONE
 * -Dfailsafe.failIfNoSpecifiedTests=false} (rounds: {@code -Dvmc.bench.rounds=9}).
 */
@EnabledIfSystemProperty(named = "vmc.bench", matches = "true")
class DtlsHandshakeBenchmark {
    @TempDir Path tmp;

    private DtlsCertificate vmcClientCert;
    private DtlsCertificate vmcServerCert;
    private OpensslCertificate clientPeer;
    private OpensslCertificate serverPeer;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void handshakeTimes() throws Exception {
        io.vmc.engine.ToolsAccess.require("openssl");
        io.vmc.engine.ToolsAccess.require("gst-launch-1.0");
        int rounds = Integer.getInteger("vmc.bench.rounds", 9);
        vmcClientCert = DtlsCertificate.generate(Instant.now(), new SecureRandom());
        vmcServerCert = DtlsCertificate.generate(Instant.now(), new SecureRandom());
        clientPeer = OpensslCertificate.create(tmp, "client");
        serverPeer = OpensslCertificate.create(tmp, "server");

        double cold = vmcPair() / 1e6;
        double second = vmcPair() / 1e6;
        double third = vmcPair() / 1e6;
        for (int i = 0; i < 20; i++) vmcPair(); // JIT warm-up: a running engine has done handshakes before
        Map<String, List<Double>> ms = new LinkedHashMap<>();
        List<String> names = List.of("VMC <-> VMC", "openssl s_client <-> s_server", "GStreamer dtlssrtpenc/dec <-> same", "VMC client <-> openssl s_server");
        for (String n : names) ms.put(n, new ArrayList<>());
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < names.size(); k++) {
                int which = (k + r) % names.size(); // rotate the order every round
                long nanos = switch (which) {
                    case 0 -> vmcPair();
                    case 1 -> opensslPair();
                    case 2 -> gstPair();
                    default -> vmcClientOpensslServer();
                };
                ms.get(names.get(which)).add(nanos / 1e6);
            }
        }
        System.out.printf(Locale.ROOT, "DTLS handshake, wire time from the answered ClientHello to the server's Finished, %d alternating rounds%n", rounds);
        System.out.printf(Locale.ROOT, "  VMC <-> VMC in a fresh JVM: first handshake %.2f ms, second %.2f ms, third %.2f ms%n", cold, second, third);
        for (Map.Entry<String, List<Double>> e : ms.entrySet()) {
            List<Double> v = new ArrayList<>(e.getValue());
            Collections.sort(v);
            System.out.printf(Locale.ROOT, "  %-36s median %6.2f ms  min %6.2f  max %6.2f%n", e.getKey(), median(v), v.get(0), v.get(v.size() - 1));
        }
        double vmc = median(ms.get(names.get(0)));
        System.out.printf(Locale.ROOT, "  ratio VMC/openssl %.2f, VMC/GStreamer %.2f%n", vmc / median(ms.get(names.get(1))), vmc / median(ms.get(names.get(2))));
    }

    private long vmcPair() throws Exception {
        try (LoopbackPeer client = new LoopbackPeer("bench-client", vmcClientCert, SrtpProfile.DEFAULT_PREFERENCE, Duration.ofSeconds(10));
             LoopbackPeer server = new LoopbackPeer("bench-server", vmcServerCert, SrtpProfile.DEFAULT_PREFERENCE, Duration.ofSeconds(10));
             HandshakeRelay relay = new HandshakeRelay(server.address(), client.address())) {
            client.remote = relay.address();
            server.remote = (InetSocketAddress) relay.back.getLocalSocketAddress();
            server.endpoint.start(DtlsRole.SERVER, vmcClientCert.fingerprint());
            client.endpoint.start(DtlsRole.CLIENT, vmcServerCert.fingerprint());
            long t = relay.await(10_000);
            assertThat(client.connected.get(10, TimeUnit.SECONDS)).isNotNull();
            assertThat(server.connected.get(10, TimeUnit.SECONDS)).isNotNull();
            assertThat(t).isPositive();
            return t;
        }
    }

    private long opensslPair() throws Exception {
        int port = UdpPorts.free();
        try (HandshakeRelay relay = new HandshakeRelay(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), null);
             Proc server = new Proc(List.of("openssl", "s_server", "-dtls1_2", "-accept", "127.0.0.1:" + port, "-use_srtp", "SRTP_AES128_CM_SHA1_80",
                     "-cert", serverPeer.certFile().toString(), "-key", serverPeer.keyFile().toString(), "-verify", "1", "-naccept", "1", "-quiet"))) {
            UdpPorts.awaitBound(port, server.p, () -> "");
            try (Proc client = new Proc(List.of("openssl", "s_client", "-dtls1_2", "-connect", "127.0.0.1:" + relay.address().getPort(),
                    "-use_srtp", "SRTP_AES128_CM_SHA1_80", "-cert", clientPeer.certFile().toString(), "-key", clientPeer.keyFile().toString(), "-quiet"))) {
                long t = relay.await(10_000);
                assertThat(t).as("openssl handshake (%s)", relay.flights()).isPositive();
                return t;
            }
        }
    }

    private long vmcClientOpensslServer() throws Exception {
        int port = UdpPorts.free();
        try (LoopbackPeer client = new LoopbackPeer("bench-client", vmcClientCert, SrtpProfile.DEFAULT_PREFERENCE, Duration.ofSeconds(10));
             HandshakeRelay relay = new HandshakeRelay(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), client.address());
             Proc server = new Proc(List.of("openssl", "s_server", "-dtls1_2", "-accept", "127.0.0.1:" + port, "-use_srtp", "SRTP_AES128_CM_SHA1_80",
                     "-cert", serverPeer.certFile().toString(), "-key", serverPeer.keyFile().toString(), "-verify", "1", "-naccept", "1", "-quiet"))) {
            UdpPorts.awaitBound(port, server.p, () -> "");
            client.remote = relay.address();
            client.endpoint.start(DtlsRole.CLIENT, serverPeer.fingerprint());
            long t = relay.await(10_000);
            assertThat(client.connected.get(10, TimeUnit.SECONDS)).isNotNull();
            assertThat(t).isPositive();
            return t;
        }
    }

    private long gstPair() throws Exception {
        int serverPort = UdpPorts.free();
        int clientPort = UdpPorts.free();
        try (HandshakeRelay relay = new HandshakeRelay(new InetSocketAddress(InetAddress.getLoopbackAddress(), serverPort),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), clientPort));
             Proc server = new Proc(gst(serverPeer, serverPort, relay.back.getLocalPort(), false))) {
            UdpPorts.awaitBound(serverPort, server.p, () -> "");
            try (Proc client = new Proc(gst(clientPeer, clientPort, relay.address().getPort(), true))) {
                long t = relay.await(15_000);
                assertThat(t).as("GStreamer handshake (%s)", relay.flights()).isPositive();
                return t;
            }
        }
    }

    private static List<String> gst(OpensslCertificate cert, int listen, int sendTo, boolean client) throws IOException {
        return List.of("gst-launch-1.0", "-q", "udpsrc", "address=127.0.0.1", "port=" + listen,
                "!", "dtlssrtpdec", "name=dec", "connection-id=bench", "pem=\"" + cert.pem() + "\"",
                "dec.rtp_src", "!", "fakesink", "sync=false", "async=false", "dec.rtcp_src", "!", "fakesink", "sync=false", "async=false",
                "dtlssrtpenc", "name=enc", "connection-id=bench", "is-client=" + client,
                "!", "udpsink", "host=127.0.0.1", "port=" + sendTo, "sync=false", "async=false",
                "audiotestsrc", "is-live=true", "!", "audio/x-raw,rate=8000,channels=1", "!", "mulawenc", "!", "rtppcmupay", "!", "enc.rtp_sink_0");
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    /** A child process with its stdin kept open (s_client quits on EOF), output discarded, stopped on close. */
    private static final class Proc implements AutoCloseable {
        final Process p;

        Proc(List<String> cmd) throws IOException {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.environment().put("GST_DEBUG", "0");
            p = pb.start();
        }

        @Override
        public void close() throws InterruptedException {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
