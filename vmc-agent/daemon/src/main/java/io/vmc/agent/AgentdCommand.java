package io.vmc.agent;

import io.vmc.agent.daemon.AgentDaemon;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vmc agentd}: the guest daemon. */
@Command(name = "agentd", mixinStandardHelpOptions = true, version = AgentDaemon.SOFTWARE,
        description = "VMC guest agent: owns the VMC channel to the thin client's engine and serves softphones on a local socket "
                + "(and, when enabled, on a loopback WebSocket for web pages and other languages).",
        subcommands = {WebSecretCommand.class, NativeHostCommand.class})
public final class AgentdCommand implements Callable<Integer> {
    @Option(names = "--channel", paramLabel = "URI", defaultValue = AgentDaemon.DEFAULT_CHANNEL,
            description = "Channel to the engine: virtio:NAME, unix:PATH, tcp:HOST:PORT (default ${DEFAULT-VALUE}).")
    String channel;

    @Option(names = "--api-socket", paramLabel = "PATH", defaultValue = "/run/vmc/agent.sock",
            description = "Unix socket apps connect to (default ${DEFAULT-VALUE}).")
    Path apiSocket;

    @Option(names = "--socket-mode", paramLabel = "MODE", defaultValue = "0660",
            description = "Octal permissions of the API socket (default ${DEFAULT-VALUE}); per-user isolation is by peer credentials.")
    String socketMode;

    @Option(names = "--socket-group", paramLabel = "GROUP", description = "Group owning the API socket (e.g. vmc).")
    String socketGroup;

    @Option(names = "--no-fallback", description = "Do not run media inside the VM when no engine is connected.")
    boolean noFallback;

    @Option(names = "--forbid-optimization", description = "Admin policy: never use the engine (FALLBACK, reason POLICY_FORBIDS).")
    boolean forbidOptimization;

    @Option(names = "--fallback-tone", paramLabel = "HZ", description = "Fallback media: send a sine tone instead of the microphone.")
    Double fallbackTone;

    @Option(names = "--fallback-no-speaker", description = "Fallback media: do not play received audio.")
    boolean fallbackNoSpeaker;

    @Option(names = "--fallback-record-dir", paramLabel = "DIR", description = "Fallback media: record received audio per session.")
    Path fallbackRecordDir;

    @Option(names = "--fallback-ice-address", paramLabel = "ADDR",
            description = "Fallback media: bind ICE host candidates to this address (repeatable; loopback allowed).")
    List<String> fallbackIceAddresses = new ArrayList<>();

    @Option(names = "--stun-port", paramLabel = "PORT", description = "Run fake-stun on this UDP/TCP port, fed by the engine's addresses (off by default).")
    Integer stunPort;

    @Option(names = "--stun-bind", paramLabel = "ADDR", defaultValue = "127.0.0.1", description = "Address fake-stun binds (default ${DEFAULT-VALUE}).")
    String stunBind;

    @Option(names = "--metrics", paramLabel = "ADDR:PORT",
            description = "Serve Prometheus metrics on http://ADDR:PORT/metrics (PORT alone: 127.0.0.1:PORT). Default: off.")
    String metrics;

    @Option(names = "--engine-grace-ms", paramLabel = "MS", defaultValue = "15000",
            description = "How long a lost engine may take to resume before calls move to the fallback (default ${DEFAULT-VALUE}).")
    long engineGraceMs;

    @Option(names = "--max-sessions-per-app", paramLabel = "N", defaultValue = "8") int maxPerApp;
    @Option(names = "--max-sessions-per-user", paramLabel = "N", defaultValue = "16") int maxPerUser;
    @Option(names = "--max-sessions", paramLabel = "N", defaultValue = "64") int maxSessions;

    @Option(names = "--config", paramLabel = "FILE",
            description = "The admin's agentd config (default /etc/vmc/agentd.conf, if it exists): web-api.listen, web-api.allowed-origins.")
    Path config;

