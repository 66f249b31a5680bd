package io.vmc.engine.internal.rtp;

import io.vmc.engine.internal.media.AudioCodec;
import io.vmc.engine.internal.transport.SrtpContext;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.engine.EngineConfig;
import io.vmc.engine.sdp.Crypto;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jitsi.srtp.SrtpErrorStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Hostile packets from the (trusted) remote address: each is dropped and counted, none disturbs the stream. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MediaFlowInputTest {
    static byte[] key() {
        byte[] k = new byte[30];
        new SecureRandom().nextBytes(k);
        return k;
    }

    static byte[] rtp(int pt, int seq, long ts, long ssrc, int payload) {
        byte[] p = new byte[12 + payload];
        p[0] = (byte) 0x80;
        p[1] = (byte) pt;
        RtpPackets.setSeq(p, 0, seq);
        RtpPackets.setTimestamp(p, 0, ts);
        RtpPackets.setSsrc(p, 0, ssrc);
        for (int i = 12; i < p.length; i++) p[i] = (byte) 0xff;
        return p;
    }

    static byte[] protect(SrtpContext peer, byte[] p) throws Exception {
        SrtpContext.Buf b = new SrtpContext.Buf(p, 0, p.length, 16);
        peer.protectRtp(b, RtpPackets.ssrc(p, 0));
        byte[] out = new byte[b.getLength()];
        System.arraycopy(b.getBuffer(), b.getOffset(), out, 0, out.length);
        return out;
    }

    @Test
    void dropsAndCountsHostilePackets() throws Exception {
        byte[] ours = key();
        byte[] theirs = key();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        List<byte[]> sent = new CopyOnWriteArrayList<>();
        EngineConfig cfg = EngineConfig.builder().audioSource(EngineConfig.AudioSource.tone(440))
                .audioSink(EngineConfig.AudioSink.none()).build();
        MediaFlow.Params params = new MediaFlow.Params(AudioCodec.PCMU, 0, 0, 101, 101,
                Crypto.AES_CM_128_HMAC_SHA1_80, ours, theirs, "test");
        try (SrtpContext peer = new SrtpContext(Crypto.AES_CM_128_HMAC_SHA1_80, theirs, ours);
             MediaFlow flow = new MediaFlow(params, cfg, "s0000000000000000", null, null, 0x0a0b0c0dL, 100, timer, new MediaFlow.Io() {
                 @Override public void send(byte[] buf, int off, int len) {
                     byte[] c = new byte[len];
                     System.arraycopy(buf, off, c, 0, len);
                     sent.add(c);
                 }
                 @Override public void dtmfReceived(String digit, int durationMs) { }
                 @Override public void mediaError(String message) { }
             })) {
            flow.start();
            long ssrc = 0x11223344L;
            byte[] first = protect(peer, rtp(0, 1, 160, ssrc, 160));
            flow.onPacket(first, 0, first.length);
            assertThat(flow.snapshot().packetsReceived()).isEqualTo(1);

            flow.onPacket(new byte[8], 0, 8);                                  // too short
            byte[] csrc = rtp(0, 2, 320, ssrc, 10);
            csrc[0] = (byte) 0x8f;                                             // 15 CSRCs claimed, 10 bytes present
            flow.onPacket(csrc, 0, csrc.length);
            flow.onPacket(new byte[4000], 0, 4000);                            // oversized
            byte[] other = protect(peer, rtp(0, 3, 480, 0x55667788L, 160));   // second SSRC
            flow.onPacket(other, 0, other.length);
            byte[] tampered = protect(peer, rtp(0, 4, 640, ssrc, 160));
            tampered[40] ^= 1;
            flow.onPacket(tampered, 0, tampered.length);
            byte[] forged = rtp(0, 5, 800, ssrc, 170);                        // plain RTP, no valid tag
            flow.onPacket(forged, 0, forged.length);
            byte[] badPt = protect(peer, rtp(77, 6, 960, ssrc, 160));
            flow.onPacket(badPt, 0, badPt.length);
            flow.onPacket(first, 0, first.length);                             // replay

            MediaFlow.Snapshot s = flow.snapshot();
            assertThat(s.packetsReceived()).isEqualTo(1);
            assertThat(s.drops()).containsEntry("badLength", 3L).containsEntry("wrongSsrc", 1L)
                    .containsEntry("authFailed", 2L).containsEntry("unknownPayloadType", 1L)
                    .containsEntry("replayed", 1L); // counted apart from forgeries, as for video

            byte[] next = protect(peer, rtp(0, 7, 1120, ssrc, 160));
            flow.onPacket(next, 0, next.length);
            assertThat(flow.snapshot().packetsReceived()).isEqualTo(2);

            // what we send is SRTP under our key: the peer can authenticate it
            await().atMost(Duration.ofSeconds(5)).until(() -> sent.stream().anyMatch(p -> (p[1] & 0x7f) == 0));
            byte[] out = sent.stream().filter(p -> (p[1] & 0x7f) == 0).findFirst().orElseThrow();
            assertThat(out).hasSize(12 + 160 + 10);
            SrtpContext.Buf b = new SrtpContext.Buf(out, 0, out.length, 0);
            assertThat(peer.unprotectRtp(b, RtpPackets.ssrc(out, 0))).isEqualTo(SrtpErrorStatus.OK);
        } finally {
            timer.shutdownNow();
        }
    }

    /** RFC 3550 section 8.2 through a whole audio flow with SRTP: BYE (SRTCP) from the old SSRC, media under a new one. */
    @Test
    void aPeerUsingOurSsrcMakesTheFlowMoveAndSayBye() throws Exception {
        byte[] ours = key();
        byte[] theirs = key();
        long us = 0x0a0b0c0dL;
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        RecordingIo io = new RecordingIo();
        EngineConfig cfg = EngineConfig.builder().audioSource(EngineConfig.AudioSource.tone(440))
                .audioSink(EngineConfig.AudioSink.none()).build();
        MediaFlow.Params params = new MediaFlow.Params(AudioCodec.PCMU, 0, 0, -1, -1,
                Crypto.AES_CM_128_HMAC_SHA1_80, ours, theirs, "test");
        try (SrtpContext peer = new SrtpContext(Crypto.AES_CM_128_HMAC_SHA1_80, theirs, ours);
             MediaFlow flow = new MediaFlow(params, cfg, "s0000000000000001", null, null, us, 100, timer, io)) {
            flow.start();
            byte[] clash = protect(peer, rtp(0, 1, 160, us, 160));
            assertThat(flow.onPacket(clash, 0, clash.length)).isTrue();
            assertThat(flow.ssrc()).isNotEqualTo(us);
            assertThat(flow.remoteSsrc()).isEqualTo(us);
            byte[] bye = io.packets().stream().filter(p -> RtpPackets.looksLikeRtcp(p, 0, p.length)
                    && RtpPackets.readU32(p, 4) == us).findFirst().orElseThrow();
            SrtpContext.Buf b = new SrtpContext.Buf(bye, 0, bye.length, 0);
            assertThat(peer.unprotectRtcp(b, us)).isEqualTo(SrtpErrorStatus.OK);
            // the BYE is last in its compound (RFC 3550 section 6.1) and names the old SSRC
            int end = b.getOffset() + b.getLength();
            int at = b.getOffset();
            int lastPt = -1;
            while (at < end) { // the plain compound, without the SRTCP trailer
                lastPt = b.getBuffer()[at + 1] & 0xff;
                at += ((((b.getBuffer()[at + 2] & 0xff) << 8) | (b.getBuffer()[at + 3] & 0xff)) + 1) * 4;
            }
            assertThat(lastPt).isEqualTo(RtcpPackets.BYE);
            long fresh = flow.ssrc();
            await().atMost(Duration.ofSeconds(10)).until(() -> io.packets().stream()
                    .anyMatch(p -> !RtpPackets.looksLikeRtcp(p, 0, p.length) && RtpPackets.ssrc(p, 0) == fresh));
            assertThat(io.packets().stream().filter(p -> !RtpPackets.looksLikeRtcp(p, 0, p.length))
                    .filter(p -> RtpPackets.ssrc(p, 0) == fresh).findFirst().map(p -> {
                        SrtpContext.Buf m = new SrtpContext.Buf(p, 0, p.length, 0);
                        try {
                            return peer.unprotectRtp(m, fresh);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    })).hasValue(SrtpErrorStatus.OK);
            byte[] next = protect(peer, rtp(0, 2, 320, us, 160));
            assertThat(flow.onPacket(next, 0, next.length)).as("the peer keeps its SSRC").isTrue();
            assertThat(flow.ssrc()).as("no second change").isEqualTo(fresh);
            assertThat(io.packets().stream().filter(p -> RtpPackets.looksLikeRtcp(p, 0, p.length)
                    && RtpPackets.readU32(p, 4) == us)).as("one BYE").hasSize(1);
        } finally {
            timer.shutdownNow();
        }
    }
}
