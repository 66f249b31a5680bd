package io.vmc.it.qemu;

import io.vmc.transport.EndpointListener;
import io.vmc.transport.VmcEndpoint;
import io.vmc.transport.proto.Hello;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.Status;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Runs in the guest: a transport endpoint in the agent's role on {@code virtio:NAME}, answering
 * every request with a {@code Status} that names the method. Prints its connection events.
 */
public final class GuestAgentEndpointMain {

    private GuestAgentEndpointMain() {
    }

    public static void main(String[] args) throws Exception {
        String name = args.length > 0 ? args[0] : GuestVm.PORT_NAME;
        VmcEndpoint agent = VmcEndpoint.builder()
                .channel("virtio:" + name)
                .role(Hello.Role.ROLE_AGENTD)
                .software("vmc-agentd/guest-test")
                // A TCG guest running an interpreted JVM is slow: generous keepalive.
                .keepalive(Duration.ofSeconds(2), Duration.ofSeconds(30))
                .backoff(Duration.ofMillis(20), Duration.ofMillis(500))
                .requestHandler(req -> CompletableFuture.completedFuture(Response.newBuilder()
                        .setStatus(Status.newBuilder().setDetail("guest:" + req.getMethodCase())).build()))
                .listener(new EndpointListener() {
                    @Override
                    public void onConnected(Hello peer, boolean resumed) {
                        System.out.println("CONNECTED " + peer.getSoftware() + (resumed ? " resumed" : " new"));
                    }

                    @Override
                    public void onDisconnected(String why) {
                        System.out.println("DISCONNECTED " + why);
                    }
                })
                .build();
        agent.start();
        System.out.println("STARTED " + agent.channel());
        Thread.currentThread().join();
    }
}
