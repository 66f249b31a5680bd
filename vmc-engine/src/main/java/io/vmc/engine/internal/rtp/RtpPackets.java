package io.vmc.engine.internal.rtp;

/** RTP (RFC 3550) and RTCP header helpers on raw arrays. Offsets are absolute into the array. */
public final class RtpPackets {
    /** Largest datagram the engine accepts or sends. */
    public static final int MAX_PACKET = 1500;

    private RtpPackets() {
    }

    /** RTCP under rtcp-mux (RFC 5761 section 4): second byte 192..223. */
    public static boolean looksLikeRtcp(byte[] b, int off, int len) {
        if (len < 8 || (b[off] & 0xc0) != 0x80) return false;
        int pt = b[off + 1] & 0xff;
        return pt >= 192 && pt <= 223;
    }

    /** Length of the RTP header including CSRCs and extension, or -1 if the packet is malformed. */
    public static int headerLength(byte[] b, int off, int len) {
        if (len < 12 || (b[off] & 0xc0) != 0x80) return -1;
        int cc = b[off] & 0x0f;
        int h = 12 + 4 * cc;
        if ((b[off] & 0x10) != 0) {
            if (len < h + 4) return -1;
            int extWords = ((b[off + h + 2] & 0xff) << 8) | (b[off + h + 3] & 0xff);
            h += 4 + 4 * extWords;
        }
        if (h > len) return -1;
        if ((b[off] & 0x20) != 0) {
            int pad = b[off + len - 1] & 0xff;
            if (pad == 0 || h + pad > len) return -1;
        }
        return h;
    }

    public static int payloadType(byte[] b, int off) { return b[off + 1] & 0x7f; }

    public static boolean marker(byte[] b, int off) { return (b[off + 1] & 0x80) != 0; }

    public static int seq(byte[] b, int off) { return ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff); }

    public static long timestamp(byte[] b, int off) { return readU32(b, off + 4); }

    public static long ssrc(byte[] b, int off) { return readU32(b, off + 8); }

    public static void setSeq(byte[] b, int off, int seq) {
        b[off + 2] = (byte) (seq >> 8);
        b[off + 3] = (byte) seq;
    }

    public static void setTimestamp(byte[] b, int off, long ts) { writeU32(b, off + 4, ts); }

    public static void setSsrc(byte[] b, int off, long ssrc) { writeU32(b, off + 8, ssrc); }

    public static long readU32(byte[] b, int off) {
        return ((long) (b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
    }

    public static void writeU32(byte[] b, int off, long v) {
        b[off] = (byte) (v >> 24);
        b[off + 1] = (byte) (v >> 16);
        b[off + 2] = (byte) (v >> 8);
        b[off + 3] = (byte) v;
    }

    public static void writeU16(byte[] b, int off, int v) {
        b[off] = (byte) (v >> 8);
        b[off + 1] = (byte) v;
    }
}
