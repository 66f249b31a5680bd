package io.vmc.transport.bench;

import io.vmc.transport.ChannelUri;
import io.vmc.transport.EndpointListener;
import io.vmc.transport.RequestHandler;
import io.vmc.transport.VmcEndpoint;
import io.vmc.transport.proto.CreateOffer;
import io.vmc.transport.proto.Envelope;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.Hello;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.SessionDescription;
import io.vmc.transport.proto.SessionState;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vmc bench transport}: what the transport costs over a unix socket, next to the physical
 * floor measured in the same run.
 *
 * <ol>
 *   <li>round trip: raw unix-socket ping-pong of N bytes vs. a vmc.v1 call whose frames are N bytes;
 *   <li>sustained small calls per second with a window of calls in flight;
 *   <li>torn frame: time from a torn frame in the stream to the next delivered event;
 *   <li>channel loss: time from cutting the socket to the resumed session.
 * </ol>
 */
@Command(name = "transport", mixinStandardHelpOptions = true,
        description = "Benchmark the vmc.v1 transport over a unix socket (round trip, throughput, recovery).")
public final class TransportBenchCommand implements Callable<Integer> {

    @Option(names = "--payload", defaultValue = "100", description = "Bytes of the SDP-like string in each request and response (default ${DEFAULT-VALUE}).")
    int payload;

    @Option(names = "--rounds", defaultValue = "20000", description = "Measured round trips per variant (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--warmup", defaultValue = "20000", description = "Warm-up round trips per variant (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--throughput-seconds", defaultValue = "5", description = "Duration of the sustained-rate run (default ${DEFAULT-VALUE}).")
    int throughputSeconds;

    @Option(names = "--window", defaultValue = "256", description = "Calls in flight during the sustained-rate run (default ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--recoveries", defaultValue = "20", description = "Torn-frame and channel-loss repetitions (default ${DEFAULT-VALUE}).")
    int recoveries;

    @Option(names = "--dir", description = "Directory for the sockets (default: a new temporary directory).")
    Path dir;

    @Option(names = "--repeat", defaultValue = "1", description = "Round-trip rounds: raw, call() and inline measured"
            + " one after the other this many times; the summary gives the median of each figure (default ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--round-trip-only", description = "Skip the sustained-rate and recovery parts.")
    boolean roundTripOnly;

    private final PrintStream out;

    public TransportBenchCommand() {
        this(System.out);
    }

