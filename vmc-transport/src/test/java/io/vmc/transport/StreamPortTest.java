package io.vmc.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.transport.proto.Hello;
import io.vmc.transport.proto.Response;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** virtio:NAME endpoints bridged over a fake StreamPort; the agent restarts under the engine. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StreamPortTest {
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private VmcEndpoint start(VmcEndpoint.Builder b) {
        VmcEndpoint ep = b.build();
        toClose.add(ep);
        ep.start();
        return ep;
    }

    private static byte[] tornFrame() {
        ByteBuffer b = ByteBuffer.allocate(30);
        b.putInt(0xD51E7AC3).putInt(5000).putInt(0x0BADF00D).put(new byte[18]);
        return b.array();
    }

    @Test
    void registeredSchemeParsesAndUnknownFails() {
        StreamPorts.register("fakeport", name -> new FakePortPair().openGuest());
        try {
            assertThat(ChannelUri.parse("fakeport:x").kind()).isEqualTo(ChannelUri.Kind.STREAM_PORT);
        } finally {
            StreamPorts.unregister("fakeport");
        }
        assertThat(ChannelUri.parse("virtio:org.spice-space.vmc.0").kind()).isEqualTo(ChannelUri.Kind.STREAM_PORT);
    }

    @Test
    void agentRestartMidFrameWithoutTheHostSeeingItResetsTheEngineSide() throws Exception {
        runRestart(true);
    }

    @Test
    void agentRestartMidFrameWithTheHostSeeingItResetsTheEngineSide() throws Exception {
        runRestart(false);
    }

    private void runRestart(boolean hidden) throws Exception {
        FakePortPair pair = new FakePortPair();
        pair.hideGuestClose = hidden;
        Fixtures.Recorder engRec = new Fixtures.Recorder();
        FakePortPair.End hostEnd = pair.openHost();
        VmcEndpoint eng = start(Fixtures.engine("virtio:vmc-host").streamPort(() -> hostEnd)
                .requestHandler(Fixtures.echoHandler()).listener(engRec).eventSink(engRec)
                .keepalive(Duration.ofMillis(200), Duration.ofSeconds(3)));

        AtomicInteger a1Got = new AtomicInteger();
        FakePortPair.End g1 = pair.openGuest();
        VmcEndpoint a1 = Fixtures.agent("virtio:vmc").streamPort(() -> g1).requestHandler(req -> {
            a1Got.incrementAndGet();
            return new CompletableFuture<>();
        }).keepalive(Duration.ofMillis(200), Duration.ofSeconds(3)).build();
        a1.start().get(5, TimeUnit.SECONDS);
        assertThat(a1.call(Fixtures.offer("one")).get(5, TimeUnit.SECONDS).getDescription().getSdp()).isEqualTo("v=0 one");
        a1.sendEvent(Fixtures.state("s", 0));
        await().atMost(Duration.ofSeconds(5)).until(() -> engRec.events.size() == 1);

        CompletableFuture<Response> lost = eng.call(Fixtures.status());
        await().atMost(Duration.ofSeconds(5)).until(() -> a1Got.get() == 1);

        // The agent dies mid-write: half a frame stays in the stream, its port closes.
        pair.guestWritesRaw(tornFrame());
        g1.close();
        a1.close();

        FakePortPair.End g2 = pair.openGuest();
        VmcEndpoint a2 = Fixtures.agent("virtio:vmc").streamPort(() -> g2).requestHandler(Fixtures.echoHandler())
                .keepalive(Duration.ofMillis(200), Duration.ofSeconds(3)).build();
        toClose.add(a2);
        a2.start().get(5, TimeUnit.SECONDS);
        assertThat(lost).failsWithin(Duration.ofSeconds(5)).withThrowableThat()
                .havingCause().isInstanceOf(VmcTransportException.class).withMessageContaining("UNAVAILABLE");
        assertThat(eng.call(Fixtures.status()).get(5, TimeUnit.SECONDS).getStatus().getDetail()).isEqualTo("ok");
        assertThat(a2.call(Fixtures.offer("three")).get(5, TimeUnit.SECONDS).getDescription().getSdp()).isEqualTo("v=0 three");
        a2.sendEvent(Fixtures.state("s", 1));
        await().atMost(Duration.ofSeconds(5)).until(() -> engRec.events.size() == 2);
        assertThat(engRec.log).filteredOn(s -> s.startsWith("connected")).allMatch(s -> s.endsWith("new")).hasSize(2);
        assertThat(a2.peerHello().map(Hello::getSoftware)).hasValue("vmc-engine/test");
        if (hidden) {
            // The engine never saw the channel drop: the second Hello and the torn frame did it.
            assertThat(engRec.log).noneMatch(s -> s.startsWith("disconnected"));
            assertThat(eng.stats().tornFrames()).isEqualTo(1);
        }
    }
}
