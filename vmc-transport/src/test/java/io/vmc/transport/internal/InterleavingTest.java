package io.vmc.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import io.vmc.transport.EndpointListener;
import io.vmc.transport.TransportLimits;
import io.vmc.transport.proto.CreateOffer;
import io.vmc.transport.proto.Envelope;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.Hello;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.SessionState;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two real sessions (an engine and an agentd) on embedded channels with a fake clock, and a wire
 * between them that this test controls: thousands of seeded random interleavings of deliveries,
 * requests and events both ways, cuts seen by both sides or by one side only (a virtio port does
 * not see the host go), Hellos left in the buffer for a previous connection, torn frames, and
 * either side replaced by a new instance. Each run is checked against the contract of
 * docs/protocol.md ("Resume rules"):
 * <ul>
 *   <li>no message is delivered twice, and each sender's messages arrive in order;
 *   <li>a new instance never resumes a predecessor's session;
 *   <li>a request issued on a session that is up, with no fault from its handshake until its
 *       answer, is answered (never failed by a late handshake message);
 *   <li>between two instances that both live to the end, every request issued after the sender's
 *       handshake with the receiver and after the last fault is answered, every such event is
 *       delivered exactly once, and no call is left waiting.
 * </ul>
 * A failure names its seed; replay it with {@code -Dvmc.interleaving.seed=N}.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class InterleavingTest {
    private static final int RUNS = Integer.getInteger("vmc.interleaving.runs", 3000);
    private static final int STEPS = 400;
    private static final Duration KEEPALIVE = Duration.ofSeconds(2);
    private static final Duration DEAD = Duration.ofSeconds(6);
    private static final Duration DEADLINE = Duration.ofSeconds(120);

    @Test
    void everyInterleavingKeepsTheContract() {
        String one = System.getProperty("vmc.interleaving.seed");
        if (one != null) {
            new Run(Long.parseLong(one)).execute();
            return;
        }
        long base = new Random().nextLong();
        for (int i = 0; i < RUNS; i++) {
            long seed = base + i;
            try {
                new Run(seed).execute();
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("interleaving seed " + seed + " broke the contract (replay with -Dvmc.interleaving.seed="
                        + seed + "): " + e.getMessage(), e);
            }
        }
    }

    /** A sent message: its tag, the sender instance, the time of the sender's fault count when sent. */
    private record Sent(String tag, String from, boolean afterCommitWith, String to, long faultsAtSend) {}

    private static final class Call {
        final String tag;
        final String from;
        final String peerAtIssue;
        final long faultsAtCommit;
        final boolean clean;
        long faultsAtIssue;
        long faultsAtDone = -1;
        CompletableFuture<Response> future;

        Call(String tag, String from, String peerAtIssue, long faultsAtCommit, boolean clean) {
            this.tag = tag;
            this.from = from;
            this.peerAtIssue = peerAtIssue;
            this.faultsAtCommit = faultsAtCommit;
            this.clean = clean;
        }
    }

    private static final boolean TRACE = System.getProperty("vmc.interleaving.seed") != null;

    private static void trace(String what) {
        if (TRACE) {
            System.err.println("TRACE " + what);
        }
    }

    private final class Run {
        final long seed;
        final Random rnd;
        final MockTicker clock = Ticker.newMockTicker();
        final Side a;
        final Side b;
        final ArrayDeque<Envelope> ab = new ArrayDeque<>();
        final ArrayDeque<Envelope> ba = new ArrayDeque<>();
        long faults;
        final List<Call> calls = new ArrayList<>();
        final List<Sent> events = new ArrayList<>();
        /** receiver instance -> tags received, in order. */
        final Map<String, List<String>> received = new HashMap<>();
        final Set<String> everReceived = new HashSet<>();
        final Set<String> replaced = new HashSet<>();

        Run(long seed) {
            this.seed = seed;
            this.rnd = new Random(seed);
            a = new Side("engine", Hello.Role.ROLE_ENGINE);
            b = new Side("agentd", Hello.Role.ROLE_AGENTD);
            a.peer = b;
            b.peer = a;
        }

        final class Side {
            final String name;
            final Hello.Role role;
            Side peer;
            EmbeddedChannel loopCh;
            Session session;
            EmbeddedChannel ch;
            long reattachAt = -1;
            int generation;
            /** Peer instance this session last committed with, and the fault count then. */
            String committedWith;
            long faultsAtCommit;
            final Map<String, Boolean> everCommittedWith = new HashMap<>();
            int counter;

            Side(String name, Hello.Role role) {
                this.name = name;
                this.role = role;
                create();
            }

            String instance() {
                return session.instanceId();
            }

            void create() {
                generation++;
                loopCh = EmbeddedChannel.builder().ticker(clock).build();
                Session s = new Session(new Session.Config(role, name + "/" + generation, List.of(), 1, 1, KEEPALIVE, DEAD,
                        DEADLINE, TransportLimits.MAX_FRAME_BYTES, Runnable::run), loopCh.eventLoop(), new Session.Owner() {
                            @Override
                            public void detached(Channel c, String why) {
                                if (session == sessionRef[0] && reattachAt < 0) {
                                    reattachAt = now() + 50 + rnd.nextInt(400);
                                }
                            }
                        }, new Counters());
                sessionRef[0] = s;
                session = s;
                committedWith = null;
                everCommittedWith.clear();
                String me = s.instanceId();
                s.setListener(new EndpointListener() {
                    @Override
                    public void onConnected(Hello p, boolean resumed) {
                        if (resumed) {
                            assertThat(p.getInstanceId()).as(me + " resumed a session with a new instance")
                                    .isEqualTo(committedWith);
                        }
                        trace(me + " connected to " + p.getInstanceId() + (resumed ? " resumed" : " new"));
                        committedWith = p.getInstanceId();
                        faultsAtCommit = faults;
                        everCommittedWith.put(p.getInstanceId(), true);
                    }
                });
                s.setEventSink(e -> receive(me, e.getSessionState().getReason()));
                s.setRequestHandler(r -> {
                    receive(me, r.getCreateOffer().getSessionId());
                    return CompletableFuture.completedFuture(Response.getDefaultInstance());
                });
                attachNew();
            }

            private final Session[] sessionRef = new Session[1];

            void attachNew() {
                ch = EmbeddedChannel.builder().ticker(clock).build();
                ch.pipeline().addLast(new SessionHandler(session, false));
                session.attach(ch);
                reattachAt = -1;
            }

            void cut() {
                drain();
                EmbeddedChannel c = ch;
                c.close();
                c.runPendingTasks();
                loopCh.runPendingTasks();
                if (reattachAt < 0) {
                    reattachAt = now() + 50 + rnd.nextInt(400);
                }
            }

            void drain() {
                if (ch == null) {
                    return;
                }
                ArrayDeque<Envelope> q = this == a ? ab : ba;
                Object o;
                while ((o = ch.readOutbound()) != null) {
                    q.addLast((Envelope) o);
                }
            }

            void runTasks() {
                ch.runPendingTasks();
                loopCh.runPendingTasks();
            }

            void call() {
                String tag = instance() + "#" + (++counter);
                boolean up = session.isConnected() && committedWith != null && committedWith.equals(peer.instance());
                Call c = new Call(tag, instance(), up ? committedWith : null, faultsAtCommit, up && faults == faultsAtCommit);
                c.faultsAtIssue = faults;
                calls.add(c);
                c.future = session.call(Request.newBuilder().setCreateOffer(CreateOffer.newBuilder().setSessionId(tag)).build(),
                        DEADLINE);
                c.future.whenComplete((r, t) -> c.faultsAtDone = faults);
            }

            void event() {
                String tag = instance() + "#" + (++counter);
                boolean afterCommit = everCommittedWith.containsKey(peer.instance());
                trace(name + " event " + tag + " afterCommit=" + afterCommit);
                if (session.sendEvent(Event.newBuilder().setSessionState(SessionState.newBuilder().setReason(tag)).build())) {
                    events.add(new Sent(tag, instance(), afterCommit, peer.instance(), faults));
                }
            }

            /** This instance goes away; a new one starts. */
            void replace(boolean orderly) {
                replaced.add(instance());
                faults++;
                if (orderly) {
                    session.close("replaced by the test");
                    runTasks();
                    drain();
                } else {
                    session.close("replaced by the test");
                    runTasks();
                    ch.readOutbound(); // its Goodbye never left
                    while (ch.readOutbound() != null) { }
                }
                create();
            }
        }

        private final Map<String, String> lastFrom = new HashMap<>();

        void receive(String receiver, String tag) {
            assertThat(everReceived.add(tag)).as("%s delivered twice (to %s)", tag, receiver).isTrue();
            String sender = tag.substring(0, tag.indexOf('#'));
            int n = Integer.parseInt(tag.substring(tag.indexOf('#') + 1));
            String key = sender + ">" + receiver;
            String prev = lastFrom.get(key);
            if (prev != null) {
                assertThat(n).as("%s after #%s: out of order", tag, prev).isGreaterThan(Integer.parseInt(prev));
            }
            lastFrom.put(key, String.valueOf(n));
            received.computeIfAbsent(receiver, k -> new ArrayList<>()).add(tag);
        }

        String describe(Envelope e) {
            if (e.hasHello()) {
                Hello h = e.getHello();
                return "Hello " + h.getInstanceId() + " id=" + h.getHelloId() + " re=" + h.getInReplyTo() + " epoch=" + h.getEpoch()
                        + " base=" + h.getBaseSeq() + " last=" + h.getLastReceivedSeq() + " oldest=" + h.getOldestSeq()
                        + " next=" + h.getNextSeq();
            }
            return e.getBodyCase() + " seq=" + e.getSeq() + " ack=" + e.getAck()
                    + (e.hasEvent() ? " " + e.getEvent().getSessionState().getReason() : "")
                    + (e.hasRequest() ? " " + e.getRequest().getCreateOffer().getSessionId() : "");
        }

        long now() {
            return clock.nanoTime();
        }

        void execute() {
            for (int step = 0; step < STEPS; step++) {
                step(rnd.nextInt(100));
                settle();
            }
            quiet();
            check();
        }

        void settle() {
            for (Side s : List.of(a, b)) {
                s.runTasks();
                s.drain();
            }
        }

        void step(int dice) {
            if (dice < 30) {
                deliver(ab, b);
            } else if (dice < 60) {
                deliver(ba, a);
            } else if (dice < 68) {
                a.call();
            } else if (dice < 72) {
                b.call();
            } else if (dice < 77) {
                a.event();
            } else if (dice < 82) {
                b.event();
            } else if (dice < 92) {
                advance(1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 2500 : 120));
            } else if (dice < 97) {
                fault(rnd.nextInt(7));
            } else {
                for (int i = 0; i < 5; i++) {
                    deliver(ab, b);
                    deliver(ba, a);
                }
            }
        }

        boolean deliver(ArrayDeque<Envelope> q, Side to) {
            if (q.isEmpty() || to.ch == null || !to.ch.isActive()) {
                return false;
            }
            Envelope e = q.pollFirst();
            trace("to " + to.name + ": " + describe(e));
            to.ch.writeInbound(e);
            return true;
        }

        void advance(long millis) {
            for (long t = 0; t < millis; t += 10) {
                clock.advance(Math.min(10, millis - t), TimeUnit.MILLISECONDS);
                for (Side s : List.of(a, b)) {
                    s.loopCh.runScheduledPendingTasks();
                    s.runTasks();
                    s.drain();
                    if (s.reattachAt >= 0 && now() >= s.reattachAt) {
                        s.attachNew();
                        s.drain();
                    }
                }
            }
        }

        void fault(int kind) {
            faults++;
            trace("FAULT " + kind);
            switch (kind) {
                case 0 -> { // both ends see the cut (socket, SPICE): nothing in the pipe survives
                    a.cut();
                    b.cut();
                    ab.clear();
                    ba.clear();
                }
                case 1 -> { // the engine's side drops; agentd's virtio port never notices and its Hellos stay queued
                    a.cut();
                    if (rnd.nextBoolean()) {
                        ab.clear();
                    }
                }
                case 2 -> { // agentd reopens its port; what the host wrote meanwhile is held
                    b.cut();
                    if (rnd.nextBoolean()) {
                        ba.clear();
                    }
                }
                case 3 -> a.replace(rnd.nextBoolean()); // the user reopens the SPICE client: a new engine
                case 4 -> b.replace(rnd.nextBoolean()); // agentd restarts in place
                case 5 -> { // a torn frame: one envelope lost in mid-stream
                    ArrayDeque<Envelope> q = rnd.nextBoolean() ? ab : ba;
                    if (!q.isEmpty()) {
                        List<Envelope> l = new ArrayList<>(q);
                        l.remove(rnd.nextInt(l.size()));
                        q.clear();
                        q.addAll(l);
                    }
                }
                default -> { // a cut on one side together with a new engine behind a port that saw nothing
                    a.replace(false);
                    ab.clear();
                }
            }
        }

        /** No more faults: deliver everything and let the timers run until nothing moves. */
        void quiet() {
            for (int round = 0; round < 3000; round++) {
                for (int i = 0; i < 10_000 && (deliver(ab, b) | deliver(ba, a)); i++) {
                    settle();
                }
                advance(50);
                boolean done = a.session.isConnected() && b.session.isConnected() && ab.isEmpty() && ba.isEmpty()
                        && calls.stream().filter(c -> !replaced.contains(c.from)).allMatch(c -> c.future.isDone());
                if (done && round > 200) {
                    return;
                }
            }
        }

        void check() {
            String fa = a.instance();
            String fb = b.instance();
            assertThat(a.committedWith).as("engine connected to the final agentd").isEqualTo(fb);
            assertThat(b.committedWith).as("agentd connected to the final engine").isEqualTo(fa);
            for (Call c : calls) {
                if (replaced.contains(c.from)) {
                    continue;
                }
                // Issued to a live peer after the last fault: its fate is never unknown.
                boolean finalPair = c.peerAtIssue != null && !replaced.contains(c.peerAtIssue) && c.faultsAtIssue == faults;
                assertThat(c.future).as("call %s still waits after the quiet period", c.tag).isDone();
                if (c.clean && c.future.isDone() && c.faultsAtDone == c.faultsAtCommit) {
                    assertThat(c.future).as("clean call %s (no fault since its handshake)", c.tag).isCompleted();
                    assertThat(c.future.isCompletedExceptionally()).as("clean call %s failed: %s", c.tag,
                            c.future.handle((r, t) -> String.valueOf(t)).join()).isFalse();
                }
                if (finalPair) {
                    assertThat(c.future.isDone() && !c.future.isCompletedExceptionally())
                            .as("call %s between instances that lived on: %s", c.tag,
                                    c.future.isDone() ? c.future.handle((r, t) -> String.valueOf(t)).join() : "no answer")
                            .isTrue();
                }
            }
            for (Sent e : events) {
                if (e.afterCommitWith() && e.faultsAtSend() == faults && !replaced.contains(e.from()) && !replaced.contains(e.to())) {
                    assertThat(received.getOrDefault(e.to(), List.of())).as("event %s to %s", e.tag(), e.to()).contains(e.tag());
                }
            }
        }
    }
}
