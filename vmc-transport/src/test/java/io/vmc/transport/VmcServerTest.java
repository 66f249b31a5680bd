package io.vmc.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.transport.proto.Hello;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class VmcServerTest {
    @TempDir
    Path dir;

    @Test
    void manyClientsOnAUnixSocketEachWithCredentialsAndOwnHandler() throws Exception {
        Path sock = dir.resolve("agent.sock");
        List<VmcConnection> seen = new CopyOnWriteArrayList<>();
        AtomicInteger closed = new AtomicInteger();
        try (VmcServer server = VmcServer.builder().channel("unix-listen:" + sock).role(Hello.Role.ROLE_AGENTD)
                .software("vmc-agentd/test").onConnection(conn -> {
                    seen.add(conn);
                    int n = seen.size();
                    conn.setRequestHandler(req -> CompletableFuture.completedFuture(Response.newBuilder()
                            .setStatus(Status.newBuilder().setDetail("client " + conn.peerHello().map(Hello::getSoftware).orElse("?")))
                            .build()));
                    conn.onClose(closed::incrementAndGet);
                    assertThat(n).isPositive();
                }).build()) {
            server.start();
            assertThat(Files.exists(sock)).isTrue();
            List<VmcEndpoint> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) {
                    VmcEndpoint c = VmcEndpoint.builder().channel("unix:" + sock).role(Hello.Role.ROLE_APP)
                            .software("app-" + i).reconnect(false).build();
                    clients.add(c);
                    c.start().get(5, TimeUnit.SECONDS);
                }
                for (int i = 0; i < 5; i++) {
                    Response r = clients.get(i).call(Fixtures.status()).get(5, TimeUnit.SECONDS);
                    assertThat(r.getStatus().getDetail()).isEqualTo("client app-" + i);
                }
                assertThat(server.connections()).hasSize(5);
                for (VmcConnection conn : seen) {
                    assertThat(conn.peerCredentials()).hasValueSatisfying(pc -> {
                        assertThat(pc.pid()).isEqualTo((int) ProcessHandle.current().pid());
                        assertThat(pc.uid()).isGreaterThanOrEqualTo(0);
                    });
                }
                // The server calls a client too.
                VmcConnection first = seen.get(0);
                Response fromApp = first.call(Fixtures.status()).get(5, TimeUnit.SECONDS);
                assertThat(fromApp.getError().getCode()).isEqualTo(io.vmc.transport.proto.Error.Code.UNIMPLEMENTED);
            } finally {
                for (VmcEndpoint c : clients) {
                    c.close();
                }
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> closed.get() == 5);
            assertThat(server.connections()).isEmpty();
        }
        assertThat(Files.exists(sock)).isFalse();
    }

    @Test
    void aClosedConnectionSaysWhy() throws Exception {
        Path sock = dir.resolve("why.sock");
        List<VmcConnection> seen = new CopyOnWriteArrayList<>();
        List<String> reasons = new CopyOnWriteArrayList<>();
        try (VmcServer server = VmcServer.builder().channel("unix-listen:" + sock).role(Hello.Role.ROLE_AGENTD)
                .software("vmc-agentd/test").keepalive(Duration.ofMillis(200), Duration.ofMillis(1000)).onConnection(conn -> {
                    seen.add(conn);
                    conn.onClose(() -> reasons.add(conn.closeReason()));
                }).build()) {
            server.start();
            VmcEndpoint leaves = VmcEndpoint.builder().channel("unix:" + sock).role(Hello.Role.ROLE_APP).software("app-a").reconnect(false).build();
            VmcEndpoint cutOff = VmcEndpoint.builder().channel("unix:" + sock).role(Hello.Role.ROLE_APP).software("app-b").reconnect(false).build();
            try {
                leaves.start().get(5, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 1);
                assertThat(seen.get(0).closeReason()).isNull(); // open
                leaves.close();
                await().atMost(Duration.ofSeconds(5)).until(() -> reasons.size() == 1);
                assertThat(reasons.get(0)).isEqualTo("the peer said goodbye (SHUTDOWN): the endpoint was closed");
                cutOff.start().get(5, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 2);
                seen.get(1).close("the app does not read its events");
                await().atMost(Duration.ofSeconds(5)).until(() -> reasons.size() == 2);
                assertThat(reasons.get(1)).isEqualTo("the app does not read its events");
            } finally {
                leaves.close();
                cutOff.close();
            }
        }
    }

    @Test
    void clientSeesServerShutdownAsUnavailable() throws Exception {
        Path sock = dir.resolve("agent2.sock");
        VmcServer server = VmcServer.builder().channel("unix-listen:" + sock).software("vmc-agentd/test")
                .requestHandler(req -> new CompletableFuture<>()).build();
        server.start();
        Fixtures.Recorder rec = new Fixtures.Recorder();
        try (VmcEndpoint c = VmcEndpoint.builder().channel("unix:" + sock).software("app").reconnect(false).listener(rec).build()) {
            c.start().get(5, TimeUnit.SECONDS);
            CompletableFuture<Response> f = c.call(Fixtures.status());
            await().atMost(Duration.ofSeconds(5)).until(() -> server.connections().size() == 1);
            server.close();
            assertThat(f).failsWithin(Duration.ofSeconds(5)).withThrowableThat().withMessageContaining("UNAVAILABLE");
            await().atMost(Duration.ofSeconds(5)).until(() -> rec.log.stream().anyMatch(s -> s.startsWith("disconnected")));
            assertThat(c.call(Fixtures.status())).failsWithin(Duration.ofSeconds(5)).withThrowableThat()
                    .havingCause().isInstanceOf(VmcTransportException.class).withMessageContaining("reconnect is off");
        }
    }

    @Test
    void clientSendingGarbageIsDisconnectedAloneAndTheServerKeepsServing() throws Exception {
        Path sock = dir.resolve("agent3.sock");
        try (VmcServer server = VmcServer.builder().channel("unix-listen:" + sock).software("vmc-agentd/test")
                .requestHandler(Fixtures.echoHandler()).build()) {
            server.start();
            try (VmcEndpoint good = VmcEndpoint.builder().channel("unix:" + sock).software("good-app").reconnect(false).build()) {
                good.start().get(5, TimeUnit.SECONDS);
                try (java.nio.channels.SocketChannel bad = java.nio.channels.SocketChannel.open(
                        java.net.UnixDomainSocketAddress.of(sock))) {
                    java.util.Random r = new java.util.Random(7);
                    byte[] junk = new byte[64 * 1024];
                    java.nio.ByteBuffer in = java.nio.ByteBuffer.allocate(64 * 1024);
                    bad.configureBlocking(true);
                    boolean closedByServer = false;
                    try {
                        for (int i = 0; i < 64 && !closedByServer; i++) {
                            r.nextBytes(junk);
                            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(junk);
                            while (b.hasRemaining()) {
                                bad.write(b);
                            }
                        }
                        // Drain the server's Hello and Goodbye until it closes.
                        while (bad.read(in.clear()) >= 0) {
                            // keep reading
                        }
                        closedByServer = true;
                    } catch (java.io.IOException e) {
                        closedByServer = true; // broken pipe: the server closed first
                    }
                    assertThat(closedByServer).isTrue();
                }
                assertThat(good.call(Fixtures.offer("still")).get(5, TimeUnit.SECONDS).getDescription().getSdp())
                        .isEqualTo("v=0 still");
                await().atMost(Duration.ofSeconds(5)).until(() -> server.connections().size() == 1);
            }
        }
    }
}
