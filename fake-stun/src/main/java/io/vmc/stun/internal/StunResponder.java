package io.vmc.stun.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.vmc.stun.Rule;
import io.vmc.stun.TranslationTable;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's request processing, shared by UDP and TCP: validates a request in place and writes the
 * response into one pooled buffer. Nothing else is allocated for a successful IPv4 Binding.
 *
 * <p>Answer policy. Only something that is recognisably a STUN request gets an answer:
 * <ul>
 * <li>dropped: shorter than the header or longer than {@link Stun#MAX_REQUEST_BYTES}; top two type bits
 * set; length field not a multiple of 4 or not matching the payload; indications and responses;
 * a wrong FINGERPRINT; RFC 3489 messages (no magic cookie) that are not a well-formed Binding request
 * or that carry FINGERPRINT.</li>
 * <li>400 Bad Request: a request with the magic cookie and a consistent length whose attributes are
 * malformed (truncated, running past the end, FINGERPRINT not last, bad CHANGE-REQUEST), or whose
 * method is not Binding.</li>
 * <li>420 Unknown Attribute: unknown comprehension-required attributes before MESSAGE-INTEGRITY,
 * and RESPONSE-ADDRESS, RESPONSE-PORT or CHANGE-REQUEST asking for another address or port
 * (this server has one address and never sends to a third party).</li>
 * <li>Binding success: XOR-MAPPED-ADDRESS and MAPPED-ADDRESS (the translated address when a rule
 * matches), SOFTWARE, FINGERPRINT; to RFC 3489 clients MAPPED-ADDRESS only.</li>
 * </ul>
 * Credentials (USERNAME, MESSAGE-INTEGRITY) are accepted and not checked, as by any public STUN server.
 */
public final class StunResponder {
    private static final byte[] BAD_TRUNCATED = reason("Bad Request: truncated attribute header");
    private static final byte[] BAD_PAST_END = reason("Bad Request: attribute length runs past the end");
    private static final byte[] BAD_FINGERPRINT_POSITION = reason("Bad Request: FINGERPRINT must be the last attribute");
    private static final byte[] BAD_CHANGE_REQUEST = reason("Bad Request: CHANGE-REQUEST must be 4 bytes");
    private static final byte[] BAD_METHOD = reason("Bad Request: only the Binding method is served");
    private static final byte[] UNKNOWN = reason("Unknown Attribute");

    private final TranslationTable table;
    private final byte[] softwareAttribute; // header + value + padding, or empty
    private final LongAdder answered = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder dropped = new LongAdder();

    public StunResponder(TranslationTable table, String software) {
        this.table = table;
        this.softwareAttribute = software == null || software.isEmpty() ? new byte[0] : softwareAttribute(software);
    }

    private static byte[] softwareAttribute(String software) {
        if (software.codePointCount(0, software.length()) > Stun.MAX_SOFTWARE_CHARS) {
            throw new IllegalArgumentException("software of " + software.length() + " characters exceeds "
                    + Stun.MAX_SOFTWARE_CHARS);
        }
        byte[] v = software.getBytes(StandardCharsets.UTF_8);
        if (v.length > Stun.MAX_SOFTWARE_BYTES) {
            throw new IllegalArgumentException("software of " + v.length + " bytes exceeds " + Stun.MAX_SOFTWARE_BYTES);
        }
        byte[] a = new byte[4 + ((v.length + 3) & ~3)];
        a[0] = (byte) (Stun.SOFTWARE >>> 8);
        a[1] = (byte) Stun.SOFTWARE;
        a[2] = (byte) (v.length >>> 8);
        a[3] = (byte) v.length;
        System.arraycopy(v, 0, a, 4, v.length);
        return a;
    }

    private static byte[] reason(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    public long answered() {
        return answered.sum();
    }

    public long errorResponses() {
        return errors.sum();
    }

    public long dropped() {
        return dropped.sum();
    }

    /**
     * The response to {@code request} (its readable bytes are one whole message) from {@code source},
     * or null to send nothing. Does not release or move {@code request}.
     */
    public ByteBuf respond(ByteBuf request, InetSocketAddress source, ByteBufAllocator alloc) {
        int base = request.readerIndex();
        int n = request.readableBytes();
        if (n < Stun.HEADER_BYTES || n > Stun.MAX_REQUEST_BYTES) {
            return drop();
        }
        int type = request.getUnsignedShort(base);
        int length = request.getUnsignedShort(base + 2);
        if ((type & 0xC000) != 0 || (length & 3) != 0 || Stun.HEADER_BYTES + length != n
                || (type & Stun.CLASS_MASK) != Stun.CLASS_REQUEST) {
            return drop();
        }
        boolean modern = request.getInt(base + 4) == Stun.MAGIC_COOKIE;
        if (!modern && type != Stun.BINDING_REQUEST) {
            return drop();
        }
        byte[] bad = null;
        int unknown = 0;
        boolean afterIntegrity = false;
        int pos = Stun.HEADER_BYTES;
        while (pos < n) {
            if (n - pos < 4) {
                bad = BAD_TRUNCATED;
                break;
            }
            int at = request.getUnsignedShort(base + pos);
            int al = request.getUnsignedShort(base + pos + 2);
            int next = pos + 4 + ((al + 3) & ~3);
            if (next > n) {
                bad = BAD_PAST_END;
                break;
            }
            if (at == Stun.FINGERPRINT) {
                if (!modern) {
                    return drop();
                }
                if (al != 4 || next != n) {
                    bad = BAD_FINGERPRINT_POSITION;
                    break;
                }
                if (Crc.fingerprint(request, base, pos) != request.getInt(base + pos + 4)) {
                    return drop(); // not STUN after all (RFC 8489 section 7.3), or corrupted
                }
            } else if (!afterIntegrity) {
                int verdict = classify(request, base + pos, at, al);
                if (verdict == BAD) {
                    bad = BAD_CHANGE_REQUEST;
                    break;
                }
                if (verdict == UNKNOWN_ATTR) {
                    unknown++;
                } else if (verdict == INTEGRITY) {
                    afterIntegrity = true;
                }
            }
            pos = next;
        }
        if (bad != null) {
            return modern ? error(request, alloc, 400, bad, 0) : drop();
        }
        if ((type & Stun.METHOD_MASK) != Stun.METHOD_BINDING) {
            return error(request, alloc, 400, BAD_METHOD, 0);
        }
        if (unknown > 0) {
            return error(request, alloc, 420, UNKNOWN, Math.min(unknown, Stun.MAX_UNKNOWN_ATTRIBUTES));
        }
        return success(request, source, alloc, modern);
    }

    private static final int KNOWN = 0;
    private static final int UNKNOWN_ATTR = 1;
    private static final int BAD = 2;
    private static final int INTEGRITY = 3;

    private static int classify(ByteBuf request, int at0, int type, int length) {
        switch (type) {
            case Stun.MESSAGE_INTEGRITY:
            case Stun.MESSAGE_INTEGRITY_SHA256:
                return INTEGRITY;
            case Stun.CHANGE_REQUEST:
                if (length != 4) {
                    return BAD;
                }
                return (request.getInt(at0 + 4) & (Stun.CHANGE_IP | Stun.CHANGE_PORT)) != 0 ? UNKNOWN_ATTR : KNOWN;
            default:
                return Stun.isComprehensionRequired(type) && !Stun.isKnownRequired(type) ? UNKNOWN_ATTR : KNOWN;
        }
    }

    private ByteBuf drop() {
        dropped.increment();
        return null;
    }

    private ByteBuf success(ByteBuf request, InetSocketAddress source, ByteBufAllocator alloc, boolean modern) {
        InetAddress observed = source.getAddress();
        int port = source.getPort();
        Rule rule = table.lookup(observed, port);
        InetAddress address = observed;
        if (rule != null) {
            address = rule.mappedAddress();
            if (rule.mappedPort() != 0) {
                port = rule.mappedPort();
            }
        }
        boolean v4 = address instanceof Inet4Address;
        int addrAttr = 4 + (v4 ? 8 : 20);
        int base = request.readerIndex();
        int size = Stun.HEADER_BYTES + addrAttr + (modern ? addrAttr + softwareAttribute.length + 8 : 0);
        ByteBuf out = alloc.ioBuffer(size);
        int start = out.writerIndex();
        out.writeShort(Stun.BINDING_SUCCESS);
        out.writeShort(size - Stun.HEADER_BYTES);
        out.writeBytes(request, base + 4, 16); // cookie + transaction ID (all 16 bytes for RFC 3489)
        byte[] v6 = v4 ? null : address.getAddress();
        int v4int = v4 ? address.hashCode() : 0; // Inet4Address.hashCode() is the address
        if (modern) {
            out.writeShort(Stun.XOR_MAPPED_ADDRESS);
            out.writeShort(addrAttr - 4);
            out.writeShort(v4 ? Stun.FAMILY_IPV4 : Stun.FAMILY_IPV6);
            out.writeShort(port ^ (Stun.MAGIC_COOKIE >>> 16));
            if (v4) {
                out.writeInt(v4int ^ Stun.MAGIC_COOKIE);
            } else {
                for (int i = 0; i < 16; i++) {
                    out.writeByte(v6[i] ^ request.getByte(base + 4 + i));
                }
            }
        }
        out.writeShort(Stun.MAPPED_ADDRESS);
        out.writeShort(addrAttr - 4);
        out.writeShort(v4 ? Stun.FAMILY_IPV4 : Stun.FAMILY_IPV6);
        out.writeShort(port);
        if (v4) {
            out.writeInt(v4int);
        } else {
            out.writeBytes(v6);
        }
        if (modern) {
            out.writeBytes(softwareAttribute);
            writeFingerprint(out, start);
        }
        answered.increment();
        return out;
    }

    private ByteBuf error(ByteBuf request, ByteBufAllocator alloc, int code, byte[] reason, int unknownCount) {
        int base = request.readerIndex();
        boolean modern = request.getInt(base + 4) == Stun.MAGIC_COOKIE;
        int errorAttr = 4 + 4 + ((reason.length + 3) & ~3);
        // RFC 3489 wants an even list (repeat one entry); RFC 8489 pads with zeros.
        int listed = !modern && (unknownCount & 1) == 1 ? unknownCount + 1 : unknownCount;
        int unknownAttr = unknownCount == 0 ? 0 : 4 + ((listed * 2 + 3) & ~3);
        int size = Stun.HEADER_BYTES + errorAttr + unknownAttr + (modern ? softwareAttribute.length + 8 : 0);
        ByteBuf out = alloc.ioBuffer(size);
        int start = out.writerIndex();
        int method = request.getUnsignedShort(base) & Stun.METHOD_MASK;
        out.writeShort(method | Stun.CLASS_ERROR);
        out.writeShort(size - Stun.HEADER_BYTES);
        out.writeBytes(request, base + 4, 16);
        out.writeShort(Stun.ERROR_CODE);
        out.writeShort(4 + reason.length);
        out.writeShort(0);
        out.writeByte(code / 100);
        out.writeByte(code % 100);
        out.writeBytes(reason);
        out.writeZero(errorAttr - 8 - reason.length);
        if (unknownCount > 0) {
            out.writeShort(Stun.UNKNOWN_ATTRIBUTES);
            out.writeShort(listed * 2);
            int written = writeUnknown(request, out, unknownCount);
            if (listed > unknownCount) {
                out.writeShort(out.getUnsignedShort(out.writerIndex() - 2));
                written++;
            }
            out.writeZero(unknownAttr - 4 - written * 2);
        }
        if (modern) {
            out.writeBytes(softwareAttribute);
            writeFingerprint(out, start);
        }
        errors.increment();
        return out;
    }

    /** Second pass over a request already validated, on the error path only. */
    private static int writeUnknown(ByteBuf request, ByteBuf out, int max) {
        int base = request.readerIndex();
        int n = request.readableBytes();
        int pos = Stun.HEADER_BYTES;
        int written = 0;
        while (pos < n && written < max) {
            int at = request.getUnsignedShort(base + pos);
            int al = request.getUnsignedShort(base + pos + 2);
            if (at == Stun.MESSAGE_INTEGRITY || at == Stun.MESSAGE_INTEGRITY_SHA256) {
                break;
            }
            if (at != Stun.FINGERPRINT && classify(request, base + pos, at, al) == UNKNOWN_ATTR) {
                out.writeShort(at);
                written++;
            }
            pos += 4 + ((al + 3) & ~3);
        }
        return written;
    }

    private static void writeFingerprint(ByteBuf out, int start) {
        int crc = Crc.fingerprint(out, start, out.writerIndex() - start);
        out.writeShort(Stun.FINGERPRINT);
        out.writeShort(4);
        out.writeInt(crc);
    }
}
