package io.vmc.engine.internal.rtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vmc.engine.internal.transport.SrtpContext;
import io.vmc.engine.sdp.Crypto;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The RTCP, SSRC and SRTP receive rules that audio and video share, without sockets or GStreamer. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RtpStreamTest {
    static final long US = 0x11111111L;
    static final long PEER = 0xcafef00dL;

    /** The SDES chunk after the report: type 202, our SSRC, one CNAME item, padded to 32 bits. */
    static String cnameOf(byte[] p, int at, int end) {
        assertThat(p[at + 1] & 0xff).isEqualTo(RtcpPackets.SDES);
        assertThat(p[at] & 0x1f).as("one chunk").isEqualTo(1);
        int len = ((int) (RtpPackets.readU32(p, at) & 0xffff) + 1) * 4;
        assertThat(at + len).as("the compound ends with the SDES").isEqualTo(end);
        assertThat(RtpPackets.readU32(p, at + 4)).isEqualTo(US);
        assertThat(p[at + 8]).as("CNAME item").isEqualTo((byte) 1);
        int n = p[at + 9] & 0xff;
        assertThat(p[at + 10 + n]).as("END item").isZero();
        return new String(p, at + 10, n, StandardCharsets.US_ASCII);
    }

    @Test
    void everyCompoundCarriesTheReportAndTheCname() {
        RtpStream s = new RtpStream(US, "vmc-0123456789ab", 48000);
        byte[] p = new byte[s.maxCompoundBytes()];
        // nothing received yet: an RR without blocks, then SDES
        int end = s.writeCompound(p, 0, null, true, 0);
        assertThat(end % 4).isZero();
        RtcpPackets.Parsed r = RtcpPackets.parse(p, 0, end, US);
        assertThat(r.malformed()).isFalse();
        assertThat(r.senderInfo()).isNull();
        assertThat(r.blocks()).isEmpty();
        assertThat(cnameOf(p, 8, end)).isEqualTo("vmc-0123456789ab");

        // after the peer's packets: an SR with a block about the peer
        assertThat(s.lockPeer(PEER)).isTrue();
        for (int seq = 10; seq < 20; seq++) {
            if (seq == 15) continue; // one lost
            s.onSequence(seq);
            s.onReceived(seq * 960L, seq * 20_000_000L, true);
        }
        var info = new RtcpPackets.SenderInfo(RtcpPackets.ntp(1_700_000_000_000L), 4800, 10, 1000);
        end = s.writeCompound(p, 0, info, true, 400_000_000L);
        r = RtcpPackets.parse(p, 0, end, US);
        assertThat(r.malformed()).isFalse();
        assertThat(r.senderInfo()).isEqualTo(info);
        assertThat(r.blocks()).singleElement().satisfies(b -> {
            assertThat(b.ssrc()).isEqualTo(PEER);
            assertThat(b.cumulativeLost()).isEqualTo(1);
            assertThat(b.extHighestSeq()).isEqualTo(19);
        });
        assertThat(cnameOf(p, 28 + 24, end)).isEqualTo("vmc-0123456789ab");
        assertThat(s.packetsLost()).isEqualTo(1);
    }

    @Test
    void anOverlongCnameIsCutToWhatAnItemHolds() {
        RtpStream s = new RtpStream(US, "x".repeat(400), 90000);
        byte[] p = new byte[s.maxCompoundBytes()];
        int end = s.writeCompound(p, 0, null, true, 0);
        assertThat(cnameOf(p, 8, end)).hasSize(RtpStream.MAX_CNAME_BYTES);
    }

    @Test
    void thePeersReportAboutUsGivesRttAndItsLoss() {
        RtpStream s = new RtpStream(US, "c", 90000);
        s.lockPeer(PEER);
        long sentAt = 1_700_000_000_000L;
        long lsr = RtcpPackets.ntpMiddle(sentAt);
        // the peer held our SR 500 ms (DLSR in 1/65536 s); its report comes 600 ms after our SR
        var aboutUs = new RtcpPackets.ReportBlock(US, 64, 3, 100, 0, lsr, 32768);
        var other = new RtcpPackets.ReportBlock(0x42, 255, 99, 100, 0, lsr, 0);
        var r = new RtcpPackets.Parsed(PEER, null, List.of(other, aboutUs), List.of(), 0, false, false);
        assertThat(s.onRtcp(r, 0, RtcpPackets.ntp(sentAt + 600))).isEqualTo(aboutUs);
        assertThat(s.rttMs()).isCloseTo(100, within(1.0));
        assertThat(s.remoteFractionLost()).isEqualTo(0.25);

        // an RTT beyond 10 s (a wrapped or forged LSR) is ignored
        var absurd = new RtcpPackets.ReportBlock(US, 0, 3, 100, 0, lsr, 0);
        s.onRtcp(new RtcpPackets.Parsed(PEER, null, List.of(absurd), List.of(), 0, false, false), 0, RtcpPackets.ntp(sentAt + 60_000));
        assertThat(s.rttMs()).isCloseTo(100, within(1.0));
        s.onRtcp(new RtcpPackets.Parsed(PEER, null, List.of(), List.of(), 0, true, false), 0, 0);
        assertThat(s.drops()).containsEntry("rtcpInvalid", 1L);
    }

    @Test
    void theFirstAuthenticatedPacketLocksThePeersSsrc() {
        RtpStream s = new RtpStream(US, "c", 8000);
        assertThat(s.remoteSsrc()).isEqualTo(-1);
        assertThat(s.fromPeer(0x1234)).as("any source until locked").isTrue();
        assertThat(s.lockPeer(PEER)).isTrue();
        assertThat(s.remoteSsrc()).isEqualTo(PEER);
        assertThat(s.fromPeer(0x1234)).isFalse();
        assertThat(s.lockPeer(0x1234)).isFalse();
        assertThat(s.fromPeer(PEER)).isTrue();
        assertThat(s.drops()).containsEntry("wrongSsrc", 2L).containsOnlyKeys(RtpStream.DROP_REASONS);
    }

    @Test
    void replaysAreCountedApartFromForgeries() throws Exception {
        byte[] ours = MediaFlowInputTest.key();
        byte[] theirs = MediaFlowInputTest.key();
        try (SrtpContext peer = new SrtpContext(Crypto.AES_CM_128_HMAC_SHA1_80, theirs, ours);
             SrtpContext srtp = new SrtpContext(Crypto.AES_CM_128_HMAC_SHA1_80, ours, theirs)) {
            RtpStream s = new RtpStream(US, "c", 48000);
            byte[] wire = MediaFlowInputTest.protect(peer, MediaFlowInputTest.rtp(111, 7, 960, PEER, 40));
            assertThat(s.unprotect(srtp, false, wire.clone(), 0, wire.length, PEER)).isNotNull();
            assertThat(s.unprotect(srtp, false, wire.clone(), 0, wire.length, PEER)).as("the same packet again").isNull();
            byte[] next = MediaFlowInputTest.protect(peer, MediaFlowInputTest.rtp(111, 8, 1920, PEER, 40));
            next[20] ^= 1;
            assertThat(s.unprotect(srtp, false, next, 0, next.length, PEER)).isNull();
            assertThat(s.drops()).containsEntry("replayed", 1L).containsEntry("authFailed", 1L);
            // without SRTP the bytes pass as they are
            assertThat(s.unprotect(null, false, wire, 0, wire.length, PEER).getLength()).isEqualTo(wire.length);
        }
    }

    /** RFC 3550 section 8.2: the peer's stream uses our SSRC: we take a new one and say BYE for the old. */
    @Test
    void aPeerOnOurSsrcMakesUsChangeOursAndSayBye() {
        RtpStream s = new RtpStream(US, "vmc-0123456789ab", 48000);
        byte[] pkt = new byte[12];
        pkt[0] = (byte) 0x80;
        RtpPackets.setSsrc(pkt, 0, US);
        assertThat(s.takeBye()).isNull();
        assertThat(s.accept(pkt, 0, 12, 0)).as("the peer's packet is fine").isEqualTo(RtpFeature.Arrival.NEW);
        assertThat(s.remoteSsrc()).isEqualTo(US);
        assertThat(s.ssrc()).isNotEqualTo(US);
        byte[] bye = s.takeBye();
        assertThat(bye).isNotNull();
        assertThat(s.takeBye()).as("one BYE").isNull();
        long fresh = s.ssrc();
        RtpPackets.setSeq(pkt, 0, 1);
        assertThat(s.accept(pkt, 0, 12, 20_000_000L)).isEqualTo(RtpFeature.Arrival.NEW);
        assertThat(s.ssrc()).as("no second change").isEqualTo(fresh);

        byte[] p = bye;
        int end = bye.length;
        // RR and SDES from the old SSRC, BYE last (RFC 3550 section 6.1)
        assertThat(RtcpPackets.parse(p, 0, end, fresh).malformed()).isFalse();
        assertThat(RtpPackets.readU32(p, 4)).isEqualTo(US);
        assertThat(p[end - 7] & 0xff).isEqualTo(RtcpPackets.BYE);
        assertThat(RtpPackets.readU32(p, end - 4)).isEqualTo(US);
        // our reports now come from the new SSRC and cover the peer
        p = new byte[s.maxCompoundBytes()];
        end = s.writeCompound(p, 0, null, true, 40_000_000L);
        RtcpPackets.Parsed r = RtcpPackets.parse(p, 0, end, US);
        assertThat(r.senderSsrc()).isEqualTo(fresh);
        assertThat(r.blocks()).singleElement().satisfies(b -> assertThat(b.ssrc()).isEqualTo(US));
    }
}
