package io.vmc.engine.internal.call;

import io.vmc.engine.internal.transport.DtlsNegotiationException;
import io.vmc.engine.internal.transport.DtlsSetup;
import io.vmc.engine.internal.transport.Fingerprint;
import io.vmc.engine.sdp.MediaDescription;
import io.vmc.engine.sdp.SessionDescription;
import java.util.List;

/**
 * What a peer's SDP says about DTLS for one media section (<a href="https://www.rfc-editor.org/rfc/rfc8842#section-5">RFC
 * 8842 section 5</a>): its certificate fingerprint, its {@code a=setup} and its {@code a=tls-id}
 * (RFC 8842 section 4), each read at the media level first and at the session level otherwise.
 *
 * @param fingerprint the first {@code a=fingerprint} with a hash this engine can check
 * @param setup the peer's {@code a=setup} (the RFC 4145 default when absent)
 * @param tlsId the peer's {@code a=tls-id}, or null
 */
public record DtlsTerms(Fingerprint fingerprint, DtlsSetup setup, String tlsId) {
    /** Most {@code a=fingerprint} lines looked at; the first usable one wins. */
    public static final int MAX_FINGERPRINTS = 8;

    /**
     * @param inOffer whether the SDP is an offer (it decides the {@code a=setup} default)
     * @throws DtlsNegotiationException when no usable fingerprint is given, or {@code a=setup} is not a known value
     */
    public static DtlsTerms of(SessionDescription sdp, MediaDescription m, boolean inOffer) {
        List<String> prints = m.attributes("fingerprint");
        if (prints.isEmpty()) prints = sdp.attributes().stream().filter(a -> a.name().equalsIgnoreCase("fingerprint"))
                .map(a -> a.value() == null ? "" : a.value()).toList();
        if (prints.isEmpty()) {
            throw new DtlsNegotiationException("the " + m.media() + " section is " + m.proto() + " without a=fingerprint (RFC 8122)");
        }
        Fingerprint fp = null;
        DtlsNegotiationException first = null;
        for (String v : prints.subList(0, Math.min(prints.size(), MAX_FINGERPRINTS))) {
            try {
                fp = Fingerprint.parse(v);
                break;
            } catch (DtlsNegotiationException e) {
                if (first == null) first = e;
            }
        }
        if (fp == null) throw first;
        DtlsSetup setup = DtlsSetup.parse(sdp.attribute(m, "setup").orElse(null), inOffer);
        String tlsId = sdp.attribute(m, "tls-id").map(String::strip).orElse(null);
        return new DtlsTerms(fp, setup, tlsId);
    }
}
