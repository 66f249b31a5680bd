package io.vmc.transport;

import java.time.Duration;

/** The limits the transport enforces. Each one bounds memory or time against a hostile or dead peer. */
public final class TransportLimits {
    private TransportLimits() {}

    /**
     * Largest frame payload (a serialized Envelope) accepted or sent: 256 KiB. A received length
     * above it is skipped as garbage, never allocated. Configurable per endpoint
     * ({@code maxFrameBytes}) but never above {@link #MAX_FRAME_BYTES_CEILING}.
     */
    public static final int MAX_FRAME_BYTES = 256 * 1024;

    /** Hard ceiling for a configured maximum frame size: 16 MiB. */
    public static final int MAX_FRAME_BYTES_CEILING = 16 * 1024 * 1024;

    /**
     * Bytes the frame decoder skips (garbage, bad checksums, torn frames) with no valid frame in
     * between before it gives up and closes the connection with a {@link VmcProtocolException}:
     * 1 MiB. A torn frame costs at most one maximum frame, so this tolerates a few in a row.
     */
    public static final int MAX_GARBAGE_BYTES = 1024 * 1024;

    /**
     * Reliable messages (requests, responses, events) held per session, sent but unacknowledged
     * plus not yet sent: the replay buffer. Beyond it {@code call()} fails with RESOURCE_EXHAUSTED
     * and {@code sendEvent()} returns false.
     */
    public static final int REPLAY_BUFFER_MESSAGES = 4096;

    /** Bytes held in the replay buffer (see {@link #REPLAY_BUFFER_MESSAGES}): 8 MiB. */
    public static final long REPLAY_BUFFER_BYTES = 8L * 1024 * 1024;

    /**
     * Bytes sent but not yet acknowledged by the peer: 1 MiB. More waits in the queue until acks
     * arrive, so a slow or absent peer (a SPICE port that stalls when flooded) is never flooded.
     */
    public static final long MAX_BYTES_IN_FLIGHT = 1024 * 1024;

    /**
     * Requests from the peer being served at once; more are answered RESOURCE_EXHAUSTED at once.
     */
    public static final int MAX_CONCURRENT_INBOUND_REQUESTS = 1024;

    /**
     * Received events not yet delivered to the sink; above it the transport stops reading from the
     * channel until the sink catches up (backpressure down to the socket).
     */
    public static final int MAX_PENDING_INBOUND_EVENTS = 4096;

    /** Deadline of a call when none is given: 10 s. */
    public static final Duration DEFAULT_CALL_DEADLINE = Duration.ofSeconds(10);

    /**
     * Default keepalive: a side that has heard nothing from its peer for 75-100 % of this interval
     * pings it. Long on purpose: the control channel crosses the VDI server, and a closed channel
     * (engine gone, SPICE client closed, port closed) is seen at once without any keepalive; this
     * only finds a peer that went silent without closing.
     */
    public static final Duration DEFAULT_KEEPALIVE_INTERVAL = Duration.ofSeconds(10);

    /** Default time without any frame from the peer after which it is declared dead (two missed pings and a margin). */
    public static final Duration DEFAULT_DEAD_AFTER = Duration.ofSeconds(25);

    /** Default first reconnect delay; doubles (with jitter) up to {@link #DEFAULT_RECONNECT_MAX}. */
    public static final Duration DEFAULT_RECONNECT_INITIAL = Duration.ofMillis(50);

    /** Default cap of the reconnect back-off. */
    public static final Duration DEFAULT_RECONNECT_MAX = Duration.ofSeconds(5);
}
