package io.vmc.transport.internal;

import com.google.protobuf.ByteString;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.vmc.transport.EndpointListener;
import io.vmc.transport.EventSink;
import io.vmc.transport.RequestHandler;
import io.vmc.transport.TransportLimits;
import io.vmc.transport.VmcProtocolException;
import io.vmc.transport.VmcTransportException;
import io.vmc.transport.proto.Ack;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One logical vmc.v1 session: handshake, sequence numbers and acknowledgements, the replay buffer,
 * request/response correlation, keepalive. It outlives channels: an endpoint attaches each new
 * channel to the same session, and the handshake decides whether the session resumes.
 *
 * <p>Threading: every field without {@code volatile}/atomic is touched only on {@link #loop}.
 * Public methods marked "any thread" hop onto the loop. Application code (handler, sink,
 * listener, future completions) runs on the callback executor, never on the loop.
 */
public final class Session {
    private static final Logger log = LoggerFactory.getLogger(Session.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Room for seq, ack and envelope tags around a body, so a body that fits is never too big. */
    private static final int ENVELOPE_OVERHEAD = 32;
    /** Acknowledge at once after this many unacknowledged messages (else within one tick). */
    private static final int ACK_EVERY_MESSAGES = 32;

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

    private enum State { DETACHED, HELLO_SENT, ESTABLISHED, CLOSED }

    private static final class Out {
        final Envelope template;
        final int size;
        final Pending pending;
        final boolean admitted;
        long seq;

        Out(Envelope template, int size, Pending pending, boolean admitted) {
            this.template = template;
            this.size = size;
            this.pending = pending;
            this.admitted = admitted;
        }
    }

    private static final class Pending {
        final long id;
        final String method;
        final CallFuture<Response> future;
        Out out;
        ScheduledFuture<?> timer;

        Pending(long id, String method, CallFuture<Response> future) {
            this.id = id;
            this.method = method;
            this.future = future;
        }
    }

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

    private volatile RequestHandler handler;
    private volatile EventSink sink;
    private volatile EndpointListener listener = new EndpointListener() {};
    private volatile Hello peerHello;
    private volatile boolean connected;
    private volatile boolean closed;
    private volatile int negotiatedVersion;
    private volatile String unavailable;
    private volatile String peerDescription;

    private final AtomicLong nextRequestId = new AtomicLong();
    private final AtomicInteger queuedMessages = new AtomicInteger();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicInteger pendingEvents = new AtomicInteger();
    private volatile boolean readPausedForEvents;
    private final CompletableFuture<Hello> firstHandshake = new CompletableFuture<>();

    // ---- loop-only state
    private Channel ch;
    private State state = State.DETACHED;
    private String closeReason;
    private boolean violationLogged;
    private boolean incompatibleOnThisChannel;
    private String lastIncompatible;
    private Hello sentHello;
    private String peerInstance;
    private ByteString peerToken = ByteString.EMPTY;
    private long nextSeq = 1;
    private long recvSeq;
    private long lastAckSent;
    private long ackOwedSinceNanos = -1;
    private final ArrayDeque<Out> inFlight = new ArrayDeque<>();
    private final ArrayDeque<Out> unsent = new ArrayDeque<>();
    private long inFlightBytes;
    private final Map<Long, Pending> pending = new HashMap<>();
    private int inboundRequests;
    private long inboundGeneration;
    private boolean gapReported;
    private boolean ackForced;
    private boolean readPausedForOutbound;
    private long lastReadNanos;
    private long lastWriteNanos;
    private long handshakeStartNanos;
    private long lastHelloSentNanos;
    private long helloCounter = RANDOM.nextInt(1 << 20);
    private long lastProgressNanos;
    private long pingNonce;
    private long pingMark;
    private boolean pingOutstanding;
    private long pingSentNanos;
    private volatile long lastRttNanos = -1;
    private final ScheduledFuture<?> tick;

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
        this.probeNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(20), ka / 4);
        this.tick = loop.scheduleAtFixedRate(this::tick, tickNanos, tickNanos, TimeUnit.NANOSECONDS);
    }

    // ------------------------------------------------------------------ any thread

    public String instanceId() {
        return instanceId;
    }

    public void setRequestHandler(RequestHandler handler) {
        this.handler = handler;
    }

    public void setEventSink(EventSink sink) {
        this.sink = sink;
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
        CallFuture<Response> f = new CallFuture<>(callbacks);
        if (closed) {
            f.completeExceptionally(new VmcTransportException(Error.Code.UNAVAILABLE, "the endpoint is closed"));
            return f;
        }
        String down = unavailable;
        if (down != null) {
            f.completeExceptionally(new VmcTransportException(Error.Code.UNAVAILABLE, down));
            return f;
        }
        long deadlineMillis = Math.max(1, Math.min(Integer.MAX_VALUE, deadline.toMillis()));
        long id = nextRequestId.incrementAndGet();
        Request r = request.toBuilder().setId(id).setDeadlineMs((int) deadlineMillis).build();
        Envelope template = Envelope.newBuilder().setRequest(r).build();
        int size = template.getSerializedSize();
        String method = request.getMethodCase().name().toLowerCase(java.util.Locale.ROOT);
        if (size + ENVELOPE_OVERHEAD > cfg.maxFrameBytes()) {
            f.completeExceptionally(new VmcTransportException(Error.Code.INVALID_ARGUMENT, "request " + method
                    + " is " + size + " bytes serialized, more than the frame limit allows (" + cfg.maxFrameBytes() + ")"));
            return f;
        }
        String full = admit(size);
        if (full != null) {
            f.completeExceptionally(new VmcTransportException(Error.Code.RESOURCE_EXHAUSTED, full));
            return f;
        }
        Pending p = new Pending(id, method, f);
        p.out = new Out(template, size, p, true);
        loop.execute(() -> enqueueCall(p, deadlineMillis));
        return f;
    }

    /** Queues an event; false if the queue is full or the session closed. Any thread. */
    public boolean sendEvent(Event event) {
        if (closed) {
            return false;
        }
        Envelope template = Envelope.newBuilder().setEvent(event).build();
        int size = template.getSerializedSize();
        if (size + ENVELOPE_OVERHEAD > cfg.maxFrameBytes()) {
            throw new IllegalArgumentException("event " + event.getKindCase() + " is " + size
                    + " bytes serialized, more than the frame limit allows (" + cfg.maxFrameBytes() + ")");
        }
        String full = admit(size);
        if (full != null) {
            log.debug("event dropped: {}", full);
            return false;
        }
        Out o = new Out(template, size, null, true);
        loop.execute(() -> {
            if (state == State.CLOSED) {
                release(o);
                return;
            }
            unsent.addLast(o);
            pump();
        });
        return true;
    }

    private String admit(int size) {
        int n = queuedMessages.incrementAndGet();
        long b = queuedBytes.addAndGet(size);
        if (n > TransportLimits.REPLAY_BUFFER_MESSAGES || b > TransportLimits.REPLAY_BUFFER_BYTES) {
            queuedMessages.decrementAndGet();
            queuedBytes.addAndGet(-size);
            return "outbound queue full: " + (n - 1) + " messages / " + (b - size) + " bytes waiting for the peer"
                    + " (limits " + TransportLimits.REPLAY_BUFFER_MESSAGES + " / " + TransportLimits.REPLAY_BUFFER_BYTES
                    + "); the peer is slow or away";
        }
        return null;
    }

    private void release(Out o) {
        if (o.admitted) {
            queuedMessages.decrementAndGet();
            queuedBytes.addAndGet(-o.size);
        }
    }

    /** Ends the session: Goodbye to the peer, pending calls fail. Any thread. */
    public CompletableFuture<Void> close(String why) {
        closed = true;
        CompletableFuture<Void> done = new CompletableFuture<>();
        Runnable r = () -> {
            try {
                closeOnLoop(why);
            } finally {
                done.complete(null);
            }
        };
        if (loop.isShuttingDown()) {
            done.complete(null);
        } else {
            try {
                loop.execute(r);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                done.complete(null);
            }
        }
        return done;
    }

    // ------------------------------------------------------------------ loop: channel events

    /** A new channel for this session (the first, a reconnection, or one replacing the current). */
    public void attach(Channel channel) {
        if (state == State.CLOSED) {
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
        readPausedForOutbound = false;
        violationLogged = false;
        incompatibleOnThisChannel = false;
        gapReported = false;
        pingOutstanding = false;
        long now = now();
        lastReadNanos = now;
        sendHello();
    }

    public void detach(Channel channel) {
        if (channel != ch) {
            return;
        }
        String why = closeReason != null ? closeReason : "the peer closed the connection";
        ch = null;
        boolean wasConnected = connected;
        connected = false;
        if (state == State.CLOSED) {
            return;
        }
        state = State.DETACHED;
        if (wasConnected) {
            log.info("{}: disconnected: {}", label(), why);
            ordered.execute(() -> listener.onDisconnected(why));
        }
        owner.detached(channel, why);
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
            pump();
        }
    }

    public void onReadComplete(Channel channel) {
        if (channel != ch || state != State.ESTABLISHED) {
            return;
        }
        if (recvSeq - lastAckSent >= ACK_EVERY_MESSAGES || ackForced) {
            ackForced = false;
            sendAck(false);
        }
        channel.flush();
    }

    public void onEnvelope(Channel channel, Envelope env) {
        if (channel != ch || state == State.CLOSED) {
            return;
        }
        lastReadNanos = now();
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
                if (state != State.ESTABLISHED) {
                    // The peer is established but we are not: our Hello reached it, its answer
                    // did not reach us (or is in flight). Ask again, at most once per probe period.
                    if (state == State.HELLO_SENT && now() - lastHelloSentNanos >= probeNanos) {
                        sendHello();
                    }
                    return; // replayed later if the session resumes
                }
            }
        }
        processAck(env.getAck());
        switch (env.getBodyCase()) {
            case PING -> writeLink(ch, Envelope.newBuilder().setAck(recvSeq).setPong(Pong.newBuilder()
                    .setNonce(env.getPing().getNonce()).setSentNanos(env.getPing().getSentNanos())).build());
            case PONG -> {
                if (pingOutstanding && env.getPong().getNonce() == pingNonce) {
                    pingOutstanding = false;
                    lastRttNanos = now() - pingSentNanos;
                    if (env.getAck() < pingMark) {
                        retransmit(env.getAck(), "the peer's ack lags behind what was sent before the ping");
                    }
                }
            }
            case ACK_ONLY -> {
                if (env.getAckOnly().getResend()) {
                    retransmit(env.getAck(), "the peer saw a gap");
                }
            }
            case REQUEST, RESPONSE, EVENT -> onReliable(env);
            default -> { }
        }
    }

    // ------------------------------------------------------------------ loop: handshake

    private void sendHello() {
        sendHello(0);
    }

    private void sendHello(long inReplyTo) {
        Hello h = hello(inReplyTo);
        sentHello = h;
        if (state != State.HELLO_SENT) {
            handshakeStartNanos = now();
        }
        state = State.HELLO_SENT;
        lastHelloSentNanos = now();
        writeLink(ch, Envelope.newBuilder().setHello(h).build());
        ch.flush();
    }

    private Hello hello(long inReplyTo) {
        return Hello.newBuilder()
                .setHelloId(++helloCounter)
                .setInReplyTo(inReplyTo)
                .setMinVersion(cfg.minVersion())
                .setMaxVersion(cfg.maxVersion())
                .addAllCapabilities(cfg.capabilities())
                .setSoftware(cfg.software())
                .setInstanceId(instanceId)
                .setRole(cfg.role())
                .setSessionToken(sessionToken)
                .setResumeToken(peerToken)
                .setLastReceivedSeq(recvSeq)
                .setNextSeq(nextSeq)
                .setOldestSeq(oldestSeq())
                .setMaxFrameBytes(cfg.maxFrameBytes())
                .build();
    }

    private long oldestSeq() {
        return inFlight.isEmpty() ? nextSeq : inFlight.peekFirst().seq;
    }

    private void onHello(Hello h) {
        if (h.getInReplyTo() == 0 && state == State.ESTABLISHED && h.getInstanceId().equals(peerInstance)
                && !h.getResumeToken().isEmpty() && !h.getResumeToken().equals(sessionToken)) {
            // The peer we are established with sent this before it heard of us: it tries to resume a
            // predecessor's session (a Hello left queued in a virtio buffer). Resetting on it would fail
            // our calls; answering it lets a peer that is still waiting complete its handshake.
            writeLink(ch, Envelope.newBuilder().setHello(hello(h.getHelloId())).build());
            ch.flush();
            return;
        }
        if (h.getInReplyTo() != 0) {
            if (state != State.HELLO_SENT || h.getInReplyTo() != sentHello.getHelloId()) {
                return; // an answer to an earlier Hello of ours, superseded
            }
        } else if (state != State.HELLO_SENT) {
            sendHello(h.getHelloId()); // the peer started a new handshake (it restarted, or lost ours): answer it
        }
        if (h.getMaxVersion() == 0 || h.getMinVersion() > h.getMaxVersion()) {
            throw new VmcProtocolException("Hello carries an invalid version range " + h.getMinVersion() + ".."
                    + h.getMaxVersion() + " (need 1 <= min <= max)");
        }
        if (h.getInstanceId().isEmpty()) {
            throw new VmcProtocolException("Hello carries no instance_id");
        }
        int lo = Math.max(cfg.minVersion(), h.getMinVersion());
        int hi = Math.min(cfg.maxVersion(), h.getMaxVersion());
        if (lo > hi) {
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
        Hello mine = sentHello;
        boolean contOut = continues(mine, h);
        boolean contIn = continues(h, mine);
        String oldPeer = peerInstance;
        boolean restarted = oldPeer != null && !oldPeer.equals(h.getInstanceId());
        String why = restarted
                ? "the peer restarted (instance " + oldPeer + " is now " + h.getInstanceId() + ")"
                : "the peer did not resume the session";
        if (contOut) {
            while (!inFlight.isEmpty() && inFlight.peekFirst().seq <= h.getLastReceivedSeq()) {
                dropInFlight(inFlight.pollFirst());
            }
        } else {
            for (Out o : inFlight) {
                release(o);
                if (o.pending != null) {
                    failPending(o.pending, Error.Code.UNAVAILABLE, "request " + o.pending.method + " (id " + o.pending.id
                            + ") was sent but not acknowledged before " + why + "; it may or may not have been processed");
                }
            }
            inFlight.clear();
            inFlightBytes = 0;
        }
        if (!contIn) {
            if (oldPeer != null) {
                // Responses to requests already delivered would come in the peer's old session.
                List<Pending> lost = new ArrayList<>();
                for (Pending p : pending.values()) {
                    if (p.out.seq != 0) {
                        lost.add(p);
                    }
                }
                for (Pending p : lost) {
                    failPending(p, Error.Code.UNAVAILABLE, "request " + p.method + " (id " + p.id
                            + ") got no response before " + why);
                }
            }
            recvSeq = h.getNextSeq() - 1;
            lastAckSent = recvSeq;
            inboundGeneration++;
            inboundRequests = 0;
        }
        boolean resumed = contOut && contIn && oldPeer != null;
        peerInstance = h.getInstanceId();
        peerToken = h.getSessionToken();
        peerHello = h;
        negotiatedVersion = hi;
        state = State.ESTABLISHED;
        connected = true;
        lastIncompatible = null;
        gapReported = false;
        long now = now();
        lastProgressNanos = now;
        counters.handshakes.increment();
        if (resumed) {
            counters.resumes.increment();
        }
        log.info("{}: connected to {} {} (instance {}), protocol v{}, {}", label(), h.getRole(), h.getSoftware(),
                h.getInstanceId(), hi, resumed ? "session resumed" : "new session");
        ordered.execute(() -> listener.onConnected(h, resumed));
        owner.established(h, resumed);
        if (!firstHandshake.isDone()) {
            callbacks.execute(() -> firstHandshake.complete(h));
        }
        if (contOut && !inFlight.isEmpty()) {
            for (Out o : inFlight) {
                writeReliable(o);
                counters.retransmitted.increment();
            }
        }
        pump();
        if (ch != null) {
            ch.flush();
        }
    }

    /**
     * Whether the sender's stream continues into the receiver, decided on the two Hellos alone so
     * that both sides agree: the receiver knows the sender's session (its resume token), or it
     * never completed a handshake at all while the sender completed one with this very receiver
     * (a channel cut before the receiver read the sender's Hello: it delivered nothing, so
     * replaying from the sender's first unacknowledged message loses and duplicates nothing); and
     * the receiver's position lies within what the sender still holds.
     */
    static boolean continues(Hello sender, Hello receiver) {
        boolean knows = !receiver.getResumeToken().isEmpty() && receiver.getResumeToken().equals(sender.getSessionToken());
        boolean neverHeardOfAnyone = receiver.getResumeToken().isEmpty() && receiver.getLastReceivedSeq() == 0
                && !sender.getResumeToken().isEmpty() && sender.getResumeToken().equals(receiver.getSessionToken());
        long next = receiver.getLastReceivedSeq() + 1;
        return (knows || neverHeardOfAnyone) && next >= sender.getOldestSeq() && next <= sender.getNextSeq();
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
                List<Pending> lost = new ArrayList<>();
                for (Pending p : pending.values()) {
                    if (p.out.seq != 0) {
                        lost.add(p);
                    }
                }
                for (Pending p : lost) {
                    failPending(p, Error.Code.UNAVAILABLE, "request " + p.method + " (id " + p.id
                            + ") got no response: the peer shut down (" + g.getMessage() + ")");
                }
                for (Out o : inFlight) {
                    release(o);
                }
                inFlight.clear();
                inFlightBytes = 0;
                peerToken = ByteString.EMPTY;
            }
            case PROTOCOL_VIOLATION -> log.warn("{}: the peer reports a protocol violation by this side: {}", label(), g.getMessage());
            default -> { }
        }
        closeChannel(ch, "the peer said goodbye (" + g.getReason() + "): " + g.getMessage());
    }

    // ------------------------------------------------------------------ loop: reliable delivery

    private void onReliable(Envelope env) {
        long seq = env.getSeq();
        if (seq == 0) {
            throw new VmcProtocolException(env.getBodyCase() + " without a sequence number");
        }
        if (seq <= recvSeq) {
            counters.duplicatesDropped.increment();
            ackForced = true;
            return;
        }
        if (seq > recvSeq + 1) {
            if (!gapReported) {
                gapReported = true;
                log.debug("{}: gap: expected seq {}, got {}; asking for a resend", label(), recvSeq + 1, seq);
                sendAck(true);
            }
            return;
        }
        recvSeq = seq;
        gapReported = false;
        owe();
        switch (env.getBodyCase()) {
            case REQUEST -> onRequest(env.getRequest());
            case RESPONSE -> onResponse(env.getResponse());
            case EVENT -> onEvent(env.getEvent());
            default -> throw new IllegalStateException();
        }
    }

    private void owe() {
        if (ackOwedSinceNanos < 0) {
            ackOwedSinceNanos = now();
        }
    }

    private void processAck(long ack) {
        if (ack >= nextSeq) {
            if (ack > nextSeq - 1) {
                log.debug("{}: the peer acknowledges seq {} but only {} was sent; ignored", label(), ack, nextSeq - 1);
            }
            ack = nextSeq - 1;
        }
        boolean progress = false;
        while (!inFlight.isEmpty() && inFlight.peekFirst().seq <= ack) {
            dropInFlight(inFlight.pollFirst());
            progress = true;
        }
        if (progress) {
            lastProgressNanos = now();
            pump();
        }
    }

    private void dropInFlight(Out o) {
        inFlightBytes -= o.size;
        release(o);
    }

    private void retransmit(long after, String why) {
        int n = 0;
        for (Out o : inFlight) {
            if (o.seq > after) {
                writeReliable(o);
                n++;
            }
        }
        if (n > 0) {
            counters.retransmitted.add(n);
            log.debug("{}: resent {} messages after seq {}: {}", label(), n, after, why);
            lastProgressNanos = now();
            ch.flush();
        }
    }

    private void pump() {
        if (state != State.ESTABLISHED || ch == null) {
            return;
        }
        boolean wrote = false;
        Hello peer = peerHello;
        int peerMax = peer == null || peer.getMaxFrameBytes() == 0 ? TransportLimits.MAX_FRAME_BYTES : peer.getMaxFrameBytes();
        while (!unsent.isEmpty() && ch.isWritable()) {
            Out o = unsent.peekFirst();
            if (!inFlight.isEmpty() && inFlightBytes + o.size > TransportLimits.MAX_BYTES_IN_FLIGHT) {
                break;
            }
            unsent.pollFirst();
            if (o.size + ENVELOPE_OVERHEAD > peerMax) {
                release(o);
                if (o.pending != null) {
                    failPending(o.pending, Error.Code.INVALID_ARGUMENT, "request " + o.pending.method + " is " + o.size
                            + " bytes, more than the peer accepts (" + peerMax + ")");
                } else {
                    log.warn("{}: dropped a {}-byte message larger than the peer accepts ({})", label(), o.size, peerMax);
                }
                continue;
            }
            o.seq = nextSeq++;
            if (inFlight.isEmpty()) {
                lastProgressNanos = now();
            }
            inFlight.addLast(o);
            inFlightBytes += o.size;
            writeReliable(o);
            wrote = true;
        }
        if (wrote) {
            ch.flush();
        }
        if (readPausedForOutbound && unsent.size() <= TransportLimits.REPLAY_BUFFER_MESSAGES / 2) {
            readPausedForOutbound = false;
            if (!readPausedForEvents) {
                ch.config().setAutoRead(true);
                ch.read();
            }
        }
    }

    private void writeReliable(Out o) {
        Envelope e = o.template.toBuilder().setSeq(o.seq).setAck(recvSeq).build();
        ch.write(e, ch.voidPromise());
        lastAckSent = recvSeq;
        ackOwedSinceNanos = -1;
        lastWriteNanos = now();
    }

    private static void goodbyeAndClose(Channel c, Goodbye g) {
        if (c.isActive()) {
            c.writeAndFlush(Envelope.newBuilder().setGoodbye(g).build()).addListener(ChannelFutureListener.CLOSE);
        } else {
            c.close();
        }
    }

    private void writeLink(Channel c, Envelope e) {
        c.write(e, c.voidPromise());
        if (c == ch) {
            lastWriteNanos = now();
            if (e.getAck() == recvSeq && !e.hasHello()) {
                lastAckSent = recvSeq;
                ackOwedSinceNanos = -1;
            }
        }
    }

    private void sendAck(boolean resend) {
        if (ch == null) {
            return;
        }
        writeLink(ch, Envelope.newBuilder().setAck(recvSeq)
                .setAckOnly(resend ? Ack.newBuilder().setResend(true).build() : Ack.getDefaultInstance()).build());
    }

    // ------------------------------------------------------------------ loop: requests, responses, events

    private void enqueueCall(Pending p, long deadlineMillis) {
        if (state == State.CLOSED) {
            release(p.out);
            complete(p.future, null, new VmcTransportException(Error.Code.UNAVAILABLE, "the endpoint is closed"));
            return;
        }
        pending.put(p.id, p);
        p.timer = loop.schedule(() -> expire(p, deadlineMillis), deadlineMillis, TimeUnit.MILLISECONDS);
        unsent.addLast(p.out);
        pump();
    }

    private void expire(Pending p, long deadlineMillis) {
        if (pending.remove(p.id) == null) {
            return;
        }
        if (p.out.seq == 0 && unsent.remove(p.out)) {
            release(p.out);
        }
        String where = p.out.seq == 0 ? "it was never sent: " + (connected ? "the peer is not taking data" : "not connected")
                : connected ? "the peer did not answer" : "the channel is down";
        complete(p.future, null, new VmcTransportException(Error.Code.DEADLINE_EXCEEDED,
                "no response to " + p.method + " (id " + p.id + ") within " + deadlineMillis + " ms; " + where));
    }

    private void failPending(Pending p, Error.Code code, String message) {
        pending.remove(p.id);
        if (p.timer != null) {
            p.timer.cancel(false);
        }
        complete(p.future, null, new VmcTransportException(code, message));
    }

    private static void complete(CallFuture<Response> f, Response r, Throwable t) {
        f.publish(r, t);
    }

    private void onResponse(Response r) {
        Pending p = pending.remove(r.getId());
        if (p == null) {
            log.debug("{}: response to unknown or expired request id {}", label(), r.getId());
            return;
        }
        if (p.timer != null) {
            p.timer.cancel(false);
        }
        complete(p.future, r, null);
    }

    private void onRequest(Request r) {
        RequestHandler h = handler;
        if (r.getMethodCase() == Request.MethodCase.METHOD_NOT_SET) {
            respond(r.getId(), error(Error.Code.UNIMPLEMENTED, "method not known to " + cfg.software()
                    + " (protocol v" + negotiatedVersion + ")"));
            return;
        }
        if (h == null) {
            respond(r.getId(), error(Error.Code.UNIMPLEMENTED, cfg.software() + " serves no requests"));
            return;
        }
        if (inboundRequests >= TransportLimits.MAX_CONCURRENT_INBOUND_REQUESTS) {
            respond(r.getId(), error(Error.Code.RESOURCE_EXHAUSTED, inboundRequests
                    + " requests already in progress (limit " + TransportLimits.MAX_CONCURRENT_INBOUND_REQUESTS + ")"));
            return;
        }
        inboundRequests++;
        long gen = inboundGeneration;
        BusyPoll.expect();
        callbacks.execute(() -> {
            CompletableFuture<Response> f;
            try {
                f = h.handle(r);
                if (f == null) {
                    f = CompletableFuture.failedFuture(new NullPointerException("request handler returned null"));
                }
            } catch (RuntimeException | java.lang.Error e) {
                f = CompletableFuture.failedFuture(e);
            }
            f.whenComplete((resp, err) -> loop.execute(() -> onHandled(gen, r, resp, err)));
        });
    }

    private void onHandled(long gen, Request r, Response resp, Throwable err) {
        BusyPoll.arrived();
        if (gen != inboundGeneration || state == State.CLOSED) {
            return; // for a previous peer session
        }
        inboundRequests--;
        Response out;
        if (err != null) {
            Throwable c = err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
            log.debug("{}: request handler failed for {}", label(), r.getMethodCase(), c);
            out = error(Error.Code.INTERNAL, r.getMethodCase().name().toLowerCase(java.util.Locale.ROOT)
                    + " failed: " + c);
        } else {
            out = resp;
        }
        respond(r.getId(), out);
    }

    private static Response error(Error.Code code, String message) {
        return Response.newBuilder().setError(Error.newBuilder().setCode(code).setMessage(message)).build();
    }

    private void respond(long id, Response r) {
        Envelope template = Envelope.newBuilder().setResponse(r.toBuilder().setId(id)).build();
        int size = template.getSerializedSize();
        if (size + ENVELOPE_OVERHEAD > cfg.maxFrameBytes()) {
            template = Envelope.newBuilder().setResponse(error(Error.Code.INTERNAL, "response of " + size
                    + " bytes exceeds the frame limit (" + cfg.maxFrameBytes() + ")").toBuilder().setId(id)).build();
            size = template.getSerializedSize();
        }
        unsent.addLast(new Out(template, size, null, false));
        pump();
        if (unsent.size() > TransportLimits.REPLAY_BUFFER_MESSAGES && !readPausedForOutbound && ch != null) {
            // The peer sends requests but does not take our responses: stop reading its requests.
            readPausedForOutbound = true;
            ch.config().setAutoRead(false);
            log.debug("{}: {} messages queued for a peer that does not acknowledge; reading paused", label(), unsent.size());
        }
    }

    private void onEvent(Event e) {
        EventSink s = sink;
        if (s == null) {
            return;
        }
        int n = pendingEvents.incrementAndGet();
        if (n >= TransportLimits.MAX_PENDING_INBOUND_EVENTS && !readPausedForEvents && ch != null) {
            readPausedForEvents = true;
            ch.config().setAutoRead(false);
            log.debug("{}: {} events waiting for the sink; reading paused", label(), n);
        }
        ordered.execute(() -> {
            try {
                s.emit(e);
            } finally {
                int left = pendingEvents.decrementAndGet();
                if (readPausedForEvents && left <= TransportLimits.MAX_PENDING_INBOUND_EVENTS / 2) {
                    loop.execute(this::resumeReading);
                }
            }
        });
    }

    private void resumeReading() {
        if (readPausedForEvents && pendingEvents.get() <= TransportLimits.MAX_PENDING_INBOUND_EVENTS / 2) {
            readPausedForEvents = false;
            if (ch != null && !readPausedForOutbound) {
                ch.config().setAutoRead(true);
                ch.read();
            }
        }
    }

    // ------------------------------------------------------------------ loop: timers

    private void tick() {
        if (ch == null || state == State.CLOSED) {
            return;
        }
        long now = now();
        long dead = cfg.deadAfter().toNanos();
        if (state == State.HELLO_SENT) {
            if (now - handshakeStartNanos > dead) {
                closeChannel(ch, "no Hello from the peer within " + cfg.deadAfter().toMillis() + " ms");
            } else if (now - lastHelloSentNanos >= cfg.keepaliveInterval().toNanos()) {
                sendHello(); // ours may have been lost (a virtio port drops writes while the host is away)
            }
            return;
        }
        if (state != State.ESTABLISHED) {
            return;
        }
        if (now - lastReadNanos > dead && !readPausedForEvents) {
            closeChannel(ch, "keepalive: nothing received from the peer for " + TimeUnit.NANOSECONDS.toMillis(now - lastReadNanos)
                    + " ms (limit " + cfg.deadAfter().toMillis() + " ms)");
            return;
        }
        if (now - lastWriteNanos >= cfg.keepaliveInterval().toNanos()
                || (!inFlight.isEmpty() && !pingOutstanding && now - lastProgressNanos >= probeNanos)) {
            pingNonce++;
            pingMark = nextSeq - 1;
            pingOutstanding = true;
            pingSentNanos = now;
            writeLink(ch, Envelope.newBuilder().setAck(recvSeq)
                    .setPing(Ping.newBuilder().setNonce(pingNonce).setSentNanos(now)).build());
            ch.flush();
        } else if (pingOutstanding && now - pingSentNanos >= cfg.keepaliveInterval().toNanos()) {
            pingOutstanding = false; // lost with the tail it was probing; the next tick probes again
        }
        if (recvSeq > lastAckSent && ackOwedSinceNanos >= 0 && now - ackOwedSinceNanos >= tickNanos) {
            sendAck(false);
            ch.flush();
        }
    }

    private void closeOnLoop(String why) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        closed = true;
        connected = false;
        tick.cancel(false);
        Channel c = ch;
        ch = null;
        if (c != null) {
            goodbyeAndClose(c, Goodbye.newBuilder().setReason(Goodbye.Reason.SHUTDOWN).setMessage(why).build());
        }
        for (Pending p : new ArrayList<>(pending.values())) {
            failPending(p, Error.Code.UNAVAILABLE, "request " + p.method + " (id " + p.id + ") abandoned: " + why);
        }
        for (Iterator<Out> it = unsent.iterator(); it.hasNext(); ) {
            release(it.next());
            it.remove();
        }
        for (Out o : inFlight) {
            release(o);
        }
        inFlight.clear();
        failFirstHandshake(new VmcTransportException(Error.Code.UNAVAILABLE, "closed before connecting: " + why));
    }

    /** Fails the future returned by {@code start()} (off the loop). Any thread. */
    public void failFirstHandshake(Throwable t) {
        if (!firstHandshake.isDone()) {
            callbacks.execute(() -> firstHandshake.completeExceptionally(t));
        }
    }

    /** Fails calls that wait for a channel, and all later ones (endpoints that do not reconnect). Loop only. */
    public void failWaiting(String why) {
        unavailable = why;
        for (Pending p : new ArrayList<>(pending.values())) {
            if (p.out.seq == 0 && unsent.remove(p.out)) {
                release(p.out);
            }
            failPending(p, Error.Code.UNAVAILABLE, "request " + p.method + " (id " + p.id + "): " + why);
        }
    }

    private long now() {
        return loop.ticker().nanoTime();
    }

    /** Extra words identifying the peer in logs, e.g. its unix credentials. Any thread. */
    public void setPeerDescription(String description) {
        this.peerDescription = description;
    }

    /** For logs: this side, and the peer once known. */
    public String label() {
        Hello p = peerHello;
        Channel c = ch;
        String remote = c == null || c.remoteAddress() == null ? "" : c.remoteAddress().toString();
        String where = (remote.isEmpty() ? "" : " " + remote) + (peerDescription == null ? "" : " (" + peerDescription + ")");
        return cfg.software() + where + (p == null ? "" : " <-> " + p.getSoftware() + " " + p.getInstanceId());
    }
}
