package io.vmc.transport.internal;

import io.vmc.transport.proto.Hello;
import java.util.ArrayDeque;

/**
 * The handshake state machine of one session, without I/O: which Hellos to send, which to ignore,
 * and when to commit. The contract it implements is "Resume rules" in docs/protocol.md:
 * <ul>
 *   <li>An attempt starts on every new channel (and when an established side sees the peer start
 *       one). Its Hello, sent again unchanged while unanswered, starts it ({@code in_reply_to = 0}).
 *   <li>While waiting, a side answers each fresh initiating Hello with a reply naming it.
 *   <li>A side commits only on a Hello whose {@code in_reply_to} names one of the Hellos of its own
 *       current attempt: proof that the peer read this attempt's Hello, so nothing left in a buffer
 *       from an earlier connection can complete (or reset) a session. On a reply to its
 *       initiating Hello it confirms with one more Hello, so that the peer commits too.
 *   <li>{@code hello_id} grows with every Hello an instance sends: a Hello from the current peer
 *       instance with a lower id than already seen is stale and ignored, as is any answer naming
 *       a Hello of an earlier attempt.
 * </ul>
 * Loop only.
 */
final class Handshake {
    /** Replies kept per attempt (a peer that keeps starting attempts on one channel gets answers for the latest). */
    private static final int MAX_REPLIES_PER_ATTEMPT = 64;

    enum State { IDLE, WAITING, ESTABLISHED }

    /** What the session must do with a received Hello. */
    sealed interface Step {
        /** Nothing to do. */
        record Ignore(String why) implements Step {}

        /** Send this Hello (an answer); the attempt goes on. */
        record Send(Hello hello) implements Step {}

        /**
         * Commit on the peer's Hello (its stream facts); then send {@code confirm} if not null.
         */
        record Commit(Hello peer, Hello confirm) implements Step {}

        /** The peer started a new attempt on an established session: a new attempt begins; send this. */
        record Restart(Hello initiation) implements Step {}
    }

    private long helloCounter;
    private State state = State.IDLE;
    private Hello facts;
    private long initiationId;
    private final ArrayDeque<Long> replyIds = new ArrayDeque<>();
    private String peerInstance;
    private long maxSeenId;
    /** The confirmation sent when this attempt committed on a reply, for a peer that did not get it. */
    private Hello confirm;

    Handshake(long firstHelloId) {
        this.helloCounter = firstHelloId;
    }

    State state() {
        return state;
    }

    /** Begins an attempt with these stream facts (frozen until it commits); returns its initiating Hello. */
    Hello begin(Hello attemptFacts) {
        state = State.WAITING;
        facts = attemptFacts;
        confirm = null;
        replyIds.clear();
        initiationId = ++helloCounter;
        return initiation();
    }

    /** This attempt's initiating Hello, unchanged (for resends). */
    Hello initiation() {
        return facts.toBuilder().setHelloId(initiationId).setInReplyTo(0).build();
    }

    /** The channel is gone. */
    void detach() {
        state = State.IDLE;
    }

    /**
     * Decides what a received Hello means. {@code factsNow} gives the current stream facts, used
     * only if an established session must begin a new attempt.
     */
    Step receive(Hello h, java.util.function.Supplier<Hello> factsNow) {
        boolean samePeer = h.getInstanceId().equals(peerInstance);
        if (samePeer && h.getHelloId() < maxSeenId) {
            if (state == State.ESTABLISHED && h.getInReplyTo() == 0 && confirm != null) {
                // The peer repeats its initiating Hello: our confirmation may not have reached it
                // (a torn frame). Idempotent for a peer that has it or has moved on.
                return new Step.Send(confirm);
            }
            return new Step.Ignore("stale: hello " + h.getHelloId() + " after " + maxSeenId);
        }
        boolean fresh = !samePeer || h.getHelloId() > maxSeenId;
        peerInstance = h.getInstanceId();
        maxSeenId = h.getHelloId();
        switch (state) {
            case IDLE:
                return new Step.Ignore("no channel");
            case WAITING:
                if (h.getInReplyTo() == 0) {
                    return new Step.Send(reply(h));
                }
                if (h.getInReplyTo() == initiationId) {
                    state = State.ESTABLISHED;
                    confirm = reply(h);
                    return new Step.Commit(h, confirm);
                }
                if (replyIds.contains(h.getInReplyTo())) {
                    state = State.ESTABLISHED;
                    return new Step.Commit(h, null);
                }
                return new Step.Ignore("answers a Hello of an earlier attempt");
            case ESTABLISHED:
            default:
                if (h.getInReplyTo() == 0 && fresh) {
                    return new Step.Restart(begin(factsNow.get()));
                }

                return new Step.Ignore("already established in this attempt");
        }
    }

    private Hello reply(Hello to) {
        long id = ++helloCounter;
        replyIds.addLast(id);
        if (replyIds.size() > MAX_REPLIES_PER_ATTEMPT) {
            replyIds.removeFirst();
        }
        return facts.toBuilder().setHelloId(id).setInReplyTo(to.getHelloId()).build();
    }
}
