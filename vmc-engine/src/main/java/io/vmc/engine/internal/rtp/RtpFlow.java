package io.vmc.engine.internal.rtp;

/**
 * What a call does with the RTP session of one m= section, whatever its kind ({@link MediaFlow}
 * for audio, {@link VideoFlow} for video): route received packets to it, tag its packets with the
 * section's MID, gate its directions, and hand its sequence to the flow that replaces it. Threads:
 * {@link #onPacket} on the transport's receive thread, the rest under the call's monitor.
 */
public interface RtpFlow extends AutoCloseable {
    /** A datagram from the transport's trusted remote address; true if it was an authenticated RTP packet. */
    boolean onPacket(byte[] buf, int off, int len);

    /** The peer's SSRC once its first authenticated packet came, else -1. */
    long remoteSsrc();

    /** The payload type the peer sends (the BUNDLE demultiplexer's last resort). */
    int recvPt();

    /** The MID our RTP carries in a bundle ({@link RtpStream#setMid}). */
    void setMid(int extensionId, String mid);

    /** Hold/resume after a re-offer: gates the packets; the pipelines keep running. */
    void setDirection(boolean send, boolean receive);

    /** The sequence number the next packet would carry: where a following flow goes on. */
    int nextSeq();

    @Override
    void close();
}
