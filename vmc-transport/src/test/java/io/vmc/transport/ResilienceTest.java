package io.vmc.transport;

import static io.vmc.transport.Fixtures.agent;
import static io.vmc.transport.Fixtures.engine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.Response;
import java.net.InetSocketAddress;
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

/** Channel loss, silent byte loss, torn frames and peer restarts, over a loopback proxy. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ResilienceTest {
    private final List<AutoCloseable> toClose = new ArrayList<>();

    private <T extends AutoCloseable> T track(T t) {
        toClose.add(t);
        return t;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private static int port(VmcEndpoint ep) {
        return ((InetSocketAddress) ep.localAddress().orElseThrow()).getPort();
    }

    private static List<String> reasons(List<Event> events) {
        return events.stream().map(e -> e.getSessionState().getReason()).toList();
    }

    private static List<String> expected(int from, int to) {
        List<String> l = new ArrayList<>();
        for (int i = from; i < to; i++) {
            l.add("n=" + i);
        }
        return l;
    }

    @Test
    void channelCutsMidStreamResumeWithoutLossOrDuplicates() throws Exception {
        Fixtures.Recorder engRec = new Fixtures.Recorder();
        VmcEndpoint eng = track(engine("tcp-listen:127.0.0.1:0").requestHandler(Fixtures.echoHandler())
                .eventSink(engRec).listener(engRec).build());
        eng.start();
        ChaosProxy proxy = track(new ChaosProxy(port(eng)));
        Fixtures.Recorder agRec = new Fixtures.Recorder();
        VmcEndpoint ag = track(agent("tcp:127.0.0.1:" + proxy.port()).listener(agRec).build());
        ag.start().get(5, TimeUnit.SECONDS);
        // The agent commits on the engine's Hello, the engine only on the agent's confirmation after
        // it: a cut between the two leaves the engine nothing to resume (no loss: the agent resends
        // what it sent since, and both sides then report a new session, which is right). This test
        // is about cuts in an established session, so the engine must have committed first.
        await().atMost(Duration.ofSeconds(5)).until(eng::isConnected);

        List<CompletableFuture<Response>> calls = new ArrayList<>();
        int events = 2000;
        for (int i = 0; i < events; i++) {
            assertThat(ag.sendEvent(Fixtures.state("s", i))).isTrue();
            if (i % 4 == 0) {
                calls.add(ag.call(Fixtures.offer("c" + i)));
            }
            if (i % 500 == 250) {
                proxy.cut();
            }
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> engRec.events.size() >= events);
        assertThat(reasons(engRec.events)).containsExactlyElementsOf(expected(0, events));
        for (int i = 0; i < calls.size(); i++) {
            assertThat(calls.get(i).get(10, TimeUnit.SECONDS).getDescription().getSdp()).isEqualTo("v=0 c" + (i * 4));
        }
        assertThat(agRec.log).contains("connected vmc-engine/test resumed");
        assertThat(agRec.log).noneMatch(s -> s.equals("connected vmc-engine/test new") && agRec.log.indexOf(s) > 0);
        assertThat(ag.stats().resumes()).isPositive();
    }

    @Test
    void silentlyDroppedBytesAreDetectedAndResent() throws Exception {
        // A long dead-peer limit: this test is about loss on a live connection, not reconnects.
        Fixtures.Recorder engRec = new Fixtures.Recorder();
        VmcEndpoint eng = track(engine("tcp-listen:127.0.0.1:0").eventSink(engRec)
                .keepalive(Duration.ofMillis(100), Duration.ofSeconds(20)).build());
        eng.start();
        ChaosProxy proxy = track(new ChaosProxy(port(eng)));
        VmcEndpoint ag = track(agent("tcp:127.0.0.1:" + proxy.port())
                .keepalive(Duration.ofMillis(100), Duration.ofSeconds(20)).build());
        ag.start().get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(eng::isConnected);

        // A gap followed by more traffic: the receiver asks for a resend.
        proxy.dropToUpstream(true);
        long sent = ag.stats().framesSent();
        for (int i = 0; i < 20; i++) {
            ag.sendEvent(Fixtures.state("s", i));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> ag.stats().framesSent() >= sent + 20);
        proxy.dropToUpstream(false);
        for (int i = 20; i < 40; i++) {
            ag.sendEvent(Fixtures.state("s", i));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> engRec.events.size() >= 40);
        assertThat(reasons(engRec.events)).containsExactlyElementsOf(expected(0, 40));

        // A lost tail with nothing after it: the probe ping finds it.
        proxy.dropToUpstream(true);
        long sent2 = ag.stats().framesSent();
        for (int i = 40; i < 50; i++) {
            ag.sendEvent(Fixtures.state("s", i));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> ag.stats().framesSent() >= sent2 + 10);
        proxy.dropToUpstream(false);
        await().atMost(Duration.ofSeconds(5)).until(() -> engRec.events.size() >= 50);
        assertThat(reasons(engRec.events)).containsExactlyElementsOf(expected(0, 50));
        assertThat(ag.stats().retransmitted()).isPositive();
        assertThat(ag.isConnected()).isTrue();
        assertThat(ag.stats().handshakes()).isEqualTo(1);
    }

    @Test
    void tornFrameInTheStreamIsSkipped() throws Exception {
        Fixtures.Recorder engRec = new Fixtures.Recorder();
        VmcEndpoint eng = track(engine("tcp-listen:127.0.0.1:0").eventSink(engRec).build());
        eng.start();
        ChaosProxy proxy = track(new ChaosProxy(port(eng)));
        VmcEndpoint ag = track(agent("tcp:127.0.0.1:" + proxy.port()).build());
        ag.start().get(5, TimeUnit.SECONDS);
        ag.sendEvent(Fixtures.state("s", 0));
        await().atMost(Duration.ofSeconds(5)).until(() -> engRec.events.size() == 1);

        // What a writer that died mid-frame leaves: a valid header promising 1000 bytes, then 10.
        ByteBuffer torn = ByteBuffer.allocate(22);
        torn.putInt(0xD51E7AC3).putInt(1000).putInt(0x12345678).put(new byte[10]);
        proxy.injectToUpstream(torn.array());
        for (int i = 1; i < 20; i++) {
            ag.sendEvent(Fixtures.state("s", i));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> engRec.events.size() >= 20);
        assertThat(reasons(engRec.events)).containsExactlyElementsOf(expected(0, 20));
        assertThat(eng.stats().tornFrames()).isEqualTo(1);
        assertThat(eng.stats().bytesSkipped()).isGreaterThanOrEqualTo(22);
    }

    @Test
    void peerCrashAndRestartFailsCallsItHadAndServesNewOnes() throws Exception {
        AtomicInteger received = new AtomicInteger();
        VmcEndpoint eng1 = engine("tcp-listen:127.0.0.1:0").requestHandler(req -> {
            received.incrementAndGet();
            return new CompletableFuture<>(); // never answers
        }).build();
        eng1.start();
        int enginePort = port(eng1);
        ChaosProxy proxy = track(new ChaosProxy(enginePort));
        Fixtures.Recorder agRec = new Fixtures.Recorder();
        VmcEndpoint ag = track(agent("tcp:127.0.0.1:" + proxy.port()).listener(agRec).build());
        ag.start().get(5, TimeUnit.SECONDS);
        String oldInstance = ag.peerHello().orElseThrow().getInstanceId();

        List<CompletableFuture<Response>> hanging = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            hanging.add(ag.call(Fixtures.status()));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> received.get() == 5);

        // Crash: the engine's Goodbye never reaches the agent.
        proxy.dropToDownstream(true);
        eng1.close();
        proxy.cut();
        proxy.dropToDownstream(false);
        VmcEndpoint eng2 = track(engine("tcp-listen:127.0.0.1:" + enginePort).requestHandler(Fixtures.echoHandler()).build());
        eng2.start();

        for (CompletableFuture<Response> f : hanging) {
            assertThat(f).failsWithin(Duration.ofSeconds(5)).withThrowableThat()
                    .havingCause().isInstanceOf(VmcTransportException.class)
                    .withMessageContaining("UNAVAILABLE").withMessageContaining("restarted")
                    .withMessageContaining(oldInstance);
        }
        assertThat(ag.call(Fixtures.offer("after")).get(5, TimeUnit.SECONDS).getDescription().getSdp()).isEqualTo("v=0 after");
        assertThat(agRec.log).filteredOn(s -> s.startsWith("connected")).containsExactly(
                "connected vmc-engine/test new", "connected vmc-engine/test new");
    }

    @Test
    void killAndRestartOneEndMidStreamLosesNoRequest() throws Exception {
        AtomicInteger handled = new AtomicInteger();
        RequestHandler slowEcho = req -> {
            handled.incrementAndGet();
            return CompletableFuture.supplyAsync(() -> Fixtures.echoHandler().handle(req).join(),
                    CompletableFuture.delayedExecutor(2, TimeUnit.MILLISECONDS));
        };
        VmcEndpoint eng1 = engine("tcp-listen:127.0.0.1:0").requestHandler(slowEcho).build();
        eng1.start();
        int enginePort = port(eng1);
        ChaosProxy proxy = track(new ChaosProxy(enginePort));
        VmcEndpoint ag = track(agent("tcp:127.0.0.1:" + proxy.port()).callDeadline(Duration.ofSeconds(8)).build());
        ag.start().get(5, TimeUnit.SECONDS);

        List<CompletableFuture<Response>> calls = new ArrayList<>();
        VmcEndpoint eng2 = null;
        for (int i = 0; i < 600; i++) {
            calls.add(ag.call(Fixtures.offer("c" + i)));
            if (i == 300) {
                eng1.close(); // a clean kill: Goodbye, then a new process on the same address
                eng2 = track(engine("tcp-listen:127.0.0.1:" + enginePort).requestHandler(slowEcho).build());
                eng2.start();
            }
            if (i % 50 == 0) {
                Thread.yield();
            }
        }
        int ok = 0;
        int failed = 0;
        for (int i = 0; i < calls.size(); i++) {
            try {
                Response r = calls.get(i).get(15, TimeUnit.SECONDS);
                assertThat(r.getDescription().getSdp()).isEqualTo("v=0 c" + i);
                ok++;
            } catch (java.util.concurrent.ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(VmcTransportException.class);
                assertThat(((VmcTransportException) e.getCause()).code()).isEqualTo(Error.Code.UNAVAILABLE);
                assertThat(e.getCause().getMessage()).containsAnyOf("shut down", "restarted", "not acknowledged");
                assertThat(i).isLessThanOrEqualTo(300);
                failed++;
            }
        }
        assertThat(ok + failed).isEqualTo(600);
        assertThat(ok).isGreaterThan(300);
        // After the restart everything works again.
        assertThat(ag.call(Fixtures.offer("z")).get(5, TimeUnit.SECONDS).getDescription().getSdp()).isEqualTo("v=0 z");
    }

    @Test
    void eventsSentWhileDisconnectedAreDeliveredOnConnect() throws Exception {
        String name = Fixtures.memName();
        Fixtures.Recorder engRec = new Fixtures.Recorder();
        VmcEndpoint ag = track(agent("mem:" + name).build());
        ag.start();
        for (int i = 0; i < 10; i++) {
            assertThat(ag.sendEvent(Fixtures.state("early", i))).isTrue();
        }
        CompletableFuture<Response> early = ag.call(Fixtures.offer("early"));
        VmcEndpoint eng = track(engine("mem-listen:" + name).eventSink(engRec).requestHandler(Fixtures.echoHandler()).build());
        eng.start();
        assertThat(early.get(5, TimeUnit.SECONDS).getDescription().getSdp()).isEqualTo("v=0 early");
        await().atMost(Duration.ofSeconds(5)).until(() -> engRec.events.size() == 10);
        assertThat(reasons(engRec.events)).containsExactlyElementsOf(expected(0, 10));
    }

}
