package io.vmc.engine.internal.call;

import io.vmc.engine.internal.rtp.MediaFlow;
import io.vmc.engine.internal.rtp.VideoFlow;
import io.vmc.engine.internal.transport.SrtpKeys;
import java.util.Arrays;

/** Pure conversions from a negotiated {@link Negotiator.Section} to the flows' parameters, and the keys DTLS brings later; no state, any thread. */
final class FlowParams {
    private FlowParams() { }

    static MediaFlow.Params audio(Negotiator.Section s, String cname) {
        Negotiator.Sdes k = s.sdes();
        return new MediaFlow.Params(s.audioCodec(), s.sendPt(), s.recvPt(), s.sendDtmfPt(), s.recvDtmfPt(),
                k == null ? null : k.suite(), k == null ? null : k.localKey(), k == null ? null : k.remoteKey(), cname);
    }

    static VideoFlow.Params video(Negotiator.Section s) {
        Negotiator.Sdes k = s.sdes();
        return new VideoFlow.Params(s.videoCodec(), s.sendPt(), s.recvPt(), k == null ? null : k.suite(),
                k == null ? null : k.localKey(), k == null ? null : k.remoteKey(), s.direction().sends(), s.direction().receives());
    }

    static MediaFlow.Params withKeys(MediaFlow.Params p, SrtpKeys k) {
        return new MediaFlow.Params(p.codec(), p.sendPt(), p.recvPt(), p.sendDtmfPt(), p.recvDtmfPt(),
                k.suite(), k.localKeyAndSalt(), k.remoteKeyAndSalt(), p.cname());
    }

    static VideoFlow.Params withKeys(VideoFlow.Params p, SrtpKeys k) {
        return new VideoFlow.Params(p.codec(), p.sendPt(), p.recvPt(), k.suite(), k.localKeyAndSalt(), k.remoteKeyAndSalt(),
                p.send(), p.receive());
    }

    /** Whether a running flow can stay (only its direction changes): same codec, payload types and keys. */
    static boolean sameMedia(MediaFlow.Params a, MediaFlow.Params b) {
        return a.codec() == b.codec() && a.sendPt() == b.sendPt() && a.recvPt() == b.recvPt()
                && a.sendDtmfPt() == b.sendDtmfPt() && a.recvDtmfPt() == b.recvDtmfPt()
                && Arrays.equals(a.localKey(), b.localKey()) && Arrays.equals(a.remoteKey(), b.remoteKey());
    }

    static boolean sameMedia(VideoFlow.Params a, VideoFlow.Params b) {
        return a.codec() == b.codec() && a.sendPt() == b.sendPt() && a.recvPt() == b.recvPt()
                && Arrays.equals(a.localKey(), b.localKey()) && Arrays.equals(a.remoteKey(), b.remoteKey());
    }
}
