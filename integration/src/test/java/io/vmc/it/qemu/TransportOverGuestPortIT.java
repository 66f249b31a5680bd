package io.vmc.it.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.transport.VmcEndpoint;
import io.vmc.transport.proto.GetStatus;
import io.vmc.transport.proto.Hello;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The transport over the real guest port: the agent's end runs in the guest on
 * {@code virtio:org.spice-space.vmc.0}, the engine's end on the host on the QEMU socket chardev.
 */
@Timeout(400)
class TransportOverGuestPortIT {

    @RegisterExtension
    static final GuestVmExtension GUEST = new GuestVmExtension();

    private static VmcEndpoint engine() {
        return VmcEndpoint.builder()
                .channel("unix:" + GUEST.vm().portSocket())
                .role(Hello.Role.ROLE_ENGINE)
                .software("vmc-engine/host-test")
                .keepalive(Duration.ofSeconds(2), Duration.ofSeconds(30))
                .backoff(Duration.ofMillis(20), Duration.ofMillis(500))
                .build();
    }

    private static Request status() {
        return Request.newBuilder().setGetStatus(GetStatus.getDefaultInstance()).build();
    }

    /** The usual order: agentd runs in the guest, then the client's engine connects. */
    @Test
    void agentFirst_thenEngine_callsCrossTheRealPort_andSurviveTheEngineReconnecting() throws Exception {
        GuestProcess agent = GUEST.vm().java(GuestAgentEndpointMain.class.getName());
        try {
            agent.awaitOutput("STARTED", Duration.ofSeconds(180));
            try (VmcEndpoint engine = engine()) {
                Hello peer = engine.start().get(120, TimeUnit.SECONDS);
                assertThat(peer.getSoftware()).isEqualTo("vmc-agentd/guest-test");
                Response r = engine.call(status(), Duration.ofSeconds(60)).get(90, TimeUnit.SECONDS);
                assertThat(r.getStatus().getDetail()).isEqualTo("guest:GET_STATUS");
                agent.awaitOutput("CONNECTED vmc-engine/host-test", Duration.ofSeconds(60));
            }
            // A new engine (the client reconnected): the agent, which kept its port open, takes it.
            try (VmcEndpoint engine = engine()) {
                // It calls at once: Hellos the agent still had queued for the old engine must not
                // fail (or reset) the new session under its first call.
                engine.start().get(120, TimeUnit.SECONDS);
                Response r = engine.call(status(), Duration.ofSeconds(60)).get(90, TimeUnit.SECONDS);
                assertThat(r.getStatus().getDetail()).isEqualTo("guest:GET_STATUS");
            }
            assertThat(agent.isAlive()).as(agent.output()).isTrue();
        } finally {
            agent.stop(Duration.ofSeconds(10));
            System.out.println("guest agent output:\n" + agent.output());
        }
    }

    /**
     * The engine is there first and the agent (re)starts: the engine's Hello waits in QEMU until the
     * guest opens the port, and must not be lost then.
     */
    @Test
    void engineFirst_thenAgentStarts() throws Exception {
        try (VmcEndpoint engine = engine()) {
            var hello = engine.start();
            GuestProcess agent = GUEST.vm().java(GuestAgentEndpointMain.class.getName());
            try {
                assertThat(hello.get(180, TimeUnit.SECONDS).getSoftware()).isEqualTo("vmc-agentd/guest-test");
                Response r = engine.call(status(), Duration.ofSeconds(60)).get(90, TimeUnit.SECONDS);
                assertThat(r.getStatus().getDetail()).isEqualTo("guest:GET_STATUS");
            } finally {
                agent.stop(Duration.ofSeconds(10));
                System.out.println("guest agent output:\n" + agent.output());
            }
        }
    }
}
