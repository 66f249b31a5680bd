package io.vmc.engine.internal.rtp;

import java.util.ArrayList;
import java.util.List;

/**
 * RTCP builders and a bounded parser for what video needs: SR and RR with report blocks
 * (RFC 3550 section 6.4), Generic NACK (RFC 4585 section 6.2.1), PLI (RFC 4585 section 6.3.1) and
 * FIR (RFC 5104 section 4.3.1). Offsets are absolute into the array; builders return the new end.
 */
public final class RtcpPackets {
    public static final int SR = 200;
    public static final int RR = 201;
    public static final int SDES = 202;
    public static final int BYE = 203;
    public static final int RTPFB = 205;
    public static final int PSFB = 206;
    /** Packets of one compound that are looked at; the rest is ignored. */
    public static final int MAX_PACKETS = 16;
    /** Report blocks kept from one compound (31 fit in one SR/RR). */
    public static final int MAX_REPORT_BLOCKS = 31;
    /** Sequence numbers taken from the NACKs of one compound (each FCI item names up to 17). */
    public static final int MAX_NACK_SEQS = 256;
    /** FCI items we put into one NACK we send. */
    public static final int MAX_NACK_ITEMS_OUT = 32;
    private static final long NTP_OFFSET_SECONDS = 2208988800L;

    private RtcpPackets() {
    }

    /** An RFC 3550 report block; {@code cumulativeLost} is the signed 24-bit field. */
    public record ReportBlock(long ssrc, int fractionLost, int cumulativeLost, long extHighestSeq, long jitter,
                              long lsr, long dlsr) {
    }

    /** An SR's sender info; {@code ntp} is the 64-bit NTP timestamp. */
    public record SenderInfo(long ntp, long rtpTimestamp, long packets, long octets) {
        /** The middle 32 bits of the NTP timestamp: what a report block's LSR echoes. */
        public long middle32() {
            return (ntp >>> 16) & 0xffffffffL;
        }
    }

    /**
     * What one compound said. {@code nackSeqs} and {@code keyframeRequests} count only feedback
     * for {@code mediaSsrc}; {@code malformed} tells that parsing stopped at a bad packet.
     */
    public record Parsed(long senderSsrc, SenderInfo senderInfo, List<ReportBlock> blocks, List<Integer> nackSeqs,
                         int keyframeRequests, boolean malformed, boolean nackTruncated) {
    }

    /** 64-bit NTP time for a wall-clock instant. */
    public static long ntp(long epochMillis) {
        long sec = epochMillis / 1000 + NTP_OFFSET_SECONDS;
        long frac = ((epochMillis % 1000) << 32) / 1000;
        return (sec << 32) | frac;
    }

    /**
     * 64-bit NTP time now, to the microsecond: RTT from LSR/DLSR is below a millisecond on a LAN, so
     * {@link #ntp(long)}'s millisecond steps would round it to zero or wrap it.
     */
    public static long ntpNow() {
        java.time.Instant now = java.time.Instant.now();
        long frac = ((long) now.getNano() << 32) / 1_000_000_000L;
        return ((now.getEpochSecond() + NTP_OFFSET_SECONDS) << 32) | frac;
    }

    /** The middle 32 bits of the NTP time for a wall-clock instant (the unit of LSR/DLSR: 1/65536 s). */
    public static long ntpMiddle(long epochMillis) {
        return (ntp(epochMillis) >>> 16) & 0xffffffffL;
    }

    /**
     * Parses a plain (already unprotected) compound packet. Never throws on bad input: what is
     * malformed stops the walk, everything is bounded by the constants above.
     */
    public static Parsed parse(byte[] b, int off, int len, long mediaSsrc) {
        List<ReportBlock> blocks = new ArrayList<>();
        List<Integer> nacks = new ArrayList<>();
        SenderInfo si = null;
        long sender = len >= 8 ? RtpPackets.readU32(b, off + 4) : -1;
        int keyframes = 0;
        boolean malformed = false;
        boolean truncated = false;
        int pos = off;
        int end = off + len;
        for (int n = 0; pos < end && n < MAX_PACKETS; n++) {
            if (pos + 4 > end || (b[pos] & 0xc0) != 0x80) {
                malformed = true;
                break;
            }
            int count = b[pos] & 0x1f;
            int pt = b[pos + 1] & 0xff;
            int plen = ((((b[pos + 2] & 0xff) << 8) | (b[pos + 3] & 0xff)) + 1) * 4;
            if (pos + plen > end) {
                malformed = true;
                break;
            }
            int pend = pos + plen;
            if ((pt == SR && plen >= 28) || (pt == RR && plen >= 8)) {
                int at = pos + 8;
                if (pt == SR) {
                    si = new SenderInfo((RtpPackets.readU32(b, pos + 8) << 32) | RtpPackets.readU32(b, pos + 12),
                            RtpPackets.readU32(b, pos + 16), RtpPackets.readU32(b, pos + 20), RtpPackets.readU32(b, pos + 24));
                    at = pos + 28;
                }
                for (int i = 0; i < count && at + 24 <= pend && blocks.size() < MAX_REPORT_BLOCKS; i++, at += 24) {
                    int lost = (int) (RtpPackets.readU32(b, at + 4) & 0xffffff);
                    if ((lost & 0x800000) != 0) lost |= 0xff000000; // sign-extend the 24-bit field
                    blocks.add(new ReportBlock(RtpPackets.readU32(b, at), b[at + 4] & 0xff, lost,
                            RtpPackets.readU32(b, at + 8), RtpPackets.readU32(b, at + 12),
                            RtpPackets.readU32(b, at + 16), RtpPackets.readU32(b, at + 20)));
                }
            } else if (pt == RTPFB && count == 1 && plen >= 12 && RtpPackets.readU32(b, pos + 8) == mediaSsrc) {
                for (int at = pos + 12; at + 4 <= pend; at += 4) {
                    int pid = ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
                    int blp = ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
                    for (int bit = -1; bit < 16; bit++) {
                        if (bit >= 0 && (blp & (1 << bit)) == 0) continue;
                        if (nacks.size() >= MAX_NACK_SEQS) {
                            truncated = true;
                            break;
                        }
                        nacks.add((pid + bit + 1) & 0xffff);
                    }
                }
            } else if (pt == PSFB && (count == 1 || count == 4) && plen >= 12) {
                // PLI names the media SSRC in the header; FIR in its FCI entries, so accept both as addressed to us
                keyframes++;
            }
            pos = pend;
        }
        return new Parsed(sender, si, List.copyOf(blocks), List.copyOf(nacks), keyframes, malformed, truncated);
    }

