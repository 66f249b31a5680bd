package io.vmc.it.lab;

import io.vmc.agent.api.MediaSession;
import io.vmc.agent.api.MediaSessionListener;
import io.vmc.agent.api.Mode;
import io.vmc.agent.api.SdpType;
import io.vmc.agent.api.SessionOptions;
import io.vmc.agent.api.SessionState;
import io.vmc.agent.api.StreamStats;
import io.vmc.agent.api.Vmc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Two thin clients and their VMs, each part a real process: Alice's and Bob's engines each in
 * their own network namespace (media goes over the lab's office link), their agentds on this
 * side, reaching the engines' unix channel sockets through a {@link ChannelProxy} that can be cut.
 * The apps are this JVM, on the public agent API; SDP goes between them directly (the SIP part
 * is not what is tested), and every re-offer VMC asks for is answered, as a softphone would.
 */
public final class CallRig implements AutoCloseable {
    /** Options of the whole rig. */
    public record Options(String namespaceTag, boolean aliceFallback, Duration engineGrace, int engineMaxSessions,
            List<String> agentdOptions, List<String> engineOptions) {
        public static Options defaults() {
            return new Options("resil", false, Duration.ofSeconds(60), 16, List.of(), List.of());
        }

        public Options engineGrace(Duration d) {
            return new Options(namespaceTag, aliceFallback, d, engineMaxSessions, agentdOptions, engineOptions);
        }

        public Options engineMaxSessions(int n) {
            return new Options(namespaceTag, aliceFallback, engineGrace, n, agentdOptions, engineOptions);
        }

        /** Extra {@code vmc-agentd} options (limits) for both agentds. */
        public Options agentdOptions(String... options) {
            return new Options(namespaceTag, aliceFallback, engineGrace, engineMaxSessions, List.of(options), engineOptions);
        }

        /** Extra {@code vmc engine} options (limits) for both engines. */
        public Options engineOptions(String... options) {
            return new Options(namespaceTag, aliceFallback, engineGrace, engineMaxSessions, agentdOptions, List.of(options));
        }
    }

    private final Path dir;
    private final Options options;
    private final NetworkLab lab;
    private final ExecutorService relay = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "call-rig-relay");
        t.setDaemon(true);
        return t;
    });
    private final Party alice;
    private final Party bob;
    /** Cleans up if the JVM ends first (a test abandoned at its timeout never reaches close()). */
    private final Thread cleanUpAtExit = new Thread(this::closeProcesses, "call-rig-clean-up");

    /** One side: an engine on its thin client, an agentd in its VM, the app. */
    public final class Party {
        private final String name;
        private final NetworkLab.Host host;
        private final int toneHz;
        private final boolean fallback;
        private final Path engineSocket;
        private final Path agentSocket;
        private ChannelProxy channel;
        private VmcProcess engine;
        private VmcProcess agentd;
        private Vmc app;
        private int starts;

        Party(String name, NetworkLab.Host host, int toneHz, boolean fallback) {
            this.name = name;
            this.host = host;
            this.toneHz = toneHz;
            this.fallback = fallback;
            this.engineSocket = dir.resolve(name + "-engine.sock");
            this.agentSocket = dir.resolve(name + "-agent.sock");
        }

        public String name() {
            return name;
        }

        public VmcProcess engine() {
            return engine;
        }

        public VmcProcess agentd() {
            return agentd;
        }

        public Vmc app() {
            return app;
        }

        public ChannelProxy channel() {
            return channel;
        }

        /** The thin client's namespace (nftables rules for the media path go here). */
        public String namespace() {
            return host.namespace();
        }

        public void startEngine() throws IOException {
            List<String> args = new ArrayList<>(List.of("engine", "--channel", "unix-listen:" + engineSocket, "--ice-address", host.officeAddress(),
                    "--tone", Integer.toString(toneHz), "--speaker", "none",
                    // the engine keeps an absent agentd's calls longer than agentd keeps a lost engine's (admin guide)
                    "--agent-gone-after", Long.toString(Math.max(60, 2 * options.engineGrace().toSeconds())),
                    "--max-sessions", Integer.toString(options.engineMaxSessions()),
                    "--simulated-camera", "smpte", "--allow-camera", "--video-max-resolution", "320x240"));
            args.addAll(options.engineOptions());
            engine = VmcProcess.start(name + "-engine", host.namespace(), log(name + "-engine"), l -> { }, args);
        }

        public void startAgentd() throws IOException {
            List<String> args = new ArrayList<>(List.of("--channel", "unix:" + channel.path(),
                    "--api-socket", agentSocket.toString(), "--engine-grace-ms", Long.toString(options.engineGrace().toMillis())));
            if (fallback) {
                args.addAll(List.of("--fallback-tone", "660", "--fallback-no-speaker"));
            } else {
                args.add("--no-fallback");
            }
            args.addAll(options.agentdOptions());
            agentd = VmcProcess.startAgentd(name + "-agentd", null, log(name + "-agentd"), l -> { }, args);
        }

        /** Connects the app (again) and waits until agentd says OPTIMIZED. */
        public void connectApp() throws IOException, InterruptedException {
            Waits.awaitFile(agentSocket, 60, log(name + "-agentd"));
            app = Vmc.builder().socket(agentSocket).appName("rig-" + name).requestTimeout(Duration.ofSeconds(30)).connect();
            awaitOptimized();
        }

        public Path agentSocket() {
            return agentSocket;
        }

        public void awaitOptimized() throws InterruptedException {
            await(Duration.ofSeconds(90), () -> app.isConnected() && app.mode() == Mode.OPTIMIZED, name + " OPTIMIZED");
        }

        private Path log(String what) {
            return dir.resolve(what + "-" + starts++ + ".log");
        }
    }

    /** A call between Alice's and Bob's apps. */
    public final class Call implements AutoCloseable {
        private final MediaSession alice;
        private final MediaSession bob;
        private final List<String> renegotiations = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final List<String> reoffers = new java.util.concurrent.CopyOnWriteArrayList<>();
        private volatile String relayFailure;

        Call(SessionOptions o) {
            alice = CallRig.this.alice.app.newSession(o);
            bob = CallRig.this.bob.app.newSession(o);
            follow(alice, bob);
            follow(bob, alice);
            String answer = bob.createAnswer(alice.createOffer());
            alice.setRemoteDescription(SdpType.ANSWER, answer);
        }

        /** The app answers each re-offer (hold, a move) through the peer, as a re-INVITE would. */
        private void follow(MediaSession from, MediaSession to) {
            from.addListener(new MediaSessionListener() {
                @Override
                public void onRenegotiationNeeded(MediaSession s, String offer, String reason) {
                    renegotiations.add(reason);
                    reoffers.add(offer);
                    relay.execute(() -> {
                        try {
                            from.setRemoteDescription(SdpType.ANSWER, to.createAnswer(offer));
                        } catch (RuntimeException e) {
                            relayFailure = reason + ": " + e.getMessage();
                            System.err.println("call rig: answering the " + reason + " re-offer failed: " + e.getMessage());
                        }
                    });
                }
            });
        }

        public MediaSession alice() {
            return alice;
        }

        public MediaSession bob() {
            return bob;
        }

        /** Reasons of the re-offers answered so far, in order. */
        public List<String> renegotiations() {
            return List.copyOf(renegotiations);
        }

        /** The re-offers answered so far, in order. */
        public List<String> reoffers() {
            return List.copyOf(reoffers);
        }

        /** Why answering a re-offer failed, or null. */
        public String relayFailure() {
            return relayFailure;
        }

        /** Audio packets {@code s} received so far (0 before media). */
        public long audioReceived(MediaSession s) {
            return audio(s).packetsReceived();
        }

        public long audioSent(MediaSession s) {
            return audio(s).packetsSent();
        }

        private StreamStats audio(MediaSession s) {
            return s.stats().audio().orElseThrow(() -> new IllegalStateException(s.id() + " has no audio stream"));
        }

        /**
         * Waits until {@code s} has received {@code n} more audio packets (a receiver that took new
         * keys starts counting from 0 again).
         */
        public void awaitAudio(MediaSession s, long n, Duration within) throws InterruptedException {
            long[] last = {audioReceivedOrZero(s)};
            long[] gained = {0};
            await(within, () -> {
                long now = audioReceivedOrZero(s);
                gained[0] += now >= last[0] ? now - last[0] : now;
                last[0] = now;
                return gained[0] >= n;
            }, n + " audio packets at " + s.id());
        }

        private long audioReceivedOrZero(MediaSession s) {
            try {
                return s.stats().audio().map(StreamStats::packetsReceived).orElse(0L);
            } catch (RuntimeException notNow) {
                return 0; // between homes
            }
        }

        public void awaitState(MediaSession s, SessionState want, Duration within) throws InterruptedException {
            try {
                await(within, () -> s.state() == want, s.id() + " " + want);
            } catch (IllegalStateException e) {
                throw new IllegalStateException(e.getMessage() + "; it is " + s.state()
                        + (relayFailure == null ? "" : "; answering a re-offer failed: " + relayFailure), e);
            }
        }

        /** Hangs up on both sides. */
        @Override
        public void close() {
            for (MediaSession s : List.of(alice, bob)) {
                try {
                    s.close();
                } catch (RuntimeException alreadyGone) {
                    // the session ended already (its app or agentd went away)
                }
            }
        }
    }

    private CallRig(Path dir, Options options) throws IOException {
        this.dir = dir;
        this.options = options;
        Files.createDirectories(dir);
        this.lab = NetworkLab.create(options.namespaceTag());
        this.alice = new Party("alice", lab.clientA(), 440, options.aliceFallback());
        this.bob = new Party("bob", lab.clientB(), 880, false);
        Runtime.getRuntime().addShutdownHook(cleanUpAtExit);
    }

    /** Builds the namespaces and starts both sides; the apps are connected and OPTIMIZED. */
    public static CallRig start(Path dir, Options options) throws IOException, InterruptedException {
        CallRig rig = new CallRig(dir, options);
        try {
            for (Party p : List.of(rig.alice, rig.bob)) {
                p.channel = ChannelProxy.start(dir.resolve(p.name + "-channel.sock"), p.engineSocket);
                p.startEngine();
                p.startAgentd();
            }
            for (Party p : List.of(rig.alice, rig.bob)) {
                p.connectApp();
            }
            return rig;
        } catch (IOException | InterruptedException | RuntimeException e) {
            rig.close();
            throw e;
        }
    }

    public Party alice() {
        return alice;
    }

    public Party bob() {
        return bob;
    }

    public NetworkLab lab() {
        return lab;
    }

    /** Places a call and waits until both sides are CONNECTED. */
    public Call call(SessionOptions o) throws InterruptedException {
        Call c = new Call(o);
        try {
            c.awaitState(c.alice, SessionState.CONNECTED, Duration.ofSeconds(30));
            c.awaitState(c.bob, SessionState.CONNECTED, Duration.ofSeconds(30));
        } catch (RuntimeException | InterruptedException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Polls {@code condition} until it holds or {@code within} passes (then throws, naming {@code what}). */
    public static void await(Duration within, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                last = e; // e.g. a request while the agent reconnects
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new IllegalStateException("timed out after " + within.toSeconds() + " s waiting for " + what
                + (last == null ? "" : " (last error: " + last.getMessage() + ")"));
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(cleanUpAtExit);
        } catch (IllegalStateException exiting) {
            // the hook runs (or ran) already
        }
        closeProcesses();
    }

    private void closeProcesses() {
        relay.shutdownNow();
        for (Party p : List.of(alice, bob)) {
            if (p.app != null) {
                p.app.close();
            }
            for (AutoCloseable c : new AutoCloseable[] {p.agentd, p.engine, p.channel}) {
                try {
                    if (c != null) {
                        c.close();
                    }
                } catch (Exception ignored) {
                    // clean-up goes on
                }
            }
        }
        lab.close();
    }
}
