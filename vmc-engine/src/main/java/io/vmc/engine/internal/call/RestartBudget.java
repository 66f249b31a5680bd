package io.vmc.engine.internal.call;

import io.vmc.engine.internal.EngineException;
import io.vmc.transport.proto.Error;
import java.util.ArrayDeque;

/**
 * How many ICE restarts, local or remote, a call may start in a sliding window: a storm of restarts
 * (each binds sockets and runs checks) is refused and the call goes on. A pure class with times
 * passed in; used under the call's monitor.
 */
final class RestartBudget {
    private final int max;
    private final long windowMs;
    private final ArrayDeque<Long> times = new ArrayDeque<>();

    RestartBudget(int max, long windowMs) {
        this.max = max;
        this.windowMs = windowMs;
    }

    /**
     * Spends one restart at {@code nowMs}.
     *
     * @throws EngineException RESOURCE_EXHAUSTED when {@code max} restarts were started in the window
     */
    void spend(long nowMs, String who, String mediaStaysOn) {
        while (!times.isEmpty() && nowMs - times.peekFirst() > windowMs) times.removeFirst();
        if (times.size() >= max) {
            throw new EngineException(Error.Code.RESOURCE_EXHAUSTED, "too many ICE restarts: " + who + " restart refused ("
                    + max + " per " + windowMs / 1000 + " s allowed); media stays on " + mediaStaysOn);
        }
        times.addLast(nowMs);
    }
}
