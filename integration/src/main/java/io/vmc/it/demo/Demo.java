package io.vmc.it.demo;

import io.vmc.engine.media.ToneAnalyzer;
import io.vmc.it.doctor.Setup;
import io.vmc.it.lab.NetworkLab;
import io.vmc.it.lab.PacketCapture;
import io.vmc.it.lab.Ports;
import io.vmc.it.lab.VmcProcess;
import io.vmc.it.lab.Waits;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The optimized call demo: two simulated VMs (agentd + sample softphone each) and two client
 * engines, a SIP call from Alice to Bob, live stats, and the checks that make it a proof: the
 * call was optimized, audio arrived both ways (tones recognised), and no media crossed the VDI
 * side. With root it builds the VDI topology in network namespaces and captures packets there;
 * without root it runs on loopback and checks socket ownership instead.
 *
 * <p>With video each engine also sends a solid test pattern and draws the peer's video into its
 * user's session window ({@link SessionWindows}) where the softphone put its video area; the
 * proof then includes screenshots of those windows ({@link VideoProof}).
 */
public final class Demo {

    /** What the user can change; everything else needs no configuration. */
    public record Options(int durationSeconds, String codec, boolean keepRunning, boolean forceLoopback,
            Path runDir, PrintStream out, CallProbe probe, boolean video, boolean metrics, int statsIntervalSeconds) {
        public Options(int durationSeconds, String codec, boolean keepRunning, boolean forceLoopback, Path runDir,
                PrintStream out, CallProbe probe) {
            // The demo's live table asks the softphones for stats every second.
            this(durationSeconds, codec, keepRunning, forceLoopback, runDir, out, probe, false, false, 1);
        }

        public Options(int durationSeconds, String codec, boolean keepRunning, boolean forceLoopback, Path runDir,
                PrintStream out) {
            this(durationSeconds, codec, keepRunning, forceLoopback, runDir, out, new CallProbe() {});
        }

        /** The same call with video both ways (true) or audio only. */
        public Options withVideo(boolean withVideo) {
            return new Options(durationSeconds, codec, keepRunning, forceLoopback, runDir, out, probe, withVideo, metrics,
                    statsIntervalSeconds);
        }

        /** How often the softphones ask for pushed stats (0: never, as an app without a stats panel). */
        public Options withStatsInterval(int seconds) {
            return new Options(durationSeconds, codec, keepRunning, forceLoopback, runDir, out, probe, video, metrics, seconds);
        }

        /**
         * The same call with (true) or without Prometheus metrics: every engine and agentd serves them
         * on a free 127.0.0.1 port and each engine writes its call-detail records to the run directory.
         * Metrics need loopback mode (a namespace's 127.0.0.1 is not this machine's), so this forces it.
         */
        public Options withMetrics(boolean withMetrics) {
            return new Options(durationSeconds, codec, keepRunning, forceLoopback || withMetrics, runDir, out, probe, video,
                    withMetrics, statsIntervalSeconds);
        }

        /** The same call observed by {@code p}. */
        public Options withProbe(CallProbe p) {
            return new Options(durationSeconds, codec, keepRunning, forceLoopback, runDir, out, p, video, metrics,
                    statsIntervalSeconds);
        }
    }

    /** Lets a benchmark or a test observe the running call (CPU of the VDI side, bytes on its links, metrics). */
    public interface CallProbe {
        /**
         * With {@link Options#withMetrics}: the engines and agents are starting and will serve
         * Prometheus metrics at these targets (process name, e.g. "alice-engine", to HOST:PORT).
         */
        default void metricsServed(Map<String, String> targets) throws IOException {}

        /** The call is established and media flows; {@code lab} is null in loopback mode. */
        default void callEstablished(List<VmcProcess> processes, NetworkLab lab) throws IOException {}

        /** The call is about to end; every process still runs. */
        default void callEnding(List<VmcProcess> processes, NetworkLab lab) throws IOException {}

        /** Both softphones have hung up; the engines and agents still run. */
        default void callEnded(List<VmcProcess> processes, NetworkLab lab) throws IOException {}
    }

    static final int ALICE_TONE_HZ = 440;
    static final int BOB_TONE_HZ = 880;
    static final double TONE_TOLERANCE_HZ = 15;

