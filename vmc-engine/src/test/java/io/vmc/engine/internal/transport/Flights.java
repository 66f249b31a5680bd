package io.vmc.engine.internal.transport;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The datagrams of one real handshake between two endpoints wired to each other in memory: fixtures for parser tests. */
final class Flights {
    final List<byte[]> fromClient = new CopyOnWriteArrayList<>();
    final List<byte[]> fromServer = new CopyOnWriteArrayList<>();

    private Flights() {
    }

    static Flights capture() throws Exception {
        Flights f = new Flights();
        DtlsCertificate cc = DtlsCertificate.generate(Instant.now(), new SecureRandom());
        DtlsCertificate sc = DtlsCertificate.generate(Instant.now(), new SecureRandom());
        CountDownLatch done = new CountDownLatch(2);
        DtlsSrtpEndpoint.Listener l = new DtlsSrtpEndpoint.Listener() {
            @Override public void onConnected(DtlsSrtpSession session) { done.countDown(); }
            @Override public void onFailed(DtlsFailure failure) { }
        };
        DtlsSrtpEndpoint[] server = new DtlsSrtpEndpoint[1];
        DtlsSrtpEndpoint[] client = new DtlsSrtpEndpoint[1];
        client[0] = new DtlsSrtpEndpoint(cc, SrtpProfile.DEFAULT_PREFERENCE, (b, o, n) -> {
            f.fromClient.add(java.util.Arrays.copyOfRange(b, o, o + n));
            server[0].receive(b, o, n);
        }, l, Duration.ofSeconds(10));
        server[0] = new DtlsSrtpEndpoint(sc, SrtpProfile.DEFAULT_PREFERENCE, (b, o, n) -> {
            f.fromServer.add(java.util.Arrays.copyOfRange(b, o, o + n));
            client[0].receive(b, o, n);
        }, l, Duration.ofSeconds(10));
        try {
            server[0].start(DtlsRole.SERVER, cc.fingerprint());
            client[0].start(DtlsRole.CLIENT, sc.fingerprint());
            if (!done.await(10, TimeUnit.SECONDS)) throw new AssertionError("in-memory handshake did not complete");
        } finally {
            client[0].close();
            server[0].close();
        }
        return f;
    }

    /** The first datagram a DTLS client sends: its ClientHello. */
    byte[] clientHello() {
        return fromClient.get(0).clone();
    }
}
