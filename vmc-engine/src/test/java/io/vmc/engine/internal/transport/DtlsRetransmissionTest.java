package io.vmc.engine.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A lossy path: a relay between the two endpoints loses one datagram of one flight, and the
 * retransmission timers (ours from 400 ms, BouncyCastle's doubling) bring the handshake through.
 * Losing the server's Finished is the case the endpoint's read loop after the handshake exists
 * for: the server is done, the client resends its last flight, and only a server still reading
 * can answer it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DtlsRetransmissionTest {
    enum Loss {
        CLIENT_HELLO, SERVER_FIRST_FLIGHT, CLIENT_FINISHED, SERVER_FINISHED
    }

    @ParameterizedTest
    @EnumSource(Loss.class)
    void oneLostDatagramIsRetransmitted(Loss loss) throws Exception {
        try (LoopbackPeer client = new LoopbackPeer("client", SrtpProfile.DEFAULT_PREFERENCE, Duration.ofSeconds(10));
             LoopbackPeer server = new LoopbackPeer("server", SrtpProfile.DEFAULT_PREFERENCE, Duration.ofSeconds(10));
             HandshakeRelay relay = new HandshakeRelay(server.address(), client.address())) {
            client.remote = relay.address();
            server.remote = (InetSocketAddress) relay.back.getLocalSocketAddress();
            Predicate<byte[]> none = d -> false;
            Predicate<byte[]> first = once(d -> true);
            Predicate<byte[]> finished = once(d -> HandshakeRelay.hasEpoch1Handshake(d, d.length));
            switch (loss) {
                case CLIENT_HELLO -> relay.lose(first, none);
                case SERVER_FIRST_FLIGHT -> relay.lose(none, first);
                case CLIENT_FINISHED -> relay.lose(finished, none);
                case SERVER_FINISHED -> relay.lose(none, finished);
            }
            server.endpoint.start(DtlsRole.SERVER, client.certificate.fingerprint());
            client.endpoint.start(DtlsRole.CLIENT, server.certificate.fingerprint());
            DtlsSrtpSession c = client.connected.get(10, TimeUnit.SECONDS);
            DtlsSrtpSession s = server.connected.get(10, TimeUnit.SECONDS);
            assertThat(relay.dropped()).isEqualTo(1);
            assertThat(c.keys().localKeyAndSalt()).isEqualTo(s.keys().remoteKeyAndSalt());
            // one retransmission: at least the first timer, well under the timeout
            long slowest = Math.max(c.handshakeNanos(), s.handshakeNanos());
            System.out.printf("lost %s: client done in %.0f ms, server in %.0f ms%n", loss, c.handshakeNanos() / 1e6, s.handshakeNanos() / 1e6);
            assertThat(slowest).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(DtlsSrtpEndpoint.INITIAL_RETRANSMIT_MILLIS - 50));
            assertThat(slowest).isLessThan(TimeUnit.SECONDS.toNanos(5));
            assertThat(client.failed).isNotDone();
            assertThat(server.failed).isNotDone();
        }
    }

    private static Predicate<byte[]> once(Predicate<byte[]> match) {
        AtomicBoolean done = new AtomicBoolean();
        return d -> Demux.classify(d, 0, d.length) == Demux.Kind.DTLS && match.test(d) && done.compareAndSet(false, true);
    }
}
