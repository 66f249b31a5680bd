package io.vmc.transport.internal;

import com.google.protobuf.ByteString;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.vmc.transport.EndpointListener;
import io.vmc.transport.EventSink;
import io.vmc.transport.RequestHandler;
import io.vmc.transport.VmcProtocolException;
import io.vmc.transport.VmcTransportException;
import io.vmc.transport.proto.Envelope;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.Goodbye;
import io.vmc.transport.proto.Hello;
import io.vmc.transport.proto.Ping;
import io.vmc.transport.proto.Pong;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One logical vmc.v1 session, outliving channels: an endpoint attaches each new channel to the
 * same session. It composes three parts, each with its own tests: the {@link Handshake} (which
 * Hellos to send and when to commit), the {@link ReliableLink} (seq/ack, replay, go-back-N) and
 * the {@link Rpc} layer (pending requests, deadlines, events); the {@link ResumeRules} say what a
 * committed handshake does to both streams. This class owns the channel, keepalive and the
 * listener.
 *
 * <p>Threading: every field without {@code volatile} is touched only on {@link #loop}. Public
 * methods marked "any thread" hop onto the loop. Application code (handler, sink, listener,
 * future completions) runs on the callback executor, never on the loop.
 */
public final class Session {
    private static final Logger log = LoggerFactory.getLogger(Session.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What the owner (endpoint or server connection) needs to hear. Called on the loop. */
    public interface Owner {
        /** The attached channel is gone. */
        void detached(Channel channel, String why);

        /** A handshake completed. */
        default void established(Hello peer, boolean resumed) {}

        /** No common version with the peer. */
        default void incompatible(Goodbye goodbye) {}
    }

    /** Settings fixed at construction. */
    public record Config(
            Hello.Role role,
            String software,
            List<String> capabilities,
            int minVersion,
            int maxVersion,
            Duration keepaliveInterval,
            Duration deadAfter,
            Duration defaultDeadline,
            int maxFrameBytes,
            Executor callbackExecutor) {}

    private final Config cfg;
    private final EventExecutor loop;
    private final Owner owner;
    private final Counters counters;
    private final Executor callbacks;
    private final SerialExecutor ordered;
    private final String instanceId;
    private final ByteString sessionToken;
    private final long tickNanos;
    private final long probeNanos;
    private final long helloResendNanos;      // an unanswered Hello is sent again this often
    private final Handshake handshake;
    private final ReliableLink link;
    private final Rpc rpc;
    private ScheduledFuture<?> tick;           // loop-only: the one timer, armed for the next thing due
    private long tickDueNanos = Long.MAX_VALUE;

    private volatile EndpointListener listener = new EndpointListener() {};
    private volatile Hello peerHello;
    private volatile boolean connected;
    private volatile boolean closed;
    private volatile int negotiatedVersion;
    private volatile String peerDescription;
    private volatile long lastRttNanos = -1;
    private final CompletableFuture<Hello> firstHandshake = new CompletableFuture<>();

    // ---- loop-only state
    private Channel ch;
    private boolean sessionClosed;
    private String closeReason;
    private boolean violationLogged;
    private boolean incompatibleOnThisChannel;
    private String lastIncompatible;
    private final Set<String> readPausedFor = new HashSet<>();
    private String peerInstance;
    private long epoch;
    private long peerEpochAtCommit = -1;
    private long lastReadNanos;
    private long handshakeStartNanos;
    private long lastHelloSentNanos;
    private long pingNonce;
    private long pingMark;
    private boolean pingOutstanding;
    private long pingSentNanos;
    private long pingAfterNanos;

    public Session(Config cfg, EventExecutor loop, Owner owner, Counters counters) {
        if (cfg.minVersion() < 1 || cfg.maxVersion() < cfg.minVersion()) {
            throw new IllegalArgumentException("version range " + cfg.minVersion() + ".." + cfg.maxVersion()
                    + " is invalid (need 1 <= min <= max)");
        }
        this.cfg = cfg;
        this.loop = loop;
        this.owner = owner;
        this.counters = counters;
        this.callbacks = cfg.callbackExecutor();
        this.ordered = new SerialExecutor(callbacks);
        byte[] inst = new byte[8];
        RANDOM.nextBytes(inst);
        this.instanceId = HexFormat.of().formatHex(inst);
        byte[] tok = new byte[16];
        RANDOM.nextBytes(tok);
        this.sessionToken = ByteString.copyFrom(tok);
        long ka = cfg.keepaliveInterval().toNanos();
        this.tickNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(5), Math.min(TimeUnit.MILLISECONDS.toNanos(50), ka / 10));
        this.probeNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(20), Math.min(TimeUnit.MILLISECONDS.toNanos(500), ka / 4));
        this.helloResendNanos = Math.min(ka, TimeUnit.SECONDS.toNanos(2));
        this.handshake = new Handshake(RANDOM.nextInt(1 << 20));
        this.link = new ReliableLink(new ReliableLink.Upper() {
            @Override
            public void deliver(Envelope env) {
                rpc.deliver(env);
            }

            @Override
            public void abandoned(ReliableLink.Outbound o, String why) {
                rpc.abandoned(o, why);
            }

            @Override
            public void pumped() {
                rpc.onPumped();
            }

            @Override
            public void timerNeeded() {
                armTick(tickNanos);
            }
        }, counters, this::now, cfg.software());
        this.rpc = new Rpc(loop, link, new Rpc.ReadGate() {
            @Override
            public void pause(String reason) {
                pauseReading(reason);
            }

            @Override
            public void resume(String reason) {
                resumeReading(reason);
            }
        }, callbacks, ordered, cfg.software(), cfg.maxFrameBytes());
        this.pingAfterNanos = nextPingInterval();
    }

    // ------------------------------------------------------------------ any thread

    public String instanceId() {
        return instanceId;
    }

    public void setRequestHandler(RequestHandler handler) {
        rpc.setRequestHandler(handler);
    }

    public void setEventSink(EventSink sink) {
        rpc.setEventSink(sink);
    }

    public void setListener(EndpointListener listener) {
        this.listener = listener == null ? new EndpointListener() {} : listener;
    }

    public Optional<Hello> peerHello() {
        return Optional.ofNullable(peerHello);
    }

    public boolean isConnected() {
        return connected;
    }

    public boolean isClosed() {
        return closed;
    }

    public int negotiatedVersion() {
        return negotiatedVersion;
    }

    /** Last keepalive round trip, or -1 before the first. */
    public long lastRttNanos() {
        return lastRttNanos;
    }

    public EventExecutor loop() {
        return loop;
    }

    public CompletableFuture<Hello> firstHandshake() {
        return firstHandshake;
    }

    /** Sends a request; see {@code VmcEndpoint.call}. Any thread. */
    public CompletableFuture<Response> call(Request request, Duration deadline) {
        return rpc.call(request, deadline);
    }

    /** Queues an event; false if the queue is full or the session closed. Any thread. */
    public boolean sendEvent(Event event) {
        return rpc.sendEvent(event);
    }

    /** Ends the session: Goodbye to the peer, pending calls fail. Any thread. */
    public CompletableFuture<Void> close(String why) {
        closed = true;
        rpc.markClosed();
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (loop.isShuttingDown()) {
            done.complete(null);
            return done;
        }
        try {
            loop.execute(() -> {
                ChannelFuture gone = null;
                try {
                    gone = closeOnLoop(why);
                } finally {
                    if (gone == null) {
                        done.complete(null);
                    } else {
                        gone.addListener(f -> done.complete(null)); // the peer read our Goodbye (or the linger ended)
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            done.complete(null);
        }
        return done;
    }

    /** Fails the future returned by {@code start()} (off the loop). Any thread. */
    public void failFirstHandshake(Throwable t) {
        if (!firstHandshake.isDone()) {
            callbacks.execute(() -> firstHandshake.completeExceptionally(t));
        }
    }

    /** Extra words identifying the peer in logs, e.g. its unix credentials. Any thread. */
    public void setPeerDescription(String description) {
        this.peerDescription = description;
    }

    /** For logs: this side, and the peer once known. Any thread. */
    public String label() {
        Hello p = peerHello;
        Channel c = ch;
        String remote = c == null || c.remoteAddress() == null ? "" : c.remoteAddress().toString();
        String where = (remote.isEmpty() ? "" : " " + remote) + (peerDescription == null ? "" : " (" + peerDescription + ")");
        return cfg.software() + where + (p == null ? "" : " <-> " + p.getSoftware() + " " + p.getInstanceId());
    }

    // ------------------------------------------------------------------ loop: channel events

    /** A new channel for this session (the first, a reconnection, or one replacing the current). */
    public void attach(Channel channel) {
        if (sessionClosed) {
            channel.close();
            return;
        }
        if (ch != null && ch != channel) {
            Channel old = ch;
            log.info("{}: a new peer connection replaces the current one", label());
            ch = null;
            goodbyeAndClose(old, Goodbye.newBuilder()
                    .setReason(Goodbye.Reason.REPLACED).setMessage("another connection took over this session").build());
            if (connected) {
                connected = false;
                String why = "replaced by a new connection";
                ordered.execute(() -> listener.onDisconnected(why));
            }
        }
        ch = channel;
        closeReason = null;
        violationLogged = false;
        incompatibleOnThisChannel = false;
        pingOutstanding = false;
        readPausedFor.remove(Rpc.PEER_NOT_READING);
        if (!readPausedFor.isEmpty()) {
            channel.config().setAutoRead(false);
        }
        lastReadNanos = now();
        link.attach(channel);
        handshakeStartNanos = now();
        sendHello(handshake.begin(facts()));
    }

    public void detach(Channel channel) {
        if (channel != ch) {
            return;
        }
        String why = closeReason != null ? closeReason : "the peer closed the connection";
        ch = null;
        link.detach();
        handshake.detach();
        boolean wasConnected = connected;
        connected = false;
        if (sessionClosed) {
            return;
        }
        if (wasConnected) {
            log.info("{}: disconnected: {}", label(), why);
            ordered.execute(() -> listener.onDisconnected(why));
        }
        owner.detached(channel, why);
    }

    /** Why the current channel is being closed, if this side closed it (event loop only); null otherwise. */
    public String closeReason() {
        return closeReason;
    }

    /** Closes the channel (not the session), recording why for the disconnect report. */
    public void closeChannel(Channel channel, String why) {
        if (channel == ch && closeReason == null) {
            closeReason = why;
        }
        channel.close();
    }

    /** Logs a wire violation once per channel, then closes it. */
    public void protocolViolation(Channel channel, Throwable cause) {
        if (channel == ch && !violationLogged) {
            violationLogged = true;
            log.warn("{}: protocol violation, closing the connection: {}", label(), cause.getMessage());
        }
        if (channel == ch && closeReason == null) {
            closeReason = "protocol violation: " + cause.getMessage();
        }
        goodbyeAndClose(channel, Goodbye.newBuilder()
                .setReason(Goodbye.Reason.PROTOCOL_VIOLATION).setMessage(String.valueOf(cause.getMessage())).build());
    }

    public void onWritable(Channel channel) {
        if (channel == ch && channel.isWritable()) {
            link.pump();
        }
    }

    public void onReadComplete(Channel channel) {
        if (channel == ch && link.isOpen()) {
            link.onReadComplete();
        }
    }

    public void onEnvelope(Channel channel, Envelope env) {
        if (channel != ch || sessionClosed) {
            return;
        }
        lastReadNanos = now();
        try {
            handleEnvelope(env);
        } finally {
            rearm(); // what this envelope changed (a commit, a pong, an ack) may move the next deadline
        }
    }

    private void rearm() {
        long due = nextDueNanos();
        if (due != Long.MAX_VALUE) {
            armTick(Math.max(tickNanos, due - now()));
        }
    }

    private void handleEnvelope(Envelope env) {
        switch (env.getBodyCase()) {
            case HELLO -> {
                onHello(env.getHello());
                return;
            }
            case GOODBYE -> {
                onGoodbye(env.getGoodbye());
                return;
            }
            case BODY_NOT_SET -> {
                return; // a link-level message from a newer peer: ignore
            }
            default -> {
                if (handshake.state() != Handshake.State.ESTABLISHED) {
                    // The peer is established but has not read this attempt's Hello (it may have
                    // been lost while the channel changed hands): send it again, at most once
                    // per probe period. What it sends meanwhile is replayed after the handshake.
                    if (now() - lastHelloSentNanos >= probeNanos) {
                        sendHello(handshake.initiation());
                    }
                    return;
                }
            }
        }
        link.onAck(env.getAck());
        switch (env.getBodyCase()) {
            case PING -> link.writeLink(link.withAck().setPong(Pong.newBuilder()
                    .setNonce(env.getPing().getNonce()).setSentNanos(env.getPing().getSentNanos())).build());
            case PONG -> {
                if (pingOutstanding && env.getPong().getNonce() == pingNonce) {
                    pingOutstanding = false;
                    lastRttNanos = now() - pingSentNanos;
                    if (env.getAck() < pingMark) {
                        link.retransmit(env.getAck(), "the peer's ack lags behind what was sent before the ping");
                    }
                }
            }
            case ACK_ONLY -> {
                if (env.getAckOnly().getResend()) {
                    link.retransmit(env.getAck(), "the peer saw a gap");
                }
            }
            case REQUEST, RESPONSE, EVENT -> link.onReliable(env);
            default -> { }
        }
    }

    // ------------------------------------------------------------------ loop: handshake

    /** This side's Hello without id and in_reply_to: identity, versions and the stream facts. */
    private Hello facts() {
        return link.facts(Hello.newBuilder()
                .setMinVersion(cfg.minVersion())
                .setMaxVersion(cfg.maxVersion())
                .addAllCapabilities(cfg.capabilities())
                .setSoftware(cfg.software())
                .setInstanceId(instanceId)
                .setRole(cfg.role())
                .setSessionToken(sessionToken)
                .setEpoch(epoch)
                .setMaxFrameBytes(cfg.maxFrameBytes()))
                .build();
    }

    private void sendHello(Hello h) {
        lastHelloSentNanos = now();
        link.writeLink(Envelope.newBuilder().setHello(h).build());
        ch.flush();
        rearm();
    }

    private void onHello(Hello h) {
        if (h.getMaxVersion() == 0 || h.getMinVersion() > h.getMaxVersion()) {
            throw new VmcProtocolException("Hello carries an invalid version range " + h.getMinVersion() + ".."
                    + h.getMaxVersion() + " (need 1 <= min <= max)");
        }
        if (h.getInstanceId().isEmpty()) {
            throw new VmcProtocolException("Hello carries no instance_id");
        }
        if (Math.max(cfg.minVersion(), h.getMinVersion()) > Math.min(cfg.maxVersion(), h.getMaxVersion())) {
            Goodbye g = Goodbye.newBuilder().setReason(Goodbye.Reason.VERSION_INCOMPATIBLE)
                    .setMessage("no common protocol version: " + cfg.software() + " speaks vmc.v1 versions "
                            + cfg.minVersion() + ".." + cfg.maxVersion() + ", the peer " + h.getSoftware()
                            + " speaks " + h.getMinVersion() + ".." + h.getMaxVersion())
                    .build();
            reportIncompatible(g);
            closeReason = "incompatible: " + g.getMessage();
            goodbyeAndClose(ch, g);
            return;
        }
        Hello mine = handshake.state() == Handshake.State.WAITING ? handshake.initiation() : null;
        Handshake.Step step = handshake.receive(h, this::facts);
        if (step instanceof Handshake.Step.Send send) {
            sendHello(send.hello());
        } else if (step instanceof Handshake.Step.Commit commit) {
            if (commit.confirm() != null) {
                link.writeLink(Envelope.newBuilder().setHello(commit.confirm()).build()); // before any reliable message
            }
            commit(mine, commit.peer());
        } else if (step instanceof Handshake.Step.Restart restart) {
            // The peer began a new attempt (it reconnected, or restarted, on a channel that never
            // looked closed here): freeze the streams and handshake again; nothing fails yet.
            log.debug("{}: the peer {} began a new handshake; handshaking again", label(), h.getInstanceId());
            link.freeze();
            handshakeStartNanos = now();
            sendHello(restart.initiation());
        } else if (step instanceof Handshake.Step.Ignore ignore) {
            log.debug("{}: Hello {} from {} ignored: {}", label(), h.getHelloId(), h.getInstanceId(), ignore.why());
        }
    }

    /** Applies the resume rules to both streams, on this attempt's facts and the peer's. */
    private void commit(Hello mine, Hello peer) {
        ResumeRules.Direction out = ResumeRules.decide(mine, peer);
        ResumeRules.Direction in = ResumeRules.decide(peer, mine);
        String oldPeer = peerInstance;
        boolean restarted = oldPeer != null && !oldPeer.equals(peer.getInstanceId());
        String why = restarted
                ? "the peer restarted (instance " + oldPeer + " is now " + peer.getInstanceId() + ")"
                : "the peer did not resume the session";
        // The peer has committed nothing since the Hello we last committed on: nothing we sent it
        // since was delivered, so a reset stream resends it rather than giving it up.
        boolean undelivered = !link.peerSession().isEmpty() && peer.getSessionToken().equals(link.peerSession())
                && peer.getEpoch() == peerEpochAtCommit;
        link.commit(peer, out, in, undelivered, why);
        if (!in.continues()) {
            rpc.forgetInbound();
            rpc.failDelivered(why);
        }
        boolean resumed = out.continues() && in.continues() && oldPeer != null;
        int version = Math.min(cfg.maxVersion(), peer.getMaxVersion());
        peerInstance = peer.getInstanceId();
        peerEpochAtCommit = peer.getEpoch();
        epoch++;
        peerHello = peer;
        negotiatedVersion = version;
        rpc.setVersion(version);
        connected = true;
        lastIncompatible = null;
        counters.handshakes.increment();
        if (resumed) {
            counters.resumes.increment();
        }
        log.info("{}: connected to {} {} (instance {}), protocol v{}, {}", label(), peer.getRole(), peer.getSoftware(),
                peer.getInstanceId(), version, resumed ? "session resumed" : "new session");
        ordered.execute(() -> listener.onConnected(peer, resumed));
        owner.established(peer, resumed);
        if (!firstHandshake.isDone()) {
            callbacks.execute(() -> firstHandshake.complete(peer));
        }
        link.open();
    }

    private void reportIncompatible(Goodbye g) {
        if (incompatibleOnThisChannel) {
            return;
        }
        incompatibleOnThisChannel = true;
        // Reported once per endpoint and peer software, not on every reconnect attempt.
        if (!g.getMessage().equals(lastIncompatible)) {
            lastIncompatible = g.getMessage();
            log.warn("{}: {}", label(), g.getMessage());
            ordered.execute(() -> listener.onIncompatible(g));
            owner.incompatible(g);
            failFirstHandshake(new VmcTransportException(Error.Code.UNAVAILABLE, g.getMessage()));
        }
    }

    private void onGoodbye(Goodbye g) {
        switch (g.getReason()) {
            case VERSION_INCOMPATIBLE -> reportIncompatible(g);
            case SHUTDOWN -> {
                // The peer instance is going away: nothing sent to it will be answered.
                String why = "the peer shut down (" + g.getMessage() + ")";
                rpc.failDelivered(why);
                link.dropInFlight("got no response: " + why);
            }
            case PROTOCOL_VIOLATION -> log.warn("{}: the peer reports a protocol violation by this side: {}", label(), g.getMessage());
            default -> { }
        }
        closeChannel(ch, "the peer said goodbye (" + g.getReason() + "): " + g.getMessage());
    }

    /**
     * Writes the Goodbye, then half-closes: the peer reads everything up to it before it sees the
     * end. Closing at once would let a write the peer makes meanwhile fail ("broken pipe"), and the
     * peer would drop the connection with our last messages still unread (a closing agentd's
     * CloseSession calls). Fully closed when the peer closes, or after {@link #GOODBYE_LINGER_MS}.
     */
    private static ChannelFuture goodbyeAndClose(Channel c, Goodbye g) {
        if (!c.isActive()) {
            return c.close();
        }
        c.writeAndFlush(Envelope.newBuilder().setGoodbye(g).build()).addListener(f -> {
            if (f.isSuccess() && c instanceof DuplexChannel d) {
                d.shutdownOutput();
                c.eventLoop().schedule(() -> c.close(), GOODBYE_LINGER_MS, TimeUnit.MILLISECONDS);
            } else {
                c.close();
            }
        });
        return c.closeFuture();
    }

    /** How long a half-closed connection waits for the peer to read our Goodbye and close. */
    static final long GOODBYE_LINGER_MS = 2000;

    // ------------------------------------------------------------------ loop: flow control of reads

    private void pauseReading(String reason) {
        if (readPausedFor.add(reason) && ch != null) {
            ch.config().setAutoRead(false);
            log.debug("{}: reading paused: {}", label(), reason);
        }
    }

    private void resumeReading(String reason) {
        if (readPausedFor.remove(reason) && readPausedFor.isEmpty() && ch != null) {
            ch.config().setAutoRead(true);
            ch.read();
        }
    }

    // ------------------------------------------------------------------ loop: timers

    /**
     * The session's one timer runs only when something is due: while idle it wakes for the next
     * keepalive or dead-peer check, not periodically, so an idle link costs (almost) no CPU.
     */
    private void tick() {
        tick = null;
        tickDueNanos = Long.MAX_VALUE;
        if (ch == null || sessionClosed) {
            return; // attach() arms it again
        }
        runTimers(now());
        rearm();
    }

    /** Arms the timer to fire in {@code delayNanos} unless it is already due sooner. Loop only. */
    private void armTick(long delayNanos) {
        if (sessionClosed) {
            return;
        }
        long due = now() + delayNanos;
        if (due >= tickDueNanos) {
            return;
        }
        if (tick != null) {
            tick.cancel(false);
        }
        tickDueNanos = due;
        tick = loop.schedule(this::tick, delayNanos, TimeUnit.NANOSECONDS);
    }

    /** When the timer must next run (loop clock), or {@code Long.MAX_VALUE} if nothing waits on it. */
    private long nextDueNanos() {
        if (ch == null || sessionClosed) {
            return Long.MAX_VALUE;
        }
        long ka = cfg.keepaliveInterval().toNanos();
        if (handshake.state() == Handshake.State.WAITING) {
            return Math.min(handshakeStartNanos + cfg.deadAfter().toNanos() + 1, lastHelloSentNanos + helloResendNanos);
        }
        if (handshake.state() != Handshake.State.ESTABLISHED) {
            return Long.MAX_VALUE;
        }
        long due = Math.min(lastReadNanos + cfg.deadAfter().toNanos() + 1, lastReadNanos + pingAfterNanos);
        if (link.hasInFlight() && !pingOutstanding) {
            due = Math.min(due, link.lastProgressNanos() + probeNanos);
        }
        if (pingOutstanding) {
            due = Math.min(due, pingSentNanos + ka);
        }
        if (link.ackOwed()) {
            due = Math.min(due, now() + tickNanos);
        }
        return due;
    }

    /** Keepalive pings go out when nothing was heard for 75-100 % of the interval: the jitter makes
     *  one side ping and the other answer, instead of both pinging at the same moment. */
    private long nextPingInterval() {
        long ka = cfg.keepaliveInterval().toNanos();
        return ka - (long) (RANDOM.nextDouble() * ka / 4);
    }

    private void runTimers(long now) {
        long dead = cfg.deadAfter().toNanos();
        if (handshake.state() == Handshake.State.WAITING) {
            if (now - handshakeStartNanos > dead) {
                closeChannel(ch, "no Hello from the peer within " + cfg.deadAfter().toMillis() + " ms");
            } else if (now - lastHelloSentNanos >= helloResendNanos) {
                sendHello(handshake.initiation()); // ours may have been lost (a virtio port drops writes while the host is away)
            }
            return;
        }
        if (handshake.state() != Handshake.State.ESTABLISHED) {
            return;
        }
        if (now - lastReadNanos > dead && !rpc.readPausedForEvents()) {
            closeChannel(ch, "keepalive: nothing received from the peer for " + TimeUnit.NANOSECONDS.toMillis(now - lastReadNanos)
                    + " ms (limit " + cfg.deadAfter().toMillis() + " ms)");
            return;
        }
        if ((now - lastReadNanos >= pingAfterNanos && !pingOutstanding)
                || (link.hasInFlight() && !pingOutstanding && now - link.lastProgressNanos() >= probeNanos)) {
            pingAfterNanos = nextPingInterval();
            pingNonce++;
            pingMark = link.lastSentSeq();
            pingOutstanding = true;
            pingSentNanos = now;
            link.writeLink(link.withAck().setPing(Ping.newBuilder().setNonce(pingNonce).setSentNanos(now)).build());
            ch.flush();
        } else if (pingOutstanding && now - pingSentNanos >= cfg.keepaliveInterval().toNanos()) {
            pingOutstanding = false; // lost with the tail it was probing; the next tick probes again
        }
        link.ackIfOwed(now, tickNanos);
    }

    /** Returns the closing channel's close future, or null if there was none. */
    private ChannelFuture closeOnLoop(String why) {
        if (sessionClosed) {
            return null;
        }
        sessionClosed = true;
        closed = true;
        connected = false;
        if (tick != null) {
            tick.cancel(false);
            tick = null;
        }
        Channel c = ch;
        ch = null;
        link.detach();
        handshake.detach();
        ChannelFuture gone = null;
        if (c != null) {
            gone = goodbyeAndClose(c, Goodbye.newBuilder().setReason(Goodbye.Reason.SHUTDOWN).setMessage(why).build());
        }
        rpc.close(why);
        link.clear("abandoned: " + why);
        failFirstHandshake(new VmcTransportException(Error.Code.UNAVAILABLE, "closed before connecting: " + why));
        return gone;
    }

    /** Fails calls that wait for a channel, and all later ones (endpoints that do not reconnect). Loop only. */
    public void failWaiting(String why) {
        rpc.failWaiting(why);
    }

    private long now() {
        return loop.ticker().nanoTime();
    }
}
