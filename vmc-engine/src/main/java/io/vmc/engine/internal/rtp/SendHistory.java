package io.vmc.engine.internal.rtp;

/**
 * The last {@link #CAPACITY} RTP packets we sent (plain, before SRTP), for answering NACKs. A slot
 * per sequence number modulo the capacity, so memory is bounded by CAPACITY x
 * {@link RtpPackets#MAX_PACKET}; packets older than {@code maxAgeNanos} are not resent. Pure logic on
 * passed-in times; not thread-safe, the caller locks.
 */
public final class SendHistory {
    /** Packets kept: about 1 s of video at 4 Mbit/s with 1200-byte packets. */
    public static final int CAPACITY = 512;

    private final long maxAgeNanos;
    private final byte[][] packets = new byte[CAPACITY][];
    private final int[] seqs = new int[CAPACITY];
    private final long[] sentNanos = new long[CAPACITY];
    private final long[] resentNanos = new long[CAPACITY];

    public SendHistory(long maxAgeNanos) {
        this.maxAgeNanos = maxAgeNanos;
    }

    /** Keeps {@code packet} (not copied: the caller hands it over) as sequence number {@code seq}. */
    public void put(int seq, byte[] packet, long nowNanos) {
        if (packet.length > RtpPackets.MAX_PACKET) return;
        int i = seq & (CAPACITY - 1);
        packets[i] = packet;
        seqs[i] = seq & 0xffff;
        sentNanos[i] = nowNanos;
        resentNanos[i] = Long.MIN_VALUE;
    }

    /**
     * The packet to resend for a NACK of {@code seq}, or null when it is not in the history (never
     * sent, overwritten, too old) or was resent less than {@code minResendNanos} ago (a NACK that
     * crossed our retransmission).
     */
    public byte[] forResend(int seq, long nowNanos, long minResendNanos) {
        int i = seq & (CAPACITY - 1);
        byte[] p = packets[i];
        if (p == null || seqs[i] != (seq & 0xffff) || nowNanos - sentNanos[i] > maxAgeNanos) return null;
        if (resentNanos[i] != Long.MIN_VALUE && nowNanos - resentNanos[i] < minResendNanos) return null;
        resentNanos[i] = nowNanos;
        return p;
    }
}
