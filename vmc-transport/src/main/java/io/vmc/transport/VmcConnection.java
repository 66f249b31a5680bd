package io.vmc.transport;

import io.netty.channel.Channel;
import io.vmc.transport.internal.Counters;
import io.vmc.transport.internal.Session;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.Hello;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;

/**
 * One client of a {@link VmcServer} (an app on agentd's local socket). Same call/event semantics
 * as {@link VmcEndpoint}, but it lives exactly as long as its socket: when the client goes away
 * the connection closes, pending calls fail with UNAVAILABLE and {@link #onClose} callbacks run;
 * a client that reconnects is a new {@code VmcConnection}.
 *
 * <p>Thread-safe; callbacks run off the I/O thread.
 */
public final class VmcConnection implements AutoCloseable {
    private final Session session;
    private final Channel channel;
    private final Counters counters;
    private final Duration callDeadline;
    private final Optional<PeerCredentials> credentials;
    private final Executor callbacks;
    private final List<Runnable> closeCallbacks = new CopyOnWriteArrayList<>();
    private volatile boolean closedFired;
    private volatile String closeReason;

    VmcConnection(Session session, Channel channel, Counters counters, Duration callDeadline,
            Optional<PeerCredentials> credentials, Executor callbacks) {
        this.session = session;
        this.channel = channel;
        this.counters = counters;
        this.callDeadline = callDeadline;
        this.credentials = credentials;
        this.callbacks = callbacks;
    }

    /** Calls the client with the server's default deadline. */
    public CompletableFuture<Response> call(Request request) {
        return call(request, callDeadline);
    }

    /** Calls the client; same contract as {@link VmcEndpoint#call(Request, Duration)}. */
    public CompletableFuture<Response> call(Request request, Duration deadline) {
        return session.call(Objects.requireNonNull(request, "request"), Objects.requireNonNull(deadline, "deadline"));
    }

    /** Same contract as {@link VmcEndpoint#sendEvent(Event)}. */
    public boolean sendEvent(Event event) {
        return session.sendEvent(Objects.requireNonNull(event, "event"));
    }

    /** Serves this client's requests (replaces the server's default handler). */
    public void setRequestHandler(RequestHandler handler) {
        session.setRequestHandler(handler);
    }

    /** Receives this client's events, in order (replaces the server's default sink). */
    public void setEventSink(EventSink sink) {
        session.setEventSink(sink);
    }

    /** Handshake and incompatibility reports for this client. */
    public void setListener(EndpointListener listener) {
        session.setListener(listener);
    }

    /** The client's Hello; empty until the handshake completes (it is not yet done inside {@code onConnection}). */
    public Optional<Hello> peerHello() {
        return session.peerHello();
    }

    /** SO_PEERCRED of a unix-socket client (with the native epoll transport); empty otherwise. */
    public Optional<PeerCredentials> peerCredentials() {
        return credentials;
    }

    /** The client's address, for logs. */
    public String remoteAddress() {
        return String.valueOf(channel.remoteAddress());
    }

    public boolean isOpen() {
        return !session.isClosed();
    }

    public boolean isConnected() {
        return session.isConnected();
    }

    public TransportStats stats() {
        return counters.snapshot();
    }

    /** Runs {@code callback} (off the I/O thread) once the connection is closed; at once if it already is. */
    public void onClose(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        closeCallbacks.add(callback);
        if (closedFired && closeCallbacks.remove(callback)) {
            callbacks.execute(callback);
        }
    }

    /** Says Goodbye and closes; pending calls fail with UNAVAILABLE. */
    @Override
    public void close() {
        close("the server closed the connection");
    }

    /** Says Goodbye with {@code why} (what {@link #closeReason()} then says) and closes. */
    public void close(String why) {
        closing(why);
    }

    CompletableFuture<Void> closing(String why) {
        if (closeReason == null) closeReason = why;
        return session.close(why);
    }

    /** Why the connection closed (this side's reason, e.g. keepalive, or "the client disconnected"); null while open. */
    public String closeReason() {
        return closedFired ? closeReason : null;
    }

    void fireClosed(String why) {
        if (closeReason == null) closeReason = why;
        closedFired = true;
        for (Runnable r : closeCallbacks) {
            if (closeCallbacks.remove(r)) {
                callbacks.execute(r);
            }
        }
    }

    Session session() {
        return session;
    }
}
