package io.vmc.agent.internal;

import io.vmc.agent.api.AgentStatus;
import io.vmc.agent.api.Device;
import io.vmc.agent.api.DeviceKind;
import io.vmc.agent.api.DeviceListener;
import io.vmc.agent.api.IceCandidate;
import io.vmc.agent.api.MediaKind;
import io.vmc.agent.api.Mode;
import io.vmc.agent.api.ModeReason;
import io.vmc.agent.api.SdpType;
import io.vmc.agent.api.QualityAlert;
import io.vmc.agent.api.SessionOptions;
import io.vmc.agent.api.SessionState;
import io.vmc.agent.api.SessionStats;
import io.vmc.agent.api.SrtpPolicy;
import io.vmc.agent.api.StreamStats;
import io.vmc.agent.api.VideoArea;
import io.vmc.agent.api.VmcException;
import io.vmc.agent.api.Rect;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.SetVideoGeometry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Converts between the public API's value types and vmc.v1 messages. */
public final class ProtoMapping {
    private ProtoMapping() {}

    public static io.vmc.transport.proto.SessionOptions toProto(SessionOptions o) {
        return io.vmc.transport.proto.SessionOptions.newBuilder()
                .setAudio(o.audio())
                .setVideo(o.video())
                .setScreenShare(o.screenShare())
                .addAllAudioCodecs(o.audioCodecs())
                .addAllVideoCodecs(o.videoCodecs())
                .setSrtp(switch (o.srtp()) {
                    case REQUIRED -> io.vmc.transport.proto.SessionOptions.SrtpPolicy.SRTP_REQUIRED;
                    case OPTIONAL -> io.vmc.transport.proto.SessionOptions.SrtpPolicy.SRTP_OPTIONAL;
                    case DISABLED -> io.vmc.transport.proto.SessionOptions.SrtpPolicy.SRTP_DISABLED;
                })
                .setLabel(o.label())
                .setDtlsSrtp(o.dtlsSrtp())
                .setStatsIntervalMs(0) // pushed only once the app asks (MediaSession.setStatsInterval)
                .addAllStunSources(o.stunSources().stream().map(a -> io.vmc.transport.proto.TransportAddress.newBuilder()
                        .setIp(a.getAddress().getHostAddress()).setPort(a.getPort()).build()).toList())
                .build();
    }

    /** The engine's alert, or null for a kind this version does not know. */
    public static QualityAlert fromProto(io.vmc.transport.proto.QualityAlert q) {
        QualityAlert.Kind kind = switch (q.getKind()) {
            case MOS_LOW -> QualityAlert.Kind.MOS_LOW;
            case LOSS_HIGH -> QualityAlert.Kind.LOSS_HIGH;
            case RELAYED -> QualityAlert.Kind.RELAYED;
            case RECOVERED -> QualityAlert.Kind.RECOVERED;
            default -> null;
        };
        String detail = q.getDetail();
        return kind == null ? null : QualityAlert.of(kind, q.getValue(), detail.length() > 256 ? detail.substring(0, 256) : detail);
    }

    public static SrtpPolicy srtp(io.vmc.transport.proto.SessionOptions.SrtpPolicy p) {
        return switch (p) {
            case SRTP_OPTIONAL -> SrtpPolicy.OPTIONAL;
            case SRTP_DISABLED -> SrtpPolicy.DISABLED;
            default -> SrtpPolicy.REQUIRED;
        };
    }

    public static io.vmc.transport.proto.SdpType toProto(SdpType t) {
        return switch (t) {
            case OFFER -> io.vmc.transport.proto.SdpType.OFFER;
            case ANSWER -> io.vmc.transport.proto.SdpType.ANSWER;
            case PRANSWER -> io.vmc.transport.proto.SdpType.PRANSWER;
        };
    }

    public static io.vmc.transport.proto.MediaKind toProto(MediaKind k) {
        return k == MediaKind.VIDEO ? io.vmc.transport.proto.MediaKind.VIDEO : io.vmc.transport.proto.MediaKind.AUDIO;
    }

