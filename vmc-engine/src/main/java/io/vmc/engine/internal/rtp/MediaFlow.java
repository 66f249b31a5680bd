package io.vmc.engine.internal.rtp;

import io.vmc.engine.internal.media.AudioCodec;
import io.vmc.engine.internal.media.AudioPipelines;
import io.vmc.engine.internal.transport.SrtpContext;
import io.vmc.engine.EngineConfig;
import io.vmc.engine.media.WavWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RTP session of one audio stream, owned by Java: GStreamer produces and consumes payloads,
 * this class owns sequence numbers and SRTP, the shared {@link RtpStream} (SSRC, receive checks,
 * statistics, RTCP) with DTMF ({@link TelephoneEvents}, RFC 4733) plugged in, and filters what
 * arrives (length, SSRC, authentication, payload type) before GStreamer sees it.
 */
public final class MediaFlow implements RtpFlow {
    private static final Logger LOG = LoggerFactory.getLogger(MediaFlow.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What was negotiated for this stream. Keys null = plain RTP. */
    public record Params(AudioCodec codec, int sendPt, int recvPt, int sendDtmfPt, int recvDtmfPt,
                         String srtpSuite, byte[] localKey, byte[] remoteKey, String cname) {
        public boolean encrypted() {
            return localKey != null && remoteKey != null;
        }
    }

    /** Where packets go and what the flow reports. */
    public interface Io {
        void send(byte[] buf, int off, int len) throws IOException;

        void dtmfReceived(String digit, int durationMs);

        void mediaError(String message);

        /**
         * The microphone or speaker failed (unplugged, its stream killed): the call can go on with
         * another device. By default a media error.
         */
        default void deviceLost(boolean microphone, String message) {
            mediaError(message);
        }

        /** The camera failed (unplugged, busy): the call can go on with another one or without sending video. */
        default void cameraLost(String message) {
            mediaError(message);
        }
    }

    private final Params params;
    private final Io io;
    private final EngineConfig config;
    private final SrtpContext srtp;
    /** SSRC, CNAME, SRTP receive, receive statistics and the RTCP every kind shares. */
    private final RtpStream stream;
    private int nextSeq;
    private volatile AudioPipelines.Sender sender;
    private volatile AudioPipelines.Receiver receiver;
    private final String probeName;
    private final String sessionId;
    private volatile boolean muted;
    private final WavWriter recorder;
    private final ScheduledExecutorService timer;
    private ScheduledFuture<?> rtcpTask;
    private ScheduledFuture<?> dtmfTask;

    private volatile boolean sending = true;
    private volatile boolean receiving = true;
    private volatile boolean consent = true;
    private volatile boolean closed;

    // send-side state (GStreamer streaming thread and the DTMF timer)
    private final Object sendLock = new Object();
    private long lastMediaTs = -1;
    private final io.vmc.engine.internal.device.RtpTimestampContinuity tsContinuity; // under sendLock
    private long lastMediaNanos;
    private final AtomicLong packetsSent = new AtomicLong();
    private final AtomicLong bytesSent = new AtomicLong();

    // receive-side state (receive threads)
    private final Object recvLock = new Object();
    private long packetsReceived;
    private long bytesReceived;
    private volatile double levelDbov = -127;

    /** DTMF both ways; its sending side under sendLock. */
    private final TelephoneEvents dtmf;

    /** A random SSRC and first sequence number, for a session's first flow. */
    public static long randomSsrc() {
        return RANDOM.nextInt() & 0xffffffffL;
    }

    public static int randomSeq() {
        return RANDOM.nextInt(0x8000);
    }

    /**
     * @param ssrc our SSRC, kept by the session across flows (the peer locks onto it)
     * @param firstSeq the next RTP sequence number, continuing the previous flow's
     */
    public MediaFlow(Params params, EngineConfig config, String sessionId, String pulseSource, String pulseSink,
                     long ssrc, int firstSeq, ScheduledExecutorService timer, Io io) throws IOException {
        this.params = params;
        this.sessionId = sessionId;
        this.nextSeq = firstSeq & 0xffff;
        this.tsContinuity = new io.vmc.engine.internal.device.RtpTimestampContinuity(params.codec().clockRate());
        boolean ec = config.echoCancellation() && !config.audioSource().isTone() && config.audioSink().isPulse();
        this.probeName = ec ? "vmcprobe" + sessionId : null;
        this.io = io;
        this.config = config;
        this.timer = timer;
        this.stream = new RtpStream(ssrc, params.cname(), params.codec().clockRate());
        this.dtmf = new TelephoneEvents(params.recvDtmfPt(), params.codec().clockRate(), io::dtmfReceived);
        stream.add(dtmf);
        this.srtp = params.encrypted() ? new SrtpContext(params.srtpSuite(), params.localKey(), params.remoteKey()) : null;
        Path dir = config.recordDir();
        this.recorder = dir == null ? null : new WavWriter(dir.resolve(sessionId + ".wav"), AudioPipelines.PCM_RATE, 1);
        AudioPipelines.Sender s = null;
        AudioPipelines.Receiver r = null;
        try {
            r = newReceiver(pulseSink);
            s = newSender(pulseSource);
        } catch (RuntimeException e) {
            if (s != null) s.close();
            if (r != null) r.close();
            if (recorder != null) recorder.close();
            if (srtp != null) srtp.close();
            throw e;
        }
        this.sender = s;
        this.receiver = r;
    }

    /** Which pipeline is current ([microphone, speaker]): a pipeline being replaced may still post errors. */
    private final java.util.concurrent.atomic.AtomicIntegerArray generation = new java.util.concurrent.atomic.AtomicIntegerArray(2);

    private AudioPipelines.Sender newSender(String pulseSource) {
        int gen = generation.incrementAndGet(0);
        return new AudioPipelines.Sender(config.audioSource(), pulseSource, params.codec(), params.sendPt(),
                config.opusDtx(), probeName, this::onEncodedPacket, e -> onPipelineError(true, gen, e));
    }

    private AudioPipelines.Receiver newReceiver(String pulseSink) {
        int gen = generation.incrementAndGet(1);
        int block = config.receivedAudioListener() != null ? 20 : 200;
        boolean wantPcm = recorder != null || config.receivedAudioListener() != null;
        return new AudioPipelines.Receiver(config.audioSink(), pulseSink, params.codec(), params.recvPt(),
                config.jitterBufferMs(), config.opusFecDecoding(), probeName, block, wantPcm ? this::onDecodedPcm : null,
                db -> levelDbov = db, e -> onPipelineError(false, gen, e));
    }

    private void onPipelineError(boolean microphone, int gen, String error) {
        if (closed || gen != generation.get(microphone ? 0 : 1)) return;
        if (AudioPipelines.isDeviceError(error)) io.deviceLost(microphone, error); else io.mediaError(error);
    }

    /** Moves capture to another PulseAudio source without touching the RTP session. */
    public synchronized void switchMicrophone(String pulseSource) {
        if (closed) return;
        AudioPipelines.Sender old = sender;
        AudioPipelines.Sender s = newSender(pulseSource);
        s.setMuted(muted);
        old.close();
        synchronized (sendLock) {
            tsContinuity.newSource();
        }
        sender = s;
        s.start();
    }

    /** Moves playout to another PulseAudio sink without touching the RTP session. */
    public synchronized void switchSpeaker(String pulseSink) {
        if (closed) return;
        AudioPipelines.Receiver old = receiver;
        AudioPipelines.Receiver r = newReceiver(pulseSink);
        r.start();
        // the old receiver plays on until the new one is PLAYING: packets queued in a pipeline that
        // is still changing state arrive as one late burst
        if (!r.awaitPlaying(2000)) LOG.warn("session {}: the new speaker's pipeline is not PLAYING after 2 s", sessionId);
        receiver = r;
        old.close();
    }

    /** The sequence number the next flow of this session should continue with. */
    public int nextSeq() {
        synchronized (sendLock) {
            return nextSeq;
        }
    }

    public void start() {
        receiver.start();
        sender.start();
        rtcpTask = timer.scheduleAtFixedRate(this::sendRtcpSafely, 500, 1000, TimeUnit.MILLISECONDS);
    }

    public Params params() { return params; }

    @Override
    public int recvPt() { return params.recvPt(); }

    /** Our SSRC (a collision changes it, see {@link RtpStream}). */
    public long ssrc() { return stream.ssrc(); }

    /** The peer's SSRC once its first authenticated packet came, else -1. */
    public long remoteSsrc() {
        return stream.remoteSsrc();
    }

    public void setDirection(boolean send, boolean receive) {
        this.sending = send;
        this.receiving = receive;
    }

    public void setConsent(boolean ok) { this.consent = ok; }

    /** The MID our RTP carries in a bundle ({@link RtpStream#setMid}). */
    public void setMid(int extensionId, String mid) { stream.setMid(extensionId, mid); }

    public boolean isSending() { return sending && consent; }

    public void setMuted(boolean muted) {
        this.muted = muted;
        sender.setMuted(muted);
    }

    // ------------------------------------------------------------------ send path

    private void onEncodedPacket(byte[] pkt) {
        int h = RtpPackets.headerLength(pkt, 0, pkt.length);
        if (h < 0) return;
        synchronized (sendLock) {
            lastMediaNanos = System.nanoTime();
            RtpPackets.setTimestamp(pkt, 0, tsContinuity.next(RtpPackets.timestamp(pkt, 0), lastMediaNanos));
            lastMediaTs = RtpPackets.timestamp(pkt, 0);
            if (dtmf.sending() || closed) return; // RFC 4733 section 2.5.1.1: events replace the audio
            RtpPackets.setSsrc(pkt, 0, stream.ssrc());
            RtpPackets.setSeq(pkt, 0, nextSeq);
            nextSeq = (nextSeq + 1) & 0xffff;
            transmit(pkt, pkt.length - h);
        }
    }

    /** Under sendLock. */
    private void transmit(byte[] plain, int payloadLen) {
        if (!sending || !consent || closed) return;
        byte[] pkt = stream.withMid(plain);
        try {
            if (srtp != null) {
                SrtpContext.Buf b = new SrtpContext.Buf(pkt, 0, pkt.length, 16);
                srtp.protectRtp(b, RtpPackets.ssrc(pkt, 0));
                io.send(b.getBuffer(), b.getOffset(), b.getLength());
            } else {
                io.send(pkt, 0, pkt.length);
            }
            packetsSent.incrementAndGet();
            bytesSent.addAndGet(payloadLen);
        } catch (IOException | GeneralSecurityException e) {
            LOG.debug("send failed: {}", e.toString());
        }
    }

    // ------------------------------------------------------------------ receive path

    /**
     * A datagram from the trusted remote address (or from a plain peer's proposed new one).
     *
     * @return whether it was an RTP or RTCP packet that passed SRTP authentication (or, without SRTP, a valid one)
     */
    public boolean onPacket(byte[] buf, int off, int len) {
        if (closed) return false;
        if (len < 12 || len > RtpPackets.MAX_PACKET) {
            stream.drop("badLength");
            return false;
        }
        if (RtpPackets.looksLikeRtcp(buf, off, len)) {
            return onRtcp(buf, off, len);
        }
        SrtpContext.Buf plain = stream.receiveRtp(srtp, buf, off, len);
        if (plain == null) return false;
        byte[] data = plain.getBuffer();
        int dOff = plain.getOffset();
        int dLen = plain.getLength();
        int h = RtpPackets.headerLength(data, dOff, dLen);
        int pt = RtpPackets.payloadType(data, dOff);
        if (pt != params.recvPt() && !dtmf.isEventType(pt)) {
            stream.drop("unknownPayloadType");
            return false;
        }
        RtpFeature.Arrival a;
        synchronized (recvLock) {
            a = stream.accept(data, dOff, dLen, System.nanoTime()); // the first authenticated packet fixes the SSRC
            if (a == null) return false;
            packetsReceived++;
            bytesReceived += dLen - h;
        }
        sayByeAfterCollision();
        if (a != RtpFeature.Arrival.EVENT && receiving) {
            receiver.push(data, dOff, dLen);
        }
        return true;
    }

    /** After an SSRC collision (RFC 3550 section 8.2): BYE for the SSRC we gave up. */
    private void sayByeAfterCollision() {
        byte[] bye = stream.takeBye();
        if (bye != null) sendRtcpPacket(bye, bye.length, RtpPackets.readU32(bye, 4));
    }

    private void onDecodedPcm(byte[] pcm) {
        EngineConfig.ReceivedAudioListener l = config.receivedAudioListener();
        if (l != null) {
            try {
                l.onAudio(sessionId, pcm);
            } catch (RuntimeException e) {
                LOG.debug("audio listener: {}", e.toString());
            }
        }
        if (recorder != null) {
            try {
                recorder.write(pcm, 0, pcm.length);
            } catch (IOException e) {
                LOG.warn("recording failed: {}", e.toString());
            }
        }
    }

    // ------------------------------------------------------------------ RTCP

    private void sendRtcpSafely() {
        try {
            sendRtcp();
        } catch (RuntimeException e) {
            LOG.debug("RTCP: {}", e.toString());
        }
    }

    /** SR (while sending) or RR, a report block once we receive, SDES CNAME: see {@link RtpStream}. */
    private void sendRtcp() {
        if (closed || !consent) return;
        RtcpPackets.SenderInfo info = null;
        long now = System.nanoTime();
        if (sending && packetsSent.get() > 0) {
            long ts;
            synchronized (sendLock) {
                ts = lastMediaTs < 0 ? 0 : (lastMediaTs + (now - lastMediaNanos) * params.codec().clockRate() / 1_000_000_000L) & 0xffffffffL;
            }
            info = new RtcpPackets.SenderInfo(RtcpPackets.ntpNow(), ts, packetsSent.get() & 0xffffffffL, bytesSent.get() & 0xffffffffL);
        }
        byte[] p = new byte[stream.maxCompoundBytes()];
        int pos = stream.writeCompound(p, 0, info, true, now);
        sendRtcpPacket(p, pos, stream.ssrc());
    }

    private void sendRtcpPacket(byte[] p, int len, long from) {
        try {
            if (srtp != null) {
                SrtpContext.Buf b = new SrtpContext.Buf(p, 0, len, 20);
                srtp.protectRtcp(b, from);
                io.send(b.getBuffer(), b.getOffset(), b.getLength());
            } else {
                io.send(p, 0, len);
            }
        } catch (IOException | GeneralSecurityException e) {
            LOG.debug("RTCP send failed: {}", e.toString());
        }
    }

    /** @return whether the packet authenticated (with SRTP) and was well-formed compound RTCP */
    private boolean onRtcp(byte[] buf, int off, int len) {
        RtcpPackets.Parsed r = stream.receiveRtcp(srtp, buf, off, len, System.nanoTime(), RtcpPackets.ntpNow());
        return r != null && !r.malformed();
    }

    // ------------------------------------------------------------------ DTMF sending

    /** Queues digits (validated by the caller) for RFC 4733 sending. */
    public void sendDtmf(String digits, int durationMs) {
        if (params.sendDtmfPt() < 0) throw new IllegalStateException("the peer did not negotiate telephone-event");
        synchronized (sendLock) {
            dtmf.queue(digits, durationMs);
            // the 20 ms ticker runs only while there are digits to send
            if (dtmfTask == null && !closed) {
                dtmfTask = timer.scheduleAtFixedRate(this::dtmfTick, 0, TelephoneEvents.TICK_MS, TimeUnit.MILLISECONDS);
            }
        }
    }

    private void dtmfTick() {
        try {
            synchronized (sendLock) {
                TelephoneEvents.EventPacket e = dtmf.tick(this::mediaTimestampNow);
                if (e != null) sendEventPacket(e);
                if (dtmf.idle()) {
                    if (dtmfTask != null) dtmfTask.cancel(false);
                    dtmfTask = null;
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("DTMF: {}", e.toString());
        }
    }

    /** Under sendLock: the RTP timestamp the audio would carry now. */
    private long mediaTimestampNow() {
        long clock = params.codec().clockRate();
        return lastMediaTs < 0 ? 0 : lastMediaTs + (System.nanoTime() - lastMediaNanos) * clock / 1_000_000_000L;
    }

    /** Under sendLock. */
    private void sendEventPacket(TelephoneEvents.EventPacket e) {
        byte[] p = new byte[12 + e.payload().length];
        p[0] = (byte) 0x80;
        p[1] = (byte) ((e.marker() ? 0x80 : 0) | params.sendDtmfPt());
        RtpPackets.setSeq(p, 0, nextSeq);
        nextSeq = (nextSeq + 1) & 0xffff;
        RtpPackets.setTimestamp(p, 0, e.timestamp());
        RtpPackets.setSsrc(p, 0, stream.ssrc());
        System.arraycopy(e.payload(), 0, p, 12, e.payload().length);
        transmit(p, e.payload().length);
    }

    // ------------------------------------------------------------------ stats

    /** A consistent snapshot of the counters. */
    public record Snapshot(long packetsSent, long bytesSent, long packetsReceived, long bytesReceived, long packetsLost,
                           double fractionLost, double jitterMs, double rttMs, double levelDbov, double mos,
                           Map<String, Long> drops) {
    }

    public Snapshot snapshot() {
        long pr;
        long br;
        long lost;
        double jit;
        double frac;
        synchronized (recvLock) {
            pr = packetsReceived;
            br = bytesReceived;
        }
        long expected = stream.expected();
        lost = stream.packetsLost();
        jit = stream.jitterMs();
        frac = expected > 0 ? stream.fractionLost() : 0;
        if (expected > 0 && frac == 0 && lost > 0) frac = lost / (double) expected;
        double rtt = stream.rttMs();
        double oneWay = (rtt > 0 ? rtt / 2 : 0) + config.jitterBufferMs() + 20 + 2 * jit;
        double mos = pr == 0 ? 0 : EModel.mos(EModel.rFactor(params.codec(), oneWay, frac * 100));
        return new Snapshot(packetsSent.get(), bytesSent.get(), pr, br, lost, frac, jit, rtt, levelDbov, mos, stream.drops());
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (rtcpTask != null) rtcpTask.cancel(false);
        synchronized (sendLock) {
            if (dtmfTask != null) dtmfTask.cancel(false);
        }
        sender.close();
        receiver.close();
        if (recorder != null) {
            try {
                recorder.close();
            } catch (IOException e) {
                LOG.warn("closing the recording: {}", e.toString());
            }
        }
        if (srtp != null) srtp.close();
    }

    /** Remote fraction lost as reported in RTCP (what the peer sees of our stream). */
    public double remoteFractionLost() {
        return stream.remoteFractionLost();
    }
}
