package io.vmc.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vmc.agent.api.MediaSession;
import io.vmc.agent.api.SessionOptions;
import io.vmc.agent.api.Vmc;
import io.vmc.transport.ChannelUri;
import io.vmc.transport.VmcEndpoint;
import io.vmc.transport.proto.CreateSession;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.Hello;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.SessionStats;
import io.vmc.transport.proto.StreamStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * An app that stays connected but never takes its events (its code blocks, so its library stops
 * reading the socket while it keeps its keepalive going): agentd caps what waits for it, then
 * disconnects it with the reason in its log and closes its session; the app next to it is
 * served throughout. (A stopped app process: LoadAndLimitsIT.)
 */
@Timeout(120)
class NonReadingAppTest {
    @TempDir
    Path dir;

    @Test
    void anAppThatNeverTakesItsEventsIsCutOffWithTheReason() throws Exception {
        Logger log = (Logger) LoggerFactory.getLogger(AgentDaemon.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        log.addAppender(lines);
        ch.qos.logback.classic.Level level = log.getLevel();
        log.setLevel(ch.qos.logback.classic.Level.INFO); // agentd logs every disconnect, with its reason, at INFO
        // the app's callbacks never run: every event it receives waits forever
        ConcurrentLinkedQueue<Runnable> neverRun = new ConcurrentLinkedQueue<>();
        try (EngineSide engine = new EngineSide(dir.resolve("engine.sock"), 440);
                AgentDaemon agentd = AgentDaemon.start(AgentdHarness.options(dir));
                Vmc other = Vmc.connect(dir.resolve("agent.sock"));
                VmcEndpoint slow = VmcEndpoint.builder().channel(ChannelUri.parse("unix:" + dir.resolve("agent.sock")))
                        .role(Hello.Role.ROLE_APP).software("non-reading-app/test").keepalive(Duration.ofMillis(200), Duration.ofMillis(1000))
                        .callbackExecutor(neverRun::add).build()) {
            slow.start();
            await().atMost(Duration.ofSeconds(20)).until(slow::isConnected);
            Response created = slow.call(Request.newBuilder().setCreateSession(CreateSession.newBuilder()
                    .setOptions(io.vmc.transport.proto.SessionOptions.newBuilder().setAudio(true))).build()).get(20, TimeUnit.SECONDS);
            assertThat(created.hasSessionCreated()).as(created.toString()).isTrue();
            String slowOnEngine = engine.engine.sessionIds().iterator().next();
            MediaSession mine = other.newSession(SessionOptions.audioOnly());
            assertThat(engine.engine.sessionIds()).hasSize(2);
            Set<String> othersOnEngine = new java.util.HashSet<>(engine.engine.sessionIds());
            othersOnEngine.remove(slowOnEngine);

            Runtime rt = Runtime.getRuntime();
            System.gc();
            long heapBefore = rt.totalMemory() - rt.freeMemory();
            // the engine pushes statistics for the slow app's session, far more than anybody reads
            Event stats = Event.newBuilder().setStats(SessionStats.newBuilder().setSessionId(slowOnEngine)
                    .addStreams(StreamStats.newBuilder().setCodec("PCMU").setPacketsSent(1).setPacketsReceived(1))).build();
            long sent = 0;
            long worstMs = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (engine.engine.sessionIds().contains(slowOnEngine)) {
                assertThat(System.nanoTime()).as("agentd cut the app off after " + sent + " events").isLessThan(deadline);
                if (engine.endpoint.sendEvent(stats)) {
                    sent++;
                } else {
                    Thread.onSpinWait(); // agentd has not acknowledged the engine's last 4096 yet
                }
                if (sent % 2000 == 0) {
                    long t = System.nanoTime();
                    assertThat(other.status().sessionIds()).contains(mine.id()); // served during the flood
                    worstMs = Math.max(worstMs, (System.nanoTime() - t) / 1_000_000);
                }
            }
            System.gc();
            long heapAfter = rt.totalMemory() - rt.freeMemory();
            String line = await().atMost(Duration.ofSeconds(10)).until(() -> lines.list.stream().map(ILoggingEvent::getFormattedMessage)
                    .filter(m -> m.contains("connection closed: the app does not read its events")).findFirst().orElse(null), l -> l != null);
            System.out.println("[resilience] app that never takes its events: cut off after " + sent
                    + " events; agentd said: " + line + "; heap " + (heapBefore >> 20) + " -> " + (heapAfter >> 20)
                    + " MiB; the other app's slowest status " + worstMs + " ms");
            assertThat(line).contains("4096 messages or 8 MiB wait for it");
            assertThat(heapAfter).as("memory bounded").isLessThan(heapBefore + (64L << 20));
            assertThat(engine.engine.sessionIds()).containsExactlyElementsOf(othersOnEngine);
            assertThat(other.isConnected()).isTrue();
            assertThat(mine.createOffer()).contains("m=audio");
        } finally {
            log.detachAppender(lines);
            log.setLevel(level);
        }
    }
}
