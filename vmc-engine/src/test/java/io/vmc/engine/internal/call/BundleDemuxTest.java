package io.vmc.engine.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.engine.internal.rtp.RtpFlow;
import io.vmc.engine.internal.rtp.RtpHeaderExtensions;
import io.vmc.engine.internal.rtp.RtpPackets;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a BUNDLE transport's packets find their section (RFC 8843 section 9): MID, then locked SSRC, then payload type; RTCP by sender SSRC. */
class BundleDemuxTest {
    /** A section's flow as the demultiplexer sees it: what it locked and what it was handed. */
    private static final class Flow implements RtpFlow {
        final List<byte[]> got = new ArrayList<>();
        long remoteSsrc = -1;
        final int recvPt;

        Flow(int recvPt) {
            this.recvPt = recvPt;
        }

        @Override public boolean onPacket(byte[] buf, int off, int len) {
            got.add(java.util.Arrays.copyOfRange(buf, off, off + len));
            return true;
        }
        @Override public long remoteSsrc() { return remoteSsrc; }
        @Override public int recvPt() { return recvPt; }
        @Override public void setMid(int extensionId, String mid) { }
        @Override public void setDirection(boolean send, boolean receive) { }
        @Override public int nextSeq() { return 0; }
        @Override public void close() { }
    }

    private final BundleDemux demux = new BundleDemux();
    private final Flow audio = new Flow(111);
    private final Flow video = new Flow(96);

    private static byte[] rtp(int pt, long ssrc) {
        byte[] p = new byte[12 + 20];
        p[0] = (byte) 0x80;
        p[1] = (byte) pt;
        RtpPackets.setSsrc(p, 0, ssrc);
        return p;
    }

    private static byte[] rtcp(long sender) {
        byte[] p = new byte[28];
        p[0] = (byte) 0x80;
        p[1] = (byte) 200; // SR
        RtpPackets.writeU16(p, 2, 6);
        RtpPackets.writeU32(p, 4, sender);
        return p;
    }

    private boolean route(byte[] p) {
        return demux.route(audio, "0", video, "1", false, p, 0, p.length);
    }

    @Test
    void theMidWinsOverSsrcAndPayloadTypeOnceNegotiated() {
        demux.midExtension(3);
        audio.remoteSsrc = 0x1111;
        byte[] p = rtp(111, 0x1111);
        byte[] tagged = RtpHeaderExtensions.withElement(p, p.length, 3, "1".getBytes(StandardCharsets.US_ASCII));
        assertThat(route(tagged)).isTrue();
        assertThat(video.got).hasSize(1);
        assertThat(audio.got).isEmpty();
        assertThat(demux.routedByMid()).isEqualTo(1);
    }

    @Test
    void withoutMidTheLockedSsrcThenThePayloadTypeDecide() {
        video.remoteSsrc = 0x2222;
        route(rtp(111, 0x2222)); // the SSRC video locked, whatever its payload type
        route(rtp(96, 0x3333));  // nobody's SSRC: video's payload type
        route(rtp(0, 0x4444));   // neither: audio, which authenticates or drops it
        assertThat(video.got).hasSize(2);
        assertThat(audio.got).hasSize(1);
        assertThat(demux.routedByMid()).isZero();
    }

    @Test
    void rtcpGoesByItsSenderAndToBothWhileNeitherKnowsIt() {
        audio.remoteSsrc = 0x1111;
        video.remoteSsrc = 0x2222;
        route(rtcp(0x2222));
        route(rtcp(0x1111));
        assertThat(video.got).hasSize(1);
        assertThat(audio.got).hasSize(1);
        route(rtcp(0x9999));
        assertThat(video.got).hasSize(2);
        assertThat(audio.got).hasSize(2);
    }

    @Test
    void aTransportWithOneSectionHandsItEverything() {
        byte[] p = rtp(0, 0x4444);
        assertThat(demux.route(audio, "0", null, "1", false, p, 0, p.length)).isTrue();
        assertThat(demux.route(null, null, video, "1", true, p, 0, p.length)).isTrue();
        assertThat(demux.route(null, null, null, "1", true, p, 0, p.length)).isFalse();
        assertThat(audio.got).hasSize(1);
        assertThat(video.got).hasSize(1);
    }
}
