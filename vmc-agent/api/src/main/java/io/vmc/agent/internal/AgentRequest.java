package io.vmc.agent.internal;

import io.vmc.agent.api.VmcException;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** One request to vmc-agentd on a connection of its own: for small tools ({@code vmc agentd web-secret}). */
public final class AgentRequest {
    private AgentRequest() {}

    /**
     * Connects to the agent at {@code socket}, sends {@code request}, returns its response and
     * disconnects.
     *
     * @throws VmcException UNAVAILABLE if no agent answers, DEADLINE_EXCEEDED if it answers late
     */
    public static Response call(Path socket, String appName, Request request, Duration timeout) {
        ApiChannel.Listener quiet = new ApiChannel.Listener() {
            @Override
            public void onEvent(Event event) {}

            @Override
            public void onConnected(boolean resumed) {}

            @Override
            public void onDisconnected(String why) {}
        };
        try (ApiChannel ch = TransportApiChannel.open(socket, appName, quiet, timeout)) {
            return ch.call(request).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new VmcException(VmcException.Reason.DEADLINE_EXCEEDED, "vmc-agentd at " + socket + " did not answer within " + timeout);
        } catch (ExecutionException e) {
            throw AgentClient.translate(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VmcException(VmcException.Reason.UNAVAILABLE, "interrupted while asking vmc-agentd");
        }
    }
}