    public static io.vmc.transport.proto.Device.DeviceKind toProto(DeviceKind k) {
        return switch (k) {
            case MICROPHONE -> io.vmc.transport.proto.Device.DeviceKind.MICROPHONE;
            case SPEAKER -> io.vmc.transport.proto.Device.DeviceKind.SPEAKER;
            case CAMERA -> io.vmc.transport.proto.Device.DeviceKind.CAMERA;
        };
    }

    public static io.vmc.transport.proto.StartRing toProto(io.vmc.agent.api.Ring ring) {
        var b = io.vmc.transport.proto.StartRing.newBuilder().setSound(switch (ring.sound()) {
            case RINGTONE -> io.vmc.transport.proto.StartRing.RingSound.RINGTONE;
            case RINGBACK -> io.vmc.transport.proto.StartRing.RingSound.RINGBACK;
        });
        byte[] wav = ring.wav();
        if (wav != null) b.setWav(com.google.protobuf.ByteString.copyFrom(wav));
        if (ring.session() != null) b.setSessionId(ring.session().id());
        if (ring.maxDuration() != null) b.setMaxDurationMs((int) ring.maxDuration().toMillis());
        return b.build();
    }

    public static io.vmc.agent.api.RingStopReason fromProto(io.vmc.transport.proto.RingStopped.Reason r) {
        return switch (r) {
            case ANSWERED -> io.vmc.agent.api.RingStopReason.ANSWERED;
            case CALL_ENDED -> io.vmc.agent.api.RingStopReason.CALL_ENDED;
            case TIMED_OUT -> io.vmc.agent.api.RingStopReason.TIMED_OUT;
            case DEVICE_ERROR -> io.vmc.agent.api.RingStopReason.DEVICE_ERROR;
            default -> io.vmc.agent.api.RingStopReason.STOPPED;
        };
    }

    /** Null for a kind a newer engine knows and this library does not. */
    public static io.vmc.agent.api.CaptureKind fromProto(io.vmc.transport.proto.CaptureKind k) {
        return switch (k) {
            case CAPTURE_MICROPHONE -> io.vmc.agent.api.CaptureKind.MICROPHONE;
            case CAPTURE_CAMERA -> io.vmc.agent.api.CaptureKind.CAMERA;
            case CAPTURE_SCREEN -> io.vmc.agent.api.CaptureKind.SCREEN;
            default -> null;
        };
    }

    /** Null for an action a newer engine knows and this library does not. */
    public static io.vmc.agent.api.CallAction fromProto(io.vmc.transport.proto.CallControl.Action a) {
        return switch (a) {
            case ANSWER -> io.vmc.agent.api.CallAction.ANSWER;
            case HANG_UP -> io.vmc.agent.api.CallAction.HANG_UP;
            case TOGGLE_MUTE -> io.vmc.agent.api.CallAction.TOGGLE_MUTE;
            case VOLUME_UP -> io.vmc.agent.api.CallAction.VOLUME_UP;
            case VOLUME_DOWN -> io.vmc.agent.api.CallAction.VOLUME_DOWN;
            default -> null;
        };
    }

    /** Null for an unknown kind (newer engine): callers skip such devices. */
    public static Device fromProto(io.vmc.transport.proto.Device d) {
        DeviceKind kind = switch (d.getKind()) {
            case MICROPHONE -> DeviceKind.MICROPHONE;
            case SPEAKER -> DeviceKind.SPEAKER;
            case CAMERA -> DeviceKind.CAMERA;
            default -> null;
        };
        if (kind == null || d.getId().isEmpty() || d.getId().length() > 256) {
            return null;
        }
        return Device.builder().id(d.getId()).name(d.getName()).kind(kind).isDefault(d.getIsDefault()).build();
    }

    public static List<Device> fromProto(io.vmc.transport.proto.DeviceList list) {
        List<Device> out = new ArrayList<>();
        for (io.vmc.transport.proto.Device d : list.getDevicesList()) {
            Device dev = fromProto(d);
            if (dev != null) {
                out.add(dev);
            }
        }
        return List.copyOf(out);
    }

