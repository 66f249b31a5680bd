package io.vmc.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import io.vmc.transport.TransportLimits;
import io.vmc.transport.VmcTransportException;
import io.vmc.transport.proto.Ack;
import io.vmc.transport.proto.CreateOffer;
import io.vmc.transport.proto.Envelope;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.Hello;
import io.vmc.transport.proto.Ping;
import io.vmc.transport.proto.Pong;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.SessionState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The session state machine on an {@link EmbeddedChannel} with a fake clock: this test plays the
 * peer by hand, envelope by envelope.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SessionTest {
    private final MockTicker clock = Ticker.newMockTicker();
    private final List<String> detached = new CopyOnWriteArrayList<>();
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final List<Request> served = new CopyOnWriteArrayList<>();
    private EmbeddedChannel ch;
    private Session session;

    @BeforeEach
    void setUp() {
        ch = EmbeddedChannel.builder().ticker(clock).build();
        session = new Session(new Session.Config(Hello.Role.ROLE_ENGINE, "engine/test", List.of("audio"), 1, 2,
                Duration.ofSeconds(2), Duration.ofSeconds(6), Duration.ofSeconds(10), TransportLimits.MAX_FRAME_BYTES,
                Runnable::run), ch.eventLoop(), (Channel c, String why) -> detached.add(why), new Counters());
        session.setEventSink(events::add);
        session.setRequestHandler(r -> {
            served.add(r);
            return CompletableFuture.completedFuture(Response.getDefaultInstance());
        });
        ch.pipeline().addLast(new SessionHandler(session, false));
        session.attach(ch);
    }

    private List<Envelope> written() {
        List<Envelope> out = new ArrayList<>();
        Object o;
        while ((o = ch.readOutbound()) != null) {
            out.add((Envelope) o);
        }
        return out;
    }

    private void advance(long millis) {
        // Step in ticks so that fixed-rate timers see every instant.
        for (long t = 0; t < millis; t += 10) {
            clock.advance(Math.min(10, millis - t), TimeUnit.MILLISECONDS);
            ch.runScheduledPendingTasks();
        }
        ch.runPendingTasks();
    }

    private static Hello.Builder peerHello(String instance) {
        return Hello.newBuilder().setMinVersion(1).setMaxVersion(1).setSoftware("agentd/test").setInstanceId(instance)
                .setSessionToken(ByteString.copyFromUtf8("peer-token-" + instance)).setNextSeq(1).setOldestSeq(1);
    }

    private long peerHelloIds = 1000;

    /** The peer answers our latest Hello: we commit (and confirm). */
    private Hello handshake(String instance) {
        Hello mine = written().stream().filter(Envelope::hasHello).reduce((a, b) -> b).orElseThrow().getHello();
        ch.writeInbound(Envelope.newBuilder().setHello(peerHello(instance).setHelloId(++peerHelloIds)
                .setInReplyTo(mine.getHelloId())).build());
        return mine;
    }

    private static Event event(int n) {
        return Event.newBuilder().setSessionState(SessionState.newBuilder().setReason("n=" + n)).build();
    }

    @Test
    void helloCarriesRangeAndSequenceState() {
        Hello h = handshake("p1");
        assertThat(h.getMinVersion()).isEqualTo(1);
        assertThat(h.getMaxVersion()).isEqualTo(2);
        assertThat(h.getCapabilitiesList()).containsExactly("audio");
        assertThat(h.getNextSeq()).isEqualTo(1);
        assertThat(h.getResumeToken()).isEmpty();
        assertThat(session.isConnected()).isTrue();
        assertThat(session.negotiatedVersion()).isEqualTo(1);
    }

    @Test
    void keepalivePingsWhenIdleAndDeclaresDeadPeer() {
        handshake("p1");
        written();
        advance(1490); // pings go out after 75-100 % of the interval without hearing from the peer
        assertThat(written()).noneMatch(Envelope::hasPing);
        advance(560);
        assertThat(written()).anyMatch(Envelope::hasPing);
        // Peer traffic keeps it alive.
        advance(3000);
        ch.writeInbound(Envelope.newBuilder().setAckOnly(Ack.getDefaultInstance()).build());
        advance(5000);
        assertThat(ch.isActive()).isTrue();
        advance(1100);
        ch.runPendingTasks();
        assertThat(ch.isActive()).isFalse();
        assertThat(detached).singleElement().asString().startsWith("keepalive: nothing received from the peer for");
    }

    @Test
    void anIdleLinkPingsOncePerIntervalAndOnlyWhenItHearsNothing() {
        handshake("p1");
        written();
        int pings = 0;
        for (int i = 0; i < 200; i++) { // 20 s: the peer answers every ping
            advance(100);
            for (Envelope e : written()) {
                if (e.hasPing()) {
                    pings++;
                    ch.writeInbound(Envelope.newBuilder().setPong(Pong.newBuilder().setNonce(e.getPing().getNonce())
                            .setSentNanos(e.getPing().getSentNanos())).build());
                }
            }
        }
        assertThat(pings).as("pings in 20 s with a 2 s interval").isBetween(10, 14);
        // A peer that pings us more often than our interval keeps us from pinging at all.
        for (int i = 0; i < 20; i++) {
            ch.writeInbound(Envelope.newBuilder().setPing(Ping.newBuilder().setNonce(i)).build());
            advance(1400);
            assertThat(written()).noneMatch(Envelope::hasPing).anyMatch(Envelope::hasPong);
        }
        assertThat(ch.isActive()).isTrue();
    }

    @Test
    void handshakeTimesOutWithoutPeerHello() {
        advance(6100);
        assertThat(ch.isActive()).isFalse();
        assertThat(detached).singleElement().asString().contains("no Hello from the peer within 6000 ms");
    }

    @Test
    void callDeadlineOnTheFakeClock() {
        handshake("p1");
        CompletableFuture<Response> f = session.call(Request.newBuilder().setCreateOffer(CreateOffer.getDefaultInstance()).build(),
                Duration.ofMillis(500));
        ch.runPendingTasks();
        Envelope req = written().stream().filter(Envelope::hasRequest).findFirst().orElseThrow();
        assertThat(req.getSeq()).isEqualTo(1);
        assertThat(req.getRequest().getDeadlineMs()).isEqualTo(500);
        advance(490);
        assertThat(f).isNotDone();
        advance(20);
        assertThat(f).isCompletedExceptionally();
        assertThat(f.handle((r, t) -> ((VmcTransportException) t).code()).join()).isEqualTo(Error.Code.DEADLINE_EXCEEDED);
        // A late response is ignored.
        ch.writeInbound(Envelope.newBuilder().setSeq(1).setAck(1).setResponse(Response.newBuilder().setId(req.getRequest().getId())).build());
    }

    @Test
    void duplicatesAreDroppedAndGapsAskForResend() {
        handshake("p1");
        written();
        ch.writeInbound(Envelope.newBuilder().setSeq(1).setEvent(event(1)).build());
        ch.writeInbound(Envelope.newBuilder().setSeq(1).setEvent(event(1)).build());
        ch.writeInbound(Envelope.newBuilder().setSeq(3).setEvent(event(3)).build());
        List<Envelope> out = written();
        assertThat(out).anySatisfy(e -> {
            assertThat(e.getAckOnly().getResend()).isTrue();
            assertThat(e.getAck()).isEqualTo(1);
        });
        ch.writeInbound(Envelope.newBuilder().setSeq(2).setEvent(event(2)).build());
        ch.writeInbound(Envelope.newBuilder().setSeq(3).setEvent(event(3)).build());
        assertThat(events).extracting(e -> e.getSessionState().getReason()).containsExactly("n=1", "n=2", "n=3");
    }

    @Test
    void pongWithLaggingAckTriggersRetransmission() {
        handshake("p1");
        session.sendEvent(event(1));
        session.sendEvent(event(2));
        ch.runPendingTasks();
        assertThat(written()).filteredOn(Envelope::hasEvent).hasSize(2);
        advance(600); // no ack for a while: the session probes
        Envelope ping = written().stream().filter(Envelope::hasPing).findFirst().orElseThrow();
        ch.writeInbound(Envelope.newBuilder().setAck(1).setPong(Pong.newBuilder().setNonce(ping.getPing().getNonce())).build());
        List<Envelope> resent = written().stream().filter(Envelope::hasEvent).toList();
        assertThat(resent).extracting(Envelope::getSeq).containsExactly(2L);
    }

    @Test
    void requestFloodBeyondTheLimitIsAnsweredResourceExhausted() {
        session.setRequestHandler(r -> new CompletableFuture<>()); // never completes
        handshake("p1");
        written();
        int n = TransportLimits.MAX_CONCURRENT_INBOUND_REQUESTS + 10;
        for (int i = 1; i <= n; i++) {
            ch.writeInbound(Envelope.newBuilder().setSeq(i).setRequest(Request.newBuilder().setId(i)
                    .setCreateOffer(CreateOffer.getDefaultInstance())).build());
        }
        List<Envelope> out = written().stream().filter(Envelope::hasResponse).toList();
        assertThat(out).hasSize(10).allSatisfy(e ->
                assertThat(e.getResponse().getError().getCode()).isEqualTo(Error.Code.RESOURCE_EXHAUSTED));
    }

    @Test
    void outboundQueueIsBoundedWhileThePeerIsAway() {
        // Never handshaken: everything queues.
        int accepted = 0;
        for (int i = 0; i < TransportLimits.REPLAY_BUFFER_MESSAGES + 100; i++) {
            if (session.sendEvent(event(i))) {
                accepted++;
            }
        }
        assertThat(accepted).isEqualTo(TransportLimits.REPLAY_BUFFER_MESSAGES);
        CompletableFuture<Response> f = session.call(Request.newBuilder().setCreateOffer(CreateOffer.getDefaultInstance()).build(),
                Duration.ofSeconds(1));
        assertThat(f.handle((r, t) -> ((VmcTransportException) t).code()).join()).isEqualTo(Error.Code.RESOURCE_EXHAUSTED);
    }

    @Test
    void bytesInFlightAreCapped() {
        handshake("p1");
        written();
        String big = "x".repeat(60_000);
        for (int i = 0; i < 40; i++) {
            session.sendEvent(Event.newBuilder().setSessionState(SessionState.newBuilder().setReason(big)).build());
        }
        ch.runPendingTasks();
        long sent = written().stream().filter(Envelope::hasEvent).count();
        assertThat(sent * 60_000).isLessThanOrEqualTo(TransportLimits.MAX_BYTES_IN_FLIGHT + 60_100);
        assertThat(sent).isLessThan(40);
        ch.writeInbound(Envelope.newBuilder().setAck(sent).setAckOnly(Ack.getDefaultInstance()).build());
        long more = written().stream().filter(Envelope::hasEvent).count();
        assertThat(more).isPositive();
    }

    @Test
    void peerThatFloodsRequestsButDoesNotReadIsNoLongerRead() {
        handshake("p1");
        written();
        ch.unsafe().outboundBuffer().setUserDefinedWritability(1, false); // the peer stopped reading
        int n = TransportLimits.REPLAY_BUFFER_MESSAGES + 1;
        for (int i = 1; i <= n; i++) {
            ch.writeInbound(Envelope.newBuilder().setSeq(i).setRequest(Request.newBuilder().setId(i)
                    .setCreateOffer(CreateOffer.getDefaultInstance())).build());
        }
        assertThat(served).hasSize(n);
        assertThat(ch.config().isAutoRead()).isFalse();
        ch.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        ch.runPendingTasks();
        assertThat(written()).filteredOn(Envelope::hasResponse).hasSize(n);
        assertThat(ch.config().isAutoRead()).isTrue();
    }

    @Test
    void aHelloThatAnswersNoneOfOursCompletesNoHandshake() {
        written();
        // An initiating Hello (perhaps left in a buffer for a previous connection) is answered, nothing more.
        ch.writeInbound(Envelope.newBuilder().setHello(peerHello("agent").setHelloId(5)).build());
        assertThat(session.isConnected()).isFalse();
        List<Envelope> out = written();
        assertThat(out).filteredOn(Envelope::hasHello).singleElement()
                .satisfies(e -> assertThat(e.getHello().getInReplyTo()).isEqualTo(5));
        ch.writeInbound(Envelope.newBuilder().setHello(peerHello("agent").setHelloId(6).setInReplyTo(424242)).build());
        assertThat(session.isConnected()).isFalse();
        // Its confirmation of our answer completes it.
        long ours = out.get(0).getHello().getHelloId();
        ch.writeInbound(Envelope.newBuilder().setHello(peerHello("agent").setHelloId(7).setInReplyTo(ours)).build());
        assertThat(session.isConnected()).isTrue();
    }

    @Test
    void staleHellosOfTheAgentDoNotFailTheFirstCallOfANewEngine() {
        // The scenario: a new engine meets an agent whose virtio buffer still holds Hellos
        // it sent while no engine was there (no resume token: it had been told SHUTDOWN).
        Hello mine = written().get(0).getHello();
        ch.writeInbound(Envelope.newBuilder().setHello(peerHello("agent").setHelloId(5).setNextSeq(9).setOldestSeq(9)
                .setLastReceivedSeq(40)).build());
        ch.writeInbound(Envelope.newBuilder().setHello(peerHello("agent").setHelloId(6).setNextSeq(9).setOldestSeq(9)
                .setLastReceivedSeq(40)).build());
        ch.writeInbound(Envelope.newBuilder().setHello(peerHello("agent").setHelloId(7).setInReplyTo(mine.getHelloId())
                .setNextSeq(9).setOldestSeq(9).setLastReceivedSeq(40)).build());
        assertThat(session.isConnected()).isTrue();
        CompletableFuture<Response> call = session.call(Request.newBuilder().setCreateOffer(CreateOffer.getDefaultInstance())
                .build(), Duration.ofSeconds(5));
        ch.runPendingTasks();
        Envelope req = written().stream().filter(Envelope::hasRequest).findFirst().orElseThrow();
        assertThat(req.getSeq()).isEqualTo(1);
        // More of the old Hellos arrive after the handshake: nothing resets.
        ch.writeInbound(Envelope.newBuilder().setHello(peerHello("agent").setHelloId(6).setNextSeq(9).setOldestSeq(9)).build());
        assertThat(call).isNotDone();
        ch.writeInbound(Envelope.newBuilder().setSeq(9).setAck(1).setResponse(Response.newBuilder()
                .setId(req.getRequest().getId())).build());
        assertThat(call).isCompleted();
    }

    @Test
    void aPeerRestartedOnAnOpenChannelIsHandshakenWithAgainAndOurCallsToItsPredecessorFail() {
        handshake("p1");
        CompletableFuture<Response> f = session.call(Request.newBuilder().setCreateOffer(CreateOffer.getDefaultInstance()).build(),
                Duration.ofSeconds(5));
        ch.runPendingTasks();
        written();
        // The agent restarted without the stream breaking (virtio): its initiating Hello arrives.
        ch.writeInbound(Envelope.newBuilder().setHello(peerHello("p2").setHelloId(1)).build());
        assertThat(f).isNotDone();
        Hello again = written().stream().filter(Envelope::hasHello).reduce((a, b) -> b).orElseThrow().getHello();
        assertThat(again.getInReplyTo()).isZero();
        assertThat(again.getResumeToken().toStringUtf8()).isEqualTo("peer-token-p1");
        ch.writeInbound(Envelope.newBuilder().setHello(peerHello("p2").setHelloId(2).setInReplyTo(again.getHelloId())).build());
        assertThat(f.handle((r, t) -> t.getMessage()).join()).contains("UNAVAILABLE").contains("restarted")
                .contains("p1").contains("p2");
        ch.writeInbound(Envelope.newBuilder().setSeq(1).setEvent(event(100)).build());
        assertThat(events).extracting(e -> e.getSessionState().getReason()).containsExactly("n=100");
    }

    @Test
    void resumeByTokenReplaysUnacknowledged() {
        Hello mine = handshake("p1");
        session.sendEvent(event(1));
        session.sendEvent(event(2));
        session.sendEvent(event(3));
        ch.runPendingTasks();
        written();
        ch.writeInbound(Envelope.newBuilder().setAck(1).setAckOnly(Ack.getDefaultInstance()).build());
        ch.close();
        ch.runPendingTasks();
        assertThat(detached).hasSize(1);
        EmbeddedChannel ch2 = EmbeddedChannel.builder().ticker(clock).build();
        // Embedded loops run everything inline, so the session can drive a second embedded channel.
        ch2.pipeline().addLast(new SessionHandler(session, false));
        ch = ch2;
        session.attach(ch2);
        Hello again = written().stream().filter(Envelope::hasHello).findFirst().orElseThrow().getHello();
        assertThat(again.getSessionToken()).isEqualTo(mine.getSessionToken());
        assertThat(again.getResumeToken().toStringUtf8()).isEqualTo("peer-token-p1");
        assertThat(again.getOldestSeq()).isEqualTo(2);
        ch2.writeInbound(Envelope.newBuilder().setHello(peerHello("p1").setHelloId(5000).setInReplyTo(again.getHelloId())
                .setResumeToken(mine.getSessionToken()).setLastReceivedSeq(2)).build());
        List<Envelope> replay = written().stream().filter(Envelope::hasEvent).toList();
        assertThat(replay).extracting(Envelope::getSeq).containsExactly(3L);
    }

    @Test
    void helloIsRepeatedWhileUnanswered() {
        written();
        advance(2050);
        assertThat(written()).filteredOn(Envelope::hasHello).isNotEmpty()
                .allSatisfy(e -> assertThat(e.getHello().getInReplyTo()).isZero());
        assertThat(ch.isActive()).isTrue();
    }

    @Test
    void helloWithAnImpossibleVersionRangeIsAProtocolViolation() {
        written();
        ch.writeInbound(Envelope.newBuilder().setHello(peerHello("p1").setMinVersion(3).setMaxVersion(2)).build());
        ch.runPendingTasks();
        assertThat(written()).anySatisfy(e -> {
            assertThat(e.getGoodbye().getReason()).isEqualTo(io.vmc.transport.proto.Goodbye.Reason.PROTOCOL_VIOLATION);
            assertThat(e.getGoodbye().getMessage()).contains("invalid version range 3..2");
        });
        assertThat(ch.isActive()).isFalse();
        assertThat(detached).singleElement().asString().startsWith("protocol violation");
    }

    @Test
    void reliableMessageWithoutSequenceNumberIsAProtocolViolation() {
        handshake("p1");
        written();
        ch.writeInbound(Envelope.newBuilder().setEvent(event(1)).build());
        ch.runPendingTasks();
        assertThat(ch.isActive()).isFalse();
        assertThat(events).isEmpty();
    }
}
