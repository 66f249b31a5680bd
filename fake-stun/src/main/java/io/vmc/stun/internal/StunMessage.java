package io.vmc.stun.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A decoded STUN message (RFC 8489 section 5), or one being built. General-purpose and allocating:
 * used by tests, the load generator and tools. The server's hot path is {@link StunResponder}, which
 * reads requests in place.
 *
 * <p>{@link #cookie()} is the magic cookie for RFC 5389+ messages; for RFC 3489 messages it is the
 * first 32 bits of their 128-bit transaction ID.
 */
public final class StunMessage {
    private final int type;
    private final int cookie;
    private final byte[] transactionId;
    private final List<StunAttribute> attributes;

    public StunMessage(int type, int cookie, byte[] transactionId, List<StunAttribute> attributes) {
        if ((type & 0xC000) != 0) {
            throw new IllegalArgumentException(String.format("message type 0x%04x uses the two top bits", type));
        }
        if (transactionId.length != Stun.TRANSACTION_ID_BYTES) {
            throw new IllegalArgumentException("transaction ID must be 12 bytes, got " + transactionId.length);
        }
        this.type = type;
        this.cookie = cookie;
        this.transactionId = transactionId.clone();
        this.attributes = List.copyOf(attributes);
    }

    public static StunMessage bindingRequest(byte[] transactionId) {
        return new StunMessage(Stun.BINDING_REQUEST, Stun.MAGIC_COOKIE, transactionId, List.of());
    }

    public int type() {
        return type;
    }

    public int cookie() {
        return cookie;
    }

    public boolean isClassic() {
        return cookie != Stun.MAGIC_COOKIE;
    }

    public byte[] transactionId() {
        return transactionId.clone();
    }

    public List<StunAttribute> attributes() {
        return attributes;
    }

    public Optional<byte[]> attribute(int attributeType) {
        for (StunAttribute a : attributes) {
            if (a.type() == attributeType) {
                return Optional.of(a.value().clone());
            }
        }
        return Optional.empty();
    }

    /** XOR-MAPPED-ADDRESS decoded, if present and well formed. */
    public Optional<InetSocketAddress> xorMappedAddress() {
        return attribute(Stun.XOR_MAPPED_ADDRESS).map(v -> decodeAddress(v, true));
    }

    /** MAPPED-ADDRESS decoded, if present and well formed. */
    public Optional<InetSocketAddress> mappedAddress() {
        return attribute(Stun.MAPPED_ADDRESS).map(v -> decodeAddress(v, false));
    }

    /** ERROR-CODE as class*100+number, or -1. */
    public int errorCode() {
        return attribute(Stun.ERROR_CODE).filter(v -> v.length >= 4).map(v -> (v[2] & 0x7) * 100 + (v[3] & 0xFF)).orElse(-1);
    }

    public String errorReason() {
        return attribute(Stun.ERROR_CODE).filter(v -> v.length >= 4)
                .map(v -> new String(v, 4, v.length - 4, StandardCharsets.UTF_8)).orElse("");
    }

    public List<Integer> unknownAttributes() {
        byte[] v = attribute(Stun.UNKNOWN_ATTRIBUTES).orElse(new byte[0]);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i + 1 < v.length; i += 2) {
            out.add(((v[i] & 0xFF) << 8) | (v[i + 1] & 0xFF));
        }
        return out;
    }

    public Optional<String> software() {
        return attribute(Stun.SOFTWARE).map(v -> new String(v, StandardCharsets.UTF_8));
    }

    private InetSocketAddress decodeAddress(byte[] v, boolean xor) {
        if (v.length < 4) {
            throw new StunProtocolException("address attribute of " + v.length + " bytes is shorter than 4");
        }
        int family = v[1] & 0xFF;
        int port = ((v[2] & 0xFF) << 8) | (v[3] & 0xFF);
        int addrLen = family == Stun.FAMILY_IPV4 ? 4 : family == Stun.FAMILY_IPV6 ? 16 : -1;
        if (addrLen < 0 || v.length != 4 + addrLen) {
            throw new StunProtocolException("address attribute family " + family + " with " + v.length + " bytes");
        }
        byte[] addr = Arrays.copyOfRange(v, 4, 4 + addrLen);
        if (xor) {
            port ^= Stun.MAGIC_COOKIE >>> 16;
            byte[] mask = xorMask();
            for (int i = 0; i < addrLen; i++) {
                addr[i] ^= mask[i];
            }
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(addr), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are always an address", e);
        }
    }

    private byte[] xorMask() {
        byte[] mask = new byte[16];
        mask[0] = (byte) (cookie >>> 24);
        mask[1] = (byte) (cookie >>> 16);
        mask[2] = (byte) (cookie >>> 8);
        mask[3] = (byte) cookie;
        System.arraycopy(transactionId, 0, mask, 4, 12);
        return mask;
    }

    /** Value of an (XOR-)MAPPED-ADDRESS attribute for {@code address}, with this message's transaction ID. */
    public byte[] encodeAddress(InetSocketAddress address, boolean xor) {
        byte[] addr = address.getAddress().getAddress();
        byte[] v = new byte[4 + addr.length];
        v[1] = (byte) (addr.length == 4 ? Stun.FAMILY_IPV4 : Stun.FAMILY_IPV6);
        int port = address.getPort() ^ (xor ? Stun.MAGIC_COOKIE >>> 16 : 0);
        v[2] = (byte) (port >>> 8);
        v[3] = (byte) port;
        byte[] mask = xorMask();
        for (int i = 0; i < addr.length; i++) {
            v[4 + i] = (byte) (xor ? addr[i] ^ mask[i] : addr[i]);
        }
        return v;
    }

    public StunMessage withAttribute(int attributeType, byte[] value) {
        List<StunAttribute> list = new ArrayList<>(attributes);
        list.add(new StunAttribute(attributeType, value));
        return new StunMessage(type, cookie, transactionId, list);
    }

    // ---------------------------------------------------------------- decoding

    /**
     * Decodes one whole message (a UDP payload, or a frame cut by {@link TcpFrameDecoder}). Strict: the
     * length field must match, attributes must fit, FINGERPRINT if present must be last and correct.
     * Does not move the buffer's reader index.
     */
    public static StunMessage decode(ByteBuf buf) {
        int base = buf.readerIndex();
        int n = buf.readableBytes();
        if (n < Stun.HEADER_BYTES) {
            throw new StunProtocolException("message of " + n + " bytes is shorter than the 20-byte header");
        }
        int type = buf.getUnsignedShort(base);
        if ((type & 0xC000) != 0) {
            throw new StunProtocolException(String.format("first two bits of type 0x%04x are not zero", type));
        }
        int length = buf.getUnsignedShort(base + 2);
        if ((length & 3) != 0) {
            throw new StunProtocolException("message length " + length + " is not a multiple of 4");
        }
        if (Stun.HEADER_BYTES + length != n) {
            throw new StunProtocolException("message length " + length + " does not match the "
                    + (n - Stun.HEADER_BYTES) + " bytes after the header");
        }
        int cookie = buf.getInt(base + 4);
        byte[] tid = new byte[Stun.TRANSACTION_ID_BYTES];
        buf.getBytes(base + 8, tid);
        List<StunAttribute> attrs = new ArrayList<>();
        int pos = Stun.HEADER_BYTES;
        while (pos < n) {
            if (n - pos < 4) {
                throw new StunProtocolException("attribute header at offset " + pos + " is truncated");
            }
            int at = buf.getUnsignedShort(base + pos);
            int al = buf.getUnsignedShort(base + pos + 2);
            int padded = (al + 3) & ~3;
            if (pos + 4 + padded > n) {
                throw new StunProtocolException(String.format(
                        "attribute 0x%04x at offset %d declares %d bytes, only %d remain", at, pos, al, n - pos - 4));
            }
            byte[] value = new byte[al];
            buf.getBytes(base + pos + 4, value);
            if (at == Stun.FINGERPRINT) {
                if (al != 4 || pos + 8 != n) {
                    throw new StunProtocolException("FINGERPRINT at offset " + pos + " is not a 4-byte last attribute");
                }
                int expected = Crc.fingerprint(buf, base, pos);
                int seen = buf.getInt(base + pos + 4);
                if (expected != seen) {
                    throw new StunProtocolException(String.format(
                            "FINGERPRINT 0x%08x does not match the computed 0x%08x", seen, expected));
                }
            }
            attrs.add(new StunAttribute(at, value));
            pos += 4 + padded;
        }
        return new StunMessage(type, cookie, tid, attrs);
    }

    public static StunMessage decode(byte[] bytes) {
        return decode(Unpooled.wrappedBuffer(bytes));
    }

    // ---------------------------------------------------------------- encoding

    /** Encodes the attributes as given (zero padding), no FINGERPRINT added. */
    public byte[] toBytes() {
        return encoder().toBytes();
    }

    public Encoder encoder() {
        return new Encoder(this);
    }

    /**
     * Serialises a message, optionally appending MESSAGE-INTEGRITY (HMAC-SHA1, RFC 8489 section 14.5)
     * and FINGERPRINT, computed the way the RFC says: over the message so far, with the header length
     * already counting the attribute being added.
     */
    public static final class Encoder {
        private final StunMessage message;
        private byte paddingByte;
        private byte[] integrityKey;
        private boolean fingerprint;

        private Encoder(StunMessage message) {
            this.message = message;
        }

        /** Value of padding bytes; RFC 5769 vectors use 0x20 to show receivers must ignore it. */
        public Encoder padding(int value) {
            this.paddingByte = (byte) value;
            return this;
        }

        public Encoder messageIntegrity(byte[] key) {
            this.integrityKey = key.clone();
            return this;
        }

        public Encoder fingerprint(boolean on) {
            this.fingerprint = on;
            return this;
        }

        public byte[] toBytes() {
            ByteBuf out = Unpooled.buffer();
            out.writeShort(message.type);
            out.writeShort(0);
            out.writeInt(message.cookie);
            out.writeBytes(message.transactionId);
            for (StunAttribute a : message.attributes) {
                out.writeShort(a.type());
                out.writeShort(a.value().length);
                out.writeBytes(a.value());
                for (int i = a.value().length; (i & 3) != 0; i++) {
                    out.writeByte(paddingByte);
                }
            }
            if (integrityKey != null) {
                out.setShort(2, out.writerIndex() - Stun.HEADER_BYTES + 24);
                byte[] mac = hmacSha1(integrityKey, out.array(), out.arrayOffset(), out.writerIndex());
                out.writeShort(Stun.MESSAGE_INTEGRITY);
                out.writeShort(20);
                out.writeBytes(mac);
            }
            if (fingerprint) {
                out.setShort(2, out.writerIndex() - Stun.HEADER_BYTES + 8);
                int crc = Crc.fingerprint(out.array(), out.arrayOffset(), out.writerIndex());
                out.writeShort(Stun.FINGERPRINT);
                out.writeShort(4);
                out.writeInt(crc);
            }
            out.setShort(2, out.writerIndex() - Stun.HEADER_BYTES);
            byte[] bytes = new byte[out.readableBytes()];
            out.readBytes(bytes);
            return bytes;
        }
    }

    /**
     * Recomputes MESSAGE-INTEGRITY of an encoded message: HMAC-SHA1 over the bytes before the attribute,
     * with the length field counting up to the end of MESSAGE-INTEGRITY. Returns empty if it is absent.
     */
    public static Optional<byte[]> computeMessageIntegrity(byte[] message, byte[] key) {
        int pos = Stun.HEADER_BYTES;
        while (pos + 4 <= message.length) {
            int at = ((message[pos] & 0xFF) << 8) | (message[pos + 1] & 0xFF);
            int al = ((message[pos + 2] & 0xFF) << 8) | (message[pos + 3] & 0xFF);
            if (at == Stun.MESSAGE_INTEGRITY) {
                byte[] copy = Arrays.copyOf(message, pos);
                int len = pos - Stun.HEADER_BYTES + 24;
                copy[2] = (byte) (len >>> 8);
                copy[3] = (byte) len;
                return Optional.of(hmacSha1(key, copy, 0, copy.length));
            }
            pos += 4 + ((al + 3) & ~3);
        }
        return Optional.empty();
    }

    static byte[] hmacSha1(byte[] key, byte[] data, int offset, int length) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key, "HmacSHA1"));
            mac.update(data, offset, length);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is a required JCA algorithm", e);
        }
    }

    @Override
    public String toString() {
        return String.format("StunMessage[type=0x%04x, %s, attributes=%s]", type,
                isClassic() ? "RFC 3489" : "RFC 8489", attributes);
    }
}