    public static DeviceListener.Change fromProto(io.vmc.transport.proto.DeviceChanged.Change c) {
        return switch (c) {
            case REMOVED -> DeviceListener.Change.REMOVED;
            case DEFAULT_CHANGED -> DeviceListener.Change.DEFAULT_CHANGED;
            default -> DeviceListener.Change.ADDED;
        };
    }

    public static SessionState fromProto(io.vmc.transport.proto.SessionState.State s) {
        return switch (s) {
            case CONNECTING -> SessionState.CONNECTING;
            case CONNECTED -> SessionState.CONNECTED;
            case ON_HOLD -> SessionState.ON_HOLD;
            case DISCONNECTED -> SessionState.DISCONNECTED;
            case FAILED -> SessionState.FAILED;
            case CLOSED -> SessionState.CLOSED;
            default -> SessionState.NEW;
        };
    }

    public static Mode fromProto(io.vmc.transport.proto.Mode m) {
        return m == io.vmc.transport.proto.Mode.OPTIMIZED ? Mode.OPTIMIZED : Mode.FALLBACK;
    }

    public static io.vmc.transport.proto.Mode toProto(Mode m) {
        return m == Mode.OPTIMIZED ? io.vmc.transport.proto.Mode.OPTIMIZED : io.vmc.transport.proto.Mode.FALLBACK;
    }

    public static ModeReason fromProto(io.vmc.transport.proto.ModeReason r) {
        return switch (r) {
            case ENGINE_CONNECTED -> ModeReason.ENGINE_CONNECTED;
            case NO_ENGINE -> ModeReason.NO_ENGINE;
            case ENGINE_INCOMPATIBLE -> ModeReason.ENGINE_INCOMPATIBLE;
            case POLICY_FORBIDS -> ModeReason.POLICY_FORBIDS;
            case ENGINE_LOST -> ModeReason.ENGINE_LOST;
            case NO_CHANNEL -> ModeReason.NO_CHANNEL;
            default -> ModeReason.UNKNOWN;
        };
    }

    public static io.vmc.transport.proto.ModeReason toProto(ModeReason r) {
        return switch (r) {
            case ENGINE_CONNECTED -> io.vmc.transport.proto.ModeReason.ENGINE_CONNECTED;
            case NO_ENGINE -> io.vmc.transport.proto.ModeReason.NO_ENGINE;
            case ENGINE_INCOMPATIBLE -> io.vmc.transport.proto.ModeReason.ENGINE_INCOMPATIBLE;
            case POLICY_FORBIDS -> io.vmc.transport.proto.ModeReason.POLICY_FORBIDS;
            case ENGINE_LOST -> io.vmc.transport.proto.ModeReason.ENGINE_LOST;
            case NO_CHANNEL -> io.vmc.transport.proto.ModeReason.NO_CHANNEL;
            case UNKNOWN -> io.vmc.transport.proto.ModeReason.MODE_REASON_UNSPECIFIED;
        };
    }

    public static AgentStatus fromProto(io.vmc.transport.proto.Status s) {
        return AgentStatus.of(fromProto(s.getMode()), fromProto(s.getReason()), s.getDetail(), s.getEngineSoftware(),
                s.getProtocolVersion(), s.getSessionIdsList());
    }

    public static IceCandidate fromProto(io.vmc.transport.proto.LocalCandidate c) {
        if (c.getEndOfCandidates() || c.getCandidate().isEmpty()) {
            return IceCandidate.endOfCandidates();
        }
        return IceCandidate.of(c.getCandidate(), c.getMid(), (int) Math.min(Integer.toUnsignedLong(c.getMLineIndex()), 63L));
    }

    public static io.vmc.transport.proto.AddRemoteCandidate toProto(String sessionId, IceCandidate c) {
        return io.vmc.transport.proto.AddRemoteCandidate.newBuilder().setSessionId(sessionId)
                .setCandidate(c.candidate()).setMid(c.mid()).setMLineIndex(c.mLineIndex()).build();
    }

