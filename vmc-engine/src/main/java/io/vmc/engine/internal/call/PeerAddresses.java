package io.vmc.engine.internal.call;

import io.vmc.engine.EngineConfig;
import io.vmc.engine.internal.DestinationRules;
import io.vmc.engine.internal.EngineException;
import io.vmc.engine.internal.Failure;
import io.vmc.engine.internal.transport.IceEndpoint;
import io.vmc.engine.sdp.Candidate;
import io.vmc.engine.sdp.Connection;
import io.vmc.engine.sdp.MediaDescription;
import io.vmc.engine.sdp.SdpParser;
import io.vmc.engine.sdp.SessionDescription;
import io.vmc.transport.proto.Error;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the guest's SDP may make this call send (design section 6a): every destination it names
 * (candidates in SDP or trickled, {@code c=} addresses) is checked against the policy's
 * {@link DestinationRules} and the thin client's own addresses before anything changes; then the
 * peer's addresses go to a transport: ICE credentials and the allowed candidates, or a plain peer's
 * address, which replaces the old one only once it proved itself (symmetric RTP). Under the call's monitor.
 */
final class PeerAddresses {
    private static final Logger LOG = LoggerFactory.getLogger(Call.class);
    private final Call call;
    private final EngineConfig config;
    private final DestinationRules destinations;

    PeerAddresses(Call call, EngineConfig config) {
        this.call = call;
        this.config = config;
        this.destinations = DestinationRules.of(config);
    }

    /**
     * Refuses, before anything is changed, an SDP without ICE under a policy that requires it, one
     * whose destinations are all refused, and a renegotiation that switches between ICE and plain RTP.
     */
    void check(SessionDescription sdp, MediaDescription m, boolean withIce, boolean firstTime, boolean remoteUsedIce, boolean videoWanted) {
        if (!withIce && config.requireIce()) {
            LOG.warn("session {}: refused SDP without ICE: the client policy requires ICE", call.id());
            throw call.failed(Failure.POLICY, new EngineException(Error.Code.PERMISSION_DENIED, "the peer's SDP has no ICE (a=ice-ufrag/a=ice-pwd) and the client policy requires ICE (media.require-ice)"));
        }
        if (withIce) checkCandidates(m, m.media());
        MediaDescription v = Negotiator.videoSection(sdp);
        if (videoWanted && v != null && v != m && !v.isRejected()) { // before anything changes, like the audio section
            if (withIce) checkCandidates(v, "video"); else plainTarget(sdp, v, "video: ");
        }
        if (firstTime || withIce == remoteUsedIce) {
            if (!withIce) plainTarget(sdp, m, "");
            return;
        }
        throw new EngineException(Error.Code.UNIMPLEMENTED, withIce
                ? "the peer used plain RTP and now offers ICE: switching a running call to ICE is not supported"
                : "the peer used ICE and now offers plain RTP: switching a running call from ICE to plain RTP is not supported");
    }

    /** A trickled candidate at an address the policy refuses is PERMISSION_DENIED. */
    void checkTrickled(Candidate c) {
        Optional<String> why = destinations.refusal(c.address(), own());
        if (why.isPresent()) {
            LOG.warn("session {}: refused trickled ICE candidate {}: {}", call.id(), c.address().getHostAddress(), why.get());
            throw call.failed(Failure.POLICY, new EngineException(Error.Code.PERMISSION_DENIED, "ICE candidate refused: " + why.get()));
        }
    }

