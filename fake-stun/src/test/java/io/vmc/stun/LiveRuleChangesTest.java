package io.vmc.stun;

import io.vmc.stun.internal.StunMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Rules pushed and withdrawn (as agentd does with {@code setDynamicRules}) while clients keep sending:
 * no request is lost, every answer is either the observed address or a rule that was in force, and a
 * client never sees an older rule after a newer one.
 */
@Timeout(120)
class LiveRuleChangesTest {
    static final int CLIENTS = 4;
    static final int CHANGES = 400;
    static final String TARGET = "198.51.100.7";

    StunServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void rulesChangeUnderLoadWithoutLossOrReordering() throws Exception {
        TranslationTable table = new TranslationTable();
        server = StunServer.builder().udp(new InetSocketAddress("127.0.0.1", 0)).threads(2).translationTable(table)
                .build().start();
        InetSocketAddress target = server.udpAddresses().get(0);
        InetAddress mappedTo = InetAddress.getByName(TARGET);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong requests = new AtomicLong();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        List<AtomicInteger> lastSeen = new ArrayList<>(); // per client: last rule port seen
        CountDownLatch allSending = new CountDownLatch(CLIENTS);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            AtomicInteger seen = new AtomicInteger();
            lastSeen.add(seen);
            Thread t = new Thread(() -> {
                try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                    InetSocketAddress self = (InetSocketAddress) s.getLocalSocketAddress();
                    allSending.countDown();
                    while (running.get()) {
                        StunMessage r = StunTestClient.udpBinding(s, target); // throws on a lost request
                        requests.incrementAndGet();
                        InetSocketAddress mapped = r.xorMappedAddress().orElseThrow();
                        if (!mapped.equals(r.mappedAddress().orElseThrow())) {
                            problems.add("XOR-MAPPED and MAPPED differ: " + r);
                        }
                        if (mapped.equals(self)) {
                            continue;
                        }
                        if (!mapped.getAddress().equals(mappedTo)) {
                            problems.add("unexpected address " + mapped);
                        } else if (mapped.getPort() < seen.get()) {
                            problems.add("rule port went back from " + seen.get() + " to " + mapped.getPort());
                        } else {
                            seen.set(mapped.getPort());
                        }
                    }
                } catch (Exception e) {
                    problems.add("client failed: " + e);
                }
            }, "client-" + c);
            threads.add(t);
            t.start();
        }
        allSending.await();
        long before = requests.get();
        for (int i = 1; i <= CHANGES; i++) {
            if (i % 2 == 0) {
                table.removeDynamicRules("agentd:session");
            } else {
                table.setDynamicRules("agentd:session", List.of(Rule.parse("127.0.0.0/8 -> " + TARGET + ":" + (10_000 + i))));
            }
            // Let some requests through in each state without sleeping: wait for progress.
            long mark = requests.get();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1)).until(() -> requests.get() >= mark + CLIENTS);
        }
        int last = 10_000 + CHANGES + 1;
        table.setDynamicRules("agentd:session", List.of(Rule.parse("127.0.0.0/8 -> " + TARGET + ":" + last)));
        await().atMost(Duration.ofSeconds(10)).until(() -> lastSeen.stream().allMatch(s -> s.get() == last));
        running.set(false);
        for (Thread t : threads) {
            t.join(10_000);
        }
        assertThat(problems).isEmpty();
        assertThat(requests.get() - before).isGreaterThanOrEqualTo((long) CHANGES * CLIENTS);
        assertThat(server.stats().dropped()).isZero();
        assertThat(server.stats().errorResponses()).isZero();
    }
}
