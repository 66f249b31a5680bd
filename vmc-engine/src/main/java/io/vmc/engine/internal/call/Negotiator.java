package io.vmc.engine.internal.call;

import io.vmc.engine.internal.EngineException;
import io.vmc.engine.internal.Failure;
import io.vmc.engine.internal.media.AudioCodec;
import io.vmc.engine.internal.media.VideoCodec;
import io.vmc.engine.internal.transport.DtlsNegotiationException;
import io.vmc.engine.internal.transport.DtlsRole;
import io.vmc.engine.internal.transport.DtlsSetup;
import io.vmc.engine.sdp.Attribute;
import io.vmc.engine.sdp.Candidate;
import io.vmc.engine.sdp.Connection;
import io.vmc.engine.sdp.Crypto;
import io.vmc.engine.sdp.Direction;
import io.vmc.engine.sdp.MediaDescription;
import io.vmc.engine.sdp.RtpMap;
import io.vmc.engine.sdp.SdpParseException;
import io.vmc.engine.sdp.SdpParser;
import io.vmc.engine.sdp.SessionDescription;
import io.vmc.transport.proto.MediaKind;
import io.vmc.transport.proto.SessionOptions.SrtpPolicy;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * SDP offer/answer (<a href="https://www.rfc-editor.org/rfc/rfc3264">RFC 3264</a>) for one call's
 * audio section and optional video section (answering an offer without usable audio, its video
 * section alone, which then leads the transport): what this side can do, its keys and its ICE
 * credentials in; SDP text and the negotiated parameters of each section out (codec and payload
 * types, telephone-event, direction, mid, BUNDLE (RFC 8843), SDES keys (RFC 4568) or DTLS terms
 * (RFC 8842), rtcp-mux, the peer's ICE credentials). Pure: no sockets, no GStreamer, no clock.
 * An answer is two steps, because the ICE credentials an answer carries depend on what it decides
 * (a bundled video section needs no transport of its own): {@link #readOffer} decides,
 * {@link #writeAnswer} writes. Refusals are {@link EngineException}s with the reason; those that
 * are key or policy failures are also counted through the failure consumer.
 */
public final class Negotiator {
    /** The m= protocol of DTLS-SRTP sections (RFC 5764 section 8), as WebRTC peers send it. */
    public static final String DTLS_PROTO = "UDP/TLS/RTP/SAVPF";
    static final int DTMF_PT_48K = 101;
    static final int DTMF_PT_8K = 100;

    /**
     * What this side can do, fixed for a call.
     *
     * @param audioCodecs allowed audio codecs in order of preference (not empty)
     * @param videoCodecs usable video codecs in order of preference
     * @param video whether the call wants video at all
     * @param opusDtx the usedtx value of our Opus fmtp
     * @param srtp the session's SRTP policy
     * @param dtls whether offers use DTLS-SRTP (answers follow the offer)
     */
    public record Capabilities(List<AudioCodec> audioCodecs, List<VideoCodec> videoCodecs, boolean video, boolean opusDtx,
                               SrtpPolicy srtp, boolean dtls, boolean screenContent) {
        public Capabilities {
            audioCodecs = List.copyOf(audioCodecs);
            videoCodecs = List.copyOf(videoCodecs);
        }
    }

    /**
     * This side's keys, fixed for a call: SDES keys per section and suite, and the DTLS
     * certificate's fingerprint (asked for only when a DTLS section is written: making the
     * certificate is not free).
     */
    public record Keys(byte[] audio80, byte[] audio32, byte[] video80, byte[] video32, Supplier<String> fingerprint, String msid) {
    }

    /** One local transport as an SDP section announces it. */
    public record LocalIce(String ufrag, String pwd, List<Candidate> candidates, InetSocketAddress defaultAddress) {
        public LocalIce {
            candidates = List.copyOf(candidates);
        }
    }

    /** SRTP keyed by SDES: the suite, our key and the peer's. */
    public record Sdes(int tag, String suite, byte[] localKey, byte[] remoteKey) {
    }

    /**
     * What one offer/answer exchange decided for one media section.
     *
     * @param kind "audio" or "video"
     * @param mid the section's a=mid, or null
     * @param codec the {@link AudioCodec} or {@link VideoCodec} both sides send
     * @param sendPt the payload type we send with
     * @param recvPt the payload type we receive
     * @param sendDtmfPt telephone-event payload type we send, -1 for none (audio only)
     * @param recvDtmfPt telephone-event payload type we receive, -1 for none (audio only)
     * @param direction our direction
     * @param sdes the SDES keys, or null (plain RTP, or keyed by DTLS)
     * @param dtls the DTLS association this section's transport runs, or null (SDES, plain; in an answer we write, bundled video)
     * @param iceUfrag the peer's ICE username fragment, or null when the peer does not use ICE for it
     * @param icePwd the peer's ICE password, or null
     */
    public record Section(String kind, String mid, Object codec, int sendPt, int recvPt, int sendDtmfPt, int recvDtmfPt,
                          Direction direction, Sdes sdes, DtlsSetup.Association dtls, String iceUfrag, String icePwd) {
        public boolean usesIce() {
            return iceUfrag != null;
        }

        public AudioCodec audioCodec() {
            return (AudioCodec) codec;
        }

        public VideoCodec videoCodec() {
            return (VideoCodec) codec;
        }
    }

    /** What this exchange wants beyond the capabilities: hold, camera, running media that must not change. */
    public record Wants(Direction audio, Direction video, VideoCodec runningVideo, int runningVideoPt, DtlsRole runningDtlsRole) {
    }

    /**
     * What {@link #readOffer} decided about a peer's offer.
     *
     * @param offer the peer's offer
     * @param audioOffer its usable audio section, or null (a video-only offer)
     * @param videoOffer its video section, or null
     * @param audio what the audio section settled on, or null for a video-only offer
     * @param video what the video section settled on, or null when video is not accepted
     * @param videoBundled whether the accepted video shares the lead transport (bundled, or leading it)
     * @param videoRejection why the peer's video could not be taken, or null
     * @param unknownBundleMids tags of the offer's BUNDLE group that name no section
     * @param leadSetup our a=setup for the lead section (and the bundle), or null without DTLS
     * @param videoSetup our a=setup for an unbundled DTLS video section, or null
     * @param bundleMids the mids of our answer's BUNDLE group, or null for no group
     * @param videoIceOffered whether the offer's video section (accepted or not) carries ICE credentials
     */
    public record Answering(SessionDescription offer, MediaDescription audioOffer, MediaDescription videoOffer,
                            Section audio, Section video, boolean videoBundled, String videoRejection, List<String> unknownBundleMids,
                            DtlsSetup leadSetup, DtlsSetup videoSetup, List<String> bundleMids, boolean videoIceOffered) {
        /** The section whose transport carries the call: audio's, or video's in a video-only offer. */
        public Section lead() {
            return audio != null ? audio : video;
        }

        public MediaDescription leadOffer() {
            return audio != null ? audioOffer : videoOffer;
        }

        /** Whether the call runs video only (the offer had no usable audio section). */
        public boolean videoOnly() {
            return audio == null;
        }
    }

    /**
     * What the peer's answer to our offer says.
     *
     * @param audio the audio section's terms
     * @param video the video section's terms, or null when the peer rejected or did not get video
     * @param videoError why the answer's video section is unusable, or null
     * @param bundled whether the answer's BUNDLE group holds audio and the accepted video (RFC 8843 section 7.3)
     * @param videoAnswer the answer's video section, or null
     */
    public record Answered(SessionDescription answer, MediaDescription audioAnswer, MediaDescription videoAnswer, Section audio,
                           Section video, String videoError, boolean bundled, boolean offeredVideo) {
    }

    /** How the video section of an offer gets its transport. */
    public enum VideoTransport {
        /** Its own ICE (SDES offers: SIP peers do not bundle). */
        OWN,
        /** The audio transport (the group is bundled already). */
        SHARED,
        /** RFC 8843 section 7.2.1: port 0, the audio transport's credentials; taken only by a peer that bundles. */
        BUNDLE_ONLY
    }

    /**
     * One offer's terms.
     *
     * @param dtls whether the offer is DTLS-SRTP
     * @param audioIce the audio transport (its restart's while one runs)
     * @param video how video rides, or null for no video section
     * @param videoIce the video transport for {@link VideoTransport#OWN}, else null
     * @param previous the m= lines of the last exchange, which a re-offer keeps where they were
     *     (RFC 3264 section 8), e.g. video first after answering a page that offered it so; empty
     *     for a first offer (audio, then video). The BUNDLE group still names audio first, the
     *     offerer-tagged section whose transport it is
     */
    public record Offer(boolean dtls, String audioMid, String videoMid, LocalIce audioIce, VideoTransport video, LocalIce videoIce,
                        Wants wants, List<Line> previous) {
        public Offer(boolean dtls, String audioMid, String videoMid, LocalIce audioIce, VideoTransport video, LocalIce videoIce, Wants wants) {
            this(dtls, audioMid, videoMid, audioIce, video, videoIce, wants, List.of());
        }
    }

    /**
     * One m= line of the last description exchanged: what it carries in this call (audio, video, or
     * null for a line the call rejected, such as a browser's data channel) and enough of it to offer
     * it again with port 0. A re-offer keeps every line where it was (RFC 3264 section 8; browsers
     * refuse one whose lines or mids moved).
     */
    public record Line(MediaKind kind, String media, String proto, String format, String mid) {
        public static Line of(MediaDescription m, MediaKind kind) {
            return new Line(kind, m.media(), m.proto(), m.formats().isEmpty() ? "0" : m.formats().get(0), m.attribute("mid").orElse(null));
        }

        MediaDescription rejected() {
            return new MediaDescription(media, 0, proto, List.of(format), null, mid == null ? List.of() : List.of(Attribute.of("mid", mid)));
        }
    }

    private final Capabilities caps;
    private final Keys keys;
    private final Consumer<Failure> failures;
    private final String sessionId;
    private long version;

    public Negotiator(Capabilities caps, Keys keys, long sessionId, Consumer<Failure> failures) {
        this.caps = caps;
        this.keys = keys;
        this.sessionId = Long.toString(sessionId);
        this.failures = failures;
    }

    public Capabilities capabilities() {
        return caps;
    }

    /** Parses a peer's SDP, refusing it with the parser's reason. */
    public static SessionDescription parse(String sdp) {
        try {
            return SdpParser.parse(sdp);
        } catch (SdpParseException e) {
            throw EngineException.invalid(e.getMessage());
        }
    }

    // ------------------------------------------------------------------ offers

    /** Our offer. REQUIRED: RTP/SAVP; OPTIONAL: RTP/AVP with a=crypto (a plain phone ignores the keys); DISABLED: plain. */
    public SessionDescription offer(Offer o) {
        boolean offerKeys = !o.dtls() && caps.srtp() != SrtpPolicy.SRTP_DISABLED;
        String proto = o.dtls() ? DTLS_PROTO : caps.srtp() == SrtpPolicy.SRTP_REQUIRED ? "RTP/SAVP" : "RTP/AVP";
        List<String> formats = new ArrayList<>();
        List<Attribute> attrs = new ArrayList<>();
        attrs.add(Attribute.of("mid", o.audioMid()));
        attrs.add(Attribute.flag("rtcp-mux"));
        addIce(attrs, o.audioIce(), true, true);
        boolean has48 = false;
        boolean has8 = false;
        for (AudioCodec c : caps.audioCodecs()) {
            formats.add(Integer.toString(c.defaultPayloadType()));
            attrs.add(Attribute.of("rtpmap", new RtpMap(c.defaultPayloadType(), c.sdpName(), c.clockRate(), c.channels())));
            if (c == AudioCodec.OPUS) {
                attrs.add(opusFmtp(c.defaultPayloadType()));
                has48 = true;
            } else {
                has8 = true;
            }
        }
        if (has48) addTelephoneEvent(formats, attrs, DTMF_PT_48K, 48000);
        if (has8) addTelephoneEvent(formats, attrs, DTMF_PT_8K, 8000);
        attrs.add(Attribute.of("ptime", 20));
        if (offerKeys) for (Crypto c : offeredAudioKeys()) attrs.add(Attribute.of("crypto", c));
        if (o.dtls()) addDtls(attrs, DtlsSetup.offer(), "audio");
        if (o.dtls()) attrs.addAll(HeaderExtensions.offer());
        attrs.add(Attribute.flag(o.wants().audio().attribute()));
        List<MediaDescription> extra = new ArrayList<>();
        List<Attribute> sessionAttrs = new ArrayList<>();
        if (o.video() != null) {
            if (o.dtls()) sessionAttrs.add(Attribute.of("group", BundleGroup.attributeValue(List.of(o.audioMid(), o.videoMid()))));
            boolean bundleOnly = o.video() == VideoTransport.BUNDLE_ONLY;
            List<Attribute> va = new ArrayList<>();
            va.add(Attribute.of("mid", o.videoMid()));
            va.add(Attribute.flag("rtcp-mux"));
            switch (o.video()) {
                case SHARED -> addIce(va, o.audioIce(), true, true);
                case BUNDLE_ONLY -> addIce(va, o.audioIce(), false, false);
                case OWN -> addIce(va, o.videoIce(), false, true);
            }
            if (bundleOnly) va.add(Attribute.flag("bundle-only"));
            if (o.dtls()) va.addAll(HeaderExtensions.offer());
            List<String> vFormats = new ArrayList<>();
            if (o.wants().runningVideo() != null) {
                // a re-offer (hold/resume) keeps the running codec: the pipelines are not rebuilt
                VideoCodec c = o.wants().runningVideo();
                vFormats.add(Integer.toString(o.wants().runningVideoPt()));
                addVideoFormat(va, c, o.wants().runningVideoPt(), c.fmtp());
            } else {
                for (VideoCodec c : caps.videoCodecs()) {
                    vFormats.add(Integer.toString(c.defaultPayloadType()));
                    addVideoFormat(va, c, c.defaultPayloadType(), c.fmtp());
                }
            }
            if (offerKeys) for (Crypto c : offeredVideoKeys()) va.add(Attribute.of("crypto", c));
            if (o.dtls()) addDtls(va, DtlsSetup.offer(), "video");
            va.add(Attribute.flag(o.wants().video().attribute()));
            if (caps.screenContent()) va.add(Attribute.of("content", "slides")); // RFC 4796: a screen share
            InetSocketAddress vdef = (o.video() == VideoTransport.OWN ? o.videoIce() : o.audioIce()).defaultAddress();
            extra.add(new MediaDescription("video", bundleOnly ? 0 : vdef.getPort(), proto, vFormats,
                    Connection.of(vdef.getAddress()), va));
        }
        InetSocketAddress def = o.audioIce().defaultAddress();
        MediaDescription audio = new MediaDescription("audio", def.getPort(), proto, formats, Connection.of(def.getAddress()), attrs);
        MediaDescription video = extra.isEmpty() ? null : extra.get(0);
        List<MediaDescription> all = new ArrayList<>();
        for (Line l : o.previous()) {
            MediaDescription ours = l.kind() == MediaKind.AUDIO ? audio : l.kind() == MediaKind.VIDEO ? video : null;
            all.add(ours != null && !all.contains(ours) ? ours : l.rejected());
        }
        // lines the last exchange did not have come after its lines
        if (!all.contains(audio)) all.add(audio);
        if (video != null && !all.contains(video)) all.add(video);
        return build(def, all, sessionAttrs);
    }

    /** Reads the peer's answer to {@code ourOffer}; nothing is decided by the caller before this accepted it. */
    public Answered readAnswer(SessionDescription answer, SessionDescription ourOffer, Wants wants) {
        MediaDescription m = audioSection(answer);
        MediaDescription ours = audioSection(ourOffer);
        boolean offeredKeys = ours.hasAttribute("crypto");
        DtlsSetup.Association association = null;
        if (ours.isDtls()) {
            if (!m.isDtls()) {
                throw failed(Failure.DTLS_SRTP, EngineException.invalid("the answer is " + m.proto() + " to a DTLS-SRTP offer (" + DTLS_PROTO + ")"));
            }
            association = answererAssociation(answer, m);
        }
        boolean dtls = association != null;
        boolean secure = dtls || m.isSecure() || (offeredKeys && m.hasAttribute("crypto"));
        Sdes sdes = null;
        if (secure && !dtls) {
            if (!offeredKeys) throw EngineException.invalid("answer is " + m.proto() + " with keys but the offer was plain " + ours.proto());
            SdesChoice.Answered a = SdesChoice.answered(m, offeredAudioKeys()).orElse(null);
            if (a == null) throw failed(Failure.DTLS_SRTP, EngineException.invalid("the answer has no a=crypto line matching an offered tag and suite"));
            sdes = new Sdes(a.remote().tag(), a.remote().suite(), a.ours().keyAndSalt(), a.remote().keyAndSalt());
        } else if (!dtls && caps.srtp() == SrtpPolicy.SRTP_REQUIRED) {
            throw failed(Failure.DTLS_SRTP, EngineException.precondition("the answer is plain " + m.proto() + " and this session requires SRTP"));
        }
        Map<Integer, RtpMap> maps = m.rtpMaps();
        Map.Entry<Integer, AudioCodec> chosen = firstAudioCodec(maps);
        if (chosen == null) throw EngineException.invalid("the answer names no codec from the offer: " + describe(maps));
        AudioCodec codec = chosen.getValue();
        int sendDtmf = telephoneEventPt(maps, codec.clockRate());
        int recvDtmf = sendDtmf < 0 ? -1 : (codec.clockRate() == 48000 ? DTMF_PT_48K : DTMF_PT_8K);
        String[] ice = iceCredentials(answer, m, "audio");
        Section audio = new Section("audio", m.attribute("mid").orElse(null), codec, chosen.getKey(), codec.defaultPayloadType(),
                sendDtmf, recvDtmf, answer.direction(m).reverse().intersect(wants.audio()), sdes, association, ice[0], ice[1]);

        boolean offeredVideo = ourOffer.media().stream().anyMatch(x -> x.media().equals("video"));
        MediaDescription vAns = offeredVideo ? videoSection(answer) : null;
        boolean bundled = false;
        Section video = null;
        String videoError = null;
        String[] vIce = {null, null};
        if (vAns != null && !vAns.isRejected()) vIce = iceCredentials(answer, vAns, "video");
        if (dtls && vAns != null) {
            BundleGroup g = BundleGroup.of(answer).orElse(null);
            bundled = g != null && g.contains(m.attribute("mid").orElse(null)) && g.contains(vAns.attribute("mid").orElse(null))
                    && !vAns.isRejected();
        }
        if (vAns != null && !vAns.isRejected()) {
            VideoCodec.Match vMatch = VideoCodec.choose(vAns, caps.videoCodecs(), true);
            Sdes vSdes = null;
            DtlsSetup.Association vAssociation = null;
            if (!vMatch.found()) {
                videoError = "the video answer names no offered codec: " + vMatch.reason();
            } else if (sdes != null) {
                SdesChoice.Answered a = SdesChoice.answered(vAns, offeredVideoKeys()).orElse(null);
                if (a == null) videoError = "the video answer has no a=crypto line matching the offered tag 1 AES_CM_128_HMAC_SHA1_80";
                else vSdes = new Sdes(a.remote().tag(), a.remote().suite(), keys.video80(), a.remote().keyAndSalt());
            }
            if (videoError == null && dtls) {
                try {
                    vAssociation = answererAssociation(answer, vAns);
                } catch (EngineException e) {
                    // a bundled section rides on the audio association: its own DTLS lines do not matter
                    if (!bundled) videoError = e.getMessage();
                }
            }
            if (videoError == null) {
                video = new Section("video", vAns.attribute("mid").orElse(null), vMatch.codec(), vMatch.payloadType(),
                        vMatch.codec().defaultPayloadType(), -1, -1, answer.direction(vAns).reverse().intersect(wants.video()),
                        vSdes, vAssociation, vIce[0], vIce[1]);
            }
        }
        return new Answered(answer, m, vAns, audio, video, videoError, bundled, offeredVideo);
    }

    private DtlsSetup.Association answererAssociation(SessionDescription answer, MediaDescription m) {
        DtlsTerms t = dtlsTerms(answer, m, false);
        DtlsRole role;
        try {
            role = DtlsSetup.offererRole(t.setup());
        } catch (DtlsNegotiationException e) {
            throw failed(Failure.DTLS_SRTP, EngineException.invalid(e.getMessage()));
        }
        return new DtlsSetup.Association(role, t.fingerprint(), t.tlsId());
    }

    // ------------------------------------------------------------------ answers

    /**
     * Decides the answer to a peer's offer: codecs, keys, directions, BUNDLE; refuses an offer it
     * cannot answer. The lead section carries the transport (ICE, keys) and the BUNDLE tag: the
     * audio section, or in an offer without usable audio (a browser's camera or screen share alone)
     * the video section.
     */
    public Answering readOffer(SessionDescription offer, Wants wants) {
        MediaDescription aOffer = usableAudio(offer);
        MediaDescription vOffer = videoSection(offer);
        MediaDescription m = aOffer != null ? aOffer : videoLead(offer, vOffer, wants);
        boolean videoLeads = aOffer == null;
        Crypto remoteCrypto = SdesChoice.firstSupported(m).orElse(null);
        SrtpPolicy policy = caps.srtp();
        DtlsTerms terms = null;
        DtlsSetup.Answer setup = null;
        if (m.isDtls() && policy != SrtpPolicy.SRTP_DISABLED) {
            terms = dtlsTerms(offer, m, true);
            setup = answerSetup(terms.setup(), wants.runningDtlsRole());
            remoteCrypto = null; // DTLS keys the media; a=crypto beside UDP/TLS is not used (RFC 8842)
        }
        if (!m.isDtls() && m.isSecure() && remoteCrypto == null) {
            throw failed(Failure.DTLS_SRTP, EngineException.precondition("the offer is " + m.proto() + " without a usable a=crypto line (supported: AES_CM_128_HMAC_SHA1_80/_32 without MKI)"));
        }
        if (m.isSecure() && policy == SrtpPolicy.SRTP_DISABLED) {
            throw failed(Failure.DTLS_SRTP, EngineException.precondition("the offer requires SRTP (" + m.proto() + ") and this session has srtp=SRTP_DISABLED"));
        }
        if (remoteCrypto == null && terms == null && policy == SrtpPolicy.SRTP_REQUIRED) {
            throw failed(Failure.DTLS_SRTP, EngineException.precondition("the offer is plain " + m.proto() + " without keys and this session requires SRTP (srtp=SRTP_REQUIRED)"));
        }
        boolean secure = terms != null || remoteCrypto != null && policy != SrtpPolicy.SRTP_DISABLED;
        Sdes sdes = null;
        if (secure && terms == null) sdes = sdes(remoteCrypto, videoLeads ? keys.video80() : keys.audio80(), videoLeads ? keys.video32() : keys.audio32());
        String[] ice = iceCredentials(offer, m, m.media());
        boolean withIce = ice[0] != null;
        DtlsSetup.Association association = terms == null ? null : new DtlsSetup.Association(setup.role(), terms.fingerprint(), terms.tlsId());
        Section audio = null;
        if (aOffer != null) {
            Map<Integer, RtpMap> maps = m.rtpMaps();
            Map.Entry<Integer, AudioCodec> chosen = firstAudioCodec(maps);
            if (chosen == null) throw EngineException.precondition("no common audio codec: offered " + describe(maps) + ", allowed " + caps.audioCodecs());
            int pt = chosen.getKey();
            int dtmfPt = telephoneEventPt(maps, chosen.getValue().clockRate());
            audio = new Section("audio", m.attribute("mid").orElse(null), chosen.getValue(), pt, pt, dtmfPt, dtmfPt,
                    offer.direction(m).reverse().intersect(wants.audio()), sdes, association, ice[0], ice[1]);
        }

        // BUNDLE (RFC 8843) is accepted with DTLS-SRTP only: one association keys both sections; SDES
        // sections have a key each, and a SIP peer that bundles also takes separate transports
        String leadMid = m.attribute("mid").orElse(null);
        String videoMid = vOffer == null ? null : vOffer.attribute("mid").orElse(null);
        BundleGroup group = terms == null ? null : BundleGroup.of(offer).orElse(null);
        boolean bundleLead = group != null && group.contains(leadMid);
        // a leading video section shares the lead transport as a bundled one does: it is that transport
        boolean bundleVideo = videoLeads || bundleLead && group.contains(videoMid) && vOffer != null && vOffer.isDtls();
        Section video = null;
        String rejection = null;
        DtlsSetup videoSetup = null;
        boolean videoIceOffered = false;
        if (videoLeads) {
            VideoCodec.Match vMatch = videoMatch(vOffer, wants);
            video = new Section("video", videoMid, vMatch.codec(), vMatch.payloadType(), vMatch.payloadType(), -1, -1,
                    offer.direction(vOffer).reverse().intersect(wants.video()), sdes, association, ice[0], ice[1]);
            videoIceOffered = withIce;
        } else if (vOffer != null) {
            String[] vIceCreds = vOffer.isRejected() ? new String[] {null, null} : iceCredentials(offer, vOffer, "video");
            videoIceOffered = vIceCreds[0] != null;
            VideoCodec.Match vMatch = videoMatch(vOffer, wants);
            int vPt = vMatch.payloadType();
            if (caps.video() && !vOffer.isRejected() && !vMatch.found()) rejection = vMatch.reason();
            Crypto vRemoteCrypto = SdesChoice.firstSupported(vOffer).orElse(null);
            boolean vSecureOk = terms != null ? vOffer.isDtls() : secure ? vRemoteCrypto != null : !vOffer.isSecure();
            boolean vIce = vIceCreds[0] != null || bundleVideo;
            // a bundle-only section (port 0, RFC 8843 section 6) is not a rejected one
            boolean vOpen = !vOffer.isRejected() || (bundleVideo && vOffer.hasAttribute("bundle-only"));
            if (caps.video() && vPt >= 0 && vSecureOk && vOpen && vIce == withIce) {
                Sdes vSdes = sdes == null ? null : sdes(vRemoteCrypto, keys.video80(), keys.video32());
                DtlsSetup.Association vAssociation = null;
                if (terms != null && !bundleVideo) {
                    DtlsTerms vt = dtlsTerms(offer, vOffer, true);
                    DtlsSetup.Answer va = answerSetup(vt.setup(), null);
                    videoSetup = va.setup();
                    vAssociation = new DtlsSetup.Association(va.role(), vt.fingerprint(), vt.tlsId());
                }
                video = new Section("video", videoMid, vMatch.codec(), vPt, vPt, -1, -1,
                        offer.direction(vOffer).reverse().intersect(wants.video()), vSdes, vAssociation,
                        bundleVideo ? null : vIceCreds[0], bundleVideo ? null : vIceCreds[1]);
            }
        }
        List<String> mids = new ArrayList<>();
        if (bundleLead) {
            for (String mid : group.mids()) {
                if (mid.equals(leadMid) || (video != null && bundleVideo && mid.equals(videoMid))) mids.add(mid);
            }
        }
        return new Answering(offer, aOffer, vOffer, audio, video, video != null && bundleVideo, rejection,
                group == null ? List.of() : group.unknownMids(), setup == null ? null : setup.setup(), videoSetup,
                bundleLead ? mids : null, videoIceOffered);
    }

    /**
     * The video section that leads an offer without usable audio, or the refusal saying why there is
     * nothing to answer.
     */
    private MediaDescription videoLead(SessionDescription offer, MediaDescription v, Wants wants) {
        if (v == null || v.isRejected()) {
            throw EngineException.precondition("no usable audio section and no usable video section (m=audio or m=video with RTP/AVP,"
                    + " RTP/SAVP or " + DTLS_PROTO + " and a non-zero port)");
        }
        if (!caps.video()) {
            throw EngineException.precondition("the offer has video only (no usable audio section) and this session takes no video"
                    + " (SessionOptions.video is false, or video is disabled here)");
        }
        VideoCodec.Match match = videoMatch(v, wants);
        if (!match.found()) throw EngineException.precondition("the offer has video only and no common video codec: " + match.reason());
        boolean grouped = offer.attributes().stream().anyMatch(a -> a.name().equalsIgnoreCase("group")
                && a.value() != null && a.value().strip().toUpperCase(java.util.Locale.ROOT).startsWith("BUNDLE"));
        if (grouped && v.attribute("mid").map(String::strip).filter(s -> !s.isEmpty()).isEmpty()) {
            throw EngineException.invalid("the offer's only usable section (video) has no a=mid, but the offer has a=group:BUNDLE"
                    + " (RFC 8843 section 7.2.1: every section of a BUNDLE group needs an a=mid)");
        }
        return v;
    }

    /** The video codec and payload type this side takes from a video offer (the running one on a re-offer). */
    private VideoCodec.Match videoMatch(MediaDescription v, Wants wants) {
        return VideoCodec.choose(v, wants.runningVideo() != null ? List.of(wants.runningVideo()) : caps.videoCodecs(), false);
    }

    /** SDES terms answering the peer's line with our key of its suite. */
    private static Sdes sdes(Crypto remote, byte[] key80, byte[] key32) {
        byte[] local = Crypto.AES_CM_128_HMAC_SHA1_32.equals(remote.suite()) ? key32 : key80;
        return new Sdes(remote.tag(), remote.suite(), local, remote.keyAndSalt());
    }

    /**
     * Writes the answer that {@link #readOffer} decided: one m= line per offered line, in the offer's
     * order (RFC 3264 section 6); a line not taken keeps its media type and mid with port 0.
     *
     * @param leadIce the lead section's transport (the BUNDLE group's)
     * @param videoIce the video transport when video is accepted and not bundled, else null
     */
    public SessionDescription writeAnswer(Answering a, LocalIce leadIce, LocalIce videoIce) {
        List<MediaDescription> all = new ArrayList<>();
        for (MediaDescription m : a.offer().media()) {
            if (m == a.audioOffer() && a.audio() != null) {
                all.add(audioAnswer(a, leadIce));
            } else if (m == a.videoOffer() && a.video() != null) {
                all.add(videoAnswer(a, leadIce, videoIce));
            } else {
                all.add(Line.of(m, null).rejected()); // port 0 with its mid: JSEP 5.3.1 keeps the mid of a rejected line
            }
        }
        List<Attribute> sessionAttrs = new ArrayList<>();
        if (a.bundleMids() != null) sessionAttrs.add(Attribute.of("group", BundleGroup.attributeValue(a.bundleMids())));
        return build(leadIce.defaultAddress(), all, sessionAttrs);
    }

    private MediaDescription audioAnswer(Answering a, LocalIce leadIce) {
        MediaDescription m = a.audioOffer();
        Section s = a.audio();
        Map<Integer, RtpMap> maps = m.rtpMaps();
        List<String> formats = new ArrayList<>();
        List<Attribute> attrs = new ArrayList<>();
        m.attribute("mid").ifPresent(mid -> attrs.add(Attribute.of("mid", mid)));
        if (m.hasAttribute("rtcp-mux")) attrs.add(Attribute.flag("rtcp-mux"));
        attrs.addAll(HeaderExtensions.answer(m));
        if (s.usesIce()) addIce(attrs, leadIce, true, true);
        formats.add(Integer.toString(s.recvPt()));
        attrs.add(Attribute.of("rtpmap", maps.get(s.recvPt())));
        String fmtp = m.fmtp(s.recvPt());
        if (s.codec() == AudioCodec.OPUS) {
            attrs.add(opusFmtp(s.recvPt()));
        } else if (!fmtp.isEmpty()) {
            attrs.add(Attribute.of("fmtp", s.recvPt() + " " + fmtp));
        }
        if (s.recvDtmfPt() >= 0) {
            formats.add(Integer.toString(s.recvDtmfPt()));
            attrs.add(Attribute.of("rtpmap", maps.get(s.recvDtmfPt())));
            attrs.add(Attribute.of("fmtp", s.recvDtmfPt() + " 0-15"));
        }
        attrs.add(Attribute.of("ptime", 20));
        addKeys(attrs, s, a.leadSetup(), "audio");
        attrs.add(Attribute.flag(s.direction().attribute()));
        return new MediaDescription("audio", leadIce.defaultAddress().getPort(), m.proto(), formats, Connection.of(leadIce.defaultAddress().getAddress()), attrs);
    }

    private MediaDescription videoAnswer(Answering a, LocalIce leadIce, LocalIce videoIce) {
        MediaDescription vOffer = a.videoOffer();
        Section v = a.video();
        boolean leads = a.audio() == null;
        List<Attribute> va = new ArrayList<>();
        vOffer.attribute("mid").ifPresent(mid -> va.add(Attribute.of("mid", mid)));
        // bundled on audio's transport it muxes as audio does; leading, it muxes only if offered, like audio
        if (vOffer.hasAttribute("rtcp-mux") || a.videoBundled() && !leads) va.add(Attribute.flag("rtcp-mux"));
        va.addAll(HeaderExtensions.answer(vOffer));
        if (leads ? v.usesIce() : a.videoBundled() || v.usesIce()) addIce(va, a.videoBundled() ? leadIce : videoIce, a.videoBundled(), true);
        VideoCodec c = v.videoCodec();
        addVideoFormat(va, c, v.recvPt(), c.answerFmtp(vOffer.fmtp(v.recvPt())));
        addKeys(va, v, a.videoSetup() != null ? a.videoSetup() : a.leadSetup(), "video");
        va.add(Attribute.flag(v.direction().attribute()));
        if (caps.screenContent()) va.add(Attribute.of("content", "slides")); // RFC 4796: a screen share
        InetSocketAddress vdef = (a.videoBundled() ? leadIce : videoIce).defaultAddress();
        return new MediaDescription("video", vdef.getPort(), vOffer.proto(), List.of(Integer.toString(v.recvPt())),
                Connection.of(vdef.getAddress()), va);
    }

    /** DTLS terms (setup non-null) or our SDES line answering the peer's tag and suite. */
    private void addKeys(List<Attribute> attrs, Section s, DtlsSetup setup, String track) {
        if (setup != null) {
            addDtls(attrs, setup, track);
        } else if (s.sdes() != null) {
            attrs.add(Attribute.of("crypto", new Crypto(s.sdes().tag(), s.sdes().suite(), s.sdes().localKey())));
        }
    }

    // ------------------------------------------------------------------ pieces

    /** Our a=setup in an answer; to actpass we keep the role of a running association (no needless new handshake). */
    private DtlsSetup.Answer answerSetup(DtlsSetup offered, DtlsRole running) {
        if (offered == DtlsSetup.ACTPASS && running == DtlsRole.SERVER) return new DtlsSetup.Answer(DtlsSetup.PASSIVE, DtlsRole.SERVER);
        try {
            return DtlsSetup.answer(offered);
        } catch (DtlsNegotiationException e) {
            throw failed(Failure.DTLS_SRTP, EngineException.precondition(e.getMessage()));
        }
    }

    /** The peer's DTLS terms of a section; a bad fingerprint or setup is the peer's error, counted as a DTLS-SRTP failure. */
    private DtlsTerms dtlsTerms(SessionDescription sdp, MediaDescription m, boolean inOffer) {
        try {
            return DtlsTerms.of(sdp, m, inOffer);
        } catch (DtlsNegotiationException e) {
            throw failed(Failure.DTLS_SRTP, EngineException.invalid(e.getMessage()));
        }
    }

    /** The SDES lines an audio offer carries (RFC 4568): one key per suite, tags 1 and 2. */
    private List<Crypto> offeredAudioKeys() {
        return List.of(new Crypto(1, Crypto.AES_CM_128_HMAC_SHA1_80, keys.audio80()), new Crypto(2, Crypto.AES_CM_128_HMAC_SHA1_32, keys.audio32()));
    }

    /** The SDES line a video offer carries. */
    private List<Crypto> offeredVideoKeys() {
        return List.of(new Crypto(1, Crypto.AES_CM_128_HMAC_SHA1_80, keys.video80()));
    }

    private Map.Entry<Integer, AudioCodec> firstAudioCodec(Map<Integer, RtpMap> maps) {
        for (Map.Entry<Integer, RtpMap> e : maps.entrySet()) {
            Optional<AudioCodec> c = AudioCodec.fromSdp(e.getValue().encoding(), e.getValue().clockRate());
            if (c.isPresent() && caps.audioCodecs().contains(c.get())) return Map.entry(e.getKey(), c.get());
        }
        return null;
    }

    private Attribute opusFmtp(int pt) {
        return Attribute.of("fmtp", pt + " minptime=10;useinbandfec=1;usedtx=" + (caps.opusDtx() ? 1 : 0));
    }

    private static void addTelephoneEvent(List<String> formats, List<Attribute> attrs, int pt, int clock) {
        formats.add(Integer.toString(pt));
        attrs.add(Attribute.of("rtpmap", pt + " telephone-event/" + clock));
        attrs.add(Attribute.of("fmtp", pt + " 0-15"));
    }

    /**
     * ICE attributes of one section (RFC 8839): credentials, then (unless {@code withCandidates} is
     * false, a bundle-only section) the candidates and end-of-candidates.
     */
    private static void addIce(List<Attribute> attrs, LocalIce ice, boolean trickle, boolean withCandidates) {
        attrs.add(Attribute.of("ice-ufrag", ice.ufrag()));
        attrs.add(Attribute.of("ice-pwd", ice.pwd()));
        if (!withCandidates) return;
        if (trickle) attrs.add(Attribute.of("ice-options", "trickle"));
        for (Candidate c : ice.candidates()) attrs.add(Attribute.of("candidate", c));
        attrs.add(Attribute.flag("end-of-candidates"));
    }

    /** a=fingerprint, a=setup and a=msid of a DTLS-SRTP section (RFC 8842 section 5, RFC 8830). */
    private void addDtls(List<Attribute> attrs, DtlsSetup setup, String track) {
        attrs.add(Attribute.of("fingerprint", keys.fingerprint().get()));
        attrs.add(Attribute.of("setup", setup.sdpValue()));
        attrs.add(Attribute.of("msid", keys.msid() + " " + keys.msid() + "-" + track));
    }

    /** rtpmap, fmtp and the feedback we act on (PLI, FIR) or announce (NACK) for one video format. */
    private static void addVideoFormat(List<Attribute> attrs, VideoCodec c, int pt, String fmtp) {
        attrs.add(Attribute.of("rtpmap", new RtpMap(pt, c.sdpName(), VideoCodec.CLOCK_RATE, 1)));
        if (fmtp != null) attrs.add(Attribute.of("fmtp", pt + " " + fmtp));
        attrs.add(Attribute.of("rtcp-fb", pt + " nack"));
        attrs.add(Attribute.of("rtcp-fb", pt + " nack pli"));
        attrs.add(Attribute.of("rtcp-fb", pt + " ccm fir"));
    }

    private SessionDescription build(InetSocketAddress def, List<MediaDescription> all, List<Attribute> sessionAttrs) {
        Connection c = Connection.of(def.getAddress());
        version++;
        return new SessionDescription("vmc", sessionId, version, c, "vmc", null, sessionAttrs, all);
    }

    /** The first audio section that is not rejected and carries RTP. */
    public static MediaDescription audioSection(SessionDescription sdp) {
        MediaDescription m = usableAudio(sdp);
        if (m != null) return m;
        throw EngineException.precondition("no usable audio section (m=audio with RTP/AVP or RTP/SAVP and a non-zero port)");
    }

    /** The first audio section that is not rejected and carries RTP, or null. */
    static MediaDescription usableAudio(SessionDescription sdp) {
        for (MediaDescription m : sdp.media()) {
            if (m.media().equals("audio") && !m.isRejected() && m.isRtp()) return m;
        }
        return null;
    }

    /** The first video section that carries RTP, or null. */
    public static MediaDescription videoSection(SessionDescription sdp) {
        for (MediaDescription m : sdp.media()) {
            if (m.media().equals("video") && m.isRtp()) return m;
        }
        return null;
    }

    /**
     * A section's ICE credentials {ufrag, pwd}, both null when it does not use ICE. RFC 8839 needs
     * both: one without the other is refused instead of being read as "no ICE".
     */
    static String[] iceCredentials(SessionDescription sdp, MediaDescription m, String what) {
        Optional<String> ufrag = sdp.attribute(m, "ice-ufrag");
        Optional<String> pwd = sdp.attribute(m, "ice-pwd");
        if (ufrag.isPresent() != pwd.isPresent()) {
            throw EngineException.invalid(what + " section has a=" + (ufrag.isPresent() ? "ice-ufrag without a=ice-pwd" : "ice-pwd without a=ice-ufrag"));
        }
        return new String[] {ufrag.orElse(null), pwd.orElse(null)};
    }

    private static int telephoneEventPt(Map<Integer, RtpMap> maps, int clock) {
        for (Map.Entry<Integer, RtpMap> e : maps.entrySet()) {
            if (e.getValue().encoding().equalsIgnoreCase(AudioCodec.TELEPHONE_EVENT) && e.getValue().clockRate() == clock) {
                return e.getKey();
            }
        }
        return -1;
    }

    private static String describe(Map<Integer, RtpMap> maps) {
        List<String> l = new ArrayList<>();
        maps.values().forEach(r -> l.add(r.encoding() + "/" + r.clockRate()));
        return l.toString();
    }

    private EngineException failed(Failure f, EngineException e) {
        failures.accept(f);
        return e;
    }
}
