package io.vmc.engine.internal.rtp;

import io.vmc.engine.internal.media.VideoCodec;
import io.vmc.engine.internal.media.VideoPipelines;
import io.vmc.engine.internal.transport.SrtpContext;
import io.vmc.engine.EngineConfig;
import io.vmc.overlay.VideoOverlay;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RTP session of one video stream (VP8 or H.264, see {@link VideoCodec}), owned by Java like
 * {@link MediaFlow}: sequence numbers and SRTP on the send side, the shared {@link RtpStream}
 * (SSRC, receive checks, statistics, SR/RR) with the video features plugged in:
 * {@link NackFeedback} (NACK for gaps, sent at once and retried, and retransmission from a send
 * history), {@link KeyframeRequests} (PLI at start and when the decoder lost a picture; the
 * peer's PLI or FIR forces a keyframe) and {@link BitrateControl} (the encoder's target follows the
 * peer's reports). Retransmissions come back in the original stream and go to the jitter buffer like
 * any packet. The loss we report counts packets that needed a retransmission as lost (like
 * libwebrtc, whose media SSRC never sees RTX), so that the sender's controller sees the network's
 * loss and not what NACK hid of it.
 * Threads: the ICE receive thread calls {@link #onPacket}, GStreamer's streaming thread sends,
 * the session timer sends the periodic RTCP; {@code sendLock} guards the send side, the stream
 * and the features their own state.
 */
public final class VideoFlow implements RtpFlow {
    private static final Logger LOG = LoggerFactory.getLogger(VideoFlow.class);
    static final int CLOCK_RATE = 90000;
    /** The loss controller's floor: below this VP8 at 640x480 is no longer worth watching. */
    public static final int MIN_BITRATE_KBPS = 150;
    /** See {@link NackFeedback#MAX_AGE_NANOS}. */
    static final long NACK_MAX_AGE_NANOS = NackFeedback.MAX_AGE_NANOS;
    /**
     * Our SRTP receive replay window: a retransmission comes back up to {@link NackFeedback#WINDOW} plus
     * what was sent meanwhile behind the highest; jitsi-srtp's own 64 would refuse those of a
     * large keyframe (libwebrtc uses 1024 for video for the same reason).
     */
    static final int SRTP_REPLAY_WINDOW = 1024;

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
    /** SSRC, CNAME, SRTP receive, receive statistics and the RTCP every kind shares. */
    private final RtpStream stream;
    private final NackFeedback nack;
    private final KeyframeRequests keyframes;
    private final BitrateControl bitrate;
    private int nextSeq;
    private volatile VideoPipelines.Sender sender; // replaced while a screen share starts and stops, and by a camera switch
    private volatile boolean sendStopped;
    private final EngineConfig config;
    private final VideoOverlay selfView;
    /** Whether the sender runs (not held back for the camera's consent); under this. */
    private boolean senderStarted;
    private boolean selfViewOn;
    /** The camera sending now; null for a screen share. */
    private volatile EngineConfig.VideoSource camera;
    private final VideoPipelines.Receiver receiver;
    private final ScheduledFuture<?> rtcpTask;
    private final ScheduledExecutorService timer;
    /** A NACK check is scheduled (for a gap whose reorder delay ends while no packet arrives). */
    private final AtomicBoolean nackCheckPending = new AtomicBoolean();
    private final AtomicLong packetsSent = new AtomicLong();
    private final AtomicLong bytesSent = new AtomicLong();
    private final AtomicLong packetsReceived = new AtomicLong();
    private final AtomicLong bytesReceived = new AtomicLong();

    // send side, under sendLock
    private final Object sendLock = new Object();
    private long lastMediaTs = -1;
    private long lastMediaNanos;
    /** A new sender (camera switch, screen share) goes on from the last timestamp sent. */
    private final io.vmc.engine.internal.device.RtpTimestampContinuity tsContinuity =
            new io.vmc.engine.internal.device.RtpTimestampContinuity(CLOCK_RATE);

    private volatile boolean sending = true;
    private volatile boolean receiving = true;
    private volatile boolean closed;

    public VideoFlow(Params params, EngineConfig config, VideoOverlay overlay, ScheduledExecutorService timer,
                     MediaFlow.Io io) {
        this(params, config, overlay, null, true, MediaFlow.randomSsrc(), MediaFlow.randomSeq(), null, timer, io);
    }

    /**
     * @param selfView overlay for the self view (fed from the sender), or null
     * @param startSending false while the camera waits for the user's consent: the sender pipeline
     *     exists but stays stopped (the camera is not opened) until {@link #startSending()}
     * @param ssrc our SSRC, kept by the session across flows (the peer locks onto it), as for audio
     * @param firstSeq the next RTP sequence number, continuing the previous flow's (SRTP's index
     *     estimate would not survive a jump on the same SSRC)
     * @param cname the session's CNAME (RFC 3550 section 6.5.1: one per participant, for lip sync),
     *     or null for a stream on its own
     */
    public VideoFlow(Params params, EngineConfig config, VideoOverlay overlay, VideoOverlay selfView, boolean startSending,
                     long ssrc, int firstSeq, String cname, ScheduledExecutorService timer, MediaFlow.Io io) {
        this(params, config, overlay, selfView, startSending, true, ssrc, firstSeq, cname, timer, io);
    }

    /** @param camera false for a screen share: no camera sender; {@link #replaceSender} brings the screen's */
    public VideoFlow(Params params, EngineConfig config, VideoOverlay overlay, VideoOverlay selfView, boolean startSending,
                     boolean camera, long ssrc, int firstSeq, String cname, ScheduledExecutorService timer, MediaFlow.Io io) {
        this.params = params;
        this.io = io;
        this.timer = timer;
        this.config = config;
        this.selfView = selfView;
        this.nextSeq = firstSeq & 0xffff;
        this.stream = new RtpStream(ssrc, cname != null ? cname : "vmc-" + Long.toHexString(ssrc), CLOCK_RATE);
        this.srtp = params.encrypted()
                ? new SrtpContext(params.srtpSuite(), params.localKey(), params.remoteKey(), SRTP_REPLAY_WINDOW) : null;
        VideoPipelines.Sender s = null;
        VideoPipelines.Receiver r = null;
        try {
            if (params.send() && camera) {
                s = cameraSender(config.videoSource(), config.videoMaxBitrateKbps());
                this.camera = config.videoSource();
            }
            if (params.receive()) {
                r = new VideoPipelines.Receiver(params.codec(), params.recvPt(), Math.max(config.jitterBufferMs(), 50), overlay, io::mediaError);
                if (config.receivedVideoListener() != null) r.onPicture(config.receivedVideoListener());
            }
        } catch (RuntimeException e) {
            if (s != null) s.close();
            if (srtp != null) srtp.close();
            throw e;
        }
        this.sender = s;
        this.receiver = r;
        long now = System.nanoTime();
        this.nack = new NackFeedback(stream::rttMs, () -> sending && !closed && !sendStopped, p -> send(p, p.length, false), now);
        // through the field: a screen share replaces the sender (replaceSender)
        this.keyframes = new KeyframeRequests(params.send() ? this::requestKeyframe : null, r == null ? null : r::framesDecoded, now);
        this.bitrate = new BitrateControl(MIN_BITRATE_KBPS, config.videoMaxBitrateKbps(), () -> sender != null && sending && !sendStopped,
                kbps -> {
                    VideoPipelines.Sender current = sender;
                    if (current != null) current.setTargetBitrate(kbps);
                }, now);
        stream.add(nack);
        stream.add(keyframes);
        stream.add(bitrate);
        if (r != null) r.onKeyframeRequest(this::onPictureLost);
        if (r != null) r.start();
        if (s != null && startSending) {
            s.start();
            senderStarted = true;
        }
        rtcpTask = timer.scheduleAtFixedRate(this::rtcpTick, 200, 500, TimeUnit.MILLISECONDS);
    }

    public Params params() { return params; }

    @Override
    public int recvPt() { return params.recvPt(); }

    /** Our SSRC (a collision changes it, see {@link RtpStream}). */
    public long ssrc() { return stream.ssrc(); }

    /** The sequence number the next packet would carry: where a following flow goes on. */
    public int nextSeq() {
        synchronized (sendLock) {
            return nextSeq;
        }
    }

    /** Starts the sender held back by the constructor (the camera was allowed); idempotent. */
    public synchronized void startSending() {
        VideoPipelines.Sender s = sender;
        if (s != null && !closed && !sendStopped) {
            s.start();
            senderStarted = true;
        }
    }

    /** A camera's sender; its errors (the camera unplugged, busy) are the camera's, not the call's. */
    private VideoPipelines.Sender cameraSender(EngineConfig.VideoSource source, int bitrateKbps) {
        VideoPipelines.Sender[] self = new VideoPipelines.Sender[1];
        AtomicBoolean reported = new AtomicBoolean(); // a failing pipeline posts several errors: the camera is lost once
        self[0] = new VideoPipelines.Sender(params.codec(), source, config.videoFormat(), params.sendPt(), bitrateKbps,
                selfView, this::onEncodedPacket, message -> {
                    if (sender == self[0] && !closed && !sendStopped && reported.compareAndSet(false, true)) io.cameraLost(message);
                });
        return self[0];
    }

    /** The camera this flow sends now; null when it sends none (a screen share, a receive-only flow). */
    public EngineConfig.VideoSource camera() {
        return sender != null ? camera : null;
    }

    /**
     * Sends from {@code source} from now on, without a break in the RTP stream: same SSRC, the
     * sequence numbers and timestamps go on. The whole send pipeline is rebuilt, not only the capture:
     * a new encoder's first frame is a keyframe, which the peer needs to decode the new picture
     * anyway, and the self view moves to the new pipeline. A flow still waiting for the camera's
     * consent only changes the camera it will open.
     *
     * @return false when this flow sends no camera (receive only, a screen share, the camera stopped)
     */
    public synchronized boolean switchCamera(EngineConfig.VideoSource source) {
        if (closed || !params.send() || sendStopped || camera == null) return false;
        VideoPipelines.Sender old = sender;
        sender = null;
        if (old != null) old.close(); // first: the user may pick the same camera again, which is opened once
        synchronized (sendLock) {
            tsContinuity.newSource();
        }
        VideoPipelines.Sender s = cameraSender(source, bitrate.targetKbps());
        camera = source;
        sender = s;
        if (senderStarted) {
            s.start();
            s.setPreview(selfViewOn);
        }
        return true;
    }

    /**
     * A screen share: sends from {@code open}'s pipeline from now on (the SSRC and sequence numbers
     * go on), or stops sending with null. The previous sender, if any, is closed.
     */
    public synchronized void replaceSender(SenderFactory open) {
        if (closed || !params.send()) return;
        VideoPipelines.Sender old = sender;
        sender = null;
        if (old != null) old.close();
        if (open == null) return;
        VideoPipelines.Sender s = open.open(params.codec(), params.sendPt(), bitrate.targetKbps(), this::onEncodedPacket, io::mediaError);
        synchronized (sendLock) {
            tsContinuity.newSource();
        }
        camera = null;
        sender = s;
        s.start();
    }

    private void requestKeyframe() {
        VideoPipelines.Sender s = sender;
        if (s != null) s.requestKeyframe();
    }

    /** Makes a sender pipeline for this flow's codec and payload type. */
    @FunctionalInterface
    public interface SenderFactory {
        VideoPipelines.Sender open(io.vmc.engine.internal.media.VideoCodec codec, int pt, int bitrateKbps,
                                   java.util.function.Consumer<byte[]> rtpOut, java.util.function.Consumer<String> onError);
    }

    /** Ends sending for good (the user stopped the camera): the sender's pipeline and device close; idempotent. */
    public synchronized void stopSending() {
        sendStopped = true;
        VideoPipelines.Sender s = sender;
        if (s != null) s.close();
    }

    /** Whether this flow has a sender (the negotiated direction sends video). */
    public boolean hasSender() {
        return sender != null;
    }

    /** Shows or stops the self view fed from the sender. */
    public synchronized void setSelfView(boolean on) {
        selfViewOn = on;
        VideoPipelines.Sender s = sender;
        if (s != null) s.setPreview(on);
    }

    /** The MID our RTP carries in a bundle ({@link RtpStream#setMid}). */
    public void setMid(int extensionId, String mid) { stream.setMid(extensionId, mid); }

    /** Hold/resume after a re-offer: gates the packets; the pipelines keep running. */
    public void setDirection(boolean send, boolean receive) {
        this.sending = send;
        this.receiving = receive;
    }

    private void onEncodedPacket(byte[] encoded) {
        int h = RtpPackets.headerLength(encoded, 0, encoded.length);
        if (h < 0 || closed || !sending || sendStopped) return;
        int payloadLen = encoded.length - h;
        synchronized (sendLock) {
            byte[] pkt = stream.withMid(encoded); // before the NACK history keeps it: a retransmission carries it too
            RtpPackets.setSsrc(pkt, 0, stream.ssrc());
            RtpPackets.setSeq(pkt, 0, nextSeq);
            long now = System.nanoTime();
            RtpPackets.setTimestamp(pkt, 0, tsContinuity.next(RtpPackets.timestamp(pkt, 0), now));
            stream.onSent(pkt, nextSeq, now); // send() protects a copy, so pkt stays plain
            nextSeq = (nextSeq + 1) & 0xffff;
            lastMediaTs = RtpPackets.timestamp(pkt, 0);
            lastMediaNanos = now;
            send(pkt, pkt.length, false);
        }
        packetsSent.incrementAndGet();
        bytesSent.addAndGet(payloadLen);
    }

    private void send(byte[] pkt, int len, boolean rtcp) {
        try {
            if (srtp != null) {
                SrtpContext.Buf b = new SrtpContext.Buf(pkt, 0, len, rtcp ? 20 : 16);
                // the packet's own SSRC: ours, the old one of a BYE or of a retransmission from before a collision
                long from = rtcp ? RtpPackets.readU32(pkt, 4) : RtpPackets.ssrc(pkt, 0);
                if (rtcp) srtp.protectRtcp(b, from); else srtp.protectRtp(b, from);
                io.send(b.getBuffer(), b.getOffset(), b.getLength());
            } else {
                io.send(pkt, 0, len);
            }
        } catch (IOException | GeneralSecurityException e) {
            LOG.debug("video send failed: {}", e.toString());
        }
    }

    /** The peer's SSRC once its first authenticated RTP packet came, else -1. */
    public long remoteSsrc() {
        return stream.remoteSsrc();
    }

    /** A datagram from the video ICE endpoint's trusted remote address; true if it was an authenticated RTP packet. */
    public boolean onPacket(byte[] buf, int off, int len) {
        if (closed) return false;
        if (len < 12 || len > RtpPackets.MAX_PACKET) {
            stream.drop("badLength");
            return false;
        }
        if (RtpPackets.looksLikeRtcp(buf, off, len)) {
            return onRtcp(buf, off, len);
        }
        // a second copy of a retransmission (a NACK retry crossed a slow answer) counts as replayed
        SrtpContext.Buf plain = stream.receiveRtp(srtp, buf, off, len);
        if (plain == null) return false;
        byte[] data = plain.getBuffer();
        int dOff = plain.getOffset();
        int dLen = plain.getLength();
        int h = RtpPackets.headerLength(data, dOff, dLen);
        if (RtpPackets.payloadType(data, dOff) != params.recvPt()) {
            stream.drop("unknownPayloadType");
            return false;
        }
        long now = System.nanoTime();
        if (stream.accept(data, dOff, dLen, now) == null) return false; // the first authenticated packet fixes the SSRC
        packetsReceived.incrementAndGet();
        bytesReceived.addAndGet(dLen - h);
        sayByeAfterCollision();
        // the jitter buffer sorts, drops duplicates and waits its latency for what NACK brings back
        if (receiver != null && receiving) receiver.push(data, dOff, dLen);
        if (stream.feedbackDue(now)) sendFeedback(null, false);
        if (nack.hasGaps() && nackCheckPending.compareAndSet(false, true)) {
            try {
                timer.schedule(this::nackCheck, NackFeedback.REORDER_DELAY_NANOS + 2_000_000L, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                nackCheckPending.set(false); // the session is closing
            }
        }
        return true;
    }

    /** After an SSRC collision (RFC 3550 section 8.2): BYE for the SSRC we gave up. */
    private void sayByeAfterCollision() {
        byte[] bye = stream.takeBye();
        if (bye != null) send(bye, bye.length, true);
    }

    /** The timer's look at gaps, for when no packet arrives after one (a frame's last packet lost). */
    private void nackCheck() {
        nackCheckPending.set(false);
        if (closed) return;
        try {
            if (stream.feedbackDue(System.nanoTime())) sendFeedback(null, false);
        } catch (RuntimeException e) {
            LOG.debug("video NACK: {}", e.toString());
        }
    }

    /** The decoder lost a picture that NACK did not bring back: ask for a keyframe (rate-limited). */
    private void onPictureLost() {
        if (closed || !receiving || stream.remoteSsrc() < 0 || !keyframes.pictureLost(System.nanoTime())) return;
        try {
            sendFeedback(null, false);
        } catch (RuntimeException e) {
            LOG.debug("video PLI: {}", e.toString());
        }
    }

    /** @return whether the packet authenticated (with SRTP) and parsed as RTCP */
    private boolean onRtcp(byte[] buf, int off, int len) {
        RtcpPackets.Parsed r = stream.receiveRtcp(srtp, buf, off, len, System.nanoTime(), RtcpPackets.ntpNow());
        return r != null && !r.malformed();
    }

    /** Periodic: SR (while sending) or RR, with a report block once we receive, plus PLI and due NACKs. */
    private void rtcpTick() {
        if (closed) return;
        try {
            sendFeedback(senderInfo(), true);
        } catch (RuntimeException e) {
            LOG.debug("video RTCP: {}", e.toString());
        }
    }

    private RtcpPackets.SenderInfo senderInfo() {
        if (!sending || packetsSent.get() == 0) return null;
        long ts;
        synchronized (sendLock) {
            if (lastMediaTs < 0) return null;
            ts = (lastMediaTs + (System.nanoTime() - lastMediaNanos) * CLOCK_RATE / 1_000_000_000L) & 0xffffffffL;
        }
        return new RtcpPackets.SenderInfo(RtcpPackets.ntpNow(), ts, packetsSent.get() & 0xffffffffL,
                bytesSent.get() & 0xffffffffL);
    }

    /**
     * One compound: SR/RR and SDES CNAME first (RFC 3550 section 6.1), then the features' feedback
     * (PLI, NACK). An early compound ({@code periodic} false) carries an empty RR so as not to cut
     * the loss report's interval short.
     */
    private void sendFeedback(RtcpPackets.SenderInfo info, boolean periodic) {
        long now = System.nanoTime();
        byte[] p = new byte[stream.maxCompoundWithFeedbackBytes()];
        int pos = stream.writeCompound(p, 0, info, periodic, now);
        pos = stream.writeFeedback(p, pos, periodic, now);
        send(p, pos, true);
    }

    public long packetsSent() { return packetsSent.get(); }
    public long bytesSent() { return bytesSent.get(); }
    public long packetsReceived() { return packetsReceived.get(); }
    public long bytesReceived() { return bytesReceived.get(); }
    public long framesDecoded() { return receiver == null ? 0 : receiver.framesDecoded(); }

    /** What we receive: packets lost on the network (including those NACK brought back), RFC 3550 A.3. */
    public long packetsLost() {
        return stream.packetsLost();
    }

    /** What we receive: the fraction lost in our last report interval. */
    public double fractionLost() {
        return stream.fractionLost();
    }

    public double jitterMs() {
        return stream.jitterMs();
    }

    /** From the peer's report blocks about our stream (LSR/DLSR); -1 until known. */
    public double rttMs() {
        return stream.rttMs();
    }

    /** The encoder's current target (kbit/s). */
    public int targetBitrateKbps() {
        return bitrate.targetKbps();
    }

    public Map<String, Long> counters() {
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("videoPacketsSent", packetsSent.get());
        out.put("videoPacketsReceived", packetsReceived.get());
        out.put("videoFramesDecoded", framesDecoded());
        out.put("videoPliSent", keyframes.plisSent());
        out.put("videoPliReceived", keyframes.received());
        out.put("videoNacksSent", nack.nacksSent());
        out.put("videoNackedPackets", nack.nackedPackets());
        out.put("videoRecovered", nack.recovered());
        out.put("videoNacksReceived", nack.nacksReceived());
        out.put("videoRetransmitted", nack.retransmitted());
        out.put("videoNackMisses", nack.misses());
        out.put("videoRetransmitsLimited", nack.limited());
        out.put("videoTargetBitrateKbps", (long) bitrate.targetKbps());
        out.put("videoRemoteLossPercent", Math.round(stream.remoteFractionLost() * 100));
        out.put("videoLossPercent", Math.round(fractionLost() * 100));
        out.put("videoPacketsLost", packetsLost());
        out.put("videoRttMs", Math.round(stream.rttMs()));
        stream.drops().forEach((k, v) -> out.put("video" + Character.toUpperCase(k.charAt(0)) + k.substring(1), v));
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
