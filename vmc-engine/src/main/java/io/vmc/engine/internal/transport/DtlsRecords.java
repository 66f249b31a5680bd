package io.vmc.engine.internal.transport;

import java.util.Arrays;

/**
 * A check of inbound DTLS datagrams before BouncyCastle sees them
 * (<a href="https://www.rfc-editor.org/rfc/rfc6347#section-4.1">RFC 6347 section 4.1</a> record
 * layer, <a href="https://www.rfc-editor.org/rfc/rfc6347#section-4.2.2">section 4.2.2</a> handshake
 * header). BouncyCastle drops malformed records itself, but it allocates a reassembly buffer of
 * the length a plaintext handshake fragment claims (up to 16 MiB, for up to 16 messages ahead), so
 * a few forged datagrams could make it allocate hundreds of MiB: this check refuses handshake
 * messages longer than {@link #MAX_HANDSHAKE_MESSAGE_BYTES} and datagrams whose records do not
 * add up. Pure functions over a byte range; nothing here allocates more than it returns.
 */
public final class DtlsRecords {
    /** Record header: type, version (2), epoch (2), sequence number (6), length (2). */
    public static final int RECORD_HEADER_BYTES = 13;
    /** Handshake header: type, length (3), message_seq (2), fragment_offset (3), fragment_length (3). */
    public static final int HANDSHAKE_HEADER_BYTES = 12;
    /**
     * Longest handshake message accepted. The largest one in DTLS-SRTP is the Certificate message:
     * a WebRTC self-signed certificate is under 1 KiB, a SIP phone's CA chain a few KiB.
     */
    public static final int MAX_HANDSHAKE_MESSAGE_BYTES = 32 * 1024;
    /** RFC 6347 section 4.1: a record's payload is at most 2^14 + 2048 bytes. */
    public static final int MAX_RECORD_PAYLOAD_BYTES = (1 << 14) + 2048;

    static final int CONTENT_CHANGE_CIPHER_SPEC = 20;
    static final int CONTENT_ALERT = 21;
    static final int CONTENT_HANDSHAKE = 22;
    static final int CONTENT_APPLICATION_DATA = 23;
    static final int CONTENT_HEARTBEAT = 24;
    static final int CONTENT_TLS12_CID = 25;
    static final int HANDSHAKE_CLIENT_HELLO = 1;

    private DtlsRecords() {
    }

    /**
     * Why a datagram must be dropped, or {@code null} if it may go to the DTLS stack. Every record in
     * it must have a known content type, a DTLS version and a length inside the datagram; every
     * plaintext (epoch 0) handshake fragment must fit its record and claim a message no longer than
     * {@link #MAX_HANDSHAKE_MESSAGE_BYTES}.
     */
    public static String check(byte[] buf, int off, int len) {
        if (len < RECORD_HEADER_BYTES) return "datagram of " + len + " bytes is shorter than a DTLS record header";
        int pos = off;
        int end = off + len;
        int records = 0;
        while (pos < end) {
            if (end - pos < RECORD_HEADER_BYTES) return "record " + records + ": " + (end - pos) + " bytes left, shorter than a record header";
            int type = buf[pos] & 0xff;
            if (type < CONTENT_CHANGE_CIPHER_SPEC || type > CONTENT_TLS12_CID) return "record " + records + ": unknown content type " + type;
            if ((buf[pos + 1] & 0xff) != 0xfe) return "record " + records + ": version " + (buf[pos + 1] & 0xff) + "." + (buf[pos + 2] & 0xff) + " is not DTLS";
            int epoch = u16(buf, pos + 3);
            int length = u16(buf, pos + 11);
            if (type == CONTENT_TLS12_CID) return "record " + records + ": connection IDs are not negotiated";
            if (length > MAX_RECORD_PAYLOAD_BYTES) return "record " + records + ": length " + length + " exceeds the allowed maximum (" + MAX_RECORD_PAYLOAD_BYTES + ")";
            int payload = pos + RECORD_HEADER_BYTES;
            if (length > end - payload) return "record " + records + ": length " + length + " but only " + (end - payload) + " bytes follow";
            if (type == CONTENT_HANDSHAKE && epoch == 0) {
                String why = checkHandshake(buf, payload, length);
                if (why != null) return "record " + records + ": " + why;
            }
            pos = payload + length;
            records++;
        }
        return null;
    }

    private static String checkHandshake(byte[] buf, int off, int len) {
        if (len == 0) return "empty handshake record";
        int pos = off;
        int end = off + len;
        while (pos < end) {
            if (end - pos < HANDSHAKE_HEADER_BYTES) return "handshake fragment header truncated (" + (end - pos) + " bytes)";
            int length = u24(buf, pos + 1);
            int fragOffset = u24(buf, pos + 6);
            int fragLength = u24(buf, pos + 9);
            if (length > MAX_HANDSHAKE_MESSAGE_BYTES) {
                return "handshake message length " + length + " exceeds the allowed maximum (" + MAX_HANDSHAKE_MESSAGE_BYTES + ")";
            }
            if ((long) fragOffset + fragLength > length) return "handshake fragment " + fragOffset + "+" + fragLength + " beyond its message length " + length;
            if (fragLength > end - pos - HANDSHAKE_HEADER_BYTES) return "handshake fragment length " + fragLength + " but only " + (end - pos - HANDSHAKE_HEADER_BYTES) + " bytes follow";
            pos += HANDSHAKE_HEADER_BYTES + fragLength;
        }
        return null;
    }

    /**
     * The 32-byte random of a ClientHello that starts this datagram's first record (epoch 0,
     * message_seq 0, first fragment), or {@code null} if the datagram is no such ClientHello. A
     * ClientHello with a random other than the current association's is a peer starting a new one.
     */
    public static byte[] clientHelloRandom(byte[] buf, int off, int len) {
        int hs = off + RECORD_HEADER_BYTES;
        // version(2) + random(32) after the handshake header
        if (len < RECORD_HEADER_BYTES + HANDSHAKE_HEADER_BYTES + 34) return null;
        if ((buf[off] & 0xff) != CONTENT_HANDSHAKE || u16(buf, off + 3) != 0) return null;
        if ((buf[hs] & 0xff) != HANDSHAKE_CLIENT_HELLO || u16(buf, hs + 4) != 0 || u24(buf, hs + 6) != 0) return null;
        if (u24(buf, hs + 9) < 34 || u16(buf, off + 11) < HANDSHAKE_HEADER_BYTES + 34) return null;
        int random = hs + HANDSHAKE_HEADER_BYTES + 2;
        return Arrays.copyOfRange(buf, random, random + 32);
    }

    static int u16(byte[] b, int i) {
        return (b[i] & 0xff) << 8 | (b[i + 1] & 0xff);
    }

    static int u24(byte[] b, int i) {
        return (b[i] & 0xff) << 16 | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff);
    }
}
