package io.vmc.agent.internal;

import io.vmc.agent.api.VmcException;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** PLACEHOLDER until the transport's VmcEndpoint is installed. */
final class TransportApiChannel implements ApiChannel {
    static ApiChannel open(Path socket, String appName, ApiChannel.Listener listener, Duration connectTimeout) {
        throw new VmcException(VmcException.Reason.UNAVAILABLE, "transport not available yet");
    }

    @Override
    public CompletableFuture<Response> call(Request request) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean isConnected() {
        return false;
    }

    @Override
    public void close() {}
}
