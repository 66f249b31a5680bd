package io.vmc.engine.internal.rtp;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A flow's network side for tests: keeps a copy of every datagram sent, with when it left. */
final class RecordingIo implements MediaFlow.Io {
    record Sent(long nanos, byte[] data) {
    }

    final List<Sent> sent = new CopyOnWriteArrayList<>();

    @Override
    public void send(byte[] buf, int off, int len) {
        byte[] copy = new byte[len];
        System.arraycopy(buf, off, copy, 0, len);
        sent.add(new Sent(System.nanoTime(), copy));
    }

    @Override
    public void dtmfReceived(String digit, int durationMs) {
    }

    @Override
    public void mediaError(String message) {
    }

    /** The datagrams sent so far, in order. */
    List<byte[]> packets() {
        return sent.stream().map(Sent::data).toList();
    }
}