    private final Options options;
    private final PrintStream out;
    private final List<VmcProcess> processes = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private String ownershipReport = "  [FAIL] the call ended before socket ownership could be checked\n";

    public Demo(Options options) {
        this.options = options;
        this.out = options.out();
    }

    /** Runs the demo; returns 0 only if every check held. */
    public int run() throws Exception {
        Files.createDirectories(options.runDir());
        out.printf("VMC demo: an optimized SIP call between two VMs, media peer to peer between thin clients.%n");
        out.printf("Run directory (logs, recordings, captures): %s%n", options.runDir());
        String loopbackReason = options.forceLoopback() ? "asked for with --loopback"
                : !Setup.isRoot() ? "not root (network namespaces need root)"
                : !NetworkLab.isSupported() ? "no ip command (iproute2) for network namespaces" : null;
        NetworkLab created = null;
        if (loopbackReason == null) {
            try {
                created = NetworkLab.create();
            } catch (IOException e) { // root without the right to make namespaces (a container, say)
                loopbackReason = "network namespaces cannot be made here (" + e.getMessage() + ")";
            }
        }
        boolean namespaces = created != null;
        if (!namespaces) {
            out.printf("Loopback mode: %s. Everything runs on 127.0.0.1; the no-hairpin check uses socket ownership.%n",
                    loopbackReason);
        }
        try (NetworkLab lab = created) {
            Topology topology = namespaces ? Topology.namespaces(lab) : Topology.loopback();
            if (namespaces) {
                out.printf("Network namespaces: VDI side %s, thin clients %s and %s, office link %s <-> %s.%n",
                        lab.vdi().namespace(), lab.clientA().namespace(), lab.clientB().namespace(),
                        lab.clientA().officeAddress(), lab.clientB().officeAddress());
            }
            return call(topology, lab);
        } finally {
            processes.forEach(VmcProcess::close);
        }
    }

    private int call(Topology t, NetworkLab lab) throws Exception {
        Party alice = new Party("alice", ALICE_TONE_HZ, TestPatternColour.RED, t.sipPortAlice(), options.runDir());
        Party bob = new Party("bob", BOB_TONE_HZ, TestPatternColour.GREEN, t.sipPortBob(), options.runDir());
        if (!options.video()) {
            return call(t, lab, alice, bob, null);
        }
        try (SessionWindows windows = SessionWindows.open(List.of(alice, bob), options.runDir(), out)) {
            return call(t, lab, alice, bob, windows);
        }
    }

