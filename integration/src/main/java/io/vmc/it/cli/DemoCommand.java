package io.vmc.it.cli;

import io.vmc.it.demo.Demo;
import io.vmc.it.doctor.MachineChecks;
import io.vmc.it.doctor.Setup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./vmc demo}: a full optimized call between two simulated VMs on this machine. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run a full optimized call between two simulated VMs and two client engines, show live "
                + "call statistics, and verify that audio arrived both ways and that no media went through the VMs.",
            "Exit code 0 only if every check held."})
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--duration", defaultValue = "10", description = "Call length in seconds. Default: ${DEFAULT-VALUE}.")
    int durationSeconds;

    @Option(names = "--codec", defaultValue = "opus",
            description = "Audio codec: opus, G722, PCMU or PCMA. Default: ${DEFAULT-VALUE}.")
    String codec;

    @Option(names = "--keep-running", description = "Keep every process running after the call (Ctrl-C ends).")
    boolean keepRunning;

    @Option(names = "--loopback", description = "Run on 127.0.0.1 even as root (no network namespaces).")
    boolean loopback;

    @Option(names = "--video", description = "Video both ways too: each engine sends a solid test pattern (Alice red, "
            + "Bob green) and draws the peer's video into a session window (on $DISPLAY, else a private Xvfb) at the "
            + "softphone's video area; screenshots prove it.")
    boolean video;

    @Option(names = "--metrics", description = "Engines and agents serve Prometheus metrics on free 127.0.0.1 ports (printed;"
            + " implies --loopback) and the engines write call-detail records to the run directory. With --keep-running,"
            + " point a Prometheus at them to try docs/examples/grafana-dashboard.json.")
    boolean metrics;

    @Option(names = "--no-install", description = "Do not install missing Debian packages (done as root on Debian): "
            + "print the apt-get line and exit " + Setup.EXIT_MISSING + ".")
    boolean noInstall;

    @Option(names = "--run-dir", description = "Where logs, recordings and captures go. Default: a new temp dir.")
    Path runDir;

    @Override
    public Integer call() throws Exception {
        if (durationSeconds < 3 || durationSeconds > 3600) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--duration must be between 3 and 3600 seconds, got " + durationSeconds);
        }
        // The launcher checked before it built; this covers a demo started without it (tests, IDEs).
        Setup.Command setup = new Setup.Command("demo", "demo", Setup.demoFeatures(loopback || metrics, video), noInstall, "the demo");
        int ready = Setup.ensure(setup, Setup.select(Setup.bundled(), setup.role(), setup.features(),
                Setup.Level.REQUIRED), MachineChecks.probe(), System.out);
        if (ready != 0) {
            return ready;
        }
        Path dir = runDir != null ? runDir : Files.createTempDirectory("vmc-demo-");
        return new Demo(new Demo.Options(durationSeconds, codec, keepRunning, loopback, dir, System.out)
                .withVideo(video).withMetrics(metrics)).run();
    }
}