    @Option(names = "--web-api", paramLabel = "ADDR:PORT",
            description = "Serve the web API (vmc.v1 as JSON over a WebSocket) on this loopback address, e.g. 127.0.0.1:7411 "
                    + "(port 0: any free port); overrides web-api.listen. Off by default.")
    String webApi;

    @Option(names = "--protocol-versions", paramLabel = "MIN..MAX", hidden = true,
            description = "Protocol versions offered to the engine (tests).")
    String versions;

    @Override
    public Integer call() throws Exception {
        AgentDaemon.Options o = toOptions();
        CountDownLatch stop = new CountDownLatch(1);
        try (AgentDaemon d = AgentDaemon.start(o)) {
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "vmc-agentd-shutdown"));
            System.err.println("vmc agentd: apps on " + o.apiSocket + (d.webApiUrl() == null ? "" : " and web API on " + d.webApiUrl())
                    + ", engine channel " + (o.forbidOptimization ? "disabled by policy" : o.channel)
                    + ", fallback " + (o.core.fallbackEnabled ? "on" : "off")
                    + (d.stunAddresses().isEmpty() ? "" : ", fake-stun on " + d.stunAddresses())
                    + (o.metrics == null ? "" : ", metrics on " + o.metrics.url(d.metricsPort())));
            stop.await();
        }
        return 0;
    }

    AgentDaemon.Options toOptions() throws Exception {
        AgentDaemon.Options o = new AgentDaemon.Options();
        o.channel = channel;
        o.apiSocket = apiSocket;
        o.socketMode = octalToPosix(socketMode);
        o.socketGroup = socketGroup;
        o.forbidOptimization = forbidOptimization;
        o.core.fallbackEnabled = !noFallback;
        o.core.engineGrace = Duration.ofMillis(engineGraceMs);
        o.core.maxSessionsPerApp = maxPerApp;
        o.core.maxSessionsPerUser = maxPerUser;
        o.core.maxSessions = maxSessions;
        o.fallbackToneHz = fallbackTone;
        o.fallbackNoSpeaker = fallbackNoSpeaker;
        o.fallbackRecordDir = fallbackRecordDir;
        List<InetAddress> ice = new ArrayList<>();
        for (String a : fallbackIceAddresses) {
            byte[] raw = io.netty.util.NetUtil.createByteArrayFromIpAddressString(a);
            if (raw == null) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--fallback-ice-address must be an IP literal, got " + a);
            }
            ice.add(InetAddress.getByAddress(raw));
        }
        o.fallbackIceAddresses = ice;
        o.stunPort = stunPort;
        if (metrics != null) {
            try {
                o.metrics = io.vmc.engine.MetricsEndpoint.parse(metrics);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--metrics: " + e.getMessage());
            }
        }
        AgentdConfig conf = config != null ? AgentdConfig.load(config)
                : java.nio.file.Files.exists(AgentdConfig.DEFAULT_FILE) ? AgentdConfig.load(AgentdConfig.DEFAULT_FILE) : AgentdConfig.none();
        o.webApiListen = conf.webApiListen;
        o.webApiOrigins = conf.webApiOrigins;
        if (webApi != null) {
            try {
                o.webApiListen = AgentdConfig.loopback(webApi, 0);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--web-api: " + e.getMessage());
            }
        }
        o.stunBind = InetAddress.getByName(stunBind);
        if (versions != null) {
            String[] p = versions.split("\\.\\.");
            o.minVersion = Integer.parseInt(p[0]);
            o.maxVersion = Integer.parseInt(p[p.length - 1]);
        }
        return o;
    }

    static String octalToPosix(String octal) {
        if (!octal.matches("0?[0-7]{3}")) {
            throw new IllegalArgumentException("--socket-mode must be octal like 0660, got " + octal);
        }
        int m = Integer.parseInt(octal, 8);
        String rwx = "rwxrwxrwx";
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 9; i++) {
            s.append((m & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
        }
        return s.toString();
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new AgentdCommand()).execute(args));
    }
}
