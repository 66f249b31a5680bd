package io.vmc.transport.internal;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.vmc.transport.EventSink;
import io.vmc.transport.RequestHandler;
import io.vmc.transport.TransportLimits;
import io.vmc.transport.VmcTransportException;
import io.vmc.transport.proto.Envelope;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RPC layer of one session: request ids, deadlines and the pending map; inbound requests to
 * the {@link RequestHandler} and their responses; events to the {@link EventSink} in order. It
 * sends through the {@link ReliableLink} and never sees a handshake: the session tells it which
 * requests a handshake lost.
 *
 * <p>{@link #call} and {@link #sendEvent} are any thread; the rest is loop only. Application code
 * runs on the callback executor, never on the loop.
 */
final class Rpc {
    private static final Logger log = LoggerFactory.getLogger(Rpc.class);

    /** Pauses and resumes reading the channel (the sink is behind, or the peer takes no responses). */
    interface ReadGate {
        void pause(String reason);

        void resume(String reason);
    }

    static final String SINK_BEHIND = "events waiting for the sink";
    static final String PEER_NOT_READING = "responses the peer does not take";

    static final class Pending {
        final long id;
        final String method;
        final CallFuture<Response> future;
        ReliableLink.Outbound out;
        ScheduledFuture<?> timer;

        Pending(long id, String method, CallFuture<Response> future) {
            this.id = id;
            this.method = method;
            this.future = future;
        }
    }

    private final EventExecutor loop;
    private final ReliableLink link;
    private final ReadGate gate;
    private final Executor callbacks;
    private final SerialExecutor ordered;
    private final String software;
    private final int maxFrameBytes;
    private final AtomicLong nextRequestId = new AtomicLong();
    private final AtomicInteger pendingEvents = new AtomicInteger();
    private volatile RequestHandler handler;
    private volatile EventSink sink;
    private volatile String unavailable;
    /** Set by the closing thread at once: new calls and events are refused from then on. */
    private volatile boolean closed;
    private volatile int version;

    // loop only
    /**
     * Set on the loop when the session has closed. What was accepted before (a call queued just
     * before close(), e.g. a closing agentd's last CloseSession) is still written ahead of the
     * Goodbye: the loop runs it before the close, and only {@code ended} may turn it away there.
     */
    private boolean ended;
    private final Map<Long, Pending> pending = new HashMap<>();
    private int inboundRequests;
    private long inboundGeneration;
    private boolean pausedForOutbound;
    private boolean pausedForEvents;

    Rpc(EventExecutor loop, ReliableLink link, ReadGate gate, Executor callbacks, SerialExecutor ordered,
            String software, int maxFrameBytes) {
        this.loop = loop;
        this.link = link;
        this.gate = gate;
        this.callbacks = callbacks;
        this.ordered = ordered;
        this.software = software;
        this.maxFrameBytes = maxFrameBytes;
    }

    void setRequestHandler(RequestHandler handler) {
        this.handler = handler;
    }

    void setEventSink(EventSink sink) {
        this.sink = sink;
    }

    void setVersion(int version) {
        this.version = version;
    }

    boolean readPausedForEvents() {
        return pausedForEvents;
    }

    // ------------------------------------------------------------------ any thread

    CompletableFuture<Response> call(Request request, Duration deadline) {
        CallFuture<Response> f = new CallFuture<>(callbacks);
        String down = closed ? "the endpoint is closed" : unavailable;
        if (down != null) {
            f.completeExceptionally(new VmcTransportException(Error.Code.UNAVAILABLE, down));
            return f;
        }
        long deadlineMillis = Math.max(1, Math.min(Integer.MAX_VALUE, deadline.toMillis()));
        long id = nextRequestId.incrementAndGet();
        Request r = request.toBuilder().setId(id).setDeadlineMs((int) deadlineMillis).build();
        Envelope template = Envelope.newBuilder().setRequest(r).build();
        int size = template.getSerializedSize();
        String method = request.getMethodCase().name().toLowerCase(Locale.ROOT);
        if (size + ReliableLink.ENVELOPE_OVERHEAD > maxFrameBytes) {
            f.completeExceptionally(new VmcTransportException(Error.Code.INVALID_ARGUMENT, "request " + method
                    + " is " + size + " bytes serialized, more than the frame limit allows (" + maxFrameBytes + ")"));
            return f;
        }
        String full = link.admit(size);
        if (full != null) {
            f.completeExceptionally(new VmcTransportException(Error.Code.RESOURCE_EXHAUSTED, full));
            return f;
        }
        Pending p = new Pending(id, method, f);
        p.out = new ReliableLink.Outbound(template, size, p, true);
        loop.execute(() -> enqueueCall(p, deadlineMillis));
        return f;
    }

    boolean sendEvent(Event event) {
        if (closed) {
            return false;
        }
        Envelope template = Envelope.newBuilder().setEvent(event).build();
        int size = template.getSerializedSize();
        if (size + ReliableLink.ENVELOPE_OVERHEAD > maxFrameBytes) {
            throw new IllegalArgumentException("event " + event.getKindCase() + " is " + size
                    + " bytes serialized, more than the frame limit allows (" + maxFrameBytes + ")");
        }
        String full = link.admit(size);
        if (full != null) {
            log.debug("event dropped: {}", full);
            return false;
        }
        ReliableLink.Outbound o = new ReliableLink.Outbound(template, size, null, true);
        loop.execute(() -> {
            if (ended) {
                link.release(o);
                return;
            }
            link.enqueue(o);
        });
        return true;
    }

    // ------------------------------------------------------------------ loop: outbound calls

    private void enqueueCall(Pending p, long deadlineMillis) {
        if (ended) {
            link.release(p.out);
            p.future.publish(null, new VmcTransportException(Error.Code.UNAVAILABLE, "the endpoint is closed"));
            return;
        }
        pending.put(p.id, p);
        p.timer = loop.schedule(() -> expire(p, deadlineMillis), deadlineMillis, TimeUnit.MILLISECONDS);
        link.enqueue(p.out);
    }

    private void expire(Pending p, long deadlineMillis) {
        if (pending.remove(p.id) == null) {
            return;
        }
        boolean neverSent = link.withdraw(p.out) || p.out.seq == 0;
        boolean up = link.isOpen();
        String where = neverSent ? "it was never sent: " + (up ? "the peer is not taking data" : "not connected")
                : up ? "the peer did not answer" : "the channel is down";
        p.future.publish(null, new VmcTransportException(Error.Code.DEADLINE_EXCEEDED,
                "no response to " + p.method + " (id " + p.id + ") within " + deadlineMillis + " ms; " + where));
    }

    private void fail(Pending p, Error.Code code, String message) {
        pending.remove(p.id);
        if (p.timer != null) {
            p.timer.cancel(false);
        }
        p.future.publish(null, new VmcTransportException(code, message));
    }

    /** The link gave up a message; a request in it fails. */
    void abandoned(ReliableLink.Outbound o, String why) {
        if (o.owner instanceof Pending p && pending.containsKey(p.id)) {
            Error.Code code = why.startsWith("is ") ? Error.Code.INVALID_ARGUMENT : Error.Code.UNAVAILABLE;
            fail(p, code, "request " + p.method + " (id " + p.id + ") " + why);
        } else if (o.owner == null) {
            log.debug("a {} was given up: {}", o.template.getBodyCase(), why);
        }
    }

    /** The peer's stream that would carry their answers is gone: requests it already took fail. */
    void failDelivered(String why) {
        failWhere(p -> link.delivered(p.out), p -> "request " + p.method + " (id " + p.id + ") got no response: " + why);
    }

    /** Fails calls waiting for a channel, and all later ones (an endpoint that does not reconnect). */
    void failWaiting(String why) {
        unavailable = why;
        failWhere(p -> {
            link.withdraw(p.out);
            return true;
        }, p -> "request " + p.method + " (id " + p.id + "): " + why);
    }

    /** The session closes: every call fails. */
    void close(String why) {
        closed = true;
        ended = true;
        failWhere(p -> true, p -> "request " + p.method + " (id " + p.id + ") abandoned: " + why);
    }

    private void failWhere(Predicate<Pending> which, java.util.function.Function<Pending, String> message) {
        List<Pending> hit = new ArrayList<>();
        for (Pending p : pending.values()) {
            if (which.test(p)) {
                hit.add(p);
            }
        }
        for (Pending p : hit) {
            fail(p, Error.Code.UNAVAILABLE, message.apply(p));
        }
    }

    void markClosed() {
        closed = true;
    }

    // ------------------------------------------------------------------ loop: inbound

    void deliver(Envelope env) {
        switch (env.getBodyCase()) {
            case REQUEST -> onRequest(env.getRequest());
            case RESPONSE -> onResponse(env.getResponse());
            case EVENT -> onEvent(env.getEvent());
            default -> throw new IllegalStateException(env.getBodyCase().toString());
        }
    }

    /** Requests in progress belong to a peer stream that is gone: their answers are dropped. */
    void forgetInbound() {
        inboundGeneration++;
        inboundRequests = 0;
    }

    private void onResponse(Response r) {
        Pending p = pending.remove(r.getId());
        if (p == null) {
            log.debug("response to unknown or expired request id {}", r.getId());
            return;
        }
        if (p.timer != null) {
            p.timer.cancel(false);
        }
        p.future.publish(r, null);
    }

    private void onRequest(Request r) {
        RequestHandler h = handler;
        if (r.getMethodCase() == Request.MethodCase.METHOD_NOT_SET) {
            respond(r.getId(), error(Error.Code.UNIMPLEMENTED, "method not known to " + software
                    + " (protocol v" + version + ")"));
            return;
        }
        if (h == null) {
            respond(r.getId(), error(Error.Code.UNIMPLEMENTED, software + " serves no requests"));
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
        if (gen != inboundGeneration || closed) {
            return; // for a previous peer stream
        }
        inboundRequests--;
        Response out;
        if (err != null) {
            Throwable c = err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
            log.debug("request handler failed for {}", r.getMethodCase(), c);
            out = error(Error.Code.INTERNAL, r.getMethodCase().name().toLowerCase(Locale.ROOT) + " failed: " + c);
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
        if (size + ReliableLink.ENVELOPE_OVERHEAD > maxFrameBytes) {
            template = Envelope.newBuilder().setResponse(error(Error.Code.INTERNAL, "response of " + size
                    + " bytes exceeds the frame limit (" + maxFrameBytes + ")").toBuilder().setId(id)).build();
            size = template.getSerializedSize();
        }
        link.enqueue(new ReliableLink.Outbound(template, size, null, false));
        if (link.unsentCount() > TransportLimits.REPLAY_BUFFER_MESSAGES && !pausedForOutbound) {
            // The peer sends requests but does not take our responses: stop reading its requests.
            pausedForOutbound = true;
            gate.pause(PEER_NOT_READING);
        }
    }

    /** After the link sent something: reading resumes once the backlog of responses halves. */
    void onPumped() {
        if (pausedForOutbound && link.unsentCount() <= TransportLimits.REPLAY_BUFFER_MESSAGES / 2) {
            pausedForOutbound = false;
            gate.resume(PEER_NOT_READING);
        }
    }

    private void onEvent(Event e) {
        EventSink s = sink;
        if (s == null) {
            return;
        }
        int n = pendingEvents.incrementAndGet();
        if (n >= TransportLimits.MAX_PENDING_INBOUND_EVENTS && !pausedForEvents) {
            pausedForEvents = true;
            gate.pause(SINK_BEHIND);
        }
        ordered.execute(() -> {
            try {
                s.emit(e);
            } finally {
                int left = pendingEvents.decrementAndGet();
                if (left <= TransportLimits.MAX_PENDING_INBOUND_EVENTS / 2) {
                    loop.execute(this::sinkCaughtUp);
                }
            }
        });
    }

    private void sinkCaughtUp() {
        if (pausedForEvents && pendingEvents.get() <= TransportLimits.MAX_PENDING_INBOUND_EVENTS / 2) {
            pausedForEvents = false;
            gate.resume(SINK_BEHIND);
        }
    }
}
