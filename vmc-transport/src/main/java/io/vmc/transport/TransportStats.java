package io.vmc.transport;

/**
 * A snapshot of an endpoint's or connection's counters, cumulative since it was built.
 *
 * @param framesReceived valid frames decoded
 * @param framesSent frames written
 * @param bytesSkipped bytes the frame decoder skipped while resynchronizing
 * @param badChecksums frames whose CRC32C did not match
 * @param oversizedLengths frame headers whose length exceeded the maximum (skipped, not allocated)
 * @param tornFrames frames abandoned because a complete valid frame started inside them
 * @param duplicatesDropped reliable messages received twice (replays) and dropped
 * @param retransmitted reliable messages sent again (resume, gap, or lost tail)
 * @param handshakes completed handshakes
 * @param resumes handshakes that resumed the previous session in both directions
 */
public record TransportStats(
        long framesReceived,
        long framesSent,
        long bytesSkipped,
        long badChecksums,
        long oversizedLengths,
        long tornFrames,
        long duplicatesDropped,
        long retransmitted,
        long handshakes,
        long resumes) {}
