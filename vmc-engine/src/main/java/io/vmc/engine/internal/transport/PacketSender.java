package io.vmc.engine.internal.transport;

import java.io.IOException;

/** Where DTLS records leave: the ICE-selected socket, towards the selected remote address. Any thread may call it. */
@FunctionalInterface
public interface PacketSender {
    void send(byte[] buf, int off, int len) throws IOException;
}
