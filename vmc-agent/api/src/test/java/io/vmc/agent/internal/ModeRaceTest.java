package io.vmc.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.agent.api.Mode;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.ModeChanged;
import io.vmc.transport.proto.ModeReason;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.Status;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The app asks agentd for its status while agentd's engine connects: agentd answers FALLBACK, then
 * sends ModeChanged(OPTIMIZED). The event must win, however late the caller's thread gets to the
 * answer (a full test run saw an app stay FALLBACK for good behind an OPTIMIZED agentd).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ModeRaceTest {

    @Test
    void anEventThatOvertakesTheStatusAnswerIsNotUndoneByIt() {
        AgentClient client = AgentClient.connect(listener -> new ApiChannel() {
            @Override
            public CompletableFuture<Response> call(Request request) {
                Response fallback = Response.newBuilder().setId(request.getId()).setStatus(Status.newBuilder()
                        .setMode(io.vmc.transport.proto.Mode.FALLBACK).setReason(ModeReason.NO_ENGINE)).build();
                // the event comes in on the I/O thread while the caller has not yet read the answer
                listener.onEvent(Event.newBuilder().setModeChanged(ModeChanged.newBuilder()
                        .setMode(io.vmc.transport.proto.Mode.OPTIMIZED).setReason(ModeReason.ENGINE_CONNECTED)).build());
                try {
                    Thread.sleep(200); // the event's listeners have run by now
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return CompletableFuture.completedFuture(fallback);
            }

            @Override
            public boolean isConnected() {
                return true;
            }

            @Override
            public void close() {
            }
        }, "mode-race", Duration.ofSeconds(5));
        try {
            assertThat(client.mode()).isEqualTo(Mode.OPTIMIZED);
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> client.mode() == Mode.OPTIMIZED);
        } finally {
            client.close();
        }
    }
}
