package io.vmc.engine.internal.transport;

import io.vmc.engine.internal.RateLimiter;
import io.vmc.engine.internal.rtp.RtpPackets;
import io.vmc.engine.EngineConfig;
import io.vmc.engine.sdp.Candidate;
import java.beans.PropertyChangeEvent;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.Agent;
import org.ice4j.ice.CandidatePair;
import org.ice4j.ice.CandidateType;
import org.ice4j.ice.Component;
import org.ice4j.ice.HostCandidate;
import org.ice4j.ice.IceMediaStream;
import org.ice4j.ice.IceProcessingState;
import org.ice4j.ice.KeepAliveStrategy;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.RemoteCandidate;
import org.ice4j.ice.harvest.AbstractCandidateHarvester;
import org.ice4j.ice.RelayedCandidate;
import org.ice4j.ice.harvest.StunCandidateHarvester;
import org.ice4j.ice.harvest.TurnCandidateHarvest;
import org.ice4j.ice.harvest.TurnCandidateHarvester;
import org.ice4j.ice.ServerReflexiveCandidate;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.ErrorCodeAttribute;
import org.ice4j.message.Message;
import org.ice4j.message.Request;
import org.ice4j.message.Response;
import org.ice4j.security.LongTermCredential;
import java.net.NetworkInterface;
import java.util.Collections;
import java.util.Set;
import java.util.stream.Collectors;
import org.ice4j.socket.IceSocketWrapper;
import org.ice4j.socket.IceUdpSocketWrapper;
import org.ice4j.socket.MultiplexingDatagramSocket;
import org.ice4j.socket.StunDatagramPacketFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ICE component (RTP and RTCP multiplexed) on ice4j, or, for peers without ICE, the same
 * host socket pointed at the address their SDP names. Media is accepted only from the selected
 * pair's remote address (or the SDP-named one) and sent only there.
 */
