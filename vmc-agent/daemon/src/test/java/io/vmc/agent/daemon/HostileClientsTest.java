package io.vmc.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.agent.api.MediaSession;
import io.vmc.agent.api.SessionOptions;
import io.vmc.agent.api.Vmc;
import io.vmc.agent.api.VmcException;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Local clients that misbehave get errors or lose their own connection; agentd and other apps carry on. */
@Timeout(60)
class HostileClientsTest {
    @TempDir
    Path dir;

    private static boolean closedByPeer(SocketChannel ch) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        ch.configureBlocking(false);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            int n;
            try {
                n = ch.read(buf);
            } catch (IOException reset) {
                return true;
            }
            if (n < 0) {
                return true;
            }
            buf.clear();
            Thread.onSpinWait();
        }
        return false;
    }

    @Test
    void garbageAndOversizedFramesCloseOnlyThatConnection() throws Exception {
        try (EngineSide engine = new EngineSide(dir.resolve("engine.sock"), 440);
                AgentDaemon agentd = AgentDaemon.start(AgentdHarness.options(dir));
                Vmc good = Vmc.connect(dir.resolve("agent.sock"))) {
            MediaSession call = good.newSession(SessionOptions.audioOnly());

            // 1. random bytes
            try (SocketChannel bad = SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("agent.sock")))) {
                byte[] junk = new byte[2 * 1024 * 1024];
                new Random(42).nextBytes(junk);
                ByteBuffer b = ByteBuffer.wrap(junk);
                try {
                    while (b.hasRemaining()) {
                        bad.write(b);
                    }
                } catch (IOException closedMidWrite) {
                    // agentd gave up on us: fine
                }
                assertThat(closedByPeer(bad)).isTrue();
            }
            // 2. a frame header announcing 1 GiB, then more headers with oversized lengths
            try (SocketChannel bad = SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("agent.sock")))) {
                ByteBuffer b = ByteBuffer.allocate(12 * 200_000);
                for (int i = 0; i < 200_000; i++) {
                    b.putInt(0xD51E7AC3).putInt(1 << 30).putInt(i);
                }
                b.flip();
                try {
                    while (b.hasRemaining()) {
                        bad.write(b);
                    }
                } catch (IOException closedMidWrite) {
                    // fine
                }
                assertThat(closedByPeer(bad)).isTrue();
            }
            // 3. a client that connects and never says Hello, many times
            List<SocketChannel> idle = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                idle.add(SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("agent.sock"))));
            }
            assertThat(call.createOffer()).contains("m=audio");
            try (Vmc another = Vmc.connect(dir.resolve("agent.sock"))) {
                assertThat(another.newSession(SessionOptions.audioOnly()).createOffer()).contains("m=audio");
            }
            for (SocketChannel c : idle) {
                c.close();
            }
            assertThat(good.isConnected()).isTrue();
        }
    }

    @Test
    void thousandsOfSessionRequestsAreRefusedWithoutHurtingOthers() throws Exception {
        try (EngineSide engine = new EngineSide(dir.resolve("engine.sock"), 440);
                AgentDaemon agentd = AgentDaemon.start(AgentdHarness.options(dir));
                Vmc greedy = Vmc.connect(dir.resolve("agent.sock"));
                Vmc polite = Vmc.connect(dir.resolve("agent.sock"))) {
            List<CompletableFuture<MediaSession>> fs = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                fs.add(greedy.newSessionAsync(SessionOptions.audioOnly()));
            }
            int ok = 0;
            List<VmcException.Reason> failures = new ArrayList<>();
            for (CompletableFuture<MediaSession> f : fs) {
                try {
                    f.join();
                    ok++;
                } catch (CompletionException e) {
                    failures.add(((VmcException) e.getCause()).reason());
                }
            }
            assertThat(ok).isEqualTo(8); // the per-app limit
            assertThat(failures.stream().distinct().collect(Collectors.toList())).containsExactly(VmcException.Reason.RESOURCE_EXHAUSTED);
            MediaSession mine = polite.newSession(SessionOptions.audioOnly());
            assertThat(mine.createOffer()).contains("m=audio");
            assertThat(engine.engine.sessionIds()).hasSize(9);
            greedy.close();
            await().until(() -> engine.engine.sessionIds().size() == 1);
        }
    }
}