    /** @param windows the session windows of a video call, null for audio only */
    private int call(Topology t, NetworkLab lab, Party alice, Party bob, SessionWindows windows) throws Exception {
        VideoProof video = windows == null ? null : new VideoProof(windows, options.runDir());
        step("Starting the thin clients' engines and the VMs' agents");
        Map<String, String> metrics = new java.util.LinkedHashMap<>();
        for (Party p : List.of(alice, bob)) {
            Files.createDirectories(p.recordDir());
            List<String> engine = new ArrayList<>(List.of("engine", "--channel", t.engineChannel(p),
                    "--ice-address", t.mediaAddress(p), "--tone", Integer.toString(p.toneHz()), "--speaker", "none",
                    "--record-dir", p.recordDir().toString()));
            engine.addAll(t.engineOptions(options.runDir()));
            List<String> agentd = new ArrayList<>(List.of("--channel", t.agentChannel(p),
                    "--api-socket", p.agentSocket().toString(), "--no-fallback"));
            if (options.metrics()) {
                metrics.put(p.name() + "-engine", "127.0.0.1:" + Ports.freeTcpPort());
                metrics.put(p.name() + "-agentd", "127.0.0.1:" + Ports.freeTcpPort());
                engine.addAll(List.of("--metrics", metrics.get(p.name() + "-engine"), "--cdr", p.callRecords().toString()));
                agentd.addAll(List.of("--metrics", metrics.get(p.name() + "-agentd")));
            }
            if (windows != null) {
                engine.addAll(windows.engineOptions(p));
            }
            processes.add(VmcProcess.start(p.name() + "-engine", t.clientNamespace(p), log(p, "engine"), line -> {},
                    engine, windows == null ? Map.of() : windows.engineEnvironment()));
            processes.add(VmcProcess.startAgentd(p.name() + "-agentd", t.vdiNamespace(), log(p, "agentd"), line -> {}, agentd));
        }
        if (options.metrics()) {
            out.printf("Prometheus metrics: %s; call records: %s%n", String.join(", ", metrics.entrySet().stream()
                    .map(e -> e.getKey() + " http://" + e.getValue() + "/metrics").toList()), alice.callRecords().getParent());
            options.probe().metricsServed(metrics);
        }
        for (Party p : List.of(alice, bob)) {
            Waits.awaitFile(p.agentSocket(), 60, log(p, "agentd"));
        }
        PacketCapture vdiCapture = null;
        PacketCapture officeCapture = null;
        if (lab != null) {
            vdiCapture = PacketCapture.start(lab.vdi().namespace(), lab.vdiInterfaces(), "udp",
                    options.runDir().resolve("vdi-side.pcapng"));
            officeCapture = PacketCapture.start(lab.clientA().namespace(), List.of(lab.clientA().officeInterface()),
                    "udp", options.runDir().resolve("office-link.pcapng"));
        }

        step("Starting Bob's softphone (answers automatically) and Alice's, which calls Bob");
        VmcProcess bobPhone = startSoftphone(bob, t, List.of());
        VmcProcess alicePhone = startSoftphone(alice, t, List.of(
                "--call", "sip:bob@127.0.0.1:" + bob.sipPort(),
                "--duration", Integer.toString(options.durationSeconds())));
        if (!alice.observer().established().await(45, TimeUnit.SECONDS)) {
            failures.add("the call was not established within 45 s (mode " + alice.observer().mode() + ", "
                    + alice.observer().modeReason() + "); see " + log(alice, "softphone"));
            return summary(alice, bob, null, null, video);
        }
        step("Call established; audio both ways (Alice sends " + ALICE_TONE_HZ + " Hz, Bob " + BOB_TONE_HZ + " Hz)"
                + (video == null ? "" : "; video both ways (Alice sends " + alice.videoColour().pattern() + ", Bob "
                        + bob.videoColour().pattern() + ")"));
        long established = System.nanoTime(); // before the probe: it may take seconds (capture start-up)
        options.probe().callEstablished(processes, lab);
        StatsTable table = new StatsTable(out, video != null);
        table.header();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.durationSeconds() + 15L);
        java.io.ByteArrayOutputStream ownership = new java.io.ByteArrayOutputStream();
        boolean endingReported = false;
        for (int second = 1; alice.observer().ended().getCount() > 0 && System.nanoTime() < end; second++) {
            alice.observer().ended().await(1, TimeUnit.SECONDS);
            table.row(alice.observer(), bob.observer());
            // Alice's own timer hangs up about D s after the call was established: report a little
            // before, by the clock (a busy machine makes the rows of this loop slower than 1 s).
            if (!endingReported && System.nanoTime() - established >= TimeUnit.SECONDS.toNanos(options.durationSeconds() - 3)) {
                endingReported = true;
                options.probe().callEnding(processes, lab);
            }
            if (video != null && second >= 2) { // the first pictures need a moment (ICE, key frame)
                video.lookDuringCall(alice, bob);
                video.lookDuringCall(bob, alice);
            }
            if (lab == null && second == 2) { // mid-call, while every socket is open
                SocketOwnership.check(processes, java.util.Set.of(alice.sipPort(), bob.sipPort()), failures,
                        new PrintStream(ownership, true, java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        ownershipReport = ownership.toString(java.nio.charset.StandardCharsets.UTF_8);
        if (options.keepRunning()) {
            out.println("--keep-running: the processes stay up until you press Ctrl-C.");
            Thread.currentThread().join();
        }
        bob.observer().ended().await(10, TimeUnit.SECONDS);
        alicePhone.waitFor(10, TimeUnit.SECONDS);
        bobPhone.close();
        options.probe().callEnded(processes, lab);
        if (vdiCapture != null) {
            vdiCapture.close();
            officeCapture.close();
        }
        return summary(alice, bob, vdiCapture, officeCapture, video);
    }

    private VmcProcess startSoftphone(Party p, Topology t, List<String> extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("softphone", "--user", p.name(),
                "--sip", "127.0.0.1:" + p.sipPort(), "--agent-socket", p.agentSocket().toString(),
                "--codec", options.codec(), "--wait-optimized", "30",
                "--stats-interval", Integer.toString(options.statsIntervalSeconds())));
        if (options.video()) {
            args.addAll(SessionWindows.softphoneOptions());
        }
        args.addAll(extra);
        VmcProcess proc = VmcProcess.start(p.name() + "-softphone", t.vdiNamespace(), log(p, "softphone"),
                line -> {
                    p.observer().accept(line);
                    if (line.startsWith("MODE") || line.startsWith("CALL") || line.startsWith("VIDEO area")) {
                        out.printf("  %-5s %s%n", p.name(), line);
                    }
                }, args);
        processes.add(proc);
        return proc;
    }

    private int summary(Party alice, Party bob, PacketCapture vdi, PacketCapture office, VideoProof video)
            throws IOException {
        out.println();
        out.println("Checks:");
        for (Party p : List.of(alice, bob)) {
            check(p.observer().mode().equals("OPTIMIZED"), p.name() + "'s call was optimized (media on the thin client)",
                    "mode " + p.observer().mode() + " reason " + p.observer().modeReason());
            check("true".equals(p.observer().stat("encrypted").orElse("")), p.name() + "'s media was encrypted (SRTP)",
                    "encrypted=" + p.observer().stat("encrypted").orElse("unknown"));
            check(p.observer().statLong("received") > 0, p.name() + " received audio packets ("
                    + p.observer().statLong("received") + ")", "no packets received");
        }
        checkTone(alice, bob);
        checkTone(bob, alice);
        if (video != null) {
            video.duringCall(alice, bob).forEach(this::check);
            video.duringCall(bob, alice).forEach(this::check);
            check(video.afterHangUp(alice));
            check(video.afterHangUp(bob));
        }
        if (vdi != null) {
            long vdiUdp = vdi.count("udp");
            long aToB = office.count("ip.src==" + "10.77.3.1");
            long bToA = office.count("ip.src==" + "10.77.3.2");
            check(vdiUdp == 0, "no media crossed the VDI side: 0 UDP packets on its links (captured)",
                    vdiUdp + " UDP packets on the VDI side's links");
            check(aToB > 0 && bToA > 0, "media went peer to peer on the office link: " + aToB
                    + " packets Alice->Bob, " + bToA + " Bob->Alice", "office link carried " + aToB + "/" + bToA);
        } else {
            out.print(ownershipReport);
        }
        out.println();
        if (failures.isEmpty()) {
            out.println(video == null ? "PASS: optimized call, audio both ways, media never through the VMs."
                    : "PASS: optimized video call, audio and video both ways, video drawn at the softphones' video "
                            + "areas, media never through the VMs.");
            return 0;
        }
        out.println("FAIL:");
        failures.forEach(f -> out.println("  - " + f));
        out.println("Logs: " + options.runDir());
        return 1;
    }

    private void checkTone(Party listener, Party talker) throws IOException {
        Optional<Path> wav = newestWav(listener.recordDir());
        if (wav.isEmpty()) {
            check(false, "", listener.name() + "'s engine recorded no audio in " + listener.recordDir());
            return;
        }
        double hz = ToneAnalyzer.dominantFrequency(wav.get());
        check(Math.abs(hz - talker.toneHz()) <= TONE_TOLERANCE_HZ,
                String.format(Locale.ROOT, "%s heard %s's %d Hz tone (measured %.1f Hz)", listener.name(),
                        talker.name(), talker.toneHz(), hz),
                String.format(Locale.ROOT, "%s heard %.1f Hz, expected %d Hz from %s", listener.name(), hz,
                        talker.toneHz(), talker.name()));
    }

    private static Optional<Path> newestWav(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".wav"))
                    .max(Comparator.comparingLong(f -> f.toFile().length()));
        }
    }

    private void check(VideoProof.Check c) {
        check(c.ok(), c.passText(), c.failText());
    }

    private void check(boolean ok, String passText, String failText) {
        out.printf("  [%s] %s%n", ok ? "ok" : "FAIL", ok ? passText : failText);
        if (!ok) {
            failures.add(failText);
        }
    }

    private void step(String text) {
        out.printf("%n== %s%n", text);
    }

    private Path log(Party p, String what) {
        return options.runDir().resolve(p.name() + "-" + what + ".log");
    }
}
