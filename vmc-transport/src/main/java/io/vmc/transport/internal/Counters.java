package io.vmc.transport.internal;

import io.vmc.transport.TransportStats;
import java.util.concurrent.atomic.LongAdder;

/** Counters shared by the frame codec and the session; readable from any thread. */
public final class Counters {
    public final LongAdder framesReceived = new LongAdder();
    public final LongAdder framesSent = new LongAdder();
    public final LongAdder bytesSkipped = new LongAdder();
    public final LongAdder badChecksums = new LongAdder();
    public final LongAdder oversizedLengths = new LongAdder();
    public final LongAdder tornFrames = new LongAdder();
    public final LongAdder duplicatesDropped = new LongAdder();
    public final LongAdder retransmitted = new LongAdder();
    public final LongAdder handshakes = new LongAdder();
    public final LongAdder resumes = new LongAdder();

    public TransportStats snapshot() {
        return new TransportStats(framesReceived.sum(), framesSent.sum(), bytesSkipped.sum(),
                badChecksums.sum(), oversizedLengths.sum(), tornFrames.sum(), duplicatesDropped.sum(),
                retransmitted.sum(), handshakes.sum(), resumes.sum());
    }
}
