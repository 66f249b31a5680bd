package io.vmc.transport.internal;

import com.google.protobuf.ByteString;
import io.netty.channel.Channel;
import io.vmc.transport.TransportLimits;
import io.vmc.transport.VmcProtocolException;
import io.vmc.transport.proto.Ack;
import io.vmc.transport.proto.Envelope;
import io.vmc.transport.proto.Hello;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reliable link of one session: sequence numbers, cumulative acks, the replay buffer, go-back-N
 * resend, in-order delivery, and what a committed handshake does to both streams. It writes to
 * whatever channel is attached and sends nothing while the session is not established (the
 * stream facts must stay frozen during a handshake attempt).
 *
 * <p>Admission ({@link #admit}) is any thread; everything else is loop only.
 */
final class ReliableLink {
    private static final Logger log = LoggerFactory.getLogger(ReliableLink.class);

    /** Room for seq, ack and envelope tags around a body, so a body that fits is never too big. */
    static final int ENVELOPE_OVERHEAD = 32;
    /** Acknowledge at once after this many unacknowledged messages (else within one tick). */
    private static final int ACK_EVERY_MESSAGES = 32;

    /** One reliable message, from admission until acknowledged or given up. */
    static final class Outbound {
        final Envelope template;
        final int size;
        /** The request this carries, or null. */
        final Object owner;
        final boolean admitted;
        long seq;

        Outbound(Envelope template, int size, Object owner, boolean admitted) {
            this.template = template;
            this.size = size;
            this.owner = owner;
            this.admitted = admitted;
        }
    }

    /** What the layer above hears. Loop. */
    interface Upper {
        /** An in-order, new REQUEST, RESPONSE or EVENT. */
        void deliver(Envelope env);

        /** A message that will not be delivered (or whose fate is unknown). */
        void abandoned(Outbound o, String why);

        /** The link sent what it could of the queue. */
        void pumped();

        /** Something now waits on a timer (an ack owed, or the first message in flight). */
        void timerNeeded();
    }

    private final Upper upper;
    private final Counters counters;
    private final LongSupplier clock;
    private final String label;
    private final AtomicInteger queuedMessages = new AtomicInteger();
    private final AtomicLong queuedBytes = new AtomicLong();

    private Channel ch;
    private boolean open;
    private int peerMaxFrame = TransportLimits.MAX_FRAME_BYTES;
    private long nextSeq = 1;
    private long recvSeq;
    private long baseSeq;
    private long lastAckSent;
    private long ackOwedSinceNanos = -1;
    private boolean ackForced;
    private boolean gapReported;
    private final ArrayDeque<Outbound> inFlight = new ArrayDeque<>();
    private final ArrayDeque<Outbound> unsent = new ArrayDeque<>();
    private long inFlightBytes;
    private ByteString peerSession = ByteString.EMPTY;
    private long lastWriteNanos;
    private long lastProgressNanos;

    ReliableLink(Upper upper, Counters counters, LongSupplier clock, String label) {
        this.upper = upper;
        this.counters = counters;
        this.clock = clock;
        this.label = label;
    }

    // ------------------------------------------------------------------ any thread

    /** Reserves room in the outbound queue; null if admitted, else why not. */
    String admit(int size) {
        int n = queuedMessages.incrementAndGet();
        long b = queuedBytes.addAndGet(size);
        if (n > TransportLimits.REPLAY_BUFFER_MESSAGES || b > TransportLimits.REPLAY_BUFFER_BYTES) {
            queuedMessages.decrementAndGet();
            queuedBytes.addAndGet(-size);
            return "outbound queue full: " + (n - 1) + " messages / " + (b - size) + " bytes waiting for the peer"
                    + " (limits " + TransportLimits.REPLAY_BUFFER_MESSAGES + " / " + TransportLimits.REPLAY_BUFFER_BYTES
                    + "); the peer is slow or away";
        }
        return null;
    }

    void release(Outbound o) {
        if (o.admitted) {
            queuedMessages.decrementAndGet();
            queuedBytes.addAndGet(-o.size);
        }
    }

    // ------------------------------------------------------------------ loop: channel and state

    void attach(Channel channel) {
        ch = channel;
        open = false;
        gapReported = false;
    }

    void detach() {
        ch = null;
        open = false;
    }

    /** Stream facts for a Hello (frozen while not open). */
    Hello.Builder facts(Hello.Builder b) {
        return b.setResumeToken(peerSession).setLastReceivedSeq(recvSeq).setBaseSeq(baseSeq)
                .setNextSeq(nextSeq).setOldestSeq(inFlight.isEmpty() ? nextSeq : inFlight.peekFirst().seq);
    }

    long recvSeq() {
        return recvSeq;
    }

    long lastSentSeq() {
        return nextSeq - 1;
    }

    boolean hasInFlight() {
        return !inFlight.isEmpty();
    }

    int unsentCount() {
        return unsent.size();
    }

    long lastWriteNanos() {
        return lastWriteNanos;
    }

    /** Whether an ack is owed to the peer (it goes out alone after a short delay). */
    boolean ackOwed() {
        return recvSeq > lastAckSent && ackOwedSinceNanos >= 0;
    }

    long lastProgressNanos() {
        return lastProgressNanos;
    }

    /** The peer session our stream goes to (empty before the first handshake or after a SHUTDOWN). */
    ByteString peerSession() {
        return peerSession;
    }

    /**
     * Applies a committed handshake. {@code out}: our stream into the peer; {@code in}: the peer's
     * into us. {@code undelivered}: the peer's Hello proves it delivered none of what we sent it
     * since our last commit (it committed nothing since), so a reset stream resends that instead of
     * giving it up.
     */
    void commit(Hello peer, ResumeRules.Direction out, ResumeRules.Direction in, boolean undelivered, String why) {
        List<Outbound> requeue = new ArrayList<>();
        for (Outbound o : inFlight) {
            if (out.continues() && o.seq > out.base() && o.seq <= out.last()) {
                release(o); // delivered
            } else if (out.continues() && o.seq > out.last()) {
                requeue.add(o); // replayed below, same seq
            } else if (!out.continues() && undelivered) {
                o.seq = 0;
                requeue.add(o);
            } else {
                release(o);
                upper.abandoned(o, "was sent but not acknowledged before " + why + "; it may or may not have been processed");
            }
        }
        inFlight.clear();
        inFlightBytes = 0;
        for (int i = requeue.size() - 1; i >= 0; i--) {
            Outbound o = requeue.get(i);
            if (o.seq == 0) {
                unsent.addFirst(o);
            } else {
                inFlight.addFirst(o);
                inFlightBytes += o.size;
            }
        }
        if (!in.continues()) {
            recvSeq = in.last();
            baseSeq = in.base();
            lastAckSent = recvSeq;
        }
        peerSession = peer.getSessionToken();
        peerMaxFrame = peer.getMaxFrameBytes() == 0 ? TransportLimits.MAX_FRAME_BYTES : peer.getMaxFrameBytes();
        gapReported = false;
        ackOwedSinceNanos = -1;
    }

    /** Established: replays what the handshake kept and starts sending. */
    void open() {
        open = true;
        lastProgressNanos = clock.getAsLong();
        if (!inFlight.isEmpty()) {
            for (Outbound o : inFlight) {
                writeReliable(o);
            }
            counters.retransmitted.add(inFlight.size());
        }
        pump();
        ch.flush();
    }

    /** A new handshake attempt on this channel: nothing is sent or taken until it commits. */
    void freeze() {
        open = false;
    }

    boolean isOpen() {
        return open && ch != null;
    }

    // ------------------------------------------------------------------ loop: outbound

    void enqueue(Outbound o) {
        unsent.addLast(o);
        pump();
    }

    /** Takes an unsent message back (a request that expired before it was sent). */
    boolean withdraw(Outbound o) {
        if (o.seq == 0 && unsent.remove(o)) {
            release(o);
            return true;
        }
        return false;
    }

    /** Whether the peer has acknowledged this message (it left the buffer without being given up). */
    boolean delivered(Outbound o) {
        return o.seq != 0 && !inFlight.contains(o);
    }

    void pump() {
        if (!isOpen()) {
            return;
        }
        boolean wrote = false;
        while (!unsent.isEmpty() && ch.isWritable()) {
            Outbound o = unsent.peekFirst();
            if (!inFlight.isEmpty() && inFlightBytes + o.size > TransportLimits.MAX_BYTES_IN_FLIGHT) {
                break;
            }
            unsent.pollFirst();
            if (o.size + ENVELOPE_OVERHEAD > peerMaxFrame) {
                release(o);
                upper.abandoned(o, "is " + o.size + " bytes, more than the peer accepts (" + peerMaxFrame + ")");
                continue;
            }
            o.seq = nextSeq++;
            if (inFlight.isEmpty()) {
                lastProgressNanos = clock.getAsLong();
                upper.timerNeeded();
            }
            inFlight.addLast(o);
            inFlightBytes += o.size;
            writeReliable(o);
            wrote = true;
        }
        if (wrote) {
            ch.flush();
        }
        upper.pumped();
    }

    private void writeReliable(Outbound o) {
        Envelope e = o.template.toBuilder().setSeq(o.seq).setAck(recvSeq).build();
        ch.write(e, ch.voidPromise());
        lastAckSent = recvSeq;
        ackOwedSinceNanos = -1;
        lastWriteNanos = clock.getAsLong();
    }

    /** Writes a link-level message on the attached channel (not flushed). */
    void writeLink(Envelope e) {
        ch.write(e, ch.voidPromise());
        lastWriteNanos = clock.getAsLong();
        if (!e.hasHello() && e.getAck() == recvSeq) {
            lastAckSent = recvSeq;
            ackOwedSinceNanos = -1;
        }
    }

    /** Link-level envelope carrying our current ack. */
    Envelope.Builder withAck() {
        return Envelope.newBuilder().setAck(recvSeq);
    }

    void onAck(long ack) {
        if (ack > nextSeq - 1) {
            log.debug("{}: the peer acknowledges seq {} but only {} was sent; ignored", label, ack, nextSeq - 1);
            ack = nextSeq - 1;
        }
        boolean progress = false;
        while (!inFlight.isEmpty() && inFlight.peekFirst().seq <= ack) {
            Outbound o = inFlight.pollFirst();
            inFlightBytes -= o.size;
            release(o);
            progress = true;
        }
        if (progress) {
            lastProgressNanos = clock.getAsLong();
            pump();
        }
    }

    void retransmit(long after, String why) {
        int n = 0;
        for (Outbound o : inFlight) {
            if (o.seq > after) {
                writeReliable(o);
                n++;
            }
        }
        if (n > 0) {
            counters.retransmitted.add(n);
            log.debug("{}: resent {} messages after seq {}: {}", label, n, after, why);
            lastProgressNanos = clock.getAsLong();
            ch.flush();
        }
    }

    // ------------------------------------------------------------------ loop: inbound

    /** A REQUEST, RESPONSE or EVENT from the peer: delivered if it is the next in order. */
    void onReliable(Envelope env) {
        long seq = env.getSeq();
        if (seq == 0) {
            throw new VmcProtocolException(env.getBodyCase() + " without a sequence number");
        }
        if (seq <= recvSeq) {
            counters.duplicatesDropped.increment();
            ackForced = true;
            return;
        }
        if (seq > recvSeq + 1) {
            if (!gapReported) {
                gapReported = true;
                log.debug("{}: gap: expected seq {}, got {}; asking for a resend", label, recvSeq + 1, seq);
                sendAck(true);
            }
            return;
        }
        recvSeq = seq;
        gapReported = false;
        if (ackOwedSinceNanos < 0) {
            ackOwedSinceNanos = clock.getAsLong();
            upper.timerNeeded();
        }
        upper.deliver(env);
    }

    /** End of a read burst: acknowledge if many are owed (or a duplicate asked for it), and flush. */
    void onReadComplete() {
        if (recvSeq - lastAckSent >= ACK_EVERY_MESSAGES || ackForced) {
            ackForced = false;
            sendAck(false);
        }
        ch.flush();
    }

    /** Timer: an ack owed for longer than {@code maxDelayNanos} goes out alone. */
    void ackIfOwed(long now, long maxDelayNanos) {
        if (recvSeq > lastAckSent && ackOwedSinceNanos >= 0 && now - ackOwedSinceNanos >= maxDelayNanos) {
            sendAck(false);
            ch.flush();
        }
    }

    private void sendAck(boolean resend) {
        writeLink(withAck().setAckOnly(resend ? Ack.newBuilder().setResend(true).build() : Ack.getDefaultInstance()).build());
    }

    // ------------------------------------------------------------------ loop: giving up

    /** The peer instance is gone for good (it said SHUTDOWN): nothing in flight will be answered or resent. */
    void dropInFlight(String why) {
        for (Outbound o : inFlight) {
            release(o);
            upper.abandoned(o, why);
        }
        inFlight.clear();
        inFlightBytes = 0;
        peerSession = ByteString.EMPTY;
    }

    /** The session closes: everything queued is given up. */
    void clear(String why) {
        List<Outbound> all = new ArrayList<>(inFlight);
        all.addAll(unsent);
        inFlight.clear();
        unsent.clear();
        inFlightBytes = 0;
        for (Outbound o : all) {
            release(o);
            upper.abandoned(o, why);
        }
    }
}
