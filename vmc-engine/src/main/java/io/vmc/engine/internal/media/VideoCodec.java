package io.vmc.engine.internal.media;

import io.vmc.engine.sdp.MediaDescription;
import io.vmc.engine.sdp.RtpMap;
import io.vmc.engine.sdp.SdpParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.freedesktop.gstreamer.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The video codecs the engine speaks, in preference order, with their SDP names and GStreamer
 * elements. A codec is offered only where this machine's GStreamer registry has its encoder and a
 * decoder (H.264 needs gst-plugins-bad's openh264 or gst-libav).
 */
public enum VideoCodec {
    /** RFC 7741. */
    VP8("VP8", 96, List.of("vp8enc"),
            "vp8enc name=enc deadline=1 cpu-used=8 error-resilient=partitions lag-in-frames=0"
                    + " end-usage=cbr target-bitrate=%BPS% keyframe-max-dist=%KEYDIST%",
            "rtpvp8pay pt=%PT% mtu=1200 picture-id-mode=15-bit",
            "rtpvp8depay request-keyframe=true wait-for-keyframe=true", List.of("vp8dec"), null),
    /**
     * RFC 6184, packetization-mode 1 only, constrained baseline. SPS/PPS go in-band with every IDR
     * (config-interval=-1) so that a keyframe sent for a PLI is decodable on its own. openh264's
     * rate control overshoots without frame skipping (measured: SMPTE bars 1.25 Mb/s, snow 19 Mb/s
     * for an 800 kb/s target; with skipping 0.80 and 1.13 Mb/s), so skipping is on, as in WebRTC.
     */
    H264("H264", 97, List.of("openh264enc"),
            "openh264enc name=enc bitrate=%BPS% max-bitrate=%BPS% rate-control=bitrate enable-frame-skip=true"
                    + " complexity=low gop-size=%KEYDIST%"
                    + " ! video/x-h264,profile=constrained-baseline",
            "rtph264pay pt=%PT% mtu=1200 config-interval=-1 aggregate-mode=zero-latency",
            "rtph264depay request-keyframe=true wait-for-keyframe=true", List.of("avdec_h264", "openh264dec"),
            "profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1");

    private static final Logger LOG = LoggerFactory.getLogger(VideoCodec.class);
    /** Bound on the parameters of one fmtp line that we look at; more makes the format unusable. */
    public static final int MAX_FMTP_PARAMETERS = 32;
    public static final int CLOCK_RATE = 90000;

    private final String sdpName;
    private final int defaultPayloadType;
    private final List<String> encoders;
    private final String encoder;
    private final String payloader;
    private final String depayloader;
    private final List<String> decoders;
    private final String fmtp;

    VideoCodec(String sdpName, int defaultPayloadType, List<String> encoders, String encoder, String payloader,
               String depayloader, List<String> decoders, String fmtp) {
        this.sdpName = sdpName;
        this.defaultPayloadType = defaultPayloadType;
        this.encoders = encoders;
        this.encoder = encoder;
        this.payloader = payloader;
        this.depayloader = depayloader;
        this.decoders = decoders;
        this.fmtp = fmtp;
    }

    public String sdpName() { return sdpName; }
    public int defaultPayloadType() { return defaultPayloadType; }
    /** Our fmtp parameters in an offer, or null. */
    public String fmtp() { return fmtp; }

    /** raw I420 → encoded → RTP; the encoder element is named {@code enc} (keyframe requests go to it). */
    public String senderChain(int pt, int bitrateKbps, int keyframeDistance) {
        return encoder.replace("%BPS%", Integer.toString(bitrateKbps * 1000))
                .replace("%KEYDIST%", Integer.toString(keyframeDistance))
                + " ! " + payloader.replace("%PT%", Integer.toString(pt));
    }

    /** The encoder properties that hold the target in bits/s; the encoders take a change while PLAYING. */
    public List<String> bitrateProperties() {
        return this == H264 ? List.of("bitrate", "max-bitrate") : List.of("target-bitrate");
    }

    /** RTP → decoded raw video; the decoder element is named {@code dec}. */
    public String receiverChain() {
        return depayloader + " ! " + decoders.stream().filter(VideoCodec::hasElement).findFirst().orElse(decoders.get(0)) + " name=dec";
    }

    public String rtpCaps(int pt) {
        return "application/x-rtp,media=video,clock-rate=" + CLOCK_RATE + ",encoding-name=" + sdpName + ",payload=" + pt;
    }

    /** Why this codec cannot be used with the given element lookup, or empty when it can. */
    public Optional<String> unavailability(Predicate<String> hasElement) {
        if (encoders.stream().noneMatch(hasElement)) return Optional.of(sdpName + ": no encoder (" + String.join(" or ", encoders) + ")");
        if (decoders.stream().noneMatch(hasElement)) return Optional.of(sdpName + ": no decoder (" + String.join(" or ", decoders) + ")");
        return Optional.empty();
    }

    /** The codecs from {@code wanted} (preference order) whose elements exist here. */
    public static List<VideoCodec> usable(List<VideoCodec> wanted, Predicate<String> hasElement) {
        List<VideoCodec> out = new ArrayList<>();
        for (VideoCodec c : wanted) {
            Optional<String> why = c.unavailability(hasElement);
            if (why.isEmpty()) out.add(c); else LOG.info("video codec not offered: {}", why.get());
        }
        return List.copyOf(out);
    }

    /** Whether this machine's GStreamer registry has an element factory of that name. */
    public static boolean hasElement(String name) {
        try {
            GstSupport.init();
            return Registry.get().lookupFeature(name) != null;
        } catch (RuntimeException e) {
            return false; // no GStreamer at all: no codec, and the session says why
        }
    }

    /** Matches a codec name from SessionOptions ("VP8", "h264"). */
    public static Optional<VideoCodec> fromName(String name) {
        for (VideoCodec c : values()) {
            if (c.sdpName.equalsIgnoreCase(name)) return Optional.of(c);
        }
        return Optional.empty();
    }

    /** What a remote video section allows: a codec and its payload type, or why none fits. */
    public record Match(VideoCodec codec, int payloadType, String remoteFmtp, String reason) {
        public boolean found() { return codec != null; }
    }

    /**
     * Picks a codec from {@code ours} that the remote section lists with usable parameters. For an
     * offer ({@code remoteOrder} false) our preference decides: VP8 wins over H.264 when both are
     * there. For an answer the answerer's order decides (RFC 3264 section 6.1: it sends its first).
     */
    public static Match choose(MediaDescription m, List<VideoCodec> ours, boolean remoteOrder) {
        Map<Integer, RtpMap> maps = m.rtpMaps();
        List<String> refused = new ArrayList<>();
        List<Map.Entry<Integer, RtpMap>> candidates = new ArrayList<>();
        if (remoteOrder) {
            candidates.addAll(maps.entrySet());
        } else {
            for (VideoCodec c : ours) {
                for (Map.Entry<Integer, RtpMap> e : maps.entrySet()) {
                    if (e.getValue().encoding().equalsIgnoreCase(c.sdpName)) candidates.add(e);
                }
            }
        }
        for (Map.Entry<Integer, RtpMap> e : candidates) {
            RtpMap r = e.getValue();
            Optional<VideoCodec> c = fromName(r.encoding()).filter(ours::contains);
            if (c.isEmpty() || r.clockRate() != CLOCK_RATE) continue;
            String f = m.fmtp(e.getKey());
            Optional<String> bad = c.get().refusal(f);
            if (bad.isEmpty()) return new Match(c.get(), e.getKey(), f, null);
            refused.add("payload type " + e.getKey() + " " + bad.get());
        }
        StringBuilder why = new StringBuilder("no supported video codec: offered ");
        List<String> offered = new ArrayList<>();
        for (RtpMap r : maps.values()) offered.add(abbreviate(r.encoding()) + "/" + r.clockRate());
        why.append(offered.isEmpty() ? "none" : String.join(", ", offered));
        why.append("; usable here ").append(ours.isEmpty() ? "none" : ours.stream().map(VideoCodec::sdpName).toList());
        if (!refused.isEmpty()) why.append("; refused ").append(String.join("; ", refused));
        return new Match(null, -1, "", why.toString());
    }

    /** The fmtp line to answer with for a remote format we accepted, or null for none. */
    public String answerFmtp(String remoteFmtp) {
        if (this != H264) return null;
        Map<String, String> p = SdpParser.parseFmtpParameters(remoteFmtp, MAX_FMTP_PARAMETERS);
        // RFC 6184 section 8.2.2: the answer keeps the offer's profile; we decode it and send its subset
        String plid = p.getOrDefault("profile-level-id", DEFAULT_PROFILE_LEVEL_ID).toLowerCase(Locale.ROOT);
        return "profile-level-id=" + plid + ";packetization-mode=1"
                + ("1".equals(p.get("level-asymmetry-allowed")) ? ";level-asymmetry-allowed=1" : "");
    }

    /** RFC 6184 section 8.1: baseline level 1 when profile-level-id is absent. */
    static final String DEFAULT_PROFILE_LEVEL_ID = "42000a";

    /** Why a remote format's fmtp rules this codec out, or empty when it is fine. */
    Optional<String> refusal(String remoteFmtp) {
        if (this != H264) return Optional.empty();
        Map<String, String> p;
        try {
            p = SdpParser.parseFmtpParameters(remoteFmtp, MAX_FMTP_PARAMETERS);
        } catch (IllegalArgumentException e) {
            return Optional.of("H264: fmtp " + e.getMessage());
        }
        String mode = p.getOrDefault("packetization-mode", "0"); // RFC 6184: absent means 0
        if (!mode.equals("1")) {
            return Optional.of("H264: packetization-mode " + abbreviate(mode) + " (only 1, non-interleaved, is supported)");
        }
        String plid = p.getOrDefault("profile-level-id", DEFAULT_PROFILE_LEVEL_ID);
        if (!plid.matches("[0-9A-Fa-f]{6}")) {
            return Optional.of("H264: profile-level-id \"" + abbreviate(plid) + "\" is not 6 hex digits");
        }
        int profileIdc = Integer.parseInt(plid.substring(0, 2), 16);
        int iop = Integer.parseInt(plid.substring(2, 4), 16);
        if (!baselineCompatible(profileIdc, iop)) {
            return Optional.of("H264: profile-level-id " + plid + " is not (constrained) baseline");
        }
        return Optional.empty();
    }

    /**
     * We send constrained baseline and decode baseline: profile_idc 66, or a main/extended profile
     * whose constraint flags say the stream is constrained baseline (the table in RFC 6184 8.1 as
     * WebRTC applies it). High profiles are refused: a peer sending them might not be decodable.
     */
    private static boolean baselineCompatible(int profileIdc, int iop) {
        return switch (profileIdc) {
            case 0x42 -> true;
            case 0x4d -> (iop & 0x80) != 0;          // constraint_set0
            case 0x58 -> (iop & 0xc0) == 0xc0;       // constraint_set0 and set1
            default -> false;
        };
    }

    private static String abbreviate(String s) {
        String t = s.length() > 24 ? s.substring(0, 24) + "..." : s;
        return t.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