    TransportBenchCommand(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new TransportBenchCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path d = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("vmc-bench");
        String sdp = "x".repeat(payload);
        Request request = Request.newBuilder().setCreateOffer(CreateOffer.newBuilder().setSessionId(sdp)).build();
        Response response = Response.newBuilder().setDescription(SessionDescription.newBuilder().setSdp(sdp)).build();
        int frameBytes = 12 + Envelope.newBuilder().setSeq(1_000_000).setAck(1_000_000)
                .setRequest(request.toBuilder().setId(1_000_000).setDeadlineMs(10_000)).build().getSerializedSize();
        out.printf(Locale.ROOT, "vmc bench transport: payload %d B (frame %d B), %d rounds after %d warm-up, %d cores, %s%n",
                payload, frameBytes, rounds, warmup, Runtime.getRuntime().availableProcessors(), Runtime.version());

        RequestHandler echo = req -> CompletableFuture.completedFuture(response);
        int n = Math.max(1, repeat);
        Figures[] raw = new Figures[n];
        Figures[] rpc = new Figures[n];
        Figures[] inline = new Figures[n];
        try (Pair p = Pair.open(d.resolve("rpc.sock"), echo, null);
                Pair q = Pair.open(d.resolve("rpc-inline.sock"), echo, Runnable::run)) {
            for (int r = 0; r < n; r++) {
                raw[r] = rawPingPong(d.resolve("raw.sock"), frameBytes);
                rpc[r] = rpcRoundTrips(p.client, request);
                inline[r] = rpcRoundTrips(q.client, request);
            }
        }
        out.println();
        out.println("round trip over a unix socket (microseconds; cpu = process CPU time per round trip, all threads)");
        out.printf(Locale.ROOT, "  %-34s %8s %8s %8s %8s%n", "", "p50", "p99", "p99.9", "cpu");
        if (n > 1) {
            for (int r = 0; r < n; r++) {
                out.printf(Locale.ROOT, "  round %d: raw %.1f, call() %.1f (%.2fx), inline %.1f (%.2fx)%n", r + 1,
                        raw[r].p50(), rpc[r].p50(), rpc[r].p50() / raw[r].p50(), inline[r].p50(), inline[r].p50() / raw[r].p50());
            }
            out.printf(Locale.ROOT, "  medians of %d rounds:%n", n);
        }
        row("raw socket ping-pong (floor)", raw);
        row("vmc.v1 call()", rpc);
        row("vmc.v1 call(), inline callbacks", inline);
        double[] ratio = new double[n];
        double[] ratioInline = new double[n];
        for (int r = 0; r < n; r++) {
            ratio[r] = rpc[r].p50() / raw[r].p50();
            ratioInline[r] = inline[r].p50() / raw[r].p50();
        }
        out.printf(Locale.ROOT, "  ratio call/raw at p50: %.2f (inline callbacks: %.2f)%s%n", median(ratio), median(ratioInline),
                n > 1 ? ", median of the per-round ratios" : "");
        out.println("  (inline: callbackExecutor(Runnable::run) on both ends, handler and completion on the I/O"
                + " thread; shows the cost of the thread hand-offs that the default keeps)");
        if (roundTripOnly) {
            return 0;
        }
        double rate;
        try (Pair p = Pair.open(d.resolve("rpc-rate.sock"), echo, null)) {
            rate = sustained(p.client, request);
        }
        out.println();
        out.printf(Locale.ROOT, "sustained calls: %,.0f calls/s (window %d, %d s)%n", rate, window, throughputSeconds);
        out.println();
        long[] torn = tornFrameRecovery(d);
        long[] resume = channelLossResume(d);
        out.println("recovery (milliseconds)");
        out.printf(Locale.ROOT, "  %-34s %8s %8s %8s%n", "", "p50", "p99", "max");
        rowMs("torn frame -> next event delivered", torn);
        rowMs("channel cut -> session resumed", resume);
        out.println("  (after a session of 1 s or more the first reconnect is immediate; quicker drops back off 25-50 ms first)");
        return 0;
    }

    // ------------------------------------------------------------------ raw floor

    /** Sorted round-trip samples and the process CPU time they cost. */
    private record Figures(long[] sorted, long cpuNanos) {
        double p50() {
            return pct(sorted, 50) / 1e3;
        }

        double cpuMicrosPerRound() {
            return cpuNanos / 1e3 / sorted.length;
        }
    }