    /**
     * The peer's addresses of one section for transport {@code t}: with ICE, its credentials and
     * candidates for the endpoint that takes them (the first, or a restart's; a re-offer without
     * restart keeps the selected pair); without, its {@code c=} address, which a running call only
     * proposes: media keeps going to the old address until the new one sends an authenticated packet.
     *
     * @param what "video: " or "", for messages
     */
    void apply(MediaTransport t, SessionDescription sdp, MediaDescription m, boolean withIce, boolean first, String what) {
        if (t == null) return;
        if (withIce) {
            if (!first && !t.awaitsRestartCredentials()) return; // a re-offer without restart keeps the selected pair
            IceEndpoint target = t.takeRemoteCredentials(sdp.attribute(m, "ice-ufrag").orElseThrow(),
                    sdp.attribute(m, "ice-pwd").orElseThrow(), first);
            addCandidates(target, m);
            target.startIfReady();
            return;
        }
        IceEndpoint ice = t.current();
        if (first) {
            ice.usePlainRemote(plainTarget(sdp, m, what));
            return;
        }
        if (!ice.isPlainMode()) return;
        InetSocketAddress target = plainTarget(sdp, m, what);
        if (!target.equals(ice.remoteAddress()) || ice.proposedRemote() != null) {
            LOG.info("session {}: the peer announces a new {}media address {} (now {})", call.id(), what.isEmpty() ? "" : "video ",
                    Call.hostPort(target), ice.remoteAddress() == null ? "" : Call.hostPort(ice.remoteAddress()));
            ice.proposePlainRemote(target);
        }
    }

    /** The section's candidates that the destination rules allow (checked and reported by {@link #checkCandidates}). */
    private void addCandidates(IceEndpoint target, MediaDescription m) {
        List<InetAddress> own = own();
        for (String v : m.attributes("candidate")) {
            Optional<Candidate> c = SdpParser.parseCandidate(v);
            if (c.isPresent() && destinations.refusal(c.get().address(), own).isEmpty()) target.addRemoteCandidate(c.get());
        }
    }

    /**
     * Validates a section's candidates before anything changes: a malformed one is an error; one at an
     * address the policy refuses is left out, logged once and reported in a state event; a section
     * whose candidates are all refused is refused (nothing would be sent anyway, and the app learns why).
     */
    private void checkCandidates(MediaDescription m, String what) {
        List<InetAddress> own = own();
        List<String> refused = new ArrayList<>();
        int usable = 0;
        for (String v : m.attributes("candidate")) {
            Optional<Candidate> c;
            try {
                c = SdpParser.parseCandidate(v);
            } catch (IllegalArgumentException e) {
                throw EngineException.invalid(what + " candidate: " + e.getMessage());
            }
            if (c.isEmpty()) continue;
            Optional<String> why = destinations.refusal(c.get().address(), own);
            if (why.isPresent()) refused.add(why.get()); else usable++;
        }
        if (refused.isEmpty()) return;
        String text = what + ": " + refused.size() + " ICE candidate(s) refused: " + String.join("; ", new LinkedHashSet<>(refused));
        if (usable == 0) {
            LOG.warn("session {}: {}; no candidate left", call.id(), text);
            throw call.failed(Failure.POLICY, new EngineException(Error.Code.PERMISSION_DENIED, text + "; no candidate left"));
        }
        LOG.warn("session {}: {}; checks go to the {} other(s)", call.id(), text, usable);
        call.note(text);
    }

    /** A plain peer's media address from its {@code c=} and {@code m=} lines, if the policy allows it. */
    private InetSocketAddress plainTarget(SessionDescription sdp, MediaDescription m, String what) {
        Connection c = sdp.connection(m);
        if (c == null) throw EngineException.invalid(what + "no c= line and no ICE candidates: nowhere to send media");
        InetAddress a = c.inetAddress();
        if (a.isAnyLocalAddress() || a.isMulticastAddress()) {
            throw EngineException.invalid(what + "c= address " + c.address() + " cannot receive media");
        }
        if (m.port() == 0) throw EngineException.invalid(what + "m= port 0");
        Optional<String> why = destinations.refusal(a, own());
        if (why.isPresent()) {
            LOG.warn("session {}: refused media destination {}:{}: {}", call.id(), c.address(), m.port(), why.get());
            throw call.failed(Failure.POLICY, new EngineException(Error.Code.PERMISSION_DENIED, what + "media to " + c.address() + ":" + m.port() + " refused: " + why.get()));
        }
        return new InetSocketAddress(a, m.port());
    }

    /** The thin client's interface addresses now (they change: DHCP, VPN, Wi-Fi), and the configured ICE addresses. */
    private List<InetAddress> own() {
        List<InetAddress> out = new ArrayList<>(config.iceAddresses());
        try {
            out.addAll(IceEndpoint.interfaceAddresses());
        } catch (IOException e) {
            LOG.debug("cannot list interface addresses: {}", e.toString());
        }
        return out;
    }
}
