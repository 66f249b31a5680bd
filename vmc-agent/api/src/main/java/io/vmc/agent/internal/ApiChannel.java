package io.vmc.agent.internal;

import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import java.util.concurrent.CompletableFuture;

/**
 * The app's end of the connection to vmc-agentd, as the client library sees it. The production
 * implementation is {@link TransportApiChannel}; tests may link a client to a daemon core directly.
 */
public interface ApiChannel extends AutoCloseable {

    /** Sends a request; the future completes (on an I/O thread) with the response. */
    CompletableFuture<Response> call(Request request);

    boolean isConnected();

    @Override
    void close();

    /** What the channel tells its owner. Called on I/O threads: hand over, do not block. */
    interface Listener {
        void onEvent(io.vmc.transport.proto.Event event);

        /** The link came (back) up; {@code resumed} means the agent kept our sessions. */
        void onConnected(boolean resumed);

        void onDisconnected(String why);
    }
}
