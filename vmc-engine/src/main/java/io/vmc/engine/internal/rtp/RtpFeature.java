package io.vmc.engine.internal.rtp;

/**
 * A per-kind addition to an {@link RtpStream} (pion's interceptors): DTMF for audio
 * ({@link TelephoneEvents}), NACK and retransmission ({@link NackFeedback}), keyframe requests
 * ({@link KeyframeRequests}) and bitrate control ({@link BitrateControl}) for video. The stream
 * calls the hooks in the order the features were added; every hook has a no-op default. A feature
 * keeps its own state, takes times as arguments and is tested without sockets or GStreamer.
 *
 * <p>Threads: {@link #onRtp} runs under the stream's receive lock; the others may run on any thread
 * (ICE receive, GStreamer streaming, the session timer), so a feature guards its own state.
 */
public interface RtpFeature {
    /** What an accepted RTP packet from the peer is, as the features refine it. */
    enum Arrival {
        /** Newer than anything before: media, counted for jitter. */
        NEW,
        /** Filled a gap before it was asked for (reordering): media, not counted for jitter. */
        REORDERED,
        /** Filled a gap that was NACKed: media for the decoder, not counted again. */
        RECOVERED,
        /** Seen already: the decoder's jitter buffer drops it. */
        DUPLICATE,
        /** Not media but an event (RFC 4733): consumed by a feature, never for the decoder. */
        EVENT
    }

    /**
     * An accepted RTP packet from the peer (header checked, authenticated, decrypted, from the locked SSRC).
     *
     * @param headerLength the RTP header's length, so the payload is {@code b[off + headerLength .. off + len)}
     * @param extSeq the extended sequence number (RFC 3550 A.1), -1 for the first of a large jump
     * @param restarted the peer's sequence numbers restarted since the last packet (a new source)
     * @param arrival what the features before this one made of it ({@link Arrival#NEW} at first)
     * @return what this feature makes of it; {@code arrival} when it has no opinion
     */
    default Arrival onRtp(byte[] b, int off, int len, int headerLength, long extSeq, boolean restarted, Arrival arrival,
                          long nowNanos) {
        return arrival;
    }

    /** An RTP packet we send, plain, after our SSRC and sequence number are set; {@code pkt} is not changed later. */
    default void onSent(byte[] pkt, int seq, long nowNanos) {
    }

    /** A received RTCP compound, with the report block about our stream ({@code aboutUs}, or null). */
    default void onRtcp(RtcpPackets.Parsed r, RtcpPackets.ReportBlock aboutUs, long nowNanos) {
    }

    /** Whether this feature has feedback to send at once (not at the next periodic report). */
    default boolean feedbackDue(long nowNanos) {
        return false;
    }

    /**
     * Writes this feature's pending feedback (RFC 4585) after the compound's SR/RR and SDES.
     *
     * @param remoteSsrc the peer's SSRC, -1 while unknown
     * @param periodic the periodic report (not an early one that {@link #feedbackDue} asked for)
     * @return the position after what was written
     */
    default int writeFeedback(byte[] p, int pos, long ssrc, long remoteSsrc, boolean periodic, long nowNanos) {
        return pos;
    }

    /** The most bytes {@link #writeFeedback} writes. */
    default int maxFeedbackBytes() {
        return 0;
    }
}
