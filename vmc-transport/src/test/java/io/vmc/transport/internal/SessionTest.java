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

    private Hello handshake(String instance) {
        Hello mine = written().stream().filter(Envelope::hasHello).reduce((a, b) -> b).orElseThrow().getHello();
        ch.writeInbound(Envelope.newBuilder().setHello(peerHello(instance)).build());
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
        advance(1990);
        assertThat(written()).noneMatch(Envelope::hasPing);
        advance(60);
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
    void secondHelloFromRestartedPeerFailsItsCallsAndResets() {
        handshake("p1");
        CompletableFuture<Response> f = session.call(Request.newBuilder().setCreateOffer(CreateOffer.getDefaultInstance()).build(),
                Duration.ofSeconds(5));
        ch.runPendingTasks();
        written();
        ch.writeInbound(Envelope.newBuilder().setSeq(1).setEvent(event(1)).build());
        // The agent restarted without the stream breaking (virtio): a new Hello on the same channel.
        ch.writeInbound(Envelope.newBuilder().setHello(peerHello("p2")).build());
        List<Envelope> out = written();
        assertThat(out).anySatisfy(e -> assertThat(e.getHello().getResumeToken().toStringUtf8()).isEqualTo("peer-token-p1"));
        assertThat(f).isCompletedExceptionally();
        assertThat(f.handle((r, t) -> t.getMessage()).join()).contains("UNAVAILABLE").contains("restarted")
                .contains("p1").contains("p2");
        // The new peer starts at seq 1 again.
        ch.writeInbound(Envelope.newBuilder().setSeq(1).setEvent(event(100)).build());
        assertThat(events).extracting(e -> e.getSessionState().getReason()).containsExactly("n=1", "n=100");
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
        // The channel breaks; a new one comes.
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
        ch2.writeInbound(Envelope.newBuilder().setHello(peerHello("p1")
                .setResumeToken(mine.getSessionToken()).setLastReceivedSeq(2)).build());
        List<Envelope> replay = written().stream().filter(Envelope::hasEvent).toList();
        assertThat(replay).extracting(Envelope::getSeq).containsExactly(3L);
    }

    private EmbeddedChannel reconnect() {
        ch.close();
        ch.runPendingTasks();
        EmbeddedChannel ch2 = EmbeddedChannel.builder().ticker(clock).build();
        ch2.pipeline().addLast(new SessionHandler(session, false));
        ch = ch2;
        session.attach(ch2);
        return ch2;
    }

    @Test
    void aPeerCutOffBeforeItReadOurHelloStillGetsOurStreamReplayed() {
        // We completed the handshake; the channel broke before the peer read our Hello (a loaded
        // listener), so the peer never established and comes back with no resume token.
        List<String> connected = new CopyOnWriteArrayList<>();
        session.setListener(new io.vmc.transport.EndpointListener() {
            @Override
            public void onConnected(Hello peer, boolean resumed) {
                connected.add(resumed ? "resumed" : "new");
            }
        });
        Hello peer = peerHello("p1").build();
        written();
        ch.writeInbound(Envelope.newBuilder().setHello(peer).build());
        session.sendEvent(event(1));
        session.sendEvent(event(2));
        CompletableFuture<Response> call = session.call(Request.newBuilder()
                .setCreateOffer(CreateOffer.newBuilder().setSessionId("s")).build(), Duration.ofSeconds(5));
        ch.runPendingTasks();
        assertThat(written().stream().filter(e -> e.getSeq() > 0)).hasSize(3);

        reconnect();
        Hello again = written().stream().filter(Envelope::hasHello).findFirst().orElseThrow().getHello();
        ch.writeInbound(Envelope.newBuilder().setHello(peer.toBuilder().setHelloId(7)).build()); // same instance, no resume token
        List<Envelope> replay = written().stream().filter(e -> e.getSeq() > 0).toList();
        assertThat(replay).extracting(Envelope::getSeq).containsExactly(1L, 2L, 3L);
        assertThat(call).isNotDone();
        assertThat(connected).containsExactly("new", "resumed");
        assertThat(again.getResumeToken()).isEqualTo(peer.getSessionToken());

        // And its answer arrives.
        ch.writeInbound(Envelope.newBuilder().setSeq(1).setAck(3).setResponse(Response.newBuilder().setId(
                replay.get(2).getRequest().getId())).build());
        assertThat(call).isCompleted();
    }

    @Test
    void whenWeWereCutOffBeforeReadingThePeersHelloItsStreamIsReplayedToUs() {
        // The mirror image: the peer completed the handshake with us and sent two events; we never
        // read its Hello (nor the events) before the channel broke.
        Hello ours = written().stream().filter(Envelope::hasHello).findFirst().orElseThrow().getHello();
        reconnect();
        Hello again = written().stream().filter(Envelope::hasHello).findFirst().orElseThrow().getHello();
        assertThat(again.getResumeToken()).isEmpty();
        assertThat(again.getLastReceivedSeq()).isZero();
        ch.writeInbound(Envelope.newBuilder().setHello(peerHello("p1").setResumeToken(ours.getSessionToken())
                .setNextSeq(3).setOldestSeq(1)).build());
        assertThat(session.isConnected()).isTrue();
        ch.writeInbound(Envelope.newBuilder().setSeq(1).setEvent(event(1)).build());
        ch.writeInbound(Envelope.newBuilder().setSeq(2).setEvent(event(2)).build());
        assertThat(events).extracting(e -> e.getSessionState().getReason()).containsExactly("n=1", "n=2");
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
    void lostHelloIsSentAgainWhenThePeerAlreadyTalksAndStaleAnswersAreIgnored() {
        Hello first = written().get(0).getHello();
        assertThat(first.getInReplyTo()).isZero();
        // The peer got our Hello and answered, but the answer was lost; now its traffic arrives.
        advance(600);
        ch.writeInbound(Envelope.newBuilder().setSeq(1).setEvent(event(1)).build());
        Hello again = written().stream().filter(Envelope::hasHello).findFirst().orElseThrow().getHello();
        assertThat(again.getHelloId()).isNotEqualTo(first.getHelloId());
        assertThat(events).isEmpty();
        // The late answer to the first Hello is stale; the answer to the second one counts.
        ch.writeInbound(Envelope.newBuilder().setHello(peerHello("p1").setInReplyTo(first.getHelloId())).build());
        assertThat(session.isConnected()).isFalse();
        ch.writeInbound(Envelope.newBuilder().setHello(peerHello("p1").setInReplyTo(again.getHelloId())).build());
        assertThat(session.isConnected()).isTrue();
        // An established side answers an initiating Hello exactly once, and not an answer.
        written();
        ch.writeInbound(Envelope.newBuilder().setHello(peerHello("p1").setHelloId(77)).build());
        List<Envelope> answers = written().stream().filter(Envelope::hasHello).toList();
        assertThat(answers).singleElement().satisfies(e -> assertThat(e.getHello().getInReplyTo()).isEqualTo(77));
        ch.writeInbound(Envelope.newBuilder().setHello(peerHello("p1").setInReplyTo(12345)).build());
        assertThat(written()).noneMatch(Envelope::hasHello);
    }

    @Test
    void staleHellosAddressedToAPredecessorDoNotResetAnEstablishedSession() {
        // A new engine meets an agent whose virtio buffer still holds two Hellos it sent to the previous
        // engine while that one was going away: the first establishes us, the second must not reset us.
        ByteString predecessor = ByteString.copyFromUtf8("previous-engine-token");
        written();
        ch.writeInbound(Envelope.newBuilder().setHello(peerHello("agent").setHelloId(5).setResumeToken(predecessor)).build());
        assertThat(session.isConnected()).isTrue();
        CompletableFuture<Response> call = session.call(Request.newBuilder().setCreateOffer(CreateOffer.getDefaultInstance())
                .build(), Duration.ofSeconds(5));
        ch.runPendingTasks();
        Envelope req = written().stream().filter(Envelope::hasRequest).findFirst().orElseThrow();
        ch.writeInbound(Envelope.newBuilder().setHello(peerHello("agent").setHelloId(6).setResumeToken(predecessor)).build());
        assertThat(call).isNotDone();
        List<Envelope> out = written();
        assertThat(out).filteredOn(Envelope::hasHello).singleElement()
                .satisfies(e -> assertThat(e.getHello().getInReplyTo()).isEqualTo(6));
        ch.writeInbound(Envelope.newBuilder().setSeq(1).setAck(1).setResponse(Response.newBuilder()
                .setId(req.getRequest().getId())).build());
        assertThat(call).isCompleted();
    }

    @Test
    void helloIsRepeatedWhileUnanswered() {
        written();
        advance(2050);
        assertThat(written()).filteredOn(Envelope::hasHello).isNotEmpty();
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
