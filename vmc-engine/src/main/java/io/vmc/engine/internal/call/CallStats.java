package io.vmc.engine.internal.call;

import io.vmc.engine.internal.rtp.MediaFlow;
import io.vmc.engine.internal.rtp.QualityWatch;
import io.vmc.engine.internal.rtp.VideoFlow;
import io.vmc.engine.internal.transport.IceEndpoint;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.MediaKind;
import io.vmc.transport.proto.SessionStats;
import io.vmc.transport.proto.StreamStats;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A call's statistics: one {@code StreamStats} per running flow with its transport's addresses and
 * candidate types, the quality alerts from the audio stream's MOS and loss, the Stats events at the
 * app's interval, and the counters the protocol has no field for. Reads the flows' and endpoints'
 * atomics on any thread (GetStats, scrapes); {@link #tick} runs on the engine's timer only.
 */
final class CallStats {
    private final Call call;
    private volatile long intervalMs;       // 0: the app asks with GetStats; pushed otherwise
    private long lastPushMillis;            // timer thread only
    private final QualityWatch quality = new QualityWatch(); // timer thread only

    CallStats(Call call) {
        this.call = call;
    }

    void interval(long millis) {
        intervalMs = millis;
    }

    /** Quality alerts, and the Stats event when the app's interval is due. */
    void tick() {
        SessionStats st = stats();
        for (StreamStats a : st.getStreamsList()) {
            if (a.getKind() == MediaKind.AUDIO) {
                boolean relayed = a.getLocalCandidateType().equals("relay") || a.getRemoteCandidateType().equals("relay");
                quality.update(call.id(), a.getMos(), a.getFractionLost(), relayed)
                        .forEach(q -> call.events.emit(Event.newBuilder().setQualityAlert(q).build()));
            }
        }
        long now = System.currentTimeMillis();
        long every = intervalMs;
        // A little slack so that a 1 s subscription on a 1 s tick does not skip every other tick.
        if (every > 0 && now - lastPushMillis >= every - 100) {
            lastPushMillis = now;
            call.events.emit(Event.newBuilder().setStats(st).build());
        }
    }

    SessionStats stats() {
        SessionStats.Builder b = SessionStats.newBuilder().setSessionId(call.id()).setTimestampMs(System.currentTimeMillis());
        MediaFlow f = call.audio.flow;
        IceEndpoint ai = CallTransports.current(call.audio.transport);
        if (f != null) {
            MediaFlow.Snapshot s = f.snapshot();
            b.addStreams(StreamStats.newBuilder()
                    .setKind(MediaKind.AUDIO)
                    .setCodec(f.params().codec().sdpName())
                    .setEncrypted(f.params().encrypted())
                    .setPacketsSent(s.packetsSent()).setBytesSent(s.bytesSent())
                    .setPacketsReceived(s.packetsReceived()).setBytesReceived(s.bytesReceived())
                    .setPacketsLost(s.packetsLost()).setFractionLost(s.fractionLost())
                    .setJitterMs(s.jitterMs()).setRttMs(Math.max(0, s.rttMs())).setMos(s.mos())
                    .setLocalAddress(call.localAddr()).setRemoteAddress(call.remoteAddr())
                    .setLocalCandidateType(ai == null ? "" : ai.selectedLocalType())
                    .setRemoteCandidateType(ai == null ? "" : ai.selectedRemoteType())
                    .setAudioLevelDbov(s.levelDbov()));
        }
        VideoFlow v = call.video.flow;
        IceEndpoint vi = CallTransports.current(call.video.transport);
        if (v != null) {
            StreamStats.Builder vs = StreamStats.newBuilder()
                    .setKind(MediaKind.VIDEO).setCodec(v.params().codec().sdpName()).setEncrypted(v.params().encrypted())
                    .setPacketsSent(v.packetsSent()).setBytesSent(v.bytesSent())
                    .setPacketsReceived(v.packetsReceived()).setBytesReceived(v.bytesReceived())
                    .setFramesDecoded(v.framesDecoded())
                    .setPacketsLost(v.packetsLost()).setFractionLost(v.fractionLost())
                    .setJitterMs(v.jitterMs()).setRttMs(Math.max(0, v.rttMs()));
            if (vi != null && vi.localAddress() != null) vs.setLocalAddress(Call.hostPort(vi.localAddress()));
            if (vi != null && vi.remoteAddress() != null) vs.setRemoteAddress(Call.hostPort(vi.remoteAddress()));
            if (vi != null) vs.setLocalCandidateType(vi.selectedLocalType()).setRemoteCandidateType(vi.selectedRemoteType());
            b.addStreams(vs);
        }
        return b.build();
    }

    /** Counters that the protocol has no field for (drops by reason), for tests and metrics. */
    Map<String, Long> counters() {
        Map<String, Long> out = new LinkedHashMap<>();
        MediaFlow f = call.audio.flow;
        if (f != null) {
            MediaFlow.Snapshot s = f.snapshot();
            out.put("packetsSent", s.packetsSent());
            out.put("packetsReceived", s.packetsReceived());
            s.drops().forEach(out::put);
        }
        IceEndpoint e = CallTransports.current(call.audio.transport);
        // the metrics file drops by kind from the name: a video-only call's transport drops video
        out.put(call.videoOnly() ? "videoUntrustedSource" : "untrustedSource", e == null ? 0 : e.droppedUntrusted());
        out.put("heldUnverified", e == null ? 0 : e.heldUnverified());
        out.put("probesSent", e == null ? 0 : e.probesSent());
        out.put("overSendCeiling", e == null ? 0 : e.overCeiling());
        out.put("routedByMid", call.demux.routedByMid());
        IceEndpoint ve = CallTransports.current(call.transports.ownVideo());
        if (ve != null) {
            out.put("videoHeldUnverified", ve.heldUnverified());
            out.put("videoProbesSent", ve.probesSent());
            out.put("videoOverSendCeiling", ve.overCeiling());
        }
        VideoFlow v = call.video.flow;
        if (v != null) out.putAll(v.counters());
        return out;
    }
}
