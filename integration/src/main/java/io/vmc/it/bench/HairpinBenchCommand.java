package io.vmc.it.bench;

import io.vmc.it.demo.Demo;
import io.vmc.it.lab.NetworkLab;
import io.vmc.it.lab.PacketCapture;
import io.vmc.it.lab.ProcessCpu;
import io.vmc.it.lab.VmcProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./vmc bench hairpin}: what a call costs the VDI side today (the VM decodes the client's
 * uplink, encodes RTP to the peer VM, which decodes it and encodes the downlink to its client)
 * against the same call with VMC, in the same run.
 */
@Command(name = "hairpin", mixinStandardHelpOptions = true,
        description = "VDI-side CPU and bytes per call-minute: hairpinned media vs VMC, side by side.")
public final class HairpinBenchCommand implements Callable<Integer> {

    private static final String OPUS_RTP_CAPS =
            "application/x-rtp,media=audio,encoding-name=OPUS,clock-rate=48000,payload=96";

    @Option(names = "--duration", defaultValue = "20", description = "Seconds measured per variant. Default: ${DEFAULT-VALUE}.")
    int durationSeconds;

    /** VDI-side cost of one call over the measured window. */
    record Cost(double cpuSeconds, double daemonCpuSeconds, long vdiBytes, long mediaBytes, double seconds) {
        double perMinute(double value) {
            return value * 60.0 / seconds;
        }
    }

