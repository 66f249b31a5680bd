package io.vmc.engine.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jitsi.srtp.SrtpErrorStatus;

/** Test packets through the engine's {@link SrtpContext}: protect on one side, the wire, unprotect on the other. */
final class SrtpExchange {
    private SrtpExchange() {
    }

    static byte[] rtp(long ssrc, int seq, byte[] payload) {
        byte[] p = new byte[12 + payload.length];
        p[0] = (byte) 0x80;
        p[1] = 0; // PCMU
        p[2] = (byte) (seq >> 8);
        p[3] = (byte) seq;
        int ts = seq * 160;
        p[4] = (byte) (ts >> 24); p[5] = (byte) (ts >> 16); p[6] = (byte) (ts >> 8); p[7] = (byte) ts;
        p[8] = (byte) (ssrc >> 24); p[9] = (byte) (ssrc >> 16); p[10] = (byte) (ssrc >> 8); p[11] = (byte) ssrc;
        System.arraycopy(payload, 0, p, 12, payload.length);
        return p;
    }

    /** An RTCP receiver report without report blocks. */
    static byte[] rtcp(long ssrc) {
        return new byte[] {(byte) 0x80, (byte) 201, 0, 1, (byte) (ssrc >> 24), (byte) (ssrc >> 16), (byte) (ssrc >> 8), (byte) ssrc};
    }

    static byte[] protect(SrtpContext c, byte[] plain, boolean rtcp, long ssrc) throws Exception {
        SrtpContext.Buf b = new SrtpContext.Buf(plain, 0, plain.length, 32);
        b = rtcp ? c.protectRtcp(b, ssrc) : c.protectRtp(b, ssrc);
        return Arrays.copyOfRange(b.getBuffer(), b.getOffset(), b.getOffset() + b.getLength());
    }

    static byte[] unprotect(SrtpContext c, byte[] wire, boolean rtcp, long ssrc) throws Exception {
        SrtpContext.Buf b = new SrtpContext.Buf(wire, 0, wire.length, 0);
        SrtpErrorStatus s = rtcp ? c.unprotectRtcp(b, ssrc) : c.unprotectRtp(b, ssrc);
        if (s != SrtpErrorStatus.OK) return null;
        return Arrays.copyOfRange(b.getBuffer(), b.getOffset(), b.getOffset() + b.getLength());
    }

    /** Sends {@code count} SRTP packets and one SRTCP from {@code tx} to the peer that receives into {@code rxQueue}; all must decrypt. */
    static void oneWay(SrtpContext txCtx, DatagramSocket tx, InetSocketAddress to, SrtpContext rxCtx, BlockingQueue<byte[]> rxQueue,
            long ssrc, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            byte[] payload = ("packet " + i + " from " + ssrc).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            byte[] plain = rtp(ssrc, 1000 + i, payload);
            byte[] wire = protect(txCtx, plain, false, ssrc);
            assertThat(Arrays.copyOfRange(wire, 12, 12 + payload.length)).as("payload is encrypted on the wire").isNotEqualTo(payload);
            tx.send(new DatagramPacket(wire, wire.length, to));
            byte[] got = rxQueue.poll(5, TimeUnit.SECONDS);
            assertThat(got).as("packet %d arrived", i).isNotNull();
            assertThat(unprotect(rxCtx, got, false, ssrc)).as("packet %d decrypts", i).isEqualTo(plain);
        }
        byte[] rr = rtcp(ssrc);
        byte[] wire = protect(txCtx, rr, true, ssrc);
        tx.send(new DatagramPacket(wire, wire.length, to));
        byte[] got = rxQueue.poll(5, TimeUnit.SECONDS);
        assertThat(got).isNotNull();
        assertThat(unprotect(rxCtx, got, true, ssrc)).as("SRTCP decrypts").isEqualTo(rr);
    }
}
