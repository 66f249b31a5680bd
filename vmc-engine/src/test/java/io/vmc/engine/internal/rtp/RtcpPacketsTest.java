package io.vmc.engine.internal.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RtcpPacketsTest {
    static final long US = 0x11111111L;
    static final long PEER = 0xcafef00dL;

    @Test
    void srWithABlockRoundTrips() {
        byte[] p = new byte[100];
        var info = new RtcpPackets.SenderInfo(RtcpPackets.ntp(1_700_000_000_123L), 0xfedcba98L, 1234, 567890);
        var block = new RtcpPackets.ReportBlock(PEER, 26, -3, 0x1_0005L, 77, 0x12345678L, 0x10000L);
        int end = RtcpPackets.writeReport(p, 0, US, info, List.of(block));
        assertThat(end).isEqualTo(52);
        assertThat(p[1] & 0xff).isEqualTo(200);
        assertThat(RtpPackets.readU32(p, 0) & 0xffff).as("length in words - 1").isEqualTo(12);
        var r = RtcpPackets.parse(p, 0, end, US);
        assertThat(r.malformed()).isFalse();
        assertThat(r.senderSsrc()).isEqualTo(US);
        assertThat(r.senderInfo()).isEqualTo(info);
        assertThat(r.blocks()).containsExactly(block);
        assertThat(info.middle32()).isEqualTo(RtcpPackets.ntpMiddle(1_700_000_000_123L));
    }

    @Test
    void emptyRrAndPliParse() {
        byte[] p = new byte[40];
        int end = RtcpPackets.writeReport(p, 0, US, null, List.of());
        end = RtcpPackets.writePli(p, end, US, PEER);
        assertThat(end).isEqualTo(20);
        var r = RtcpPackets.parse(p, 0, end, PEER);
        assertThat(r.blocks()).isEmpty();
        assertThat(r.keyframeRequests()).isEqualTo(1);
        assertThat(r.malformed()).isFalse();
    }

    @Test
    void nackPacksPidAndBitmaskAcrossTheWrap() {
        List<Integer> seqs = List.of(65534, 65535, 0, 5, 15, 100);
        byte[] p = new byte[RtcpPackets.maxNackBytes()];
        int end = RtcpPackets.writeNack(p, 0, US, PEER, seqs);
        // 65534 + bits for 65535, 0, 5, 15 (offsets 0, 1, 6, 16 -> 16 does not fit) ... 15 and 100 new items
        assertThat(end).isEqualTo(12 + 3 * 4);
        assertThat(p[0] & 0xff).isEqualTo(0x81);
        assertThat(p[1] & 0xff).isEqualTo(205);
        // first FCI: PID 65534, BLP bits 0 (65535), 1 (0), 6 (5)
        assertThat(RtpPackets.readU32(p, 12)).isEqualTo((65534L << 16) | 0b100_0011);
        var r = RtcpPackets.parse(p, 0, end, PEER);
        assertThat(r.nackSeqs()).containsExactlyElementsOf(seqs);
        assertThat(RtcpPackets.parse(p, 0, end, US).nackSeqs()).as("a NACK about another SSRC").isEmpty();
    }

    @Test
    void nackOutputIsBoundedInItems() {
        List<Integer> seqs = new ArrayList<>();
        for (int i = 0; i < 100; i++) seqs.add(i * 20); // each needs its own item
        byte[] p = new byte[RtcpPackets.maxNackBytes()];
        int end = RtcpPackets.writeNack(p, 0, US, PEER, seqs);
        assertThat(end).isEqualTo(RtcpPackets.maxNackBytes());
        assertThat(RtcpPackets.parse(p, 0, end, PEER).nackSeqs()).hasSize(RtcpPackets.MAX_NACK_ITEMS_OUT);
        assertThat(RtcpPackets.writeNack(p, 0, US, PEER, List.of())).isZero();
    }

    // ------------------------------------------------------------------ hostile input

    @Test
    void nackListingThousandsOfSeqsIsCappedNotExpanded() {
        int items = (RtpPackets.MAX_PACKET - 12) / 4; // 372 items x 17 = 6324 numbers
        byte[] p = new byte[12 + 4 * items];
        p[0] = (byte) 0x81;
        p[1] = (byte) 205;
        RtpPackets.writeU16(p, 2, p.length / 4 - 1);
        RtpPackets.writeU32(p, 4, PEER);
        RtpPackets.writeU32(p, 8, US);
        for (int i = 0; i < items; i++) {
            RtpPackets.writeU16(p, 12 + 4 * i, i * 17);
            RtpPackets.writeU16(p, 14 + 4 * i, 0xffff);
        }
        var r = RtcpPackets.parse(p, 0, p.length, US);
        assertThat(r.nackSeqs()).hasSize(RtcpPackets.MAX_NACK_SEQS);
        assertThat(r.nackTruncated()).isTrue();
    }

    @Test
    void truncatedFciStopsTheWalk() {
        byte[] p = new byte[RtcpPackets.maxNackBytes()];
        int end = RtcpPackets.writeNack(p, 0, US, PEER, List.of(1, 40, 80));
        for (int cut = 1; cut < end; cut++) {
            var r = RtcpPackets.parse(p, 0, cut, PEER);
            assertThat(r.malformed()).as("cut at %d", cut).isTrue();
            assertThat(r.nackSeqs()).isEmpty();
        }
        // a length field that claims fewer words: the FCI is what the length says, no more
        RtpPackets.writeU16(p, 2, 3);
        var r = RtcpPackets.parse(p, 0, 16, PEER);
        assertThat(r.nackSeqs()).containsExactly(1);
    }

    @Test
    void reportCountLargerThanThePacketReadsOnlyWhatIsThere() {
        byte[] p = new byte[8 + 24];
        RtcpPackets.writeReport(p, 0, US, null, List.of(new RtcpPackets.ReportBlock(PEER, 1, 2, 3, 4, 5, 6)));
        p[0] = (byte) (0x80 | 31); // claims 31 blocks, holds one
        var r = RtcpPackets.parse(p, 0, p.length, US);
        assertThat(r.blocks()).hasSize(1);
    }

    @Test
    void absurdReportValuesParseAsTheyAre() {
        byte[] p = new byte[32];
        var block = new RtcpPackets.ReportBlock(US, 255, -0x800000, 0xffffffffL, 0xffffffffL, 0xffffffffL, 0xffffffffL);
        int end = RtcpPackets.writeReport(p, 0, PEER, null, List.of(block));
        assertThat(RtcpPackets.parse(p, 0, end, US).blocks()).containsExactly(block);
    }

    @Test
    void badVersionAndZeroLengthsEndTheWalkAndManyPacketsAreCapped() {
        byte[] p = new byte[12];
        p[0] = 0x40;
        p[1] = (byte) 201;
        assertThat(RtcpPackets.parse(p, 0, p.length, US).malformed()).isTrue();
        // 375 minimal packets (4 bytes: header only): only MAX_PACKETS are looked at
        byte[] many = new byte[1500];
        for (int i = 0; i < many.length; i += 4) {
            many[i] = (byte) 0x81;
            many[i + 1] = (byte) 206;
        }
        var r = RtcpPackets.parse(many, 0, many.length, US);
        assertThat(r.keyframeRequests()).isZero(); // too short to be a PLI
        assertThat(RtcpPackets.parse(p, 0, 3, US).malformed()).isTrue();
    }

    @Test
    void randomBytesNeverThrow() {
        Random rnd = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[rnd.nextInt(200)];
            rnd.nextBytes(b);
            if (b.length > 0 && rnd.nextBoolean()) b[0] = (byte) (0x80 | (b[0] & 0x1f));
            if (b.length > 1 && rnd.nextBoolean()) b[1] = (byte) (200 + rnd.nextInt(7));
            var r = RtcpPackets.parse(b, 0, b.length, US);
            assertThat(r.nackSeqs().size()).isLessThanOrEqualTo(RtcpPackets.MAX_NACK_SEQS);
            assertThat(r.blocks().size()).isLessThanOrEqualTo(RtcpPackets.MAX_REPORT_BLOCKS);
        }
    }
}
