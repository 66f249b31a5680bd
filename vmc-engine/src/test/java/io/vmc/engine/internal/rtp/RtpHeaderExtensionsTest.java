package io.vmc.engine.internal.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** RFC 8285 header extensions as peers send them, and as hostile ones do: never a throw, never past the packet. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RtpHeaderExtensionsTest {
    /** An RTP packet with the X bit, {@code profile} and the extension body {@code ext} (padded to 32 bits), payload 4 bytes. */
    static byte[] packet(int profile, int... ext) {
        int words = (ext.length + 3) / 4;
        byte[] p = new byte[12 + 4 + words * 4 + 4];
        p[0] = (byte) 0x90;
        p[1] = 111;
        RtpPackets.writeU16(p, 12, profile);
        RtpPackets.writeU16(p, 14, words);
        for (int i = 0; i < ext.length; i++) p[16 + i] = (byte) ext[i];
        return p;
    }

    static String mid(byte[] p, int id) {
        return RtpHeaderExtensions.mid(p, 0, p.length, id);
    }

    @Test
    void oneByteFormAsChromiumSendsIt() {
        // audio level (id 1, 1 byte), then padding, then MID "0" (id 4, 1 byte)
        byte[] p = packet(0xBEDE, 0x10, 0xff, 0, 0x40, '0');
        assertThat(mid(p, 4)).isEqualTo("0");
        assertThat(RtpHeaderExtensions.find(p, 0, p.length, 1)).isEqualTo((17L << 16) | 1);
        assertThat(mid(p, 3)).isNull();
        assertThat(mid(p, 15)).as("no id 15 in the one-byte form").isNull();
    }

    @Test
    void twoByteForm() {
        byte[] p = packet(0x1000, 0, 20, 5, 'v', 'i', 'd', 'e', 'o', 7, 0);
        assertThat(mid(p, 20)).isEqualTo("video");
        assertThat(RtpHeaderExtensions.find(p, 0, p.length, 7)).as("a zero-length element").isEqualTo(26L << 16);
        assertThat(mid(p, 7)).as("empty is no MID").isNull();
        assertThat(mid(packet(0x100f, 200, 1, 'a'), 200)).as("any appbits").isEqualTo("a");
    }

    @Test
    void garbageEndsTheWalkOrIsNoMid() {
        assertThat(mid(packet(0xBEDE, 0xf0, 0x40, '0'), 4)).as("id 15 stops the walk").isNull();
        assertThat(mid(packet(0xBEDE, 0x4f, '0'), 4)).as("16 bytes claimed, 3 there").isNull();
        assertThat(mid(packet(0x1000, 4, 200, '0'), 4)).as("200 bytes claimed").isNull();
        assertThat(mid(packet(0x1000, 0, 0, 0, 4), 4)).as("an id in the last byte, no length").isNull();
        assertThat(mid(packet(0x1234, 0x40, '0'), 4)).as("unknown profile").isNull();
        assertThat(mid(packet(0xBEDE, 0x41, 0, '0'), 4)).as("a NUL in the MID").isNull();
        assertThat(mid(packet(0xBEDE, 0x41, ' ', '0'), 4)).as("a space in the MID").isNull();
        byte[] noX = packet(0xBEDE, 0x40, '0');
        noX[0] = (byte) 0x80;
        assertThat(mid(noX, 4)).isNull();
        byte[] longWords = packet(0xBEDE, 0x40, '0');
        RtpPackets.writeU16(longWords, 14, 0xffff); // extension past the packet's end
        assertThat(mid(longWords, 4)).isNull();
        byte[] p = packet(0xBEDE, 0x40, '0');
        for (int cut = 0; cut < p.length; cut++) {
            assertThat(RtpHeaderExtensions.find(p, 0, cut, 4)).as("cut at %d", cut).isLessThan(cut == 0 ? 0 : (long) cut << 16);
        }
        for (int id : new int[] {-1, 0, 256, Integer.MAX_VALUE}) assertThat(mid(p, id)).isNull();
        byte[] big = packet(0x1000, 4, 33);
        big = java.util.Arrays.copyOf(big, big.length + 40);
        RtpPackets.writeU16(big, 14, 10);
        for (int i = 0; i < 33; i++) big[18 + i] = 'x';
        assertThat(mid(big, 4)).as("longer than an a=mid may be").isNull();
    }

    @Test
    void randomBytesNeverThrowAndStayInsideThePacket() {
        Random r = new Random(17);
        for (int i = 0; i < 20_000; i++) {
            byte[] p = new byte[r.nextInt(80)];
            r.nextBytes(p);
            if (p.length > 0 && r.nextBoolean()) p[0] = (byte) (0x90 | (p[0] & 0x2f));
            if (p.length > 13 && r.nextBoolean()) RtpPackets.writeU16(p, 12 + 4 * (p[0] & 0x0f) < p.length - 1 ? 12 + 4 * (p[0] & 0x0f) : 12,
                    r.nextBoolean() ? 0xBEDE : 0x1000);
            int off = p.length > 0 ? r.nextInt(Math.min(4, p.length)) : 0;
            int len = p.length - off;
            long f = RtpHeaderExtensions.find(p, off, len, 1 + r.nextInt(255));
            if (f >= 0) assertThat((f >>> 16) + (f & 0xffff)).isLessThanOrEqualTo(off + len);
            String mid = RtpHeaderExtensions.mid(p, off, len, 1 + r.nextInt(14));
            if (mid != null) assertThat(mid.getBytes(StandardCharsets.US_ASCII)).hasSizeLessThanOrEqualTo(32);
        }
    }

    /** A plain packet as a payloader makes it: no extension, {@code cc} CSRCs, payload 1 2 3 (and RTP padding with {@code padded}). */
    static byte[] plain(int cc, boolean padded) {
        byte[] p = new byte[12 + 4 * cc + 3 + (padded ? 2 : 0)];
        p[0] = (byte) (0x80 | (padded ? 0x20 : 0) | cc);
        p[1] = 96;
        for (int i = 0; i < 3; i++) p[12 + 4 * cc + i] = (byte) (i + 1);
        if (padded) p[p.length - 1] = 2;
        return p;
    }

    static byte[] withMid(byte[] p, int id, String mid) {
        return RtpHeaderExtensions.withElement(p, p.length, id, mid.getBytes(StandardCharsets.US_ASCII));
    }

    /** The payload a packet carries, as a receiver reads it (after header and extension, before padding). */
    static byte[] payload(byte[] p) {
        int h = RtpPackets.headerLength(p, 0, p.length);
        int pad = (p[0] & 0x20) != 0 ? p[p.length - 1] & 0xff : 0;
        return java.util.Arrays.copyOfRange(p, h, p.length - pad);
    }

    @Test
    void theMidIsWrittenInTheOneByteFormAndReadBack() {
        for (int cc : new int[] {0, 2}) {
            for (boolean padded : new boolean[] {false, true}) {
                byte[] p = plain(cc, padded);
                byte[] out = withMid(p, 4, "1");
                assertThat(out).isNotSameAs(p);
                assertThat(RtpPackets.headerLength(out, 0, out.length)).as("one 4-byte word of extension").isEqualTo(12 + 4 * cc + 8);
                assertThat(RtpPackets.readU32(out, 12 + 4 * cc) >>> 16).isEqualTo(0xBEDE);
                assertThat(mid(out, 4)).isEqualTo("1");
                assertThat(payload(out)).containsExactly(1, 2, 3);
                assertThat(out[1]).isEqualTo(p[1]);
                assertThat(RtpPackets.ssrc(out, 0)).isEqualTo(RtpPackets.ssrc(p, 0));
            }
        }
        byte[] longest = withMid(plain(0, false), 14, "abcdefghijklmnop"); // 16 bytes: the form's most
        assertThat(mid(longest, 14)).isEqualTo("abcdefghijklmnop");
        assertThat(RtpPackets.headerLength(longest, 0, longest.length)).isEqualTo(12 + 4 + 20);
    }

    @Test
    void theMidJoinsAnExtensionThePacketHasInItsForm() {
        byte[] one = packet(0xBEDE, 0x10, 0x7f, 0, 0); // audio level, padding
        byte[] out = withMid(one, 4, "0");
        assertThat(mid(out, 4)).isEqualTo("0");
        assertThat(RtpHeaderExtensions.find(out, 0, out.length, 1)).as("the old element stays").isEqualTo((17L << 16) | 1);
        assertThat(out).hasSize(one.length + 4);
        byte[] two = packet(0x1000, 7, 1, 9);
        out = withMid(two, 200, "video");
        assertThat(mid(out, 200)).isEqualTo("video");
        assertThat(RtpHeaderExtensions.find(out, 0, out.length, 7)).isEqualTo((18L << 16) | 1);
        assertThat(withMid(packet(0xBEDE, 0x40, '9'), 4, "0")).as("the packet's own MID is left").satisfies(p -> assertThat(mid(p, 4)).isEqualTo("9"));
    }

    @Test
    void whatCannotBeExtendedIsSentAsItIs() {
        byte[] p = plain(0, false);
        assertThat(withMid(p, 15, "0")).as("15 is no one-byte id").isSameAs(p);
        assertThat(withMid(p, 0, "0")).isSameAs(p);
        assertThat(withMid(p, 4, "")).as("an empty value has no one-byte element").isSameAs(p);
        assertThat(withMid(p, 4, "abcdefghijklmnopq")).as("17 bytes").isSameAs(p);
        byte[] other = packet(0x1234, 0x40, '0');
        assertThat(withMid(other, 4, "0")).as("a profile of neither form").isSameAs(other);
        byte[] broken = packet(0xBEDE, 0x40, '0');
        RtpPackets.writeU16(broken, 14, 0xffff);
        assertThat(withMid(broken, 4, "1")).as("an extension past the end").isSameAs(broken);
        byte[] tiny = new byte[5];
        assertThat(withMid(tiny, 4, "1")).isSameAs(tiny);
    }

    @Test
    void randomPacketsAreExtendedOrLeftNeverBroken() {
        Random r = new Random(8843);
        for (int i = 0; i < 20_000; i++) {
            byte[] p = new byte[r.nextInt(80)];
            r.nextBytes(p);
            if (p.length > 0 && r.nextBoolean()) p[0] = (byte) (0x80 | (p[0] & 0x3f));
            if (p.length > 15 && r.nextBoolean()) {
                RtpPackets.writeU16(p, 12, r.nextBoolean() ? 0xBEDE : 0x1000);
                RtpPackets.writeU16(p, 14, r.nextInt(4));
                p[0] = (byte) (0x90 | (p[0] & 0x20));
            }
            int id = r.nextInt(20) - 2;
            byte[] out = RtpHeaderExtensions.withElement(p, p.length, id, "1".getBytes(StandardCharsets.US_ASCII));
            if (out == p) continue;
            assertThat(RtpPackets.headerLength(out, 0, out.length)).as("still RTP").isPositive();
            assertThat(payload(out)).as("same payload").containsExactly(payload(p));
            assertThat(RtpHeaderExtensions.mid(out, 0, out.length, id)).isEqualTo("1");
        }
    }
}