    public static SessionStats fromProto(String sessionId, io.vmc.transport.proto.SessionStats s) {
        List<StreamStats> streams = new ArrayList<>();
        for (io.vmc.transport.proto.StreamStats p : s.getStreamsList()) {
            streams.add(StreamStats.builder()
                    .kind(p.getKind() == io.vmc.transport.proto.MediaKind.VIDEO ? MediaKind.VIDEO : MediaKind.AUDIO)
                    .codec(p.getCodec())
                    .encrypted(p.getEncrypted())
                    .packetsSent(clampLong(p.getPacketsSent()))
                    .bytesSent(clampLong(p.getBytesSent()))
                    .packetsReceived(clampLong(p.getPacketsReceived()))
                    .bytesReceived(clampLong(p.getBytesReceived()))
                    .packetsLost(p.getPacketsLost())
                    .fractionLost(clamp(p.getFractionLost(), 0, 1))
                    .jitterMs(clamp(p.getJitterMs(), 0, Double.MAX_VALUE))
                    .rttMs(clamp(p.getRttMs(), 0, Double.MAX_VALUE))
                    .mos(clamp(p.getMos(), 0, 5))
                    .localAddress(p.getLocalAddress())
                    .remoteAddress(p.getRemoteAddress())
                    .audioLevelDbov(p.getAudioLevelDbov())
                    .framesDecoded(clampLong(p.getFramesDecoded()))
                    .build());
        }
        Instant ts = s.getTimestampMs() == 0 ? Instant.now() : Instant.ofEpochMilli(s.getTimestampMs());
        return SessionStats.of(sessionId, ts, streams);
    }

    public static SetVideoGeometry toProto(String sessionId, VideoArea a) {
        SetVideoGeometry.Builder b = SetVideoGeometry.newBuilder()
                .setSessionId(sessionId)
                .setMappingId(a.mappingId())
                .setArea(toProto(a.area()))
                .setVisibleAll(a.fullyVisible())
                .setScreenWidth(a.screenWidth())
                .setScreenHeight(a.screenHeight())
                .setSelfView(a.selfView())
                .setMonitor(a.monitor());
        for (Rect r : a.visibleRegions()) {
            b.addVisible(toProto(r));
        }
        return b.build();
    }

    public static io.vmc.transport.proto.Rect toProto(Rect r) {
        return io.vmc.transport.proto.Rect.newBuilder().setX(r.x()).setY(r.y()).setWidth(r.width()).setHeight(r.height()).build();
    }

    /** The API exception for an {@code Error} the agent or engine answered. */
    public static VmcException fromProto(Error e) {
        VmcException.Reason reason = switch (e.getCode()) {
            case INVALID_ARGUMENT -> VmcException.Reason.INVALID_ARGUMENT;
            case NOT_FOUND -> VmcException.Reason.NOT_FOUND;
            case FAILED_PRECONDITION -> VmcException.Reason.FAILED_PRECONDITION;
            case RESOURCE_EXHAUSTED -> VmcException.Reason.RESOURCE_EXHAUSTED;
            case PERMISSION_DENIED -> VmcException.Reason.PERMISSION_DENIED;
            case UNIMPLEMENTED -> VmcException.Reason.UNIMPLEMENTED;
            case DEADLINE_EXCEEDED -> VmcException.Reason.DEADLINE_EXCEEDED;
            case UNAVAILABLE -> VmcException.Reason.UNAVAILABLE;
            default -> VmcException.Reason.INTERNAL;
        };
        return new VmcException(reason, e.getMessage().isEmpty() ? e.getCode().name() : e.getMessage());
    }

    private static long clampLong(long v) {
        return v < 0 ? Long.MAX_VALUE : v; // uint64 above Long.MAX_VALUE
    }

    private static double clamp(double v, double min, double max) {
        if (Double.isNaN(v)) {
            return min;
        }
        return Math.max(min, Math.min(max, v));
    }
}
