package io.vmc.transport;

import io.vmc.transport.proto.Goodbye;
import io.vmc.transport.proto.Hello;

/**
 * Connection life cycle of a {@link VmcEndpoint} or {@link VmcConnection}. All methods have no-op
 * defaults so that events can be added later. Called off the I/O thread, in order, on the same
 * serial executor as events.
 */
public interface EndpointListener {

    /**
     * A handshake completed.
     *
     * @param peer the peer's Hello
     * @param resumed {@code true} when both directions continued the previous session (nothing
     *     lost, unacknowledged messages replayed); {@code false} for a first contact or a peer
     *     that restarted, in which case calls sent to the previous peer instance have failed
     */
    default void onConnected(Hello peer, boolean resumed) {}

    /** The channel went down; {@code why} says what was seen (closed, keepalive timeout...). */
    default void onDisconnected(String why) {}

    /**
     * The peer speaks no protocol version this side supports. The same {@link Goodbye} (reason
     * {@code VERSION_INCOMPATIBLE}, message naming both ranges) is sent to the peer, which
     * reports it too. This is what users see as "why is my call not optimized".
     */
    default void onIncompatible(Goodbye goodbye) {}
}
