package io.vmc.engine.internal;

import io.vmc.engine.EngineConfig;
import io.vmc.overlay.VideoOverlay;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RTP session of one video stream (VP8 or H.264, see {@link VideoCodec}), owned by Java like
 * {@link MediaFlow}: SSRC, sequence numbers, SRTP, input filtering, and RTCP reduced to what video
 * needs now: a receiver report and PLI (RFC 4585) at start and while no picture has been decoded; a
 * received PLI forces a keyframe.
 * NACK is announced in SDP but retransmission is not implemented yet.
 */
public final class VideoFlow implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VideoFlow.class);

    /** Keys null = plain RTP. */
    public record Params(VideoCodec codec, int sendPt, int recvPt, String srtpSuite, byte[] localKey, byte[] remoteKey,
                         boolean send, boolean receive) {
        /** VP8. */
        public Params(int sendPt, int recvPt, String srtpSuite, byte[] localKey, byte[] remoteKey, boolean send, boolean receive) {
            this(VideoCodec.VP8, sendPt, recvPt, srtpSuite, localKey, remoteKey, send, receive);
        }

        public boolean encrypted() {
            return localKey != null && remoteKey != null;
        }
    }

    private final Params params;
    private final MediaFlow.Io io;
    private final SrtpContext srtp;
    private final long ssrc = MediaFlow.randomSsrc();
    private int nextSeq = MediaFlow.randomSeq();
    private final VideoPipelines.Sender sender;
    private final VideoPipelines.Receiver receiver;
    private final ScheduledFuture<?> rtcpTask;
    private final AtomicLong packetsSent = new AtomicLong();
    private final AtomicLong bytesSent = new AtomicLong();
    private final AtomicLong packetsReceived = new AtomicLong();
    private final AtomicLong bytesReceived = new AtomicLong();
    private final AtomicLong plisSent = new AtomicLong();
    private final AtomicLong plisReceived = new AtomicLong();
    private final Map<String, AtomicLong> drops = new LinkedHashMap<>();
    private volatile long remoteSsrc = -1;
    private volatile boolean sending = true;
    private volatile boolean receiving = true;
    private volatile boolean closed;

    public VideoFlow(Params params, EngineConfig config, VideoOverlay overlay, ScheduledExecutorService timer,
                     MediaFlow.Io io) {
        this(params, config, overlay, null, true, timer, io);
    }

    /**
     * @param selfView overlay for the self view (fed from the sender), or null
     * @param startSending false while the camera waits for the user's consent: the sender pipeline
     *     exists but stays stopped (the camera is not opened) until {@link #startSending()}
     */
    public VideoFlow(Params params, EngineConfig config, VideoOverlay overlay, VideoOverlay selfView, boolean startSending,
                     ScheduledExecutorService timer, MediaFlow.Io io) {
        this.params = params;
        this.io = io;
        for (String k : new String[] {"badLength", "wrongSsrc", "authFailed", "unknownPayloadType"}) {
            drops.put(k, new AtomicLong());
        }
        this.srtp = params.encrypted() ? new SrtpContext(params.srtpSuite(), params.localKey(), params.remoteKey()) : null;
        VideoPipelines.Sender s = null;
        VideoPipelines.Receiver r = null;
        try {
            if (params.send()) {
                s = new VideoPipelines.Sender(params.codec(), config.videoSource(), params.sendPt(), config.videoMaxBitrateKbps(),
                        selfView, this::onEncodedPacket, io::mediaError);
            }
            if (params.receive()) {
                r = new VideoPipelines.Receiver(params.codec(), params.recvPt(), Math.max(config.jitterBufferMs(), 50), overlay, io::mediaError);
            }
        } catch (RuntimeException e) {
            if (s != null) s.close();
            if (srtp != null) srtp.close();
            throw e;
        }
        this.sender = s;
        this.receiver = r;
        if (r != null) r.start();
        if (s != null && startSending) s.start();
        rtcpTask = timer.scheduleAtFixedRate(this::rtcpTick, 200, 500, TimeUnit.MILLISECONDS);
    }

    public Params params() { return params; }

    /** Starts the sender held back by the constructor (the camera was allowed); idempotent. */
    public synchronized void startSending() {
        if (sender != null && !closed) sender.start();
    }

    /** Whether this flow has a sender (the negotiated direction sends video). */
    public boolean hasSender() {
        return sender != null;
    }

    /** Shows or stops the self view fed from the sender. */
    public void setSelfView(boolean on) {
        if (sender != null) sender.setPreview(on);
    }

    /** Hold/resume after a re-offer: gates the packets; the pipelines keep running. */
    public void setDirection(boolean send, boolean receive) {
        this.sending = send;
        this.receiving = receive;
    }

    private void onEncodedPacket(byte[] pkt) {
        if (RtpPackets.headerLength(pkt, 0, pkt.length) < 0 || closed || !sending) return;
        synchronized (this) {
            RtpPackets.setSsrc(pkt, 0, ssrc);
            RtpPackets.setSeq(pkt, 0, nextSeq);
            nextSeq = (nextSeq + 1) & 0xffff;
            send(pkt, pkt.length, false);
        }
        packetsSent.incrementAndGet();
        bytesSent.addAndGet(pkt.length - RtpPackets.headerLength(pkt, 0, pkt.length));
    }

    private void send(byte[] pkt, int len, boolean rtcp) {
        try {
            if (srtp != null) {
                SrtpContext.Buf b = new SrtpContext.Buf(pkt, 0, len, rtcp ? 20 : 16);
                if (rtcp) srtp.protectRtcp(b, ssrc); else srtp.protectRtp(b, ssrc);
                io.send(b.getBuffer(), b.getOffset(), b.getLength());
            } else {
                io.send(pkt, 0, len);
            }
        } catch (IOException | GeneralSecurityException e) {
            LOG.debug("video send failed: {}", e.toString());
        }
    }

    /** A datagram from the video ICE endpoint's trusted remote address. */
    public void onPacket(byte[] buf, int off, int len) {
        if (closed) return;
        if (len < 12 || len > RtpPackets.MAX_PACKET) {
            drops.get("badLength").incrementAndGet();
            return;
        }
        if (RtpPackets.looksLikeRtcp(buf, off, len)) {
            onRtcp(buf, off, len);
            return;
        }
        if (RtpPackets.headerLength(buf, off, len) < 0) {
            drops.get("badLength").incrementAndGet();
            return;
        }
        long pktSsrc = RtpPackets.ssrc(buf, off);
        long known = remoteSsrc;
        if (known >= 0 && known != pktSsrc) {
            drops.get("wrongSsrc").incrementAndGet();
            return;
        }
        SrtpContext.Buf plain = SrtpContext.receive(srtp, false, buf, off, len, pktSsrc);
        if (plain == null) {
            drops.get("authFailed").incrementAndGet();
            return;
        }
        byte[] data = plain.getBuffer();
        int dOff = plain.getOffset();
        int dLen = plain.getLength();
        int h = RtpPackets.headerLength(data, dOff, dLen);
        if (h < 0) {
            drops.get("badLength").incrementAndGet();
            return;
        }
        if (RtpPackets.payloadType(data, dOff) != params.recvPt()) {
            drops.get("unknownPayloadType").incrementAndGet();
            return;
        }
        if (known < 0) remoteSsrc = pktSsrc; // the first authenticated packet fixes the SSRC
        packetsReceived.incrementAndGet();
        bytesReceived.addAndGet(dLen - h);
        if (receiver != null && receiving) receiver.push(data, dOff, dLen);
    }

    private void onRtcp(byte[] buf, int off, int len) {
        long sender = RtpPackets.readU32(buf, off + 4);
        SrtpContext.Buf plain = SrtpContext.receive(srtp, true, buf, off, len, sender);
        if (plain == null) {
            drops.get("authFailed").incrementAndGet();
            return;
        }
        byte[] data = plain.getBuffer();
        int dOff = plain.getOffset();
        int dLen = plain.getLength();
        int pos = dOff;
        int end = dOff + dLen;
        while (pos + 8 <= end) {
            int fmt = data[pos] & 0x1f;
            int pt = data[pos + 1] & 0xff;
            int plen = (((data[pos + 2] & 0xff) << 8) | (data[pos + 3] & 0xff)) * 4 + 4;
            if ((data[pos] & 0xc0) != 0x80 || pos + plen > end) return;
            // PSFB (206) FMT 1 = PLI, FMT 4 = FIR, for our media SSRC
            if (pt == 206 && (fmt == 1 || fmt == 4) && plen >= 12) {
                plisReceived.incrementAndGet();
                if (this.sender != null) this.sender.requestKeyframe();
            }
            pos += plen;
        }
    }

    /** Receiver report plus a PLI while nothing has been decoded yet (start, or a stream that stalled). */
    private void rtcpTick() {
        if (closed) return;
        try {
            long rs = remoteSsrc;
            boolean pli = receiver != null && receiver.framesDecoded() == 0;
            byte[] p = new byte[8 + 12 + 20];
            int pos = 0;
            p[0] = (byte) 0x80;
            p[1] = (byte) 201; // RR without report blocks
            RtpPackets.writeU16(p, 2, 1);
            RtpPackets.writeU32(p, 4, ssrc);
            pos = 8;
            if (pli) {
                p[pos] = (byte) 0x81;
                p[pos + 1] = (byte) 206;
                RtpPackets.writeU16(p, pos + 2, 2);
                RtpPackets.writeU32(p, pos + 4, ssrc);
                RtpPackets.writeU32(p, pos + 8, rs < 0 ? 0 : rs);
                pos += 12;
                plisSent.incrementAndGet();
            }
            send(p, pos, true);
        } catch (RuntimeException e) {
            LOG.debug("video RTCP: {}", e.toString());
        }
    }

    public long packetsSent() { return packetsSent.get(); }
    public long bytesSent() { return bytesSent.get(); }
    public long packetsReceived() { return packetsReceived.get(); }
    public long bytesReceived() { return bytesReceived.get(); }
    public long framesDecoded() { return receiver == null ? 0 : receiver.framesDecoded(); }

    public Map<String, Long> counters() {
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("videoPacketsSent", packetsSent.get());
        out.put("videoPacketsReceived", packetsReceived.get());
        out.put("videoFramesDecoded", framesDecoded());
        out.put("videoPliSent", plisSent.get());
        out.put("videoPliReceived", plisReceived.get());
        drops.forEach((k, v) -> out.put("video" + Character.toUpperCase(k.charAt(0)) + k.substring(1), v.get()));
        return out;
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        rtcpTask.cancel(false);
        if (sender != null) sender.close();
        if (receiver != null) receiver.close();
        if (srtp != null) srtp.close();
    }
}
