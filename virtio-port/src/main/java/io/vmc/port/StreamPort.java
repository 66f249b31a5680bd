package io.vmc.port;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One end of a byte stream that can lose its peer and get it back without being reopened:
 * the guest's virtio-serial port, or the client's SPICE port channel.
 *
 * <p>Unlike a socket, "no peer" is a state, not the end: {@link #read} returns {@code -1} while
 * nobody is on the other side and data flows again when the peer returns. The transport bridges
 * a {@code StreamPort} to its Netty pipeline with one pump thread; implementations need not be
 * thread-safe beyond one reader thread plus one writer thread.
 */
public interface StreamPort extends Closeable {

    /**
     * Waits up to {@code timeoutMillis} for data and reads what is there into {@code dst}.
     *
     * @return bytes read (&gt; 0), {@code 0} on timeout, or {@code -1} while no peer is connected
     *     (not final: call again after a back-off)
     */
    int read(ByteBuffer dst, int timeoutMillis) throws IOException;

    /**
     * Writes as much of {@code src} as the port takes without blocking.
     *
     * @return bytes written; {@code 0} when the peer is away or the port is full
     */
    int write(ByteBuffer src) throws IOException;

    /** Waits up to {@code timeoutMillis} until a write would make progress. */
    boolean awaitWritable(int timeoutMillis) throws IOException;

    /** Whether a peer was on the other side the last time the port was polled. */
    boolean isPeerConnected();

    /** For logs and errors, e.g. {@code "virtio:org.spice-space.vmc.0 (/dev/vport1p1)"}. */
    String describe();
}
