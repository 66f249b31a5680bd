package io.vmc.engine.internal.call;

import io.vmc.engine.sdp.Attribute;
import io.vmc.engine.sdp.MediaDescription;
import java.util.ArrayList;
import java.util.List;

/**
 * What a media section says about RTP header extensions and RTCP size, as a WebRTC peer sends it:
 * the MID header extension (<a href="https://www.rfc-editor.org/rfc/rfc8843#section-15">RFC 8843
 * section 15</a>, negotiated with {@code a=extmap}, <a href="https://www.rfc-editor.org/rfc/rfc8285#section-6">RFC
 * 8285 section 6</a>) that tells bundled streams apart, and reduced-size RTCP
 * (<a href="https://www.rfc-editor.org/rfc/rfc5506">RFC 5506</a>, {@code a=rtcp-rsize}: our parser takes
 * RTCP packets that do not start with SR/RR; we keep sending full compounds, which the RFC allows).
 * Every other extension (audio level, transport-cc, abs-send-time...) is declined by leaving it
 * out of the answer. RTX (RFC 4588) is declined the same way: the answer lists no rtx format and
 * no {@code a=ssrc-group:FID}, so the peer retransmits in the original stream (plain NACK).
 */
public final class HeaderExtensions {
    public static final String MID_URI = "urn:ietf:params:rtp-hdrext:sdes:mid";
    /** The id our offers give the MID extension (the one-byte form's 1..14; Chromium uses 4 too). */
    public static final int OFFER_MID_ID = 4;
    /** Largest extension id (RFC 8285 section 5: the two-byte form's 1..255). */
    static final int MAX_ID = 255;
    /**
     * Whether offers and answers negotiate the MID extension. Our bundled RTP carries it
     * ({@code RtpStream.setMid}): once it is negotiated, Chromium routes a bundle by MID and drops
     * packets without one (EngineChromiumCallIT).
     */
    static final boolean NEGOTIATE_MID = true;
    /** Most a=extmap lines read from one section; a section with more is a peer's mistake. */
    static final int MAX_EXTMAPS = 64;

    private HeaderExtensions() {
    }

    /**
     * The id the section gives the MID extension, or -1 when it has none (or only malformed
     * {@code a=extmap} lines for it: {@code <id>[/<direction>] <uri> [<attributes>]}, id 1..255).
     * An extension the section marks inactive or that is not to be sent both ways still names
     * the id the peer's packets carry, so it is taken.
     */
    public static int midId(MediaDescription m) {
        List<String> maps = m.attributes("extmap");
        for (int i = 0; i < maps.size() && i < MAX_EXTMAPS; i++) {
            String v = maps.get(i) == null ? "" : maps.get(i).strip();
            String[] f = v.split("\\s+");
            if (f.length < 2 || !f[1].equals(MID_URI)) continue;
            String id = f[0];
            int slash = id.indexOf('/');
            if (slash >= 0) id = id.substring(0, slash);
            if (id.isEmpty() || id.length() > 3 || !id.chars().allMatch(Character::isDigit)) continue;
            int n = Integer.parseInt(id);
            if (n >= 1 && n <= MAX_ID) return n;
        }
        return -1;
    }

    /** Whether the section asks for reduced-size RTCP. */
    public static boolean reducedSizeRtcp(MediaDescription m) {
        return m.hasAttribute("rtcp-rsize");
    }

    /** What an answer to {@code offered} says: rtcp-rsize and (once negotiated, see {@link #NEGOTIATE_MID}) the MID extension with the offer's id, each only if offered. */
    public static List<Attribute> answer(MediaDescription offered) {
        List<Attribute> out = new ArrayList<>(2);
        int id = negotiatedMidId(offered);
        if (id > 0) out.add(Attribute.of("extmap", id + " " + MID_URI));
        if (reducedSizeRtcp(offered)) out.add(Attribute.flag("rtcp-rsize"));
        return out;
    }

    /** What our offers to WebRTC peers (DTLS-SRTP) say: the MID extension and rtcp-rsize. */
    public static List<Attribute> offer() {
        return NEGOTIATE_MID ? List.of(Attribute.of("extmap", OFFER_MID_ID + " " + MID_URI), Attribute.flag("rtcp-rsize"))
                : List.of(Attribute.flag("rtcp-rsize"));
    }

    /** The MID extension's id that the bundle's packets carry after this exchange, -1 when not negotiated. */
    public static int negotiatedMidId(MediaDescription m) {
        return NEGOTIATE_MID ? midId(m) : -1;
    }
}
