package io.vmc.engine.internal.rtp;

import io.vmc.engine.internal.RateLimiter;
import io.vmc.engine.internal.media.VideoCodec;
import io.vmc.engine.internal.media.VideoPipelines;
import io.vmc.engine.internal.transport.SrtpContext;
import io.vmc.engine.EngineConfig;
import io.vmc.overlay.VideoOverlay;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
 * {@link MediaFlow}: SSRC, sequence numbers, SRTP, input filtering and RTCP feedback (RFC 4585):
 * <ul>
 * <li>receiving: statistics and report blocks ({@link ReceiveStatistics}), Generic NACK for gaps
 * ({@link NackTracker}), sent at once and retried; PLI at start and while nothing was decoded.
 * Retransmissions come back in the original stream (SDP has {@code nack} without rtx) and go to
 * the jitter buffer like any packet. The loss we report counts packets that needed a
 * retransmission as lost (like libwebrtc, whose media SSRC never sees RTX), so that the sender's
 * controller sees the network's loss and not what NACK hid of it.</li>
 * <li>sending: SRs, a {@link SendHistory} that answers NACKs, a PLI or FIR forces a keyframe, and
 * the encoder's target bitrate follows the peer's reports ({@link LossBasedBitrate}).</li>
 * </ul>
 * Threads: the ICE receive thread calls {@link #onPacket}, GStreamer's streaming thread sends,
 * the session timer sends the periodic RTCP; {@code sendLock} guards the send side and
 * {@code recvLock} the receive side.
 */
public final class VideoFlow implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VideoFlow.class);
    static final int CLOCK_RATE = 90000;
    /** The loss controller's floor: below this VP8 at 640x480 is no longer worth watching. */
    public static final int MIN_BITRATE_KBPS = 150;
    /** Gaps are NACKed up to this many sequence numbers behind the highest. */
    static final int NACK_WINDOW = 512;
    /**
     * Our SRTP receive replay window: a retransmission comes back up to {@link #NACK_WINDOW} plus
     * what was sent meanwhile behind the highest; jitsi-srtp's own 64 would refuse those of a
     * large keyframe (libwebrtc uses 1024 for video for the same reason).
     */
    static final int SRTP_REPLAY_WINDOW = 1024;
    /**
     * A gap waits this long before its first NACK: ice4j's socket multiplexing can reorder packets
     * (seen at call start), and a NACK for a packet that is merely late costs a duplicate.
     */
    static final long NACK_REORDER_DELAY_NANOS = 10_000_000L;
    static final long NACK_MAX_AGE_NANOS = 200_000_000L;
    static final int MAX_NACKS_PER_SEQ = 3;
    /** Sequence numbers asked for in one NACK: always fits {@link RtcpPackets#MAX_NACK_ITEMS_OUT} items. */
    static final int MAX_SEQS_PER_NACK = RtcpPackets.MAX_NACK_ITEMS_OUT;
    /** Retransmissions answered for one received NACK compound. */
    static final int MAX_RESEND_PER_NACK = 64;
    static final long HISTORY_MAX_AGE_NANOS = 1_000_000_000L;

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
    private final long ssrc;
    /** SSRC, CNAME, SRTP receive, receive statistics and the RTCP every kind shares. */
    private final RtpStream stream;
    private int nextSeq;
    private final VideoPipelines.Sender sender;
    private volatile boolean sendStopped;
    private final VideoPipelines.Receiver receiver;
    private final ScheduledFuture<?> rtcpTask;
    private final ScheduledExecutorService timer;
    /** A NACK check is scheduled (for a gap whose reorder delay ends while no packet arrives). */
    private final AtomicBoolean nackCheckPending = new AtomicBoolean();
    private final AtomicLong packetsSent = new AtomicLong();
    private final AtomicLong bytesSent = new AtomicLong();
    private final AtomicLong packetsReceived = new AtomicLong();
    private final AtomicLong bytesReceived = new AtomicLong();
    private final AtomicLong plisSent = new AtomicLong();
    private final AtomicLong plisReceived = new AtomicLong();
    private final AtomicLong nacksSent = new AtomicLong();
    private final AtomicLong nackedPackets = new AtomicLong();
    private final AtomicLong nacksReceived = new AtomicLong();
    private final AtomicLong retransmitted = new AtomicLong();
    private final AtomicLong nackMisses = new AtomicLong();
    private final AtomicLong retransmitsLimited = new AtomicLong();
    private final AtomicLong recovered = new AtomicLong();

    // send side, under sendLock
    private final Object sendLock = new Object();
    private final SendHistory history = new SendHistory(HISTORY_MAX_AGE_NANOS);
    private long lastMediaTs = -1;
    private long lastMediaNanos;
    private final RateLimiter resendLimiter = new RateLimiter(400, 100);
    private final RateLimiter keyframeLimiter = new RateLimiter(3, 2);
    private final LossBasedBitrate bitrate;
    private volatile int appliedKbps;

    // receive side, under recvLock
    private final Object recvLock = new Object();
    private final NackTracker nacks;
    private long seenRestarts;
    private final RateLimiter nackLimiter = new RateLimiter(50, 10);
    /** PLIs on the decoder's request: a keyframe costs many packets, so at most 4 a second. */
    private final RateLimiter pliLimiter = new RateLimiter(4, 1);
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
        this.params = params;
        this.io = io;
        this.timer = timer;
        this.ssrc = ssrc;
        this.nextSeq = firstSeq & 0xffff;
        this.stream = new RtpStream(ssrc, cname != null ? cname : "vmc-" + Long.toHexString(ssrc), CLOCK_RATE);
        this.srtp = params.encrypted()
                ? new SrtpContext(params.srtpSuite(), params.localKey(), params.remoteKey(), SRTP_REPLAY_WINDOW) : null;
        this.nacks = new NackTracker(NACK_WINDOW, NACK_REORDER_DELAY_NANOS, NACK_MAX_AGE_NANOS, MAX_NACKS_PER_SEQ);
        int max = config.videoMaxBitrateKbps();
        this.bitrate = new LossBasedBitrate(Math.min(MIN_BITRATE_KBPS, max), max, max, System.nanoTime());
        this.appliedKbps = max;
        VideoPipelines.Sender s = null;
        VideoPipelines.Receiver r = null;
        try {
            if (params.send()) {
                s = new VideoPipelines.Sender(params.codec(), config.videoSource(), config.videoFormat(), params.sendPt(),
                        config.videoMaxBitrateKbps(),
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
        if (r != null) r.onKeyframeRequest(this::onPictureLost);
        if (r != null) r.start();
        if (s != null && startSending) s.start();
        rtcpTask = timer.scheduleAtFixedRate(this::rtcpTick, 200, 500, TimeUnit.MILLISECONDS);
    }

    public Params params() { return params; }

    /** Our SSRC. */
    public long ssrc() { return ssrc; }

    /** The sequence number the next packet would carry: where a following flow goes on. */
    public int nextSeq() {
        synchronized (sendLock) {
            return nextSeq;
        }
    }

    /** Starts the sender held back by the constructor (the camera was allowed); idempotent. */
    public synchronized void startSending() {
        if (sender != null && !closed && !sendStopped) sender.start();
    }

    /** Ends sending for good (the user stopped the camera): the sender's pipeline and device close; idempotent. */
    public synchronized void stopSending() {
        sendStopped = true;
        if (sender != null) sender.close();
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
        int h = RtpPackets.headerLength(pkt, 0, pkt.length);
        if (h < 0 || closed || !sending || sendStopped) return;
        synchronized (sendLock) {
            RtpPackets.setSsrc(pkt, 0, ssrc);
            RtpPackets.setSeq(pkt, 0, nextSeq);
            long now = System.nanoTime();
            history.put(nextSeq, pkt, now); // send() protects a copy, so pkt stays plain
            nextSeq = (nextSeq + 1) & 0xffff;
            lastMediaTs = RtpPackets.timestamp(pkt, 0);
            lastMediaNanos = now;
            send(pkt, pkt.length, false);
        }
        packetsSent.incrementAndGet();
        bytesSent.addAndGet(pkt.length - h);
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
        if (!stream.lockPeer(RtpPackets.ssrc(data, dOff))) return false; // the first authenticated packet fixes the SSRC
        packetsReceived.incrementAndGet();
        bytesReceived.addAndGet(dLen - h);
        List<Long> ask;
        boolean gaps;
        synchronized (recvLock) {
            long now = System.nanoTime();
            long ext = stream.onSequence(RtpPackets.seq(data, dOff));
            if (stream.restarts() != seenRestarts) {
                seenRestarts = stream.restarts();
                nacks.reset();
            }
            NackTracker.Arrival a = ext < 0 ? NackTracker.Arrival.DUPLICATE : nacks.onPacket(ext, now);
            if (a == NackTracker.Arrival.NEW || a == NackTracker.Arrival.REORDERED) {
                stream.onReceived(RtpPackets.timestamp(data, dOff), now, a == NackTracker.Arrival.NEW);
            } else if (a == NackTracker.Arrival.RECOVERED) {
                recovered.incrementAndGet();
            }
            ask = dueNacks(now);
            gaps = nacks.missingCount() > 0;
        }
        // the jitter buffer sorts, drops duplicates and waits its latency for what NACK brings back
        if (receiver != null && receiving) receiver.push(data, dOff, dLen);
        if (!ask.isEmpty()) sendFeedback(null, false, false, ask);
        if (gaps && nackCheckPending.compareAndSet(false, true)) {
            try {
                timer.schedule(this::nackCheck, NACK_REORDER_DELAY_NANOS + 2_000_000L, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                nackCheckPending.set(false); // the session is closing
            }
        }
        return true;
    }

    /** Under recvLock: what to NACK now, if the NACK rate allows a message. */
    private List<Long> dueNacks(long now) {
        long retry = nackRetryNanos();
        if (nacks.anyDue(now, retry) && nackLimiter.tryAcquire()) return nacks.due(now, retry, MAX_SEQS_PER_NACK);
        return List.of();
    }

    /** The timer's look at gaps, for when no packet arrives after one (a frame's last packet lost). */
    private void nackCheck() {
        nackCheckPending.set(false);
        if (closed) return;
        try {
            List<Long> ask;
            synchronized (recvLock) {
                ask = dueNacks(System.nanoTime());
            }
            if (!ask.isEmpty()) sendFeedback(null, false, false, ask);
        } catch (RuntimeException e) {
            LOG.debug("video NACK: {}", e.toString());
        }
    }

    /** The decoder lost a picture that NACK did not bring back: ask for a keyframe (rate-limited). */
    private void onPictureLost() {
        if (closed || !receiving || stream.remoteSsrc() < 0 || !pliLimiter.tryAcquire()) return;
        try {
            sendFeedback(null, false, true, List.of());
        } catch (RuntimeException e) {
            LOG.debug("video PLI: {}", e.toString());
        }
    }

    /**
     * Ask again after 1.5 RTT, at least 30 ms (a busy peer answers late, and a retry that crosses
     * its answer costs a duplicate), 50 ms while the RTT is unknown.
     */
    private long nackRetryNanos() {
        double rtt = stream.rttMs();
        return rtt < 0 ? 50_000_000L : Math.max(30_000_000L, (long) (rtt * 1.5e6));
    }

    /** @return whether the packet authenticated (with SRTP) and parsed as RTCP */
    private boolean onRtcp(byte[] buf, int off, int len) {
        long from = RtpPackets.readU32(buf, off + 4);
        SrtpContext.Buf plain = stream.unprotect(srtp, true, buf, off, len, from);
        if (plain == null) return false;
        RtcpPackets.Parsed r = RtcpPackets.parse(plain.getBuffer(), plain.getOffset(), plain.getLength(), ssrc);
        long now = System.nanoTime();
        RtcpPackets.ReportBlock aboutUs = stream.onRtcp(r, now, RtcpPackets.ntpNow());
        if (aboutUs != null) onReportAboutUs(aboutUs, now);
        if (r.keyframeRequests() > 0) {
            plisReceived.incrementAndGet();
            // a keyframe costs many packets: a PLI flood must not turn into a keyframe flood
            if (this.sender != null && keyframeLimiter.tryAcquire()) this.sender.requestKeyframe();
        }
        if (!r.nackSeqs().isEmpty()) {
            nacksReceived.incrementAndGet();
            resend(r.nackSeqs(), now);
        }
        return !r.malformed();
    }

    /** The peer's report about our stream (its loss and the RTT are in {@link #stream}): the bitrate follows it. */
    private void onReportAboutUs(RtcpPackets.ReportBlock b, long now) {
        if (sender == null || !sending) return;
        int kbps;
        synchronized (bitrate) {
            kbps = bitrate.onReport(b.fractionLost(), now);
        }
        // libvpx reconfigures on every change: skip steps under 3%
        if (Math.abs(kbps - appliedKbps) * 100 >= appliedKbps * 3) {
            appliedKbps = kbps;
            sender.setTargetBitrate(kbps);
        }
    }

    /** Answers a NACK from the history: bounded per NACK and in rate, each packet at most once per RTT. */
    private void resend(List<Integer> seqs, long now) {
        if (!sending || closed) return;
        long minGap = Math.max(10_000_000L, (long) (stream.rttMs() * 1e6));
        int n = 0;
        for (int seq : seqs) {
            if (n >= MAX_RESEND_PER_NACK) break;
            byte[] p;
            synchronized (sendLock) {
                p = history.forResend(seq, now, minGap);
            }
            if (p == null) {
                nackMisses.incrementAndGet();
                continue;
            }
            if (!resendLimiter.tryAcquire()) {
                retransmitsLimited.incrementAndGet();
                break;
            }
            send(p, p.length, false);
            retransmitted.incrementAndGet();
            n++;
        }
    }

    /** Periodic: SR (while sending) or RR, with a report block once we receive, plus PLI and due NACKs. */
    private void rtcpTick() {
        if (closed) return;
        try {
            boolean pli = receiver != null && receiver.framesDecoded() == 0;
            List<Long> ask;
            synchronized (recvLock) {
                long now = System.nanoTime();
                ask = nacks.due(now, nackRetryNanos(), MAX_SEQS_PER_NACK);
            }
            sendFeedback(senderInfo(), true, pli, ask);
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
     * One compound: SR/RR and SDES CNAME first (RFC 3550 section 6.1), then PLI and NACK. An early
     * NACK carries an empty RR ({@code withReport} false) so as not to cut the loss report's interval short.
     */
    private void sendFeedback(RtcpPackets.SenderInfo info, boolean withReport, boolean pli, List<Long> ask) {
        long rs = stream.remoteSsrc();
        byte[] p = new byte[stream.maxCompoundBytes() + 12 + RtcpPackets.maxNackBytes()];
        int pos = stream.writeCompound(p, 0, info, withReport, System.nanoTime());
        if (pli) {
            pos = RtcpPackets.writePli(p, pos, ssrc, rs < 0 ? 0 : rs);
            plisSent.incrementAndGet();
        }
        if (!ask.isEmpty() && rs >= 0) {
            List<Integer> seqs = new ArrayList<>(ask.size());
            for (long e : ask) seqs.add((int) (e & 0xffff));
            pos = RtcpPackets.writeNack(p, pos, ssrc, rs, seqs);
            nacksSent.incrementAndGet();
            nackedPackets.addAndGet(seqs.size());
        }
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
        return appliedKbps;
    }

    public Map<String, Long> counters() {
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("videoPacketsSent", packetsSent.get());
        out.put("videoPacketsReceived", packetsReceived.get());
        out.put("videoFramesDecoded", framesDecoded());
        out.put("videoPliSent", plisSent.get());
        out.put("videoPliReceived", plisReceived.get());
        out.put("videoNacksSent", nacksSent.get());
        out.put("videoNackedPackets", nackedPackets.get());
        out.put("videoRecovered", recovered.get());
        out.put("videoNacksReceived", nacksReceived.get());
        out.put("videoRetransmitted", retransmitted.get());
        out.put("videoNackMisses", nackMisses.get());
        out.put("videoRetransmitsLimited", retransmitsLimited.get());
        out.put("videoTargetBitrateKbps", (long) appliedKbps);
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
