package io.vmc.engine.internal.transport;

/**
 * What a datagram on a shared ICE socket is, by its first byte
 * (<a href="https://www.rfc-editor.org/rfc/rfc7983#section-7">RFC 7983 section 7</a>). The ranges
 * are disjoint by construction of the protocols, so nothing past the first byte is needed here;
 * each consumer still validates what it gets.
 */
public final class Demux {
    private Demux() {
    }

    /** The protocol a datagram belongs to; {@link #UNKNOWN} is dropped (RFC 7983: "drop the packet"). */
    public enum Kind {
        /** 0..3: STUN (ICE connectivity checks, consent). */
        STUN,
        /** 16..19: ZRTP (not supported: dropped by the caller). */
        ZRTP,
        /** 20..63: DTLS records. */
        DTLS,
        /** 64..79: TURN ChannelData. */
        TURN_CHANNEL,
        /** 128..191: RTP or RTCP (told apart by RFC 5761 section 4). */
        RTP_RTCP,
        /** Empty, or a first byte in no range. */
        UNKNOWN
    }

    public static Kind classify(byte[] buf, int off, int len) {
        if (len <= 0) return Kind.UNKNOWN;
        int b = buf[off] & 0xff;
        if (b <= 3) return Kind.STUN;
        if (b >= 16 && b <= 19) return Kind.ZRTP;
        if (b >= 20 && b <= 63) return Kind.DTLS;
        if (b >= 64 && b <= 79) return Kind.TURN_CHANNEL;
        if (b >= 128 && b <= 191) return Kind.RTP_RTCP;
        return Kind.UNKNOWN;
    }
}
