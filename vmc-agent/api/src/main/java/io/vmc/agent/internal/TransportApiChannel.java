package io.vmc.agent.internal;

import io.vmc.agent.api.VmcException;
import io.vmc.transport.ChannelUri;
import io.vmc.transport.EndpointListener;
import io.vmc.transport.VmcEndpoint;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.Goodbye;
import io.vmc.transport.proto.Hello;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/** The app's connection to vmc-agentd: a transport endpoint on the agent's unix socket. */
final class TransportApiChannel implements ApiChannel {
    static final String SOFTWARE = "vmc-agent/0.1.0";

    private final VmcEndpoint endpoint;

    private TransportApiChannel(VmcEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    static ApiChannel open(Path socket, String appName, ApiChannel.Listener listener, Duration connectTimeout) {
        AtomicBoolean first = new AtomicBoolean(true);
        VmcEndpoint ep = VmcEndpoint.builder()
                .channel(ChannelUri.parse("unix:" + socket))
                .role(Hello.Role.ROLE_APP)
                .software(appName.isEmpty() ? SOFTWARE : SOFTWARE + " " + appName)
                .requestHandler(r -> CompletableFuture.completedFuture(Response.newBuilder().setError(Error.newBuilder()
                        .setCode(Error.Code.UNIMPLEMENTED).setMessage("apps serve no requests")).build()))
                .eventSink(listener::onEvent)
                .listener(new EndpointListener() {
                    @Override
                    public void onConnected(Hello peer, boolean resumed) {
                        if (!first.getAndSet(false)) {
                            listener.onConnected(resumed);
                        }
                    }

                    @Override
                    public void onDisconnected(String why) {
                        listener.onDisconnected(why);
                    }

                    @Override
                    public void onIncompatible(Goodbye goodbye) {
                        listener.onDisconnected("incompatible vmc-agentd: " + goodbye.getMessage());
                    }
                })
                .build();
        try {
            ep.start().get(connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            ep.close();
            throw new VmcException(VmcException.Reason.UNAVAILABLE, "vmc-agentd at " + socket + " did not answer within " + connectTimeout);
        } catch (ExecutionException | RuntimeException e) {
            ep.close();
            Throwable c = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new VmcException(VmcException.Reason.UNAVAILABLE, "cannot connect to vmc-agentd at " + socket + ": " + c.getMessage(), c);
        } catch (InterruptedException e) {
            ep.close();
            Thread.currentThread().interrupt();
            throw new VmcException(VmcException.Reason.UNAVAILABLE, "interrupted while connecting to vmc-agentd");
        }
        return new TransportApiChannel(ep);
    }

    @Override
    public CompletableFuture<Response> call(Request request) {
        return endpoint.call(request);
    }

    @Override
    public boolean isConnected() {
        return endpoint.isConnected();
    }

    @Override
    public void close() {
        endpoint.close();
    }
}