    @Option(names = "--rounds", defaultValue = "5",
            description = "Alternating rounds (hairpin, VMC, VMC with 1 s stats); medians are reported. Default: ${DEFAULT-VALUE}.")
    int rounds;

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("vmc-bench-hairpin-");
        List<Cost> hairpin = new ArrayList<>();
        List<Cost> vmc = new ArrayList<>();
        List<Cost> vmcStats = new ArrayList<>();
        for (int r = 1; r <= rounds; r++) {
            System.out.printf("round %d/%d: hairpin baseline (GStreamer transcoding in the VMs), %d s...%n", r, rounds, durationSeconds);
            hairpin.add(hairpin(dir.resolve("r" + r)));
            System.out.printf("round %d/%d: VMC optimized call (the demo; stats on demand), %d s...%n", r, rounds, durationSeconds);
            vmc.add(vmcCall(dir.resolve("r" + r + "-vmc"), 0));
            System.out.printf("round %d/%d: VMC optimized call, softphones subscribed to 1 s stats, %d s...%n", r, rounds, durationSeconds);
            vmcStats.add(vmcCall(dir.resolve("r" + r + "-vmc-stats"), 1));
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "per call-minute, medians of %d alternating rounds%n", rounds);
        System.out.printf(Locale.ROOT, "%-58s %12s %12s %8s %14s %8s%n", "", "hairpin", "VMC", "ratio", "VMC+1s stats", "ratio");
        row("VDI-side CPU s (media work vs agentd+softphone)", hairpin, vmc, vmcStats, Cost::cpuSeconds);
        row("VDI-side CPU s (media work vs agentd only)", hairpin, vmc, vmcStats, Cost::daemonCpuSeconds);
        row("bytes crossing the VDI server", hairpin, vmc, vmcStats, c -> c.vdiBytes());
        row("media bytes (both directions)", hairpin, vmc, vmcStats, c -> c.mediaBytes());
        System.out.printf(Locale.ROOT, "VMC's VDI-side bytes are %.3f%% of its media bytes (%.3f%% with 1 s stats).%n",
                100 * median(vmc, c -> c.vdiBytes()) / Math.max(1, median(vmc, c -> c.mediaBytes())),
                100 * median(vmcStats, c -> c.vdiBytes()) / Math.max(1, median(vmcStats, c -> c.mediaBytes())));
        return 0;
    }

    private static double median(List<Cost> costs, java.util.function.ToDoubleFunction<Cost> f) {
        return AgentdBenchCommand.median(costs.stream().mapToDouble(c -> c.perMinute(f.applyAsDouble(c))).toArray());
    }

    private static void row(String name, List<Cost> hairpin, List<Cost> vmc, List<Cost> vmcStats,
            java.util.function.ToDoubleFunction<Cost> f) {
        double h = median(hairpin, f);
        double v = median(vmc, f);
        double s = median(vmcStats, f);
        System.out.printf(Locale.ROOT, "%-58s %12.2f %12.2f %8.4f %14.2f %8.4f%n", name, h, v, v / h, s, s / h);
    }

    /** Four transcoding pipelines stand in for the two VMs; the clients send and play Opus. */
    private Cost hairpin(Path dir) throws Exception {
        Files.createDirectories(dir);
        int base = freePortBlock();
        int upA = base, upB = base + 1, vmAtoB = base + 2, vmBtoA = base + 3, downA = base + 4, downB = base + 5;
        List<Process> clients = new ArrayList<>();
        List<Process> vms = new ArrayList<>();
        try (PacketCapture lo = PacketCapture.start(null, List.of("lo"),
                "udp portrange " + base + "-" + (base + 5), dir.resolve("hairpin.pcapng"))) {
            clients.add(gst("udpsrc port=" + downA + " caps=\"" + OPUS_RTP_CAPS + "\" ! rtpjitterbuffer ! rtpopusdepay ! opusdec ! fakesink"));
            clients.add(gst("udpsrc port=" + downB + " caps=\"" + OPUS_RTP_CAPS + "\" ! rtpjitterbuffer ! rtpopusdepay ! opusdec ! fakesink"));
            vms.add(gst(transcode(vmAtoB, downB)));   // VM B: RTP from A -> SPICE playback to client B
            vms.add(gst(transcode(vmBtoA, downA)));   // VM A: RTP from B -> SPICE playback to client A
            vms.add(gst(transcode(upA, vmAtoB)));     // VM A: SPICE record from client A -> RTP to B
            vms.add(gst(transcode(upB, vmBtoA)));     // VM B: SPICE record from client B -> RTP to A
            clients.add(gst(uplink(440, upA)));
            clients.add(gst(uplink(880, upB)));
            TimeUnit.SECONDS.sleep(2); // warm-up: pipelines negotiate caps; not part of the measurement
            double cpu0 = vms.stream().mapToDouble(p -> ProcessCpu.seconds(p.pid())).sum();
            long t0 = System.nanoTime();
            TimeUnit.SECONDS.sleep(durationSeconds);
            double cpu = vms.stream().mapToDouble(p -> ProcessCpu.seconds(p.pid())).sum() - cpu0;
            double seconds = (System.nanoTime() - t0) / 1e9;
            vms.forEach(Process::destroy);
            clients.forEach(Process::destroy);
            lo.close();
            long clientServer = lo.bytes("udp.dstport==" + upA + " || udp.dstport==" + upB
                    + " || udp.dstport==" + downA + " || udp.dstport==" + downB);
            long vmToVm = lo.bytes("udp.dstport==" + vmAtoB + " || udp.dstport==" + vmBtoA);
            double captured = lo.durationSeconds();
            // The capture runs a little longer than the CPU window: scale bytes to the same window.
            double scale = captured > 0 ? seconds / captured : 1;
            return new Cost(cpu, cpu, (long) (clientServer * scale), (long) ((clientServer + vmToVm) * scale), seconds);
        } finally {
            vms.forEach(Process::destroyForcibly);
            clients.forEach(Process::destroyForcibly);
        }
    }

    private static String uplink(int hz, int port) {
        return "audiotestsrc is-live=true wave=sine freq=" + hz + " ! audio/x-raw,rate=48000,channels=1"
                + " ! opusenc ! rtpopuspay pt=96 ! udpsink host=127.0.0.1 port=" + port;
    }

    private static String transcode(int inPort, int outPort) {
        return "udpsrc port=" + inPort + " caps=\"" + OPUS_RTP_CAPS + "\" ! rtpjitterbuffer ! rtpopusdepay ! opusdec"
                + " ! audioconvert ! audioresample ! opusenc ! rtpopuspay pt=96 ! udpsink host=127.0.0.1 port=" + outPort;
    }

    private static Process gst(String pipeline) throws IOException {
        List<String> command = new ArrayList<>(List.of("gst-launch-1.0", "-q"));
        command.addAll(List.of(pipeline.replace("\"", "").split(" ")));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    private static int freePortBlock() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base;
            try (DatagramSocket s = new DatagramSocket(0)) {
                base = s.getLocalPort();
            }
            if (base + 6 < 65535 && allFree(base, 6)) {
                return base;
            }
        }
        throw new IOException("no block of 6 free UDP ports");
    }

    private static boolean allFree(int base, int count) {
        for (int p = base; p < base + count; p++) {
            try (DatagramSocket s = new DatagramSocket(p)) {
                // free
            } catch (IOException taken) {
                return false;
            }
        }
        return true;
    }

    /** The demo's call, measured from the VDI side: agentd and softphone CPU, bytes on its links. */
    private Cost vmcCall(Path dir, int statsIntervalSeconds) throws Exception {
        Files.createDirectories(dir);
        VdiProbe probe = new VdiProbe(dir);
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        int exit = new Demo(new Demo.Options(durationSeconds + 3, "opus", false, false, dir.resolve("vmc"), quiet,
                probe).withStatsInterval(statsIntervalSeconds)).run();
        if (exit != 0) {
            throw new IllegalStateException("the VMC call failed; logs in " + dir.resolve("vmc"));
        }
        return probe.cost();
    }

    /** Samples the VDI side's processes and captures all traffic on its links (namespace mode). */
    private static final class VdiProbe implements Demo.CallProbe {
        private final Path dir;
        private double cpu0;
        private double cpu1;
        private double daemon0;
        private double daemon1;
        private long t0;
        private long t1;
        private PacketCapture vdi;
        private PacketCapture office;

        VdiProbe(Path dir) {
            this.dir = dir;
        }

        @Override
        public void callEstablished(List<VmcProcess> processes, NetworkLab lab) throws IOException {
            if (lab != null) {
                vdi = PacketCapture.start(lab.vdi().namespace(), lab.vdiInterfaces(), "ip",
                        dir.resolve("vmc-vdi.pcapng"));
                office = PacketCapture.start(lab.clientA().namespace(), List.of(lab.clientA().officeInterface()),
                        "udp", dir.resolve("vmc-office.pcapng"));
            }
            cpu0 = vdiCpu(processes);
            daemon0 = agentdCpu(processes);
            t0 = System.nanoTime();
        }

        @Override
        public void callEnding(List<VmcProcess> processes, NetworkLab lab) throws IOException {
            cpu1 = vdiCpu(processes);
            daemon1 = agentdCpu(processes);
            t1 = System.nanoTime();
            if (vdi != null) {
                vdi.close();
                office.close();
            }
        }

        private static double agentdCpu(List<VmcProcess> processes) {
            return processes.stream().filter(p -> p.name().endsWith("agentd"))
                    .mapToDouble(p -> ProcessCpu.seconds(p.pid())).sum();
        }

        private static double vdiCpu(List<VmcProcess> processes) {
            return processes.stream().filter(p -> p.name().endsWith("agentd") || p.name().endsWith("softphone"))
                    .mapToDouble(p -> ProcessCpu.seconds(p.pid())).sum();
        }

        Cost cost() throws IOException {
            if (t1 == 0) {
                throw new IllegalStateException("the call ended before it could be measured");
            }
            double seconds = (t1 - t0) / 1e9;
            long vdiBytes = vdi == null ? -1 : vdi.bytes(null);
            long media = office == null ? -1 : office.bytes(null);
            return new Cost(cpu1 - cpu0, daemon1 - daemon0, vdiBytes, media, seconds);
        }
    }
}