public final class IceEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IceEndpoint.class);
    /** Most remote candidates kept per session (SDP plus trickle). */
    public static final int MAX_REMOTE_CANDIDATES = 64;

    /** Callbacks, from ice4j's and the receive threads. */
    public interface Listener {
        void onIceConnected(InetSocketAddress local, InetSocketAddress remote);

        void onIceFailed(String reason);

        /** @return whether the packet proved to come from the peer (authenticated RTP) */
        boolean onPacket(byte[] buf, int off, int len);
    }

    private final Agent agent;
    private final IceMediaStream stream;
    private final Component component;
    private final Listener listener;
    /** Set when the constructor is done: readers start while candidates are gathered (TURN and STUN answers). */
    private volatile boolean ready;
    /** The TURN servers' addresses: what they send to a host socket belongs to the relayed candidate. */
    private final Set<InetSocketAddress> turnAddresses;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong droppedUntrusted = new AtomicLong();
    /** Plain mode: symmetric RTP (see SendGate); ICE mode relies on the checks and consent freshness. */
    private final SendGate gate;
    /** The session's send ceiling in bytes, shared by its endpoints. */
    private final RateLimiter sendCeiling;
    private final AtomicLong heldUnverified = new AtomicLong();
    private final AtomicLong probesSent = new AtomicLong();
    private final AtomicLong overCeiling = new AtomicLong();
    private final AtomicBoolean loggedProbing = new AtomicBoolean();
    private final AtomicBoolean loggedVerified = new AtomicBoolean();
    private volatile InetSocketAddress remote;
    /** A plain peer's new address from a re-offer: adopted when an authenticated packet comes from it. */
    private volatile InetSocketAddress proposedRemote;
    private volatile InetSocketAddress local;
    private volatile IceSocketWrapper sendSocket;
    private volatile boolean plainMode;
    private volatile long connectedAtMillis;
    private volatile String localType = "";
    private volatile String remoteType = "";
    private final boolean relayOnly;
    /** Why a TURN server gave no relayed candidate, one line per server, for logs and the session state. */
    private final List<String> turnProblems = new CopyOnWriteArrayList<>();
    private int remoteCandidates;
    private boolean started;

    /** IP and UDP header bytes counted per packet against the send ceiling. */
    static final int HEADER_BYTES = 28;

    /**
     * @param sendCeiling the session's token bucket in bytes (IP and UDP headers included); every
     *     packet this endpoint sends takes from it, packets over it are dropped and counted
     */
    public IceEndpoint(EngineConfig config, boolean controlling, Listener listener, RateLimiter sendCeiling) throws IOException {
        this.listener = listener;
        this.sendCeiling = sendCeiling;
        this.gate = new SendGate(config.trustPlainPeers(), config.consentTimeout().toNanos());
        this.relayOnly = config.iceRelayOnly();
        agent = new Agent();
        agent.setControlling(controlling);
        agent.setPerformConsentFreshness(true);
        // always our host harvester, never ice4j's: its host candidates get per-filter sockets (see StunPackets)
        List<InetAddress> addrs = config.iceAddresses().isEmpty() ? interfaceAddresses() : config.iceAddresses();
        agent.setUseDynamicPorts(false);
        turnAddresses = config.turnServers().stream()
                .map(EngineConfig.TurnServer::address).collect(Collectors.toUnmodifiableSet());
        agent.addCandidateHarvester(new FixedAddressHarvester(addrs, relayOnly, this::startReader));
        if (!relayOnly) {
            for (InetSocketAddress stun : config.stunServers()) {
                agent.addCandidateHarvester(new StunCandidateHarvester(
                        new TransportAddress(stun.getAddress(), stun.getPort(), Transport.UDP)));
            }
        }
        List<TurnHarvester> turns = new ArrayList<>();
        for (EngineConfig.TurnServer t : config.turnServers()) {
            TurnHarvester h = new TurnHarvester(t, relayOnly);
            turns.add(h);
            agent.addCandidateHarvester(h);
        }
        agent.addStateChangeListener(this::onAgentStateChange);
        stream = agent.createMediaStream("audio");
        component = agent.createComponent(stream, KeepAliveStrategy.SELECTED_ONLY, false);
        for (TurnHarvester h : turns) {
            String problem = h.problem(component);
            if (problem != null) {
                turnProblems.add(problem);
                LOG.warn("{}", problem);
            }
        }
        if (relayOnly && offered().isEmpty()) {
            agent.free();
            throw new IOException("ICE relay-only: no relayed candidate (" + (turnProblems.isEmpty()
                    ? "no local address can reach a TURN server" : String.join("; ", turnProblems)) + ")");
        }
        if (offered().isEmpty()) {
            agent.free();
            throw new IOException("no local candidates could be gathered (ICE addresses " + config.iceAddresses() + ")");
        }
        for (LocalCandidate c : component.getLocalCandidates()) {
            // a host candidate's reader started when it was bound; a relayed one's STUN has its own ice4j socket
            if (c instanceof RelayedCandidate r && r.getCandidateIceSocketWrapper().getUDPSocket()
                    instanceof MultiplexingDatagramSocket mux) {
                startReader(mux, null, c.getTransportAddress());
            }
        }
        ready = true;
    }

    /** Reads a candidate's socket itself, not a per-filter socket of it (see StunPackets); it ends when the candidate's socket closes. */
    private void startReader(MultiplexingDatagramSocket socket, StunPackets stun, TransportAddress address) {
        Thread t = new Thread(() -> readLoop(socket, stun), "vmc-rtp-rx " + address);
        t.setDaemon(true);
        t.start();
    }

    /** Why configured TURN servers gave no relayed candidate (empty when all did). */
    public List<String> turnProblems() { return List.copyOf(turnProblems); }

    /** The selected pair's local candidate type ("host", "srflx", "prflx", "relay"), or "" before ICE completes. */
    public String selectedLocalType() { return localType; }

    public String selectedRemoteType() { return remoteType; }

    /** The candidates we offer: all of them, or only relayed ones in relay-only mode. */
    private List<LocalCandidate> offered() {
        List<LocalCandidate> out = new ArrayList<>();
        for (LocalCandidate c : component.getLocalCandidates()) {
            if (!relayOnly || c.getType() == CandidateType.RELAYED_CANDIDATE) out.add(c);
        }
        return out;
    }

    public String localUfrag() { return agent.getLocalUfrag(); }

    public String localPassword() { return agent.getLocalPassword(); }

    public boolean isControlling() { return agent.isControlling(); }

    public long droppedUntrusted() { return droppedUntrusted.get(); }

    /** Packets not sent because a plain peer has not shown it wants them (symmetric RTP). */
    public long heldUnverified() { return heldUnverified.get(); }

    /** Packets sent to a plain peer before it sent anything valid (see {@link SendGate}). */
    public long probesSent() { return probesSent.get(); }

    /** Packets dropped over the session's send ceiling. */
    public long overCeiling() { return overCeiling.get(); }

    public boolean isPlainMode() { return plainMode; }

    /** Local candidates as SDP candidates. */
    public List<Candidate> localCandidates() {
        List<Candidate> out = new ArrayList<>();
        for (LocalCandidate c : offered()) {
            TransportAddress ta = c.getTransportAddress();
            TransportAddress rel = c.getRelatedAddress();
            if (rel == null && c.getType() == CandidateType.RELAYED_CANDIDATE) {
                rel = c.getMappedAddress(); // ice4j links the server-reflexive candidate only when it already exists
            }
            out.add(new Candidate(c.getFoundation(), component.getComponentID(), "udp", c.getPriority(),
                    ta.getAddress(), ta.getPort(), c.getType().toString(),
                    rel == null ? null : rel.getAddress(), rel == null ? 0 : rel.getPort()));
        }
        return out;
    }

    /** The address for the c= and m= lines: the default candidate. */
    public InetSocketAddress defaultAddress() {
        LocalCandidate c = defaultCandidate();
        return new InetSocketAddress(c.getTransportAddress().getAddress(), c.getTransportAddress().getPort());
    }

    public synchronized void setRemoteCredentials(String ufrag, String pwd) {
        stream.setRemoteUfrag(ufrag);
        stream.setRemotePassword(pwd);
    }

    /** Whether the peer's ufrag and password have been applied (an ICE restart's endpoint waits for them). */
    public synchronized boolean hasRemoteCredentials() {
        return stream.getRemoteUfrag() != null;
    }

    /**
     * Adds a remote candidate (from SDP or trickle) and starts or updates the checks.
     *
     * @return false if the candidate was refused (limit reached, wrong component, closed)
     */
    public synchronized boolean addRemoteCandidate(Candidate c) {
        if (closed.get() || plainMode) return false;
        if (c.component() != 1) return false; // rtcp-mux: only component 1 carries anything
        if (remoteCandidates >= MAX_REMOTE_CANDIDATES) return false;
        remoteCandidates++;
        TransportAddress ta = new TransportAddress(c.address(), c.port(), Transport.UDP);
        RemoteCandidate rc = new RemoteCandidate(ta, component, CandidateType.parse(c.type()), c.foundation(), c.priority(), null);
        if (started) {
            component.addUpdateRemoteCandidates(rc);
            component.updateRemoteCandidates();
        } else {
            component.addRemoteCandidate(rc);
        }
        return true;
    }

    /** Starts connectivity checks once credentials and at least one candidate are known. */
    public synchronized void startIfReady() {
        if (started || plainMode || closed.get()) return;
        if (stream.getRemoteUfrag() == null || component.getRemoteCandidateCount() == 0) return;
        started = true;
        agent.startConnectivityEstablishment();
    }

    /** For peers without ICE: send to and accept from the address their SDP names, from the default candidate. */
    public synchronized void usePlainRemote(InetSocketAddress addr) {
        plainMode = true;
        LocalCandidate c = defaultCandidate();
        LocalCandidate base = c.getBase() != null ? c.getBase() : c;
        sendSocket = socketOf(base);
        localType = base.getType().toString();
        local = new InetSocketAddress(base.getTransportAddress().getAddress(), base.getTransportAddress().getPort());
        remote = addr;
        connectedAtMillis = System.currentTimeMillis();
        listener.onIceConnected(local, remote);
    }

    /**
     * A plain peer re-offered a new address. Media keeps going to the old one until a packet from the
     * new address passes SRTP authentication (consent for peers without ICE: never send to an address
     * that has not shown it is the peer); null withdraws the proposal.
     */
    public synchronized void proposePlainRemote(InetSocketAddress addr) {
        if (!plainMode) throw new IllegalStateException("not in plain mode");
        proposedRemote = addr == null || addr.equals(remote) ? null : addr;
    }

    public InetSocketAddress proposedRemote() { return proposedRemote; }

    private void adoptProposed(InetSocketAddress addr) {
        synchronized (this) {
            if (!addr.equals(proposedRemote)) return;
            proposedRemote = null;
            remote = addr;
        }
        gate.verified(System.nanoTime()); // the packet that proved the address
        LOG.info("plain peer proved its new address {}: media goes there now", addr);
        listener.onIceConnected(local, addr);
    }

    private LocalCandidate defaultCandidate() {
        LocalCandidate c = component.getDefaultCandidate();
        List<LocalCandidate> offered = offered();
        return c != null && offered.contains(c) ? c : offered.get(0);
    }

    public InetSocketAddress remoteAddress() { return remote; }

    public InetSocketAddress localAddress() { return local; }

    /** Milliseconds since epoch of the last consent confirmation (RFC 7675); plain mode never expires. */
    public long lastConsentMillis() {
        if (plainMode) return Long.MAX_VALUE;
        CandidatePair p = component.getSelectedPair();
        if (p == null) return connectedAtMillis;
        long c = p.getConsentFreshness();
        return Math.max(c, connectedAtMillis);
    }

    public void send(byte[] buf, int off, int len) throws IOException {
        IceSocketWrapper s = sendSocket;
        InetSocketAddress r = remote;
        if (s == null || r == null) return;
        long now = System.nanoTime();
        if (plainMode) {
            SendGate.Verdict v = gate.check(now);
            if (v == SendGate.Verdict.HOLD) {
                heldUnverified.incrementAndGet();
                return;
            }
            if (v == SendGate.Verdict.PROBE) {
                probesSent.incrementAndGet();
                if (loggedProbing.compareAndSet(false, true)) {
                    LOG.info("plain peer {} has sent no valid packet yet: media held, probing at most once a second", r);
                }
            }
        }
        if (!sendCeiling.tryAcquire(now, len + HEADER_BYTES)) {
            overCeiling.incrementAndGet();
            return;
        }
        s.send(new DatagramPacket(buf, off, len, r));
    }

    private void onAgentStateChange(PropertyChangeEvent ev) {
        if (!Agent.PROPERTY_ICE_PROCESSING_STATE.equals(ev.getPropertyName())) return;
        IceProcessingState st = (IceProcessingState) ev.getNewValue();
        if (st == IceProcessingState.COMPLETED) {
            CandidatePair pair = component.getSelectedPair();
            if (pair == null) {
                listener.onIceFailed("ICE completed without a selected pair");
                return;
            }
            LocalCandidate lc = pair.getLocalCandidate();
            LocalCandidate base = lc.getBase() != null ? lc.getBase() : lc;
            TransportAddress ra = pair.getRemoteCandidate().getTransportAddress();
            IceSocketWrapper w = base instanceof HostCandidate h ? h.getCandidateIceSocketWrapper() : pair.getIceSocketWrapper();
            sendSocket = w;
            localType = lc.getType().toString();
            remoteType = pair.getRemoteCandidate().getType().toString();
            local = new InetSocketAddress(base.getTransportAddress().getAddress(), base.getTransportAddress().getPort());
            remote = new InetSocketAddress(ra.getAddress(), ra.getPort());
            connectedAtMillis = System.currentTimeMillis();
            listener.onIceConnected(local, remote);
        } else if (st == IceProcessingState.FAILED) {
            listener.onIceFailed("ICE connectivity checks failed");
        }
    }

    /**
     * Reads what no per-filter socket of ice4j took (a relayed candidate's STUN and a TURN
     * allocation's ChannelData have theirs): STUN goes to the host candidate's STUN stack, the rest
     * is media if it comes from the peer.
     */
    private void readLoop(MultiplexingDatagramSocket s, StunPackets stun) {
        byte[] buf = new byte[RtpPackets.MAX_PACKET + 100];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        while (!closed.get()) {
            try {
                p.setData(buf, 0, buf.length);
                s.receive(p);
            } catch (SocketException e) {
                return; // closed (session end, or ice4j freed a candidate that was not selected)
            } catch (IOException e) {
                if (!closed.get()) LOG.debug("receive: {}", e.toString());
                return;
            }
            if (StunDatagramPacketFilter.isStunPacket(p)) {
                if (stun != null) stun.deliver(p);
                continue;
            }
            if (turnAddresses.contains(p.getSocketAddress())) continue; // for the relayed candidate, not media
            if (!ready) {
                droppedUntrusted.incrementAndGet(); // nobody can have our candidates yet
                continue;
            }
            InetSocketAddress r = remote;
            InetSocketAddress proposed = proposedRemote;
            boolean fromProposed = proposed != null && proposed.equals(p.getSocketAddress());
            if (!fromProposed && (r == null || !r.equals(p.getSocketAddress()))
                    && !(r == null && isEarlyDtls(p))) {
                droppedUntrusted.incrementAndGet();
                continue;
            }
            try {
                boolean authentic = listener.onPacket(p.getData(), p.getOffset(), p.getLength());
                if (fromProposed) {
                    if (authentic) adoptProposed(proposed); else droppedUntrusted.incrementAndGet();
                } else if (authentic && plainMode) {
                    gate.verified(System.nanoTime());
                    if (loggedVerified.compareAndSet(false, true)) LOG.info("plain peer {} sent a valid packet: media goes there", r);
                }
            } catch (RuntimeException e) {
                LOG.warn("packet handling failed: {}", e.toString());
            }
        }
    }

    /**
     * A DTLS datagram before this side's checks completed, from an address the peer's candidates or
     * its authenticated checks (peer-reflexive) named: the peer's ICE may complete first and its
     * ClientHello follows at once. Kept for the handshake (its own limits apply) instead of costing a
     * retransmission timeout; nothing is sent anywhere before a pair is selected.
     */
    private boolean isEarlyDtls(DatagramPacket p) {
        if (plainMode || io.vmc.engine.internal.transport.Demux.classify(p.getData(), p.getOffset(), p.getLength())
                != io.vmc.engine.internal.transport.Demux.Kind.DTLS) {
            return false;
        }
        for (org.ice4j.ice.RemoteCandidate c : component.getRemoteCandidates()) {
            TransportAddress a = c.getTransportAddress();
            if (a.getPort() == p.getPort() && a.getAddress().equals(p.getAddress())) return true;
        }
        return false;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        agent.free(); // closes the candidates' sockets: the readers end
    }

    /** Binds host candidates on configured addresses, loopback included (ice4j's own harvester skips it). */
    private static final class FixedAddressHarvester extends AbstractCandidateHarvester {
        private final List<InetAddress> addresses;
        private final boolean relayOnly;
        private final ReaderStarter readers;

        FixedAddressHarvester(List<InetAddress> addresses, boolean relayOnly, ReaderStarter readers) {
            this.addresses = addresses;
            this.relayOnly = relayOnly;
            this.readers = readers;
        }

        @Override
        public boolean isHostHarvester() {
            return true;
        }

        @Override
        public Collection<LocalCandidate> harvest(Component component) {
            List<LocalCandidate> out = new ArrayList<>();
            for (InetAddress a : addresses) {
                try {
                    MultiplexingDatagramSocket sock = new MultiplexingDatagramSocket(0, a);
                    OwnHostCandidate c = new OwnHostCandidate(sock, component, relayOnly);
                    if (component.addLocalCandidate(c)) {
                        c.getStunStack().addSocket(c.stun);
                        readers.start(sock, c.stun, c.getTransportAddress());
                        out.add(c);
                    } else {
                        sock.close();
                    }
                } catch (IOException e) {
                    LOG.warn("cannot bind a host candidate on {}: {}", a.getHostAddress(), e.toString());
                }
            }
            return out;
        }
    }

    private interface ReaderStarter {
        void start(MultiplexingDatagramSocket socket, StunPackets stun, TransportAddress address);
    }

    /** A host candidate whose STUN stack reads through {@link StunPackets}, fed by the endpoint's reader. */
    private static final class OwnHostCandidate extends HostCandidate {
        final StunPackets stun;
        /** The base of a TURN allocation only (relay-only): never paired, so checks and media go through the relay. */
        private final boolean neverPaired;

        OwnHostCandidate(MultiplexingDatagramSocket socket, Component component, boolean neverPaired) {
            super(new IceUdpSocketWrapper(socket), component, Transport.UDP);
            this.stun = new StunPackets(socket);
            this.neverPaired = neverPaired;
        }

        /** ice4j asks again on a failed send, and would make a per-filter socket each time. */
        @Override
        public IceSocketWrapper getStunSocket(TransportAddress serverAddress) {
            return stun;
        }

        @Override
        public boolean canReach(org.ice4j.ice.Candidate<?> dst) {
            return !neverPaired && super.canReach(dst);
        }
    }

    /** The socket of a host or relayed candidate (ice4j keeps the general accessor protected); null for others. */
    private static IceSocketWrapper socketOf(LocalCandidate c) {
        if (c instanceof HostCandidate h) return h.getCandidateIceSocketWrapper();
        if (c instanceof RelayedCandidate r) return r.getCandidateIceSocketWrapper();
        return null;
    }

    /** Up, non-loopback interface addresses, as ice4j's own host harvester would use them. */
    public static List<InetAddress> interfaceAddresses() throws IOException {
        List<InetAddress> out = new ArrayList<>();
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!ni.isUp() || ni.isLoopback()) continue;
            for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                if (!a.isLinkLocalAddress() && !a.isLoopbackAddress()) out.add(a);
            }
        }
        return out;
    }

    /**
     * ice4j's TURN harvester, remembering why an Allocate failed (ice4j itself only logs it and then
     * quietly falls back to a Binding request), and gathering no server-reflexive candidate in
     * relay-only mode (ice4j would pair it through its host base).
     */
    private static final class TurnHarvester extends TurnCandidateHarvester {
        private final EngineConfig.TurnServer server;
        private final boolean relayOnly;
        private final List<String> failures = new CopyOnWriteArrayList<>();

        TurnHarvester(EngineConfig.TurnServer server, boolean relayOnly) {
            super(new TransportAddress(server.address().getAddress(), server.address().getPort(), Transport.UDP),
                    new LongTermCredential(server.username(), server.password()));
            this.server = server;
            this.relayOnly = relayOnly;
        }

        @Override
        protected TurnCandidateHarvest createHarvest(HostCandidate host) {
            return new TurnCandidateHarvest(this, host) {
                @Override
                protected boolean completedResolvingCandidate(Request request, Response response) {
                    if (request != null && request.getMessageType() == Message.ALLOCATE_REQUEST
                            && (response == null || !response.isSuccessResponse())) {
                        failures.add(describe(response));
                    }
                    return super.completedResolvingCandidate(request, response);
                }

                @Override
                protected ServerReflexiveCandidate createServerReflexiveCandidate(TransportAddress address) {
                    return relayOnly ? null : super.createServerReflexiveCandidate(address);
                }
            };
        }

        private String describe(Response response) {
            if (response == null) return "no answer (server unreachable or not a TURN server)";
            ErrorCodeAttribute e = (ErrorCodeAttribute) response.getAttribute(Attribute.ERROR_CODE);
            if (e == null) return "error response without an error code";
            int code = e.getErrorCode();
            String phrase = e.getReasonPhrase() == null ? "" : " " + e.getReasonPhrase().strip();
            String hint = switch (code) {
                case 401 -> ": the TURN server refused the credentials of user \"" + server.username()
                        + "\" (check the username and the password file)";
                case 403 -> ": forbidden by the TURN server";
                case 486 -> ": the user's allocation quota is reached";
                case 508 -> ": the TURN server has no relay ports left";
                default -> "";
            };
            return code + phrase + hint;
        }

        /** Null if this server gave the component a relayed candidate. */
        String problem(Component component) {
            for (LocalCandidate c : component.getLocalCandidates()) {
                if (c instanceof RelayedCandidate && server.address().equals(
                        new InetSocketAddress(c.getRelayServerAddress().getAddress(), c.getRelayServerAddress().getPort()))) {
                    return null;
                }
            }
            String why = failures.isEmpty() ? "no relayed candidate" : String.join(", ", new java.util.LinkedHashSet<>(failures));
            return "TURN server " + server + ": " + why;
        }
    }
}
