package io.vmc.transport;

import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import java.util.concurrent.CompletableFuture;

/**
 * Serves the requests a peer sends. The engine implements it for agentd; agentd implements it
 * for apps; the in-VM fallback media core implements it too, so callers cannot tell the two apart.
 *
 * <p>Called off the I/O thread. Must not block for long: return a future and complete it later.
 * The transport copies {@link Request#getId()} into the response, so implementations may leave
 * {@code Response.id} unset. A future completed exceptionally becomes {@code Error{INTERNAL}}.
 */
@FunctionalInterface
public interface RequestHandler {
    CompletableFuture<Response> handle(Request request);
}
