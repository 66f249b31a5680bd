package io.vmc.it.spice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.it.qemu.GuestAgentEndpointMain;
import io.vmc.it.qemu.GuestProcess;
import io.vmc.it.qemu.GuestVm;
import io.vmc.it.qemu.GuestVmExtension;
import io.vmc.port.spice.SpiceClient;
import io.vmc.port.spice.SpiceOptions;
import io.vmc.port.spice.SpiceSession;
import io.vmc.transport.StreamPorts;
import io.vmc.transport.VmcEndpoint;
import io.vmc.transport.proto.GetStatus;
import io.vmc.transport.proto.Hello;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The vmc.v1 transport over the SPICE port channel: the agent's end runs in the guest on
 * {@code virtio:org.spice-space.vmc.0} (spiceport chardev), the engine's end in this JVM on
 * {@code spice://127.0.0.1:P}, bound to this JVM's SPICE session. Covers the handshake, requests,
 * the guest program restarting and the SPICE client reconnecting.
 */
@Timeout(400)
class SpiceTransportIT {
    static final int SPICE_PORT = freePort();

    @RegisterExtension
    static final GuestVmExtension GUEST = new GuestVmExtension(GuestVm.builder()
            .portChardev("spiceport,name=" + GuestVm.PORT_NAME)
            .qemuArgs("-spice", "port=" + SPICE_PORT + ",addr=127.0.0.1,disable-ticketing=on"));

    static SpiceSession session;

    private static int freePort() {
        try {
            return SpiceQemu.freePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @BeforeAll
    static void openSession() {
        Prerequisites.require(false);
        session = SpiceClient.open(SpiceOptions.builder("spice://127.0.0.1:" + SPICE_PORT).showDisplay(false).build());
        // What the engine does for --spice: the "spice" scheme hands out this session's VMC port channel.
        StreamPorts.register("spice", name -> session.portChannel(SpiceClient.VMC_PORT_NAME));
        await().atMost(Duration.ofSeconds(60)).until(session::isConnected);
    }

    @AfterAll
    static void closeSession() {
        StreamPorts.unregister("spice");
        if (session != null) {
            session.close();
        }
    }

    private static Request status() {
        return Request.newBuilder().setGetStatus(GetStatus.getDefaultInstance()).build();
    }

    @Test
    void handshakeRequestsAgentRestartAndClientReconnect() throws Exception {
        try (VmcEndpoint engine = VmcEndpoint.builder()
                .channel("spice://127.0.0.1:" + SPICE_PORT)
                .role(Hello.Role.ROLE_ENGINE)
                .software("vmc-engine/spice-test")
                .keepalive(Duration.ofSeconds(2), Duration.ofSeconds(30))
                .backoff(Duration.ofMillis(20), Duration.ofMillis(500))
                .build()) {
            var hello = engine.start();
            GuestProcess agent = GUEST.vm().java(GuestAgentEndpointMain.class.getName());
            try {
                assertThat(hello.get(180, TimeUnit.SECONDS).getSoftware()).isEqualTo("vmc-agentd/guest-test");
                Response r = engine.call(status(), Duration.ofSeconds(60)).get(90, TimeUnit.SECONDS);
                assertThat(r.getStatus().getDetail()).isEqualTo("guest:GET_STATUS");
            } finally {
                agent.stop(Duration.ofSeconds(10));
            }

            // agentd restarts in the guest: the engine's end reconnects by itself.
            agent = GUEST.vm().java(GuestAgentEndpointMain.class.getName());
            try {
                agent.awaitOutput("CONNECTED vmc-engine/spice-test", Duration.ofSeconds(180));
                Response r = engine.call(status(), Duration.ofSeconds(60)).get(90, TimeUnit.SECONDS);
                assertThat(r.getStatus().getDetail()).isEqualTo("guest:GET_STATUS");

                // The SPICE client reconnects (as after a takeover): the transport resumes over the new channel.
                session.reconnect();
                await().atMost(Duration.ofSeconds(60)).until(session::isConnected);
                Response again = engine.call(status(), Duration.ofSeconds(60)).get(120, TimeUnit.SECONDS);
                assertThat(again.getStatus().getDetail()).isEqualTo("guest:GET_STATUS");
                assertThat(agent.isAlive()).as(agent.output()).isTrue();
            } finally {
                agent.stop(Duration.ofSeconds(10));
                System.out.println("guest agent output:\n" + agent.output());
            }
        }
    }
}
