package io.vmc.it.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.agent.api.MediaSession;
import io.vmc.agent.api.Mode;
import io.vmc.agent.api.SessionOptions;
import io.vmc.agent.api.SessionState;
import io.vmc.agent.api.StreamStats;
import io.vmc.agent.api.Vmc;
import io.vmc.it.demo.LoopbackPolicy;
import io.vmc.it.lab.CallRig;
import io.vmc.it.lab.ChannelProxy;
import io.vmc.it.lab.Ports;
import io.vmc.it.lab.ProcessFootprint;
import io.vmc.it.lab.VmcProcess;
import io.vmc.it.lab.Waits;
import io.vmc.it.qemu.GuestCallMain;
import io.vmc.it.qemu.GuestProcess;
import io.vmc.it.qemu.GuestVm;
import io.vmc.it.qemu.GuestVmExtension;
import io.vmc.port.spice.SpiceClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults of the VM's side during live calls, with the real thing: a QEMU guest whose VMC port is
 * a SPICE port channel, {@code vmc agentd} and a softphone ({@link GuestCallMain}) in it, and
 * Alice's {@code vmc engine --spice} on the host as the VM's SPICE client, through a TCP relay the
 * test can cut ({@link ChannelProxy}). The peer, Bob, is an engine, an agentd and an app on the
 * host; SDP goes between the two apps through the guest's shared folder. Cycles:
 * {@code -Dvmc.resilience.spiceCycles=N} (default 2), {@code -Dvmc.resilience.rebootCycles=N}
 * (default 2: the first sets the engine's idle baseline, once its pools have started); docs/resilience.md has the longer runs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GuestFaultsIT {
    private static final int SPICE_CYCLES = Integer.getInteger("vmc.resilience.spiceCycles", 2);
    private static final int REBOOT_CYCLES = Integer.getInteger("vmc.resilience.rebootCycles", 2);
    /** How long each SPICE outage lasts: longer than the takeover probe (1 s), so it reads as a loss. */
    private static final Duration OUTAGE = Duration.ofSeconds(4);
    /** Under TCG on a loaded host a guest JVM takes tens of seconds to get going. */
    private static final Duration SLOW = Duration.ofSeconds(240);
    private static final Duration MEDIA = Duration.ofSeconds(30);
    private static final int SPICE_PORT = freePort();
    private static final String API_SOCKET = "/run/vmc-faults.sock";

    @RegisterExtension
    static final GuestVmExtension GUEST = new GuestVmExtension(GuestVm.builder().memoryMb(1024)
            .portChardev("spiceport,name=" + GuestVm.PORT_NAME)
            .qemuArgs("-smp", "2", "-spice", "port=" + SPICE_PORT + ",addr=127.0.0.1,disable-ticketing=on"));

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;
    private static ChannelProxy spice;
    private static VmcProcess alice;
    private static int aliceMetrics;
    private static VmcProcess bobEngine;
    private static VmcProcess bobAgentd;
    private static Vmc bob;
    private static GuestProcess agentd;
    private static int calls;
    /** One client: each new one would leave a kept-alive connection (an fd) on the engine. */
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final List<String> spiceLog = new java.util.concurrent.CopyOnWriteArrayList<>();

    private static int freePort() {
        try {
            return Ports.freeTcpPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @BeforeAll
    static void startBothSides() throws Exception {
        if (!SpiceClient.isAvailable()) {
            String missing = "spice-glib: " + SpiceClient.unavailabilityCause().getMessage();
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail(missing + " (CI=true: the SPICE tests must run)");
            }
            Assumptions.abort(missing);
        }
        spice = ChannelProxy.startTcp(new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("127.0.0.1", SPICE_PORT));
        aliceMetrics = Ports.freeTcpPort();
        List<String> args = new ArrayList<>(List.of("engine", "--spice", "spice://127.0.0.1:" + spice.port(), "--no-display",
                "--ice-address", "127.0.0.1", "--tone", "440", "--speaker", "none", "--metrics", "127.0.0.1:" + aliceMetrics,
                "--cdr", work.resolve("alice-cdr.jsonl").toString(),
                "--agent-gone-after", "120")); // above the guest agentd's 60 s grace, as the admin guide says
        args.addAll(LoopbackPolicy.engineOptions(work.resolve("alice-policy")));
        alice = VmcProcess.start("alice-engine", null, work.resolve("alice-engine.log"), line -> {
            if (line.contains("SPICE")) {
                spiceLog.add(line);
            }
        }, args);

        Path bobChannel = work.resolve("bob-engine.sock");
        Path bobApi = work.resolve("bob-agent.sock");
        List<String> bobArgs = new ArrayList<>(List.of("engine", "--channel", "unix-listen:" + bobChannel,
                "--ice-address", "127.0.0.1", "--tone", "880", "--speaker", "none"));
        bobArgs.addAll(LoopbackPolicy.engineOptions(work.resolve("bob-policy")));
        bobEngine = VmcProcess.start("bob-engine", null, work.resolve("bob-engine.log"), line -> { }, bobArgs);
        Waits.awaitFile(bobChannel, 60, work.resolve("bob-engine.log"));
        bobAgentd = VmcProcess.startAgentd("bob-agentd", null, work.resolve("bob-agentd.log"), line -> { },
                List.of("--channel", "unix:" + bobChannel, "--api-socket", bobApi.toString(), "--no-fallback"));
        Waits.awaitFile(bobApi, 60, work.resolve("bob-agentd.log"));
        bob = Vmc.builder().socket(bobApi).appName("bob").requestTimeout(Duration.ofSeconds(30)).connect();
        CallRig.await(Duration.ofSeconds(90), () -> bob.mode() == Mode.OPTIMIZED, "Bob OPTIMIZED");
        startGuestAgentd();
    }

    /**
     * The grace outlasts the SPICE outages (agentd's default, 3 s, would let go of the calls while
     * the client reconnects).
     */
    private static void startGuestAgentd() throws IOException {
        agentd = GUEST.vm().vmc("agentd", "--channel", "virtio:" + GuestVm.PORT_NAME, "--api-socket", API_SOCKET,
                "--no-fallback", "--engine-grace-ms", "60000");
        agentd.awaitOutput("vmc agentd: apps on", SLOW);
    }

    @AfterAll
    static void stopEverything() {
        if (bob != null) {
            bob.close();
        }
        for (AutoCloseable c : new AutoCloseable[] {bobAgentd, bobEngine, alice, spice}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                System.err.println("closing " + c + ": " + e);
            }
        }
    }

    /** A call from the guest's softphone to Bob, CONNECTED on both sides and carrying audio to Bob. */
    private record GuestCall(String tag, GuestProcess phone, MediaSession bob) {
        void hangUp() throws IOException {
            touch(tag + ".hangup");
            bob.close();
        }
    }

    private static GuestCall call() throws Exception {
        String tag = "call" + ++calls;
        GuestProcess phone = GUEST.vm().java(GuestCallMain.class.getName(), API_SOCKET, GuestVm.GUEST_SHARED_DIR, tag);
        Path offer = GUEST.vm().sharedDir().resolve(tag + ".offer");
        CallRig.await(SLOW, () -> Files.exists(offer) || !phone.isAlive(), "the guest's offer " + offer);
        assertThat(Files.exists(offer)).as("the guest softphone's offer; it said:%n%s", phone.output()).isTrue();
        MediaSession b = bob.newSession(SessionOptions.audioOnly());
        String answer = b.createAnswer(Files.readString(offer));
        Path tmp = GUEST.vm().sharedDir().resolve(tag + ".answer.tmp");
        Files.writeString(tmp, answer);
        Files.move(tmp, GUEST.vm().sharedDir().resolve(tag + ".answer"), StandardCopyOption.ATOMIC_MOVE);
        phone.awaitOutput("STATE CONNECTED", SLOW);
        CallRig.await(MEDIA, () -> b.state() == SessionState.CONNECTED, "Bob CONNECTED");
        GuestCall c = new GuestCall(tag, phone, b);
        awaitAudioAtBob(c, 50);
        return c;
    }

    private static void touch(String name) throws IOException {
        Files.writeString(GUEST.vm().sharedDir().resolve(name), "");
    }

    private static long receivedByBob(GuestCall c) {
        return c.bob().stats().audio().map(StreamStats::packetsReceived).orElse(0L);
    }

    private static void awaitAudioAtBob(GuestCall c, long n) throws InterruptedException {
        long from = receivedByBob(c);
        CallRig.await(MEDIA, () -> receivedByBob(c) >= from + n, n + " more audio packets at Bob");
    }

    @Test
    @Order(1)
    @Timeout(value = 45, unit = TimeUnit.MINUTES) // 10 SPICE cycles and 3 reboots took 8 min
    void spiceClientDisconnectsAndReconnects_mediaFlowsAndTheCallResumes() throws Exception {
        GuestCall c = call();
        ProcessFootprint base = null;
        try {
            for (int i = 1; i <= SPICE_CYCLES; i++) {
                int connectedBefore = count("SPICE session connected");
                int statsBefore = count(c.phone(), "STATS sent=");
                long start = System.nanoTime();
                spice.cut();
                long until = System.nanoTime() + OUTAGE.toNanos();
                long atBob = receivedByBob(c);
                while (System.nanoTime() < until) {
                    awaitAudioAtBob(c, 20); // media is the engine's: it does not need the SPICE connection
                }
                long duringOutage = receivedByBob(c) - atBob;
                spice.restore();
                CallRig.await(Duration.ofSeconds(90), () -> count("SPICE session connected") > connectedBefore,
                        "the engine's SPICE session back, cycle " + i);
                double reconnected = (System.nanoTime() - start) / 1e9;
                // the guest's softphone gets its stats through agentd and the engine again: the same session answers
                CallRig.await(SLOW, () -> count(c.phone(), "STATS sent=") > statsBefore + 1, "the session answering again");
                awaitAudioAtBob(c, 50);
                String out = c.phone().output();
                assertThat(lastLine(out, "MODE ")).as("the app's mode after cycle %d:%n%s", i, out).startsWith("MODE OPTIMIZED");
                assertThat(out).as("cycle %d", i).doesNotContain("STATE FAILED", "STATE CLOSED", "RENEGOTIATE");
                assertThat(c.bob().state()).isEqualTo(SessionState.CONNECTED);
                System.out.printf("[resilience] SPICE cycle %d: %d packets at Bob during the %d s outage,"
                        + " SPICE back %.1f s after the cut%n", i, duringOutage, OUTAGE.toSeconds(), reconnected);
                // the engine holds the same call each cycle: what it holds must not grow
                base = FaultCyclesIT.steady(alice.pid(), base, "Alice's engine mid-call after SPICE cycle " + i);
            }
            System.out.println("[resilience] guest softphone's last lines:\n" + tail(c.phone().output(), 6));
        } finally {
            c.hangUp();
        }
        c.phone().waitFor(SLOW);
    }

    @Test
    @Order(2)
    @Timeout(value = 45, unit = TimeUnit.MINUTES) // 10 SPICE cycles and 3 reboots took 8 min
    void guestRebootEndsTheOrphanedCallAndANewCallWorksAfterIt() throws Exception {
        ProcessFootprint idle = null;
        for (int i = 1; i <= REBOOT_CYCLES; i++) {
            GuestCall c = call();
            long endedBefore = metric("vmc_engine_calls_total");
            Duration boot = GUEST.vm().reboot(SLOW);
            // while the guest boots, nobody has said the call is over: the engine keeps it (it may be a
            // channel drop that resumes); the new agentd's first hello, not resuming, ends it
            startGuestAgentd();
            CallRig.await(Duration.ofSeconds(60), () -> metric("vmc_engine_active_calls") == 0,
                    "the orphaned call ended on Alice's engine");
            assertThat(metric("vmc_engine_calls_total")).as("ended calls").isEqualTo(endedBefore + 1);
            List<String> records = Files.readAllLines(work.resolve("alice-cdr.jsonl"));
            assertThat(records.get(records.size() - 1)).as("the ended call's record, with its reason")
                    .contains("\"reason\":\"a new agent connected without resuming");
            // no media to nobody afterwards: the engine's send counter stands still, Bob gets nothing
            long sent = metric("vmc_engine_media_packets_total{kind=\"audio\",direction=\"sent\"");
            long atBob = receivedByBob(c);
            TimeUnit.SECONDS.sleep(3); // checking that nothing comes: nothing to await
            assertThat(metric("vmc_engine_media_packets_total{kind=\"audio\",direction=\"sent\""))
                    .as("audio packets Alice's engine sent after the call ended").isEqualTo(sent);
            assertThat(receivedByBob(c)).as("audio packets at Bob after the call ended").isEqualTo(atBob);
            c.bob().close(); // Bob's SIP stack would have had a BYE from the guest's proxy, or a timeout
            String what = "Alice's engine after reboot " + i + " (guest back in " + boot.toSeconds() + " s)";
            if (idle == null) {
                idle = FaultCyclesIT.steady(alice.pid(), null, what);
                System.out.println("[resilience] " + what + ", the baseline: " + idle);
            } else {
                FaultCyclesIT.steady(alice.pid(), idle, what);
            }
        }
        GuestCall after = call(); // a new call works once the guest is back
        after.hangUp();
        after.phone().waitFor(SLOW);
    }

    private static int count(String logText) {
        return (int) spiceLog.stream().filter(l -> l.contains(logText)).count();
    }

    private static int count(GuestProcess p, String text) {
        return (int) p.output().lines().filter(l -> l.startsWith(text)).count();
    }

    private static String lastLine(String out, String prefix) {
        return out.lines().filter(l -> l.startsWith(prefix)).reduce((a, b) -> b).orElse("(none)");
    }

    private static String tail(String out, int n) {
        List<String> l = out.lines().toList();
        return String.join("\n", l.subList(Math.max(0, l.size() - n), l.size()));
    }

    /** The sum of every sample of Alice's engine whose line starts with {@code series} (name and labels so far). */
    private static long metric(String series) {
        try {
            String body = HTTP.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + aliceMetrics + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            return Math.round(body.lines().filter(l -> l.startsWith(series.contains("{") ? series : series + "{")
                    || l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
