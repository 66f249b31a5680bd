package io.vmc.engine.internal.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The per-kind features plugged into an {@link RtpStream} (DTMF, NACK and retransmission, keyframe
 * requests, bitrate control), driven through the stream's hooks with passed-in times: no sockets,
 * no GStreamer.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RtpFeaturesTest {
    static final long US = 0x11111111L;
    static final long PEER = 0xcafef00dL;
    static final long MS = 1_000_000L;

    static byte[] rtp(int pt, int seq, long ts, long ssrc, int... payload) {
        byte[] p = new byte[12 + payload.length];
        p[0] = (byte) 0x80;
        p[1] = (byte) pt;
        RtpPackets.setSeq(p, 0, seq);
        RtpPackets.setTimestamp(p, 0, ts);
        RtpPackets.setSsrc(p, 0, ssrc);
        for (int i = 0; i < payload.length; i++) p[12 + i] = (byte) payload[i];
        return p;
    }

    static RtpFeature.Arrival accept(RtpStream s, byte[] p, long now) {
        return s.accept(p, 0, p.length, now);
    }

    /** A plain compound from the peer with what {@code body} writes after an RR. */
    static byte[] fromPeer(java.util.function.BiFunction<byte[], Integer, Integer> body) {
        byte[] p = new byte[400];
        int pos = RtcpPackets.writeReport(p, 0, PEER, null, List.of());
        pos = body.apply(p, pos);
        return java.util.Arrays.copyOf(p, pos);
    }

    static void receive(RtpStream s, byte[] rtcp, long now) {
        assertThat(s.receiveRtcp(null, rtcp, 0, rtcp.length, now, 0).malformed()).isFalse();
    }

    @Test
    void dtmfEventsAreReportedOnceAtTheirEndAndNeverReachTheDecoder() {
        List<String> heard = new ArrayList<>();
        RtpStream s = new RtpStream(US, "c", 48000);
        s.add(new TelephoneEvents(101, 48000, (d, ms) -> heard.add(d + "/" + ms)));
        assertThat(accept(s, rtp(111, 1, 0, PEER, 1, 2, 3), 0)).isEqualTo(RtpFeature.Arrival.NEW);
        // digit 5, 100 ms at 48 kHz = 4800; the end packet three times (RFC 4733 2.5.1.4)
        assertThat(accept(s, rtp(101, 2, 960, PEER, 5, 10, 0x09, 0x60), 20 * MS)).isEqualTo(RtpFeature.Arrival.EVENT);
        for (int i = 0; i < 3; i++) {
            assertThat(accept(s, rtp(101, 3 + i, 960, PEER, 5, 0x8a, 0x12, 0xc0), 40 * MS))
                    .isEqualTo(RtpFeature.Arrival.EVENT);
        }
        assertThat(heard).containsExactly("5/100");
        // hostile: too short, unknown events (16+): events all the same, nothing heard
        assertThat(accept(s, rtp(101, 6, 2000, PEER, 5), 60 * MS)).isEqualTo(RtpFeature.Arrival.EVENT);
        assertThat(accept(s, rtp(101, 7, 3000, PEER, 200, 0x80, 0, 1), 60 * MS)).isEqualTo(RtpFeature.Arrival.EVENT);
        assertThat(heard).containsExactly("5/100");
        // a second digit with its own timestamp
        accept(s, rtp(101, 8, 4000, PEER, 11, 0x8a, 0x03, 0xc0), 80 * MS);
        assertThat(heard).containsExactly("5/100", "#/20");
    }

    @Test
    void dtmfSendingStepsEndsThreeTimesAndPausesBetweenDigits() {
        TelephoneEvents t = new TelephoneEvents(-1, 8000, (d, ms) -> { });
        assertThat(t.isEventType(101)).isFalse();
        assertThat(t.queue("1x#", 60)).as("x is no digit").isEqualTo(2);
        long[] clock = {1000};
        List<TelephoneEvents.EventPacket> out = new ArrayList<>();
        for (int i = 0; i < 40 && !(i > 0 && t.idle()); i++) {
            TelephoneEvents.EventPacket e = t.tick(() -> clock[0]);
            if (e != null) out.add(e);
            clock[0] += 160;
        }
        assertThat(t.idle()).isTrue();
        // per digit: 20, 40, 60 ms, then the end twice more = 5 packets
        assertThat(out).hasSize(10);
        assertThat(out.get(0).marker()).isTrue();
        assertThat(out.subList(1, 5)).noneMatch(TelephoneEvents.EventPacket::marker);
        assertThat(out.subList(0, 5)).allMatch(e -> e.timestamp() == 1000 && e.payload()[0] == 1);
        assertThat(out.subList(0, 5).stream().map(e -> (e.payload()[1] & 0x80) != 0).toList())
                .containsExactly(false, false, true, true, true);
        int duration = ((out.get(4).payload()[2] & 0xff) << 8) | (out.get(4).payload()[3] & 0xff);
        assertThat(duration).isEqualTo(480);
        assertThat(out.get(5).marker()).isTrue();
        assertThat(out.get(5).payload()[0]).isEqualTo((byte) 11);
        // 3 silent ticks (60 ms) between the digits: the second starts 8 ticks after the first
        assertThat(out.get(5).timestamp() - out.get(0).timestamp()).isEqualTo(8 * 160);
        assertThat(t.queue("1".repeat(TelephoneEvents.MAX_QUEUED + 10), 40)).isEqualTo(TelephoneEvents.MAX_QUEUED);
    }

    @Test
    void nackAsksForAGapOnceItsReorderDelayIsOverAndMarksTheRetransmission() {
        RtpStream s = new RtpStream(US, "c", 90000);
        NackFeedback n = new NackFeedback(() -> -1, () -> true, p -> { }, 0);
        s.add(n);
        long t = 1_000 * MS;
        assertThat(accept(s, rtp(96, 100, 0, PEER), t)).isEqualTo(RtpFeature.Arrival.NEW);
        assertThat(accept(s, rtp(96, 103, 0, PEER), t)).isEqualTo(RtpFeature.Arrival.NEW);
        assertThat(n.hasGaps()).isTrue();
        assertThat(s.feedbackDue(t)).as("within the reorder delay").isFalse();
        assertThat(accept(s, rtp(96, 101, 0, PEER), t + 2 * MS)).isEqualTo(RtpFeature.Arrival.REORDERED);
        assertThat(s.feedbackDue(t + 20 * MS)).isTrue();
        byte[] p = new byte[s.maxCompoundWithFeedbackBytes()];
        int pos = s.writeCompound(p, 0, null, false, t + 20 * MS);
        pos = s.writeFeedback(p, pos, false, t + 20 * MS);
        assertThat(RtcpPackets.parse(p, 0, pos, PEER).nackSeqs()).containsExactly(102);
        assertThat(n.nacksSent()).isEqualTo(1);
        assertThat(accept(s, rtp(96, 102, 0, PEER), t + 30 * MS)).isEqualTo(RtpFeature.Arrival.RECOVERED);
        assertThat(accept(s, rtp(96, 102, 0, PEER), t + 31 * MS)).isEqualTo(RtpFeature.Arrival.DUPLICATE);
        assertThat(n.recovered()).isEqualTo(1);
        assertThat(n.hasGaps()).isFalse();
        assertThat(s.packetsLost()).as("what NACK brought back still counts as the network's loss").isEqualTo(1);
    }

    @Test
    void nackRetransmitsFromTheHistoryOncePerRttAndNotOnHold() {
        List<Integer> resent = new ArrayList<>();
        boolean[] sending = {true};
        RtpStream s = new RtpStream(US, "c", 90000);
        NackFeedback n = new NackFeedback(() -> 50, () -> sending[0], p -> resent.add(RtpPackets.seq(p, 0)), 0);
        s.add(n);
        for (int seq = 10; seq < 20; seq++) s.onSent(rtp(96, seq, 0, US), seq, 0);
        byte[] nack = fromPeer((p, pos) -> RtcpPackets.writeNack(p, pos, PEER, US, List.of(12, 13, 99)));
        receive(s, nack, 10 * MS);
        assertThat(resent).containsExactly(12, 13);
        assertThat(n.misses()).as("99 was never sent").isEqualTo(1);
        receive(s, nack, 20 * MS);
        assertThat(resent).as("again within one RTT: a NACK that crossed our retransmission").hasSize(2);
        receive(s, nack, 100 * MS);
        assertThat(resent).hasSize(4);
        sending[0] = false;
        receive(s, nack, 200 * MS);
        assertThat(resent).hasSize(4);
        assertThat(n.nacksReceived()).isEqualTo(4);
    }

    @Test
    void keyframeRequestsGoOutWhileNothingIsDecodedAndAPliFloodIsLimited() {
        AtomicInteger keyframes = new AtomicInteger();
        long[] decoded = {0};
        RtpStream s = new RtpStream(US, "c", 90000);
        KeyframeRequests k = new KeyframeRequests(keyframes::incrementAndGet, () -> decoded[0], 0);
        s.add(k);
        byte[] p = new byte[s.maxCompoundWithFeedbackBytes()];
        int pos = s.writeFeedback(p, 0, true, 0);
        assertThat(pos).as("a PLI in the periodic report while nothing is decoded").isEqualTo(12);
        decoded[0] = 5;
        assertThat(s.writeFeedback(p, 0, true, MS)).isZero();
        assertThat(k.pictureLost(MS)).isTrue();
        assertThat(s.feedbackDue(MS)).isTrue();
        assertThat(s.writeFeedback(p, 0, false, MS)).isEqualTo(12);
        assertThat(s.feedbackDue(MS)).isFalse();
        assertThat(k.pictureLost(2 * MS)).as("4 a second, burst 1").isFalse();
        byte[] pli = fromPeer((b, at) -> RtcpPackets.writePli(b, at, PEER, US));
        for (int i = 0; i < 100; i++) receive(s, pli, 10 * MS);
        assertThat(k.received()).isEqualTo(100);
        assertThat(keyframes.get()).as("burst 2 of a 3/s limit").isEqualTo(2);
        assertThat(k.plisSent()).isEqualTo(2);
    }

    @Test
    void bitrateFollowsTheReportedLossInStepsOfAtLeastThreePercent() {
        List<Integer> applied = new ArrayList<>();
        boolean[] active = {true};
        BitrateControl b = new BitrateControl(150, 1000, () -> active[0], applied::add, 0);
        RtcpPackets.ReportBlock heavy = new RtcpPackets.ReportBlock(US, 64, 10, 100, 0, 0, 0); // 25 % lost
        b.onRtcp(null, heavy, 1_000 * MS);
        assertThat(applied).hasSize(1);
        assertThat(applied.get(0)).isLessThan(1000).isGreaterThanOrEqualTo(150);
        assertThat(b.targetKbps()).isEqualTo(applied.get(0));
        b.onRtcp(null, null, 2_000 * MS);
        assertThat(applied).as("no report about us").hasSize(1);
        active[0] = false;
        b.onRtcp(null, heavy, 3_000 * MS);
        assertThat(applied).as("on hold").hasSize(1);
        active[0] = true;
        for (int i = 0; i < 50; i++) b.onRtcp(null, heavy, (4_000 + i * 400L) * MS);
        assertThat(b.targetKbps()).as("the floor, within one skipped step").isBetween(150, 155);
        for (int i = 1; i < applied.size(); i++) {
            assertThat(Math.abs(applied.get(i) - applied.get(i - 1)) * 100).isGreaterThanOrEqualTo(applied.get(i - 1) * 3);
        }
    }

    /** Reduced-size RTCP (RFC 5506, a=rtcp-rsize): a lone PLI or NACK, no SR/RR first, is acted on. */
    @Test
    void reducedSizeFeedbackWithoutAReportIsTaken() {
        AtomicInteger keyframes = new AtomicInteger();
        List<Integer> resent = new ArrayList<>();
        RtpStream s = new RtpStream(US, "c", 90000);
        NackFeedback n = new NackFeedback(() -> -1, () -> true, p -> resent.add(RtpPackets.seq(p, 0)), 0);
        s.add(n);
        s.add(new KeyframeRequests(keyframes::incrementAndGet, () -> 1, 0));
        s.onSent(rtp(96, 7, 0, US), 7, 0);
        byte[] p = new byte[64];
        int pli = RtcpPackets.writePli(p, 0, PEER, US);
        receive(s, java.util.Arrays.copyOf(p, pli), MS);
        assertThat(keyframes.get()).isEqualTo(1);
        int nack = RtcpPackets.writeNack(p, 0, PEER, US, List.of(7));
        receive(s, java.util.Arrays.copyOf(p, nack), MS);
        assertThat(resent).containsExactly(7);
    }
}