    /** SR (with {@code info}) or RR (without) carrying up to {@link #MAX_REPORT_BLOCKS} blocks. */
    public static int writeReport(byte[] p, int pos, long ssrc, SenderInfo info, List<ReportBlock> blocks) {
        int n = Math.min(blocks.size(), MAX_REPORT_BLOCKS);
        int len = (info != null ? 28 : 8) + 24 * n;
        p[pos] = (byte) (0x80 | n);
        p[pos + 1] = (byte) (info != null ? SR : RR);
        RtpPackets.writeU16(p, pos + 2, len / 4 - 1);
        RtpPackets.writeU32(p, pos + 4, ssrc);
        int at = pos + 8;
        if (info != null) {
            RtpPackets.writeU32(p, at, info.ntp() >>> 32);
            RtpPackets.writeU32(p, at + 4, info.ntp());
            RtpPackets.writeU32(p, at + 8, info.rtpTimestamp());
            RtpPackets.writeU32(p, at + 12, info.packets());
            RtpPackets.writeU32(p, at + 16, info.octets());
            at += 20;
        }
        for (int i = 0; i < n; i++, at += 24) {
            ReportBlock r = blocks.get(i);
            RtpPackets.writeU32(p, at, r.ssrc());
            RtpPackets.writeU32(p, at + 4, ((long) (r.fractionLost() & 0xff) << 24) | (r.cumulativeLost() & 0xffffffL));
            RtpPackets.writeU32(p, at + 8, r.extHighestSeq());
            RtpPackets.writeU32(p, at + 12, r.jitter());
            RtpPackets.writeU32(p, at + 16, r.lsr());
            RtpPackets.writeU32(p, at + 20, r.dlsr());
        }
        return at;
    }

    public static int writePli(byte[] p, int pos, long sender, long media) {
        p[pos] = (byte) 0x81;
        p[pos + 1] = (byte) PSFB;
        RtpPackets.writeU16(p, pos + 2, 2);
        RtpPackets.writeU32(p, pos + 4, sender);
        RtpPackets.writeU32(p, pos + 8, media);
        return pos + 12;
    }

    /**
     * A Generic NACK for {@code seqs} (16-bit, in sending order): each item is a PID plus a bitmask
     * of the 16 following numbers. At most {@link #MAX_NACK_ITEMS_OUT} items; returns the new end,
     * or {@code pos} when there is nothing to send.
     */
    public static int writeNack(byte[] p, int pos, long sender, long media, List<Integer> seqs) {
        if (seqs.isEmpty()) return pos;
        int at = pos + 12;
        int items = 0;
        int i = 0;
        while (i < seqs.size() && items < MAX_NACK_ITEMS_OUT) {
            int pid = seqs.get(i++) & 0xffff;
            int blp = 0;
            while (i < seqs.size()) {
                int d = (seqs.get(i) - pid - 1) & 0xffff;
                if (d >= 16) break;
                blp |= 1 << d;
                i++;
            }
            RtpPackets.writeU16(p, at, pid);
            RtpPackets.writeU16(p, at + 2, blp);
            at += 4;
            items++;
        }
        p[pos] = (byte) 0x81;
        p[pos + 1] = (byte) RTPFB;
        RtpPackets.writeU16(p, pos + 2, (at - pos) / 4 - 1);
        RtpPackets.writeU32(p, pos + 4, sender);
        RtpPackets.writeU32(p, pos + 8, media);
        return at;
    }

    /** Bytes a NACK for this many sequence numbers can need at most. */
    public static int maxNackBytes() {
        return 12 + 4 * MAX_NACK_ITEMS_OUT;
    }
}
