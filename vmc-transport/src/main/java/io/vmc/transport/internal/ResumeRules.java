package io.vmc.transport.internal;

import io.vmc.transport.proto.Hello;

/**
 * The resume rule of docs/protocol.md ("Resume rules"), as a pure function of two Hellos. Both
 * sides of a handshake evaluate it on the same stream facts (each side's facts are frozen for the
 * whole attempt, so any two of its Hellos in one attempt carry the same facts), hence they agree
 * on every direction without a further message.
 */
final class ResumeRules {
    private ResumeRules() {}

    /**
     * Where the receiver's position in the sender's stream stands after the handshake.
     *
     * @param continues the receiver keeps its position: the sender replays what follows {@code last}
     * @param base the receiver knows nothing of the sender's messages up to this seq
     * @param last the receiver has delivered the sender's messages {@code base+1..last}
     */
    record Direction(boolean continues, long base, long last) {}

    /**
     * The sender's stream continues into the receiver iff the receiver holds a position in this
     * very stream ({@code resume_token == session_token}) and the sender still holds everything
     * after that position; otherwise the receiver starts at the sender's {@code next_seq}.
     */
    static Direction decide(Hello sender, Hello receiver) {
        long next = receiver.getLastReceivedSeq() + 1;
        boolean sameStream = !sender.getSessionToken().isEmpty()
                && receiver.getResumeToken().equals(sender.getSessionToken());
        if (sameStream && next >= sender.getOldestSeq() && next <= sender.getNextSeq()
                && receiver.getBaseSeq() <= receiver.getLastReceivedSeq()) {
            return new Direction(true, receiver.getBaseSeq(), receiver.getLastReceivedSeq());
        }
        long start = sender.getNextSeq() - 1;
        return new Direction(false, start, start);
    }
}
