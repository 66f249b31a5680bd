package io.vmc.transport;

import io.vmc.transport.proto.Event;

/** Receives events (session state, candidates, stats...). Implementations must be thread-safe. */
@FunctionalInterface
public interface EventSink {
    void emit(Event event);
}
