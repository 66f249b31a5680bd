package io.vmc.engine.internal;

import io.vmc.engine.EngineConfig;
import io.vmc.engine.sdp.Candidate;
import java.beans.PropertyChangeEvent;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
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
import org.ice4j.ice.harvest.StunCandidateHarvester;
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

        void onPacket(byte[] buf, int off, int len);
    }

    private final Agent agent;
    private final IceMediaStream stream;
    private final Component component;
    private final Listener listener;
    private final List<Thread> readers = new ArrayList<>();
    private final List<DatagramSocket> mediaSockets = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong droppedUntrusted = new AtomicLong();
    private volatile InetSocketAddress remote;
    private volatile InetSocketAddress local;
    private volatile IceSocketWrapper sendSocket;
    private volatile boolean plainMode;
    private volatile long connectedAtMillis;
    private int remoteCandidates;
    private boolean started;

    public IceEndpoint(EngineConfig config, boolean controlling, Listener listener) throws IOException {
        this.listener = listener;
        agent = new Agent();
        agent.setControlling(controlling);
        agent.setPerformConsentFreshness(true);
        if (!config.iceAddresses().isEmpty()) {
            agent.setUseDynamicPorts(false);
            agent.addCandidateHarvester(new FixedAddressHarvester(config.iceAddresses()));
        }
        for (InetSocketAddress stun : config.stunServers()) {
            agent.addCandidateHarvester(new StunCandidateHarvester(
                    new TransportAddress(stun.getAddress(), stun.getPort(), Transport.UDP)));
        }
        agent.addStateChangeListener(this::onAgentStateChange);
        stream = agent.createMediaStream("audio");
        component = agent.createComponent(stream, KeepAliveStrategy.SELECTED_ONLY, false);
        if (component.getLocalCandidateCount() == 0) {
            agent.free();
            throw new IOException("no local candidates could be gathered (ICE addresses " + config.iceAddresses() + ")");
        }
        for (LocalCandidate c : component.getLocalCandidates()) {
            if (c instanceof HostCandidate h && h.getCandidateIceSocketWrapper() != null
                    && h.getCandidateIceSocketWrapper().getUDPSocket() instanceof MultiplexingDatagramSocket mux) {
                DatagramSocket media = mux.getSocket(p -> !StunDatagramPacketFilter.isStunPacket(p));
                mediaSockets.add(media);
                Thread t = new Thread(() -> readLoop(media), "vmc-rtp-rx " + c.getTransportAddress());
                t.setDaemon(true);
                readers.add(t);
            }
        }
        readers.forEach(Thread::start);
    }

    public String localUfrag() { return agent.getLocalUfrag(); }

    public String localPassword() { return agent.getLocalPassword(); }

    public boolean isControlling() { return agent.isControlling(); }

    public long droppedUntrusted() { return droppedUntrusted.get(); }

    public boolean isPlainMode() { return plainMode; }

    /** Local candidates as SDP candidates. */
    public List<Candidate> localCandidates() {
        List<Candidate> out = new ArrayList<>();
        for (LocalCandidate c : component.getLocalCandidates()) {
            TransportAddress ta = c.getTransportAddress();
            TransportAddress rel = c.getRelatedAddress();
            out.add(new Candidate(c.getFoundation(), component.getComponentID(), "udp", c.getPriority(),
                    ta.getAddress(), ta.getPort(), c.getType().toString(),
                    rel == null ? null : rel.getAddress(), rel == null ? 0 : rel.getPort()));
        }
        return out;
    }

    /** The address for the c= and m= lines: the default candidate. */
    public InetSocketAddress defaultAddress() {
        LocalCandidate c = component.getDefaultCandidate();
        if (c == null) c = component.getLocalCandidates().get(0);
        return new InetSocketAddress(c.getTransportAddress().getAddress(), c.getTransportAddress().getPort());
    }

    public synchronized void setRemoteCredentials(String ufrag, String pwd) {
        stream.setRemoteUfrag(ufrag);
        stream.setRemotePassword(pwd);
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
        LocalCandidate c = component.getDefaultCandidate();
        if (c == null) c = component.getLocalCandidates().get(0);
        LocalCandidate base = c.getBase() != null ? c.getBase() : c;
        sendSocket = ((HostCandidate) base).getCandidateIceSocketWrapper();
        local = new InetSocketAddress(base.getTransportAddress().getAddress(), base.getTransportAddress().getPort());
        remote = addr;
        connectedAtMillis = System.currentTimeMillis();
        listener.onIceConnected(local, remote);
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
            local = new InetSocketAddress(base.getTransportAddress().getAddress(), base.getTransportAddress().getPort());
            remote = new InetSocketAddress(ra.getAddress(), ra.getPort());
            connectedAtMillis = System.currentTimeMillis();
            listener.onIceConnected(local, remote);
        } else if (st == IceProcessingState.FAILED) {
            listener.onIceFailed("ICE connectivity checks failed");
        }
    }

    private void readLoop(DatagramSocket s) {
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
            InetSocketAddress r = remote;
            if (r == null || !r.equals(p.getSocketAddress())) {
                droppedUntrusted.incrementAndGet();
                continue;
            }
            try {
                listener.onPacket(p.getData(), p.getOffset(), p.getLength());
            } catch (RuntimeException e) {
                LOG.warn("packet handling failed: {}", e.toString());
            }
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        for (DatagramSocket s : mediaSockets) {
            s.close();
        }
        agent.free();
    }

    /** Binds host candidates on configured addresses, loopback included (ice4j's own harvester skips it). */
    private static final class FixedAddressHarvester extends AbstractCandidateHarvester {
        private final List<InetAddress> addresses;

        FixedAddressHarvester(List<InetAddress> addresses) {
            this.addresses = addresses;
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
                    HostCandidate c = new HostCandidate(new IceUdpSocketWrapper(sock), component, Transport.UDP);
                    if (component.addLocalCandidate(c)) {
                        c.getStunStack().addSocket(c.getStunSocket(null));
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
}
