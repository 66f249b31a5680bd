package io.vmc.engine.internal.rtp;

import java.nio.charset.StandardCharsets;

/**
 * Reading RTP header extensions (<a href="https://www.rfc-editor.org/rfc/rfc8285">RFC 8285</a>): the
 * one-byte form (profile 0xBEDE, ids 1..14, id 15 stops the walk, zero bytes are padding) and the
 * two-byte form (profile 0x100x, ids 1..255, zero ids are padding). Whatever a peer puts there is
 * looked at within the packet only: an element whose length runs past the extension's end ends the
 * walk, an unknown profile has no elements. Never throws on bad input. Writing: {@link #withElement}
 * adds one element to a packet we send (the MID, RFC 8843 section 15).
 */
public final class RtpHeaderExtensions {
    /** Profile of the one-byte form (section 4.2). */
    static final int ONE_BYTE_PROFILE = 0xBEDE;
    /** The two-byte form's profile is 0x100 in its top 12 bits (section 4.3). */
    static final int TWO_BYTE_PROFILE = 0x100;
    /** An a=mid is at most this long here (the call layer's limit); a longer MID value is no MID. */
    public static final int MAX_MID_BYTES = 32;

    private RtpHeaderExtensions() {
    }

    /**
     * Where the element {@code id} of an RTP packet's header extension is.
     *
     * @return {@code position << 16 | length} of its value within {@code b}, or -1 when the packet has
     *     no valid header, no extension, or no such element before the walk ends
     */
    public static long find(byte[] b, int off, int len, int id) {
        if (id < 1 || id > 255 || RtpPackets.headerLength(b, off, len) < 0 || (b[off] & 0x10) == 0) return -1;
        int at = off + 12 + 4 * (b[off] & 0x0f);
        int profile = ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
        int end = at + 4 + 4 * (((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff)); // within len: headerLength checked it
        int p = at + 4;
        if (profile == ONE_BYTE_PROFILE) {
            if (id > 14) return -1;
            while (p < end) {
                int e = b[p] & 0xff;
                if (e == 0) { // padding
                    p++;
                    continue;
                }
                int eid = e >> 4;
                int elen = (e & 0x0f) + 1;
                if (eid == 15 || p + 1 + elen > end) return -1; // 15: stop (section 4.2); past the end: malformed
                if (eid == id) return ((long) (p + 1) << 16) | elen;
                p += 1 + elen;
            }
        } else if ((profile >> 4) == TWO_BYTE_PROFILE) {
            while (p < end) {
                int eid = b[p] & 0xff;
                if (eid == 0) {
                    p++;
                    continue;
                }
                if (p + 2 > end) return -1;
                int elen = b[p + 1] & 0xff;
                if (p + 2 + elen > end) return -1;
                if (eid == id) return ((long) (p + 2) << 16) | elen;
                p += 2 + elen;
            }
        }
        return -1;
    }

    /**
     * The MID (<a href="https://www.rfc-editor.org/rfc/rfc8843#section-15">RFC 8843 section 15</a>)
     * in element {@code id}, or null when there is none or it is not a printable ASCII token of at
     * most {@link #MAX_MID_BYTES}.
     */
    public static String mid(byte[] b, int off, int len, int id) {
        long f = find(b, off, len, id);
        if (f < 0) return null;
        int pos = (int) (f >>> 16);
        int n = (int) (f & 0xffff);
        if (n == 0 || n > MAX_MID_BYTES) return null;
        for (int i = pos; i < pos + n; i++) {
            if (b[i] <= 0x20 || b[i] >= 0x7f) return null;
        }
        return new String(b, pos, n, StandardCharsets.US_ASCII);
    }

    /**
     * Our plain RTP packet with element {@code id} = {@code value} added to its header extension
     * (before SRTP protects it: the header stays in the clear and authenticated). A packet without
     * an extension gets a one-byte-form one (ids 1..14, values 1..16 bytes); one that has an extension
     * of either form gets the element appended in that form (an element of the same id already there
     * is left alone: it is the packet's own). A packet this cannot extend (not valid RTP, an id or
     * value the form cannot carry, a profile of neither form, old elements a reader's walk would
     * stop at before ours) comes back as it is.
     *
     * @param len the packet's length in {@code pkt} (from offset 0)
     * @return a new array holding the extended packet, or {@code pkt} itself when unchanged
     */
    public static byte[] withElement(byte[] pkt, int len, int id, byte[] value) {
        int h = RtpPackets.headerLength(pkt, 0, len);
        if (h < 0 || id < 1 || id > 255 || value.length > 255) return pkt;
        int at = 12 + 4 * (pkt[0] & 0x0f);
        if ((pkt[0] & 0x10) == 0) {
            if (id > 14 || value.length < 1 || value.length > 16) return pkt;
            int words = (1 + value.length + 3) / 4;
            byte[] out = new byte[len + 4 + 4 * words];
            System.arraycopy(pkt, 0, out, 0, at);
            out[0] |= 0x10;
            RtpPackets.writeU16(out, at, ONE_BYTE_PROFILE);
            RtpPackets.writeU16(out, at + 2, words);
            out[at + 4] = (byte) (id << 4 | (value.length - 1));
            System.arraycopy(value, 0, out, at + 5, value.length);
            System.arraycopy(pkt, at, out, at + 4 + 4 * words, len - at);
            return out;
        }
        if (find(pkt, 0, len, id) >= 0) return pkt;
        int profile = ((pkt[at] & 0xff) << 8) | (pkt[at + 1] & 0xff);
        boolean oneByte = profile == ONE_BYTE_PROFILE;
        if (oneByte ? id > 14 || value.length < 1 || value.length > 16 : (profile >> 4) != TWO_BYTE_PROFILE) return pkt;
        int oldWords = ((pkt[at + 2] & 0xff) << 8) | (pkt[at + 3] & 0xff);
        int elem = (oneByte ? 1 : 2) + value.length;
        int words = (elem + 3) / 4;
        if (oldWords + words > 0xffff) return pkt;
        int end = at + 4 + 4 * oldWords; // where the element goes: after the old ones (and their padding)
        byte[] out = new byte[len + 4 * words];
        System.arraycopy(pkt, 0, out, 0, end);
        RtpPackets.writeU16(out, at + 2, oldWords + words);
        int p = end;
        if (oneByte) {
            out[p++] = (byte) (id << 4 | (value.length - 1));
        } else {
            out[p++] = (byte) id;
            out[p++] = (byte) value.length;
        }
        System.arraycopy(value, 0, out, p, value.length);
        System.arraycopy(pkt, end, out, end + 4 * words, len - end);
        // old elements that end the walk early (id 15, a length past the end) would hide ours
        return find(out, 0, out.length, id) == ((long) p << 16 | value.length) ? out : pkt;
    }
}
