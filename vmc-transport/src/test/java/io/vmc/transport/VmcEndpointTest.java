package io.vmc.transport;

import static io.vmc.transport.Fixtures.agent;
import static io.vmc.transport.Fixtures.engine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class VmcEndpointTest {
    private final List<AutoCloseable> toClose = new ArrayList<>();

    private <T extends AutoCloseable> T track(T t) {
        toClose.add(t);
        return t;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    @Test
    void callGetsResponseAndEventsArriveInOrder() throws Exception {
        String name = Fixtures.memName();
        Fixtures.Recorder engineRec = new Fixtures.Recorder();
        VmcEndpoint eng = track(engine("mem-listen:" + name).requestHandler(Fixtures.echoHandler())
                .listener(engineRec).eventSink(engineRec).build());
        eng.start();
        Fixtures.Recorder agentRec = new Fixtures.Recorder();
        VmcEndpoint ag = track(agent("mem:" + name).listener(agentRec).eventSink(agentRec).build());
        assertThat(ag.start().get(5, TimeUnit.SECONDS).getSoftware()).isEqualTo("vmc-engine/test");

        Response r = ag.call(Fixtures.offer("s1")).get(5, TimeUnit.SECONDS);
        assertThat(r.getDescription().getSdp()).isEqualTo("v=0 s1");
        assertThat(r.getId()).isPositive();

        for (int i = 0; i < 100; i++) {
            assertThat(ag.sendEvent(Fixtures.state("s1", i))).isTrue();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> engineRec.events.size() == 100);
        for (int i = 0; i < 100; i++) {
            assertThat(engineRec.events.get(i).getSessionState().getReason()).isEqualTo("n=" + i);
        }
        assertThat(agentRec.log).containsExactly("connected vmc-engine/test new");
        assertThat(ag.negotiatedVersion()).isEqualTo(1);
        assertThat(eng.peerHello()).hasValueSatisfying(h -> assertThat(h.getSoftware()).isEqualTo("vmc-agentd/test"));
    }

    @Test
    void unknownMethodIsUnimplementedAndHandlerFailureIsInternal() throws Exception {
        String name = Fixtures.memName();
        VmcEndpoint eng = track(engine("mem-listen:" + name).requestHandler(req -> {
            throw new IllegalStateException("boom");
        }).build());
        eng.start();
        VmcEndpoint ag = track(agent("mem:" + name).build());
        ag.start().get(5, TimeUnit.SECONDS);

        Response unknown = ag.call(Request.getDefaultInstance()).get(5, TimeUnit.SECONDS);
        assertThat(unknown.getError().getCode()).isEqualTo(Error.Code.UNIMPLEMENTED);

        Response failed = ag.call(Fixtures.status()).get(5, TimeUnit.SECONDS);
        assertThat(failed.getError().getCode()).isEqualTo(Error.Code.INTERNAL);
        assertThat(failed.getError().getMessage()).contains("boom");

        // The engine has a handler-less peer: its requests are UNIMPLEMENTED too.
        Response noHandler = eng.call(Fixtures.status()).get(5, TimeUnit.SECONDS);
        assertThat(noHandler.getError().getCode()).isEqualTo(Error.Code.UNIMPLEMENTED);
    }

    /**
     * What a closing agentd does: its last CloseSession calls, then close(). A call that was accepted
     * must reach the peer before the Goodbye, even when the I/O thread has not picked it up yet when
     * close() is called (it used to be dropped then: an agentd restart left its calls on the engine).
     * Over a unix socket as deployed: Netty's in-memory channel drops what its peer has not read yet
     * when one end closes, which a socket does not.
     */
    @Test
    void callsMadeJustBeforeCloseAreStillSent(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        for (int round = 0; round < 20; round++) {
            String name = dir.resolve("e" + round + ".sock").toString();
            List<String> received = new java.util.concurrent.CopyOnWriteArrayList<>();
            VmcEndpoint eng = track(engine("unix-listen:" + name).requestHandler(req -> {
                received.add(req.getCreateOffer().getSessionId());
                return Fixtures.echoHandler().handle(req);
            }).build());
            eng.start();
            VmcEndpoint ag = agent("unix:" + name).build();
            ag.start().get(5, TimeUnit.SECONDS);
            List<String> sent = List.of("a" + round, "b" + round, "c" + round);
            for (String s : sent) {
                ag.call(Fixtures.offer(s));
            }
            ag.close();
            int r = round;
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(received).as("round %d", r).containsExactlyInAnyOrderElementsOf(sent)); // handled in parallel
        }
    }

    @Test
    void deadlineExceededWhenPeerNeverAnswers() throws Exception {
        String name = Fixtures.memName();
        VmcEndpoint eng = track(engine("mem-listen:" + name).requestHandler(req -> new CompletableFuture<>()).build());
        eng.start();
        VmcEndpoint ag = track(agent("mem:" + name).build());
        ag.start().get(5, TimeUnit.SECONDS);
        CompletableFuture<Response> f = ag.call(Fixtures.status(), Duration.ofMillis(100));
        assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(VmcTransportException.class)
                .satisfies(e -> assertThat(((VmcTransportException) e).code()).isEqualTo(Error.Code.DEADLINE_EXCEEDED))
                .hasMessageContaining("get_status");
    }

    @Test
    void incompatibleVersionsAreReportedOnBothSides() throws Exception {
        String name = Fixtures.memName();
        Fixtures.Recorder engineRec = new Fixtures.Recorder();
        VmcEndpoint eng = track(engine("mem-listen:" + name).versionRange(2, 3).listener(engineRec).build());
        eng.start();
        Fixtures.Recorder agentRec = new Fixtures.Recorder();
        VmcEndpoint ag = track(agent("mem:" + name).versionRange(1, 1).listener(agentRec).build());
        CompletableFuture<?> started = ag.start();
        assertThatThrownBy(() -> started.get(5, TimeUnit.SECONDS)).hasMessageContaining("no common protocol version");
        await().atMost(Duration.ofSeconds(5)).until(() -> !engineRec.log.isEmpty() && !agentRec.log.isEmpty());
        assertThat(engineRec.log.get(0)).startsWith("incompatible").contains("2..3").contains("1..1");
        assertThat(agentRec.log.get(0)).startsWith("incompatible").contains("2..3").contains("1..1");
        assertThat(ag.isConnected()).isFalse();
    }

    @Test
    void highestCommonVersionWins() throws Exception {
        String name = Fixtures.memName();
        VmcEndpoint eng = track(engine("mem-listen:" + name).versionRange(1, 3).build());
        eng.start();
        VmcEndpoint ag = track(agent("mem:" + name).versionRange(2, 5).build());
        ag.start().get(5, TimeUnit.SECONDS);
        assertThat(ag.negotiatedVersion()).isEqualTo(3);
        await().atMost(Duration.ofSeconds(5)).until(() -> eng.negotiatedVersion() == 3);
    }

    @Test
    void callFailsFastWhenReconnectIsOffAndNobodyListens() throws Exception {
        VmcEndpoint ag = track(agent("mem:" + Fixtures.memName()).reconnect(false).build());
        CompletableFuture<?> started = ag.start();
        assertThatThrownBy(() -> started.get(5, TimeUnit.SECONDS)).hasMessageContaining("UNAVAILABLE");
    }

    @Test
    void applicationCodeNeverRunsOnAnIoThread() throws Exception {
        String name = Fixtures.memName();
        List<String> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
        VmcEndpoint eng = track(engine("mem-listen:" + name).requestHandler(req -> {
            threads.add("handler " + Thread.currentThread().getName());
            return Fixtures.echoHandler().handle(req);
        }).eventSink(e -> threads.add("sink " + Thread.currentThread().getName()))
                .listener(new EndpointListener() {
                    @Override
                    public void onConnected(io.vmc.transport.proto.Hello peer, boolean resumed) {
                        threads.add("listener " + Thread.currentThread().getName());
                    }
                }).build());
        eng.start();
        VmcEndpoint ag = track(agent("mem:" + name).build());
        ag.start().thenRun(() -> threads.add("start stage " + Thread.currentThread().getName())).get(5, TimeUnit.SECONDS);
        for (int i = 0; i < 50; i++) {
            CompletableFuture<Response> f = ag.call(Fixtures.offer("t" + i));
            CompletableFuture<String> stage = f.thenApply(r -> "stage " + Thread.currentThread().getName());
            assertThat(f.get(5, TimeUnit.SECONDS).getDescription().getSdp()).isEqualTo("v=0 t" + i);
            assertThat(f.isDone()).isTrue();
            threads.add(stage.get(5, TimeUnit.SECONDS));
            ag.sendEvent(Fixtures.state("s", i));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> threads.stream().filter(t -> t.startsWith("sink")).count() == 50);
        assertThat(threads).hasSizeGreaterThan(150).noneMatch(t -> t.contains("vmc-io"));
    }
}