    private static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean s ? s.getProcessCpuTime() : -1;
    }

    private Figures rawPingPong(Path sock, int bytes) throws Exception {
        Files.deleteIfExists(sock);
        UnixDomainSocketAddress addr = UnixDomainSocketAddress.of(sock);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(addr);
            Thread echo = new Thread(() -> {
                try (SocketChannel s = server.accept()) {
                    ByteBuffer b = ByteBuffer.allocateDirect(bytes);
                    while (true) {
                        b.clear();
                        while (b.hasRemaining()) {
                            if (s.read(b) < 0) {
                                return;
                            }
                        }
                        b.flip();
                        while (b.hasRemaining()) {
                            s.write(b);
                        }
                    }
                } catch (IOException e) {
                    // client closed
                }
            }, "bench-raw-echo");
            echo.setDaemon(true);
            echo.start();
            try (SocketChannel c = SocketChannel.open(addr)) {
                ByteBuffer b = ByteBuffer.allocateDirect(bytes);
                long[] samples = new long[rounds];
                long cpu0 = 0;
                for (int i = -warmup; i < rounds; i++) {
                    if (i == 0) {
                        cpu0 = processCpuNanos();
                    }
                    long t0 = System.nanoTime();
                    b.clear();
                    while (b.hasRemaining()) {
                        c.write(b);
                    }
                    b.clear();
                    while (b.hasRemaining()) {
                        c.read(b);
                    }
                    if (i >= 0) {
                        samples[i] = System.nanoTime() - t0;
                    }
                }
                long cpu = processCpuNanos() - cpu0;
                Arrays.sort(samples);
                return new Figures(samples, cpu);
            }
        } finally {
            Files.deleteIfExists(sock);
        }
    }

    // ------------------------------------------------------------------ rpc

    private Figures rpcRoundTrips(VmcEndpoint client, Request request) throws Exception {
        long[] samples = new long[rounds];
        long cpu0 = 0;
        for (int i = -warmup; i < rounds; i++) {
            if (i == 0) {
                cpu0 = processCpuNanos();
            }
            long t0 = System.nanoTime();
            client.call(request).get(10, TimeUnit.SECONDS);
            if (i >= 0) {
                samples[i] = System.nanoTime() - t0;
            }
        }
        long cpu = processCpuNanos() - cpu0;
        Arrays.sort(samples);
        return new Figures(samples, cpu);
    }

    private double sustained(VmcEndpoint client, Request request) throws Exception {
        Semaphore inFlight = new Semaphore(window);
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (System.nanoTime() < end) { // warm-up
            inFlight.acquire();
            client.call(request).whenComplete((r, t) -> inFlight.release());
        }
        inFlight.acquire(window);
        inFlight.release(window);
        long t0 = System.nanoTime();
        end = t0 + TimeUnit.SECONDS.toNanos(throughputSeconds);
        while (System.nanoTime() < end) {
            inFlight.acquire();
            client.call(request).whenComplete((r, t) -> {
                if (t != null) {
                    failed.incrementAndGet();
                } else {
                    done.incrementAndGet();
                }
                inFlight.release();
            });
        }
        inFlight.acquire(window);
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (failed.get() > 0) {
            out.printf(Locale.ROOT, "  (%d calls failed during the sustained run)%n", failed.get());
        }
        return done.get() / seconds;
    }

    // ------------------------------------------------------------------ recovery

    private long[] tornFrameRecovery(Path d) throws Exception {
        BlockingQueue<Long> delivered = new ArrayBlockingQueue<>(16);
        Path target = d.resolve("torn-engine.sock");
        Path front = d.resolve("torn-relay.sock");
        try (VmcEndpoint engine = endpoint("unix-listen:" + target, Hello.Role.ROLE_ENGINE, null,
                    e -> delivered.add(System.nanoTime()), new EndpointListener() {});
                Relay relay = Relay.open(front, target)) {
            engine.start();
            try (VmcEndpoint agent = endpoint("unix:" + front, Hello.Role.ROLE_AGENTD, null, null, new EndpointListener() {})) {
                agent.start().get(10, TimeUnit.SECONDS);
                Event ev = Event.newBuilder().setSessionState(SessionState.newBuilder().setSessionId("s")).build();
                agent.sendEvent(ev);
                delivered.poll(10, TimeUnit.SECONDS);
                long[] samples = new long[recoveries];
                for (int i = 0; i < recoveries; i++) {
                    // A writer that died after the header and a few bytes of a 100 KB frame.
                    ByteBuffer torn = ByteBuffer.allocate(40);
                    torn.putInt(0xD51E7AC3).putInt(100_000).putInt(0).put(new byte[28]);
                    long t0 = System.nanoTime();
                    relay.inject(torn.array());
                    agent.sendEvent(ev);
                    Long t1 = delivered.poll(10, TimeUnit.SECONDS);
                    if (t1 == null) {
                        throw new IllegalStateException("no event delivered after a torn frame");
                    }
                    samples[i] = t1 - t0;
                }
                Arrays.sort(samples);
                return samples;
            }
        }
    }

    private long[] channelLossResume(Path d) throws Exception {
        BlockingQueue<Long> resumed = new ArrayBlockingQueue<>(16);
        Path target = d.resolve("cut-engine.sock");
        Path front = d.resolve("cut-relay.sock");
        try (VmcEndpoint engine = endpoint("unix-listen:" + target, Hello.Role.ROLE_ENGINE, null, null, new EndpointListener() {});
                Relay relay = Relay.open(front, target)) {
            engine.start();
            EndpointListener l = new EndpointListener() {
                @Override
                public void onConnected(Hello peer, boolean wasResumed) {
                    if (wasResumed) {
                        resumed.add(System.nanoTime());
                    }
                }
            };
            try (VmcEndpoint agent = endpoint("unix:" + front, Hello.Role.ROLE_AGENTD, null, null, l)) {
                agent.start().get(10, TimeUnit.SECONDS);
                long[] samples = new long[recoveries];
                for (int i = 0; i < recoveries; i++) {
                    Thread.sleep(1100); // a stable session: the first retry is immediate
                    long t0 = System.nanoTime();
                    relay.cut();
                    Long t1 = resumed.poll(10, TimeUnit.SECONDS);
                    if (t1 == null) {
                        throw new IllegalStateException("the session did not resume after a channel cut");
                    }
                    samples[i] = t1 - t0;
                }
                Arrays.sort(samples);
                return samples;
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    private static VmcEndpoint endpoint(String uri, Hello.Role role, RequestHandler handler,
            io.vmc.transport.EventSink sink, EndpointListener listener) {
        return endpoint(uri, role, handler, sink, listener, null);
    }

    private static VmcEndpoint endpoint(String uri, Hello.Role role, RequestHandler handler,
            io.vmc.transport.EventSink sink, EndpointListener listener, java.util.concurrent.Executor callbacks) {
        VmcEndpoint.Builder b = VmcEndpoint.builder().channel(ChannelUri.parse(uri)).role(role)
                .software("vmc-bench/" + role.name().toLowerCase(Locale.ROOT)).listener(listener)
                .keepalive(Duration.ofSeconds(2), Duration.ofSeconds(6));
        if (handler != null) {
            b.requestHandler(handler);
        }
        if (callbacks != null) {
            b.callbackExecutor(callbacks);
        }
        if (sink != null) {
            b.eventSink(sink);
        }
        return b.build();
    }

    private record Pair(VmcEndpoint server, VmcEndpoint client) implements AutoCloseable {
        static Pair open(Path sock, RequestHandler handler, java.util.concurrent.Executor callbacks) throws Exception {
            VmcEndpoint server = endpoint("unix-listen:" + sock, Hello.Role.ROLE_ENGINE, handler, null,
                    new EndpointListener() {}, callbacks);
            server.start();
            VmcEndpoint client = endpoint("unix:" + sock, Hello.Role.ROLE_AGENTD, null, null, new EndpointListener() {}, callbacks);
            client.start().get(10, TimeUnit.SECONDS);
            return new Pair(server, client);
        }

        @Override
        public void close() {
            client.close();
            server.close();
        }
    }

    private static double pct(long[] sorted, double p) {
        int i = (int) Math.min(sorted.length - 1, Math.ceil(p / 100.0 * sorted.length) - 1);
        return sorted[Math.max(0, i)];
    }

    private void row(String name, Figures[] rounds) {
        int n = rounds.length;
        double[] p50 = new double[n];
        double[] p99 = new double[n];
        double[] p999 = new double[n];
        double[] cpu = new double[n];
        for (int r = 0; r < n; r++) {
            p50[r] = pct(rounds[r].sorted(), 50) / 1e3;
            p99[r] = pct(rounds[r].sorted(), 99) / 1e3;
            p999[r] = pct(rounds[r].sorted(), 99.9) / 1e3;
            cpu[r] = rounds[r].cpuMicrosPerRound();
        }
        out.printf(Locale.ROOT, "  %-34s %8.1f %8.1f %8.1f %8.1f%n", name, median(p50), median(p99), median(p999), median(cpu));
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private void rowMs(String name, long[] sortedNanos) {
        out.printf(Locale.ROOT, "  %-34s %8.2f %8.2f %8.2f%n", name, pct(sortedNanos, 50) / 1e6,
                pct(sortedNanos, 99) / 1e6, sortedNanos[sortedNanos.length - 1] / 1e6);
    }
}
