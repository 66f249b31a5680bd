package io.vmc.engine.internal.transport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The datagrams of one real handshake between two endpoints wired to each other in memory: fixtures for parser tests. */
final class Flights {
    final List<byte[]> fromClient = new CopyOnWriteArrayList<>();
    final List<byte[]> fromServer = new CopyOnWriteArrayList<>();

    private Flights() {
    }

    static Flights capture() {
        Flights f = new Flights();
        DtlsSrtpEndpoint.handshakeInMemory((role, d) -> (role == DtlsRole.CLIENT ? f.fromClient : f.fromServer).add(d));
        return f;
    }

    /** The first datagram a DTLS client sends: its ClientHello. */
    byte[] clientHello() {
        return fromClient.get(0).clone();
    }
}
