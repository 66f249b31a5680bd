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
}
