package io.vmc.engine.internal.call;

import io.vmc.engine.sdp.Crypto;
import io.vmc.engine.sdp.MediaDescription;
import io.vmc.engine.sdp.SdpParser;
import java.util.List;
import java.util.Optional;

/**
 * Which SDES key (RFC 4568) a media section settles on, for audio and video alike: the answerer
 * takes the first {@code a=crypto} line with a suite it supports (section 7.1.1), the offerer finds
 * which of its offered lines the answer accepted, by tag and suite (section 7.1.2). Pure: SDP in,
 * choice out. Unparseable lines and unsupported suites are skipped, never an error.
 */
public final class SdesChoice {
    private SdesChoice() {
    }

    /** What an answer accepted: the peer's key and the line of ours it answered. */
    public record Answered(Crypto remote, Crypto ours) {
    }

    /** The answerer's choice: the first supported line of the offer's section. */
    public static Optional<Crypto> firstSupported(MediaDescription offered) {
        for (String v : offered.attributes("crypto")) {
            Crypto c = SdpParser.parseCrypto(v);
            if (c != null && c.isSupportedSuite()) return Optional.of(c);
        }
        return Optional.empty();
    }

    /** The offerer's reading of an answer: the first line whose tag and suite match one we offered. */
    public static Optional<Answered> answered(MediaDescription answer, List<Crypto> offered) {
        for (String v : answer.attributes("crypto")) {
            Crypto c = SdpParser.parseCrypto(v);
            if (c == null || !c.isSupportedSuite()) continue;
            for (Crypto o : offered) {
                if (o.tag() == c.tag() && o.suite().equals(c.suite())) return Optional.of(new Answered(c, o));
            }
        }
        return Optional.empty();
    }
}
