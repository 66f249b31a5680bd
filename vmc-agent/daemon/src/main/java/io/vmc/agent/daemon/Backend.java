package io.vmc.agent.daemon;

import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import java.util.concurrent.CompletableFuture;

/**
 * Somewhere sessions can live: the thin client's engine over the channel, or the in-VM media
 * core (fallback). Both speak vmc.v1 requests; ids in requests and responses are the backend's.
 */
public interface Backend {

    /** For logs and status: "engine", "fallback". */
    String name();

    /** Serves a request; a future completed exceptionally means the backend could not be reached. */
    CompletableFuture<Response> call(Request request);
}
