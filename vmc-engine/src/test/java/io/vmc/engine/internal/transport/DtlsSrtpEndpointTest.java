package io.vmc.engine.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Two endpoints over real loopback UDP: handshake, fingerprint checks, timeouts, SRTP with the exported keys. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DtlsSrtpEndpointTest {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void handshakeThenSrtpBothWays(SrtpProfile profile) throws Exception {
        try (LoopbackPeer client = new LoopbackPeer("client", List.of(profile), TIMEOUT);
             LoopbackPeer server = new LoopbackPeer("server", SrtpProfile.DEFAULT_PREFERENCE, TIMEOUT)) {
            LoopbackPeer.pair(client, server);
            server.endpoint.start(DtlsRole.SERVER, client.certificate.fingerprint());
            client.endpoint.start(DtlsRole.CLIENT, server.certificate.fingerprint());
            DtlsSrtpSession c = client.connected.get(10, TimeUnit.SECONDS);
            DtlsSrtpSession s = server.connected.get(10, TimeUnit.SECONDS);
            assertThat(c.keys().profile()).isEqualTo(profile);
            assertThat(s.keys().profile()).isEqualTo(profile);
            assertThat(c.extendedMasterSecret()).isTrue();
            // RFC 5764 section 4.2: the client's write key is the server's read key
            assertThat(c.keys().localKeyAndSalt()).isEqualTo(s.keys().remoteKeyAndSalt());
            assertThat(c.keys().remoteKeyAndSalt()).isEqualTo(s.keys().localKeyAndSalt());
            assertThat(c.keys().localKeyAndSalt()).isNotEqualTo(c.keys().remoteKeyAndSalt());
            try (SrtpContext cc = c.keys().newContext(SrtpContext.JITSI_REPLAY_WINDOW);
                 SrtpContext sc = s.keys().newContext(SrtpContext.JITSI_REPLAY_WINDOW)) {
                SrtpExchange.oneWay(cc, client.socket, server.address(), sc, server.media, 0x1234_5678L, 20);
                SrtpExchange.oneWay(sc, server.socket, client.address(), cc, client.media, 0x0bad_cafeL, 20);
            }
            assertThat(client.failed).isNotDone();
            assertThat(server.failed).isNotDone();
        }
    }

    @Test
    void serverPrefersGcmWhenBothOffered() throws Exception {
        try (LoopbackPeer client = new LoopbackPeer("client", List.of(SrtpProfile.AES_CM_128_HMAC_SHA1_80, SrtpProfile.AEAD_AES_128_GCM), TIMEOUT);
             LoopbackPeer server = new LoopbackPeer("server", SrtpProfile.DEFAULT_PREFERENCE, TIMEOUT)) {
            LoopbackPeer.pair(client, server);
            client.endpoint.start(DtlsRole.CLIENT, server.certificate.fingerprint());
            // the client's ClientHello arrives before the server is told to start: it must wait in the queue
            await().atMost(Duration.ofSeconds(5)).until(() -> server.endpoint.counters().datagramsIn() >= 1);
            server.endpoint.start(DtlsRole.SERVER, client.certificate.fingerprint());
            assertThat(client.connected.get(10, TimeUnit.SECONDS).keys().profile()).isEqualTo(SrtpProfile.AEAD_AES_128_GCM);
        }
    }

    @Test
    void noCommonProfileFailsWithReason() throws Exception {
        try (LoopbackPeer client = new LoopbackPeer("client", List.of(SrtpProfile.AES_CM_128_HMAC_SHA1_80), TIMEOUT);
             LoopbackPeer server = new LoopbackPeer("server", List.of(SrtpProfile.AEAD_AES_128_GCM), TIMEOUT)) {
            LoopbackPeer.pair(client, server);
            server.endpoint.start(DtlsRole.SERVER, client.certificate.fingerprint());
            client.endpoint.start(DtlsRole.CLIENT, server.certificate.fingerprint());
            DtlsFailure f = server.failed.get(10, TimeUnit.SECONDS);
            assertThat(f.kind()).isEqualTo(DtlsFailure.Kind.NO_SRTP_PROFILE);
            assertThat(f.message()).contains("none of [AEAD_AES_128_GCM]");
            assertThat(client.failed.get(10, TimeUnit.SECONDS).kind()).isEqualTo(DtlsFailure.Kind.PEER_ALERT);
        }
    }

    @Test
    void clientRefusesServerWithWrongFingerprint() throws Exception {
        DtlsCertificate other = DtlsCertificate.generate(Instant.now(), new SecureRandom());
        try (LoopbackPeer client = new LoopbackPeer("client", SrtpProfile.DEFAULT_PREFERENCE, TIMEOUT);
             LoopbackPeer server = new LoopbackPeer("server", SrtpProfile.DEFAULT_PREFERENCE, TIMEOUT)) {
            LoopbackPeer.pair(client, server);
            server.endpoint.start(DtlsRole.SERVER, client.certificate.fingerprint());
            client.endpoint.start(DtlsRole.CLIENT, other.fingerprint());
            DtlsFailure f = client.failed.get(10, TimeUnit.SECONDS);
            assertThat(f.kind()).isEqualTo(DtlsFailure.Kind.FINGERPRINT_MISMATCH);
            assertThat(f.message()).contains(server.certificate.fingerprint().toSdp()).contains(other.fingerprint().toSdp());
            DtlsFailure sf = server.failed.get(10, TimeUnit.SECONDS);
            assertThat(sf.kind()).isEqualTo(DtlsFailure.Kind.PEER_ALERT);
            assertThat(sf.message()).contains("bad_certificate");
            assertThat(client.connected).isNotDone();
            assertThat(server.connected).isNotDone();
        }
    }

    @Test
    void serverRefusesClientWithWrongFingerprint() throws Exception {
        DtlsCertificate other = DtlsCertificate.generate(Instant.now(), new SecureRandom());
        try (LoopbackPeer client = new LoopbackPeer("client", SrtpProfile.DEFAULT_PREFERENCE, TIMEOUT);
             LoopbackPeer server = new LoopbackPeer("server", SrtpProfile.DEFAULT_PREFERENCE, TIMEOUT)) {
            LoopbackPeer.pair(client, server);
            server.endpoint.start(DtlsRole.SERVER, other.fingerprint());
            client.endpoint.start(DtlsRole.CLIENT, server.certificate.fingerprint());
            DtlsFailure f = server.failed.get(10, TimeUnit.SECONDS);
            assertThat(f.kind()).isEqualTo(DtlsFailure.Kind.FINGERPRINT_MISMATCH);
            assertThat(f.message()).contains(client.certificate.fingerprint().toSdp());
            // the client may have finished its side already: the server's alert ends it either way
            assertThat(client.failed.get(10, TimeUnit.SECONDS).kind()).isIn(DtlsFailure.Kind.PEER_ALERT, DtlsFailure.Kind.TIMEOUT);
            assertThat(server.connected).isNotDone();
        }
    }

    @ParameterizedTest
    @EnumSource(DtlsRole.class)
    void silentPeerTimesOutWithReason(DtlsRole role) throws Exception {
        Duration timeout = Duration.ofMillis(1500);
        try (LoopbackPeer me = new LoopbackPeer("me", SrtpProfile.DEFAULT_PREFERENCE, timeout);
             java.net.DatagramSocket silent = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            me.remote = (java.net.InetSocketAddress) silent.getLocalSocketAddress();
            long t0 = System.nanoTime();
            me.endpoint.start(role, DtlsCertificate.generate(Instant.now(), new SecureRandom()).fingerprint());
            DtlsFailure f = me.failed.get(10, TimeUnit.SECONDS);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(f.kind()).isEqualTo(DtlsFailure.Kind.TIMEOUT);
            assertThat(f.message()).contains("did not complete within 1500 ms").contains("nothing usable came from the peer");
            assertThat(ms).isBetween(1400L, 4000L);
            if (role == DtlsRole.CLIENT) {
                // the ClientHello and its retransmissions (0.4, 1.2 s): no more
                assertThat(me.sent.get()).isBetween(2L, 4L);
            } else {
                assertThat(me.sent.get()).isZero();
            }
        }
    }

    @Test
    void restartGivesNewKeysAndKeepsSrtpWorking() throws Exception {
        try (LoopbackPeer client = new LoopbackPeer("client", SrtpProfile.DEFAULT_PREFERENCE, TIMEOUT);
             LoopbackPeer server = new LoopbackPeer("server", SrtpProfile.DEFAULT_PREFERENCE, TIMEOUT)) {
            LoopbackPeer.pair(client, server);
            server.endpoint.start(DtlsRole.SERVER, client.certificate.fingerprint());
            client.endpoint.start(DtlsRole.CLIENT, server.certificate.fingerprint());
            DtlsSrtpSession first = client.sessions.poll(10, TimeUnit.SECONDS);
            server.sessions.poll(10, TimeUnit.SECONDS);
            assertThat(first).isNotNull();
            // the peer (client) restarts first, as after its ICE restart: its ClientHello reaches the
            // established server, which keeps it until its own restart() from the new answer
            client.endpoint.restart(DtlsRole.CLIENT, server.certificate.fingerprint());
            await().atMost(Duration.ofSeconds(5)).until(() -> server.endpoint.earlyClientHellos() >= 1);
            server.endpoint.restart(DtlsRole.SERVER, client.certificate.fingerprint());
            DtlsSrtpSession c2 = client.sessions.poll(10, TimeUnit.SECONDS);
            DtlsSrtpSession s2 = server.sessions.poll(10, TimeUnit.SECONDS);
            assertThat(c2).isNotNull();
            assertThat(s2).isNotNull();
            assertThat(c2.keys().localKeyAndSalt()).isNotEqualTo(first.keys().localKeyAndSalt());
            assertThat(c2.keys().localKeyAndSalt()).isEqualTo(s2.keys().remoteKeyAndSalt());
            // the early ClientHello was used: no retransmission (400 ms) was needed
            assertThat(c2.handshakeNanos()).isLessThan(Duration.ofMillis(390).toNanos() + s2.handshakeNanos());
            try (SrtpContext cc = c2.keys().newContext(SrtpContext.JITSI_REPLAY_WINDOW);
                 SrtpContext sc = s2.keys().newContext(SrtpContext.JITSI_REPLAY_WINDOW)) {
                SrtpExchange.oneWay(cc, client.socket, server.address(), sc, server.media, 7, 5);
                SrtpExchange.oneWay(sc, server.socket, client.address(), cc, client.media, 8, 5);
            }
            assertThat(client.failed).isNotDone();
            assertThat(server.failed).isNotDone();
            assertThat(client.endpoint.counters().handshakes()).isEqualTo(2);
        }
    }

    @Test
    void rolesSwapOnRestart() throws Exception {
        try (LoopbackPeer a = new LoopbackPeer("a", SrtpProfile.DEFAULT_PREFERENCE, TIMEOUT);
             LoopbackPeer b = new LoopbackPeer("b", SrtpProfile.DEFAULT_PREFERENCE, TIMEOUT)) {
            LoopbackPeer.pair(a, b);
            b.endpoint.start(DtlsRole.SERVER, a.certificate.fingerprint());
            a.endpoint.start(DtlsRole.CLIENT, b.certificate.fingerprint());
            assertThat(a.sessions.poll(10, TimeUnit.SECONDS)).isNotNull();
            assertThat(b.sessions.poll(10, TimeUnit.SECONDS)).isNotNull();
            a.endpoint.restart(DtlsRole.SERVER, b.certificate.fingerprint());
            b.endpoint.restart(DtlsRole.CLIENT, a.certificate.fingerprint());
            DtlsSrtpSession a2 = a.sessions.poll(10, TimeUnit.SECONDS);
            DtlsSrtpSession b2 = b.sessions.poll(10, TimeUnit.SECONDS);
            assertThat(a2.role()).isEqualTo(DtlsRole.SERVER);
            assertThat(b2.role()).isEqualTo(DtlsRole.CLIENT);
            assertThat(a2.keys().localKeyAndSalt()).isEqualTo(b2.keys().remoteKeyAndSalt());
        }
    }

    @Test
    void closeDuringHandshakeReportsNothingAndEndsTheThread() throws Exception {
        LoopbackPeer me = new LoopbackPeer("me", SrtpProfile.DEFAULT_PREFERENCE, TIMEOUT);
        try (java.net.DatagramSocket silent = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            me.remote = (java.net.InetSocketAddress) silent.getLocalSocketAddress();
            me.endpoint.start(DtlsRole.CLIENT, me.certificate.fingerprint());
            me.close();
            me.endpoint.awaitThread(Duration.ofSeconds(5));
            assertThat(me.failed).isNotDone();
            assertThat(me.connected).isNotDone();
        }
    }

    @Test
    void warmUpCompletesAnInMemoryHandshake() {
        Duration first = DtlsSrtpEndpoint.warmUp();
        Duration second = DtlsSrtpEndpoint.warmUp();
        assertThat(first).isLessThan(TIMEOUT);
        assertThat(second).isLessThan(TIMEOUT);
    }
}
