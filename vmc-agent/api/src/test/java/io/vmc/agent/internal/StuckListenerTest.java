package io.vmc.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.ModeChanged;
import io.vmc.transport.proto.ModeReason;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.Status;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An app whose listener never returns: the library holds at most {@link AgentClient#MAX_WAITING_EVENTS}
 * events for it and then disconnects from agentd, instead of queueing every later event in the
 * app's memory while agentd believes the app reads them.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StuckListenerTest {

    @Test
    void aListenerThatNeverReturnsCostsTheConnectionNotUnboundedMemory() throws Exception {
        AtomicBoolean channelClosed = new AtomicBoolean();
        ApiChannel.Listener[] agentd = {null};
        AgentClient client = AgentClient.connect(listener -> {
            agentd[0] = listener;
            return new ApiChannel() {
                @Override
                public CompletableFuture<Response> call(Request request) {
                    return CompletableFuture.completedFuture(Response.newBuilder().setId(request.getId()).setStatus(Status.newBuilder()
                            .setMode(io.vmc.transport.proto.Mode.FALLBACK).setReason(ModeReason.NO_ENGINE)).build());
                }

                @Override
                public boolean isConnected() {
                    return !channelClosed.get();
                }

                @Override
                public void close() {
                    channelClosed.set(true);
                }
            };
        }, "stuck-listener", Duration.ofSeconds(5));
        CountDownLatch never = new CountDownLatch(1);
        CountDownLatch stuck = new CountDownLatch(1);
        client.addModeListener(change -> {
            stuck.countDown();
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            int sent = 0;
            for (; sent < 3 * AgentClient.MAX_WAITING_EVENTS && !channelClosed.get(); sent++) {
                boolean on = sent % 2 == 0; // each event a change, so each one calls the listener
                agentd[0].onEvent(Event.newBuilder().setModeChanged(ModeChanged.newBuilder()
                        .setMode(on ? io.vmc.transport.proto.Mode.OPTIMIZED : io.vmc.transport.proto.Mode.FALLBACK)
                        .setReason(on ? ModeReason.ENGINE_CONNECTED : ModeReason.NO_ENGINE)).build());
                if (sent == 0) assertThat(stuck.await(10, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(channelClosed).as("disconnected after " + sent + " events").isTrue();
            assertThat(sent).isBetween(AgentClient.MAX_WAITING_EVENTS, AgentClient.MAX_WAITING_EVENTS + 2);
            assertThat(client.isConnected()).isFalse();
        } finally {
            never.countDown();
            client.close();
        }
    }
}
