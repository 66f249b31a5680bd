package io.vmc.agent.daemon;

import io.vmc.engine.EngineConfig;
import io.vmc.engine.MetricsEndpoint;
import io.vmc.transport.ChannelUri;
import io.vmc.transport.EndpointListener;
import io.vmc.transport.PeerCredentials;
import io.vmc.transport.VmcConnection;
import io.vmc.transport.VmcEndpoint;
import io.vmc.transport.VmcServer;
import io.vmc.transport.VmcTransportException;
import io.vmc.transport.proto.Empty;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.Goodbye;
import io.vmc.transport.proto.Hello;
import io.vmc.transport.proto.ModeReason;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * vmc-agentd: owns the channel to the engine ({@link VmcEndpoint}), serves apps on a unix socket
 * ({@link VmcServer}) and lets {@link AgentCore} decide where each session lives.
 *
 * <pre>{@code
 * AgentDaemon.Options o = new AgentDaemon.Options();
 * o.channel = "unix:/var/lib/vmc/vm1.sock";
 * o.apiSocket = Path.of("/run/vmc/agent.sock");
 * try (AgentDaemon d = AgentDaemon.start(o)) { d.awaitShutdown(); }
 * }</pre>
 */
public final class AgentDaemon implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AgentDaemon.class);
    /** agentd's version, as its build info metric shows it. */
    public static final String VERSION = "0.1.0";
    public static final String SOFTWARE = "vmc-agentd/" + VERSION;
    public static final String DEFAULT_CHANNEL = "virtio:org.spice-space.vmc.0";
    public static final Path DEFAULT_API_SOCKET = Path.of("/run/vmc/agent.sock");

    /** Everything the command line sets. */
    public static final class Options {
        public String channel = DEFAULT_CHANNEL;
        public Path apiSocket = DEFAULT_API_SOCKET;
        /** Permissions of the API socket file. */
        public String socketMode = "rw-rw----";
        /** Group of the API socket file; null keeps the process's group. */
        public String socketGroup;
        /** Never optimize (admin policy): always FALLBACK with POLICY_FORBIDS. */
        public boolean forbidOptimization;
        /** Fallback media: a test tone instead of the guest's microphone (null: microphone). */
        public Double fallbackToneHz;
        /** Fallback media: no playout (received audio is dropped or recorded). */
        public boolean fallbackNoSpeaker;
        public Path fallbackRecordDir;
        /** Addresses the fallback binds ICE candidates to (loopback allowed); empty = all interfaces. */
        public java.util.List<InetAddress> fallbackIceAddresses = java.util.List.of();
        /** Embedded fake-stun on this port (0 = any free port, null = off). */
        public Integer stunPort;
        public InetAddress stunBind = InetAddress.getLoopbackAddress();
        /** Protocol versions offered to the engine (tests narrow it to provoke ENGINE_INCOMPATIBLE). */
        public int minVersion = 0;
        public int maxVersion = 0;
        /** The web API's loopback address (port 0: any free port); null = off (docs/web-api.md). */
        public java.net.InetSocketAddress webApiListen;
        /** Origins allowed on the web API (exact); clients that send no Origin need only the secret. */
        public java.util.List<String> webApiOrigins = java.util.List.of();
        /** Key of the web API secrets; null = {@code web-api.key} beside the API socket. */
        public Path webApiKeyFile;
        /** Engine keepalive; null = transport defaults. */
        public Duration keepaliveInterval;
        public Duration deadAfter;
        public AgentCore.Config core = new AgentCore.Config();
        /** Serve Prometheus metrics here; null = off (the default: nothing listens, nothing is loaded). */
        public MetricsEndpoint metrics;
    }

    private final Options options;
    private final AgentCore core;
    private final LocalBackend fallback;
    private final VmcServer server;
    private final VmcEndpoint engineEndpoint;
    private final StunBridge stun;
    private final AtomicInteger appNumbers = new AtomicInteger();
    private final Backend engineBackend;
    /** The metrics server, or null; typed Closeable so that without --metrics no Prometheus class is loaded. */
    private final java.io.Closeable metricsServer;
    private final int metricsPort;
    /** Null unless the web API is on: its classes are not even loaded otherwise. */
    private final io.vmc.agent.web.WebApiServer webApi;

    private AgentDaemon(Options o) throws IOException {
        this.options = o;
        LocalBackend[] fb = new LocalBackend[1];
        AgentCore[] coreRef = new AgentCore[1];
        if (o.core.fallbackEnabled) {
            fb[0] = new LocalBackend(fallbackConfig(o), e -> coreRef[0].onBackendEvent(fb[0], e));
        }
        this.fallback = fb[0];
        ChannelUri channel = o.forbidOptimization ? null : ChannelUri.parse(o.channel);
        ModeReason initial = o.forbidOptimization ? ModeReason.POLICY_FORBIDS : ModeReason.NO_ENGINE;
        String detail = o.forbidOptimization ? "optimization is disabled on this VM (--forbid-optimization)"
                : "no engine has answered on " + o.channel + " yet";
        if (channel != null && channel.kind() == ChannelUri.Kind.STREAM_PORT && "virtio".equals(channel.scheme())
                && !virtioPortExists(channel.path())) {
            initial = ModeReason.NO_CHANNEL;
            detail = "no virtio-serial port named " + channel.path() + " in this VM";
        }
        this.core = new AgentCore(o.core, fallback, initial, detail);
        coreRef[0] = core;
        this.stun = o.stunPort == null ? null : StunBridge.start(o.stunBind, o.stunPort);
        if (stun != null) {
            core.useStun(stun);
        }

        Path sock = o.apiSocket.toAbsolutePath();
        if (sock.getParent() != null) {
            Files.createDirectories(sock.getParent());
        }
        this.server = VmcServer.builder().channel(ChannelUri.parse("unix-listen:" + sock)).role(Hello.Role.ROLE_AGENTD)
                .software(SOFTWARE).onConnection(this::onApp).build();
        server.start();
        applySocketPermissions(sock, o);
        this.webApi = o.webApiListen == null ? null : startWebApi(o, sock);

        if (channel == null || initial == ModeReason.NO_CHANNEL) {
            this.engineEndpoint = null;
            this.engineBackend = null;
        } else {
            VmcEndpoint[] ep = new VmcEndpoint[1];
            Backend eb = new Backend() {
                @Override
                public String name() {
                    return "engine";
                }

                @Override
                public CompletableFuture<Response> call(Request request) {
                    return ep[0].call(request);
                }
            };
            this.engineBackend = eb;
            VmcEndpoint.Builder b = VmcEndpoint.builder().channel(channel).role(Hello.Role.ROLE_AGENTD).software(SOFTWARE)
                    .requestHandler(this::fromEngine)
                    .eventSink(e -> core.onBackendEvent(eb, e))
                    .listener(new EndpointListener() {
                        @Override
                        public void onConnected(Hello peer, boolean resumed) {
                            log.info("engine {} connected on {} (resumed: {})", peer.getSoftware(), o.channel, resumed);
                            core.engineConnected(eb, peer.getSoftware(), ep[0].negotiatedVersion(), resumed);
                        }

                        @Override
                        public void onDisconnected(String why) {
                            log.info("engine channel down: {}", why);
                            core.engineDisconnected(why);
                            if (stun != null) {
                                stun.clear();
                            }
                        }

                        @Override
                        public void onIncompatible(Goodbye goodbye) {
                            log.warn("engine is incompatible: {}", goodbye.getMessage());
                            core.engineIncompatible(goodbye.getMessage());
                        }
                    });
            if (o.minVersion > 0 && o.maxVersion > 0) {
                b.versionRange(o.minVersion, o.maxVersion);
            }
            if (o.keepaliveInterval != null && o.deadAfter != null) {
                b.keepalive(o.keepaliveInterval, o.deadAfter);
            }
            ep[0] = b.build();
            this.engineEndpoint = ep[0];
            try {
                engineEndpoint.start();
            } catch (VmcTransportException e) {
                core.noEngine(ModeReason.NO_CHANNEL, "cannot open " + o.channel + ": " + e.getMessage());
            }
        }
        if (o.metrics != null) {
            io.prometheus.metrics.exporter.httpserver.HTTPServer m;
            try {
                m = AgentMetrics.start(o.metrics, core);
            } catch (IOException e) {
                close();
                throw e;
            }
            this.metricsServer = m;
            this.metricsPort = m.getPort();
        } else {
            this.metricsServer = null;
            this.metricsPort = -1;
        }
        log.info("{} serving apps on {}{} (channel {}, fallback {}, metrics {})", SOFTWARE, sock,
                webApi == null ? "" : " and " + webApi.url(),
                channel == null ? "disabled by policy" : o.channel, fallback == null ? "off" : "on",
                o.metrics == null ? "off" : o.metrics.url(metricsPort));
    }

    public static AgentDaemon start(Options o) throws IOException {
        return new AgentDaemon(o);
    }

    private io.vmc.agent.web.WebApiServer startWebApi(Options o, Path sock) throws IOException {
        Path key = o.webApiKeyFile != null ? o.webApiKeyFile : sock.resolveSibling("web-api.key");
        try {
            return io.vmc.agent.web.WebApiServer.start(server.tcpBootstrap(), o.webApiListen, o.webApiOrigins, key, core);
        } catch (IOException | RuntimeException e) {
            server.close(); // agentd does not start half-configured
            core.close();
            if (stun != null) {
                stun.close();
            }
            throw e;
        }
    }

    /** GetWebApiSecret from an app on the unix socket: the secret of the user the kernel says it is. */
    private Response webApiSecret(AppPeer peer) {
        if (webApi == null) {
            return Errors.error(Error.Code.FAILED_PRECONDITION, "the web API is off on this agentd (set web-api.listen in "
                    + "/etc/vmc/agentd.conf, or start agentd with --web-api 127.0.0.1:PORT)");
        }
        if (peer.uid() == AppPeer.UNKNOWN_UID) {
            return Errors.error(Error.Code.PERMISSION_DENIED, "agentd cannot tell this app's user (no peer credentials on its socket)");
        }
        log.info("{} fetched its user's web API secret", peer.describe());
        return Response.newBuilder().setWebApiSecret(io.vmc.transport.proto.WebApiSecret.newBuilder()
                .setSecret(webApi.secretFor(peer.uid())).setUrl(webApi.url())).build();
    }

    private static EngineConfig fallbackConfig(Options o) {
        EngineConfig.Builder b = EngineConfig.builder().software(SOFTWARE + " fallback").mode(io.vmc.transport.proto.Mode.FALLBACK);
        // the fallback sends from the VM, as the app could itself: the thin client's destination
        // rules (architecture 6a) guard the client's network, not the guest's
        b.allowLocalDestinations(java.util.EnumSet.allOf(EngineConfig.LocalDestination.class)).trustPlainPeers(true);
        // the fallback is the last resort and shares agentd's process: refusing it because agentd or
        // the VM is busy would leave the app no media at all (a late request is still refused)
        b.maxCpuLoad(1);
        b.iceAddresses(o.fallbackIceAddresses);
        b.audioSource(o.fallbackToneHz != null ? EngineConfig.AudioSource.tone(o.fallbackToneHz) : EngineConfig.AudioSource.pulse(null));
        b.audioSink(o.fallbackNoSpeaker ? EngineConfig.AudioSink.none() : EngineConfig.AudioSink.pulse(null));
        if (o.fallbackRecordDir != null) {
            b.recordDir(o.fallbackRecordDir);
        }
        return b.build();
    }

    static boolean virtioPortExists(String name) {
        if (Files.exists(Path.of("/dev/virtio-ports", name))) {
            return true;
        }
        try (var dirs = Files.list(Path.of("/sys/class/virtio-ports"))) {
            return dirs.anyMatch(d -> {
                try {
                    return Files.readString(d.resolve("name")).strip().equals(name);
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (IOException e) {
            return false;
        }
    }

    private static void applySocketPermissions(Path sock, Options o) throws IOException {
        Files.setPosixFilePermissions(sock, PosixFilePermissions.fromString(o.socketMode));
        if (o.socketGroup != null) {
            GroupPrincipal g = sock.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(o.socketGroup);
            Files.getFileAttributeView(sock, PosixFileAttributeView.class).setGroup(g);
        }
    }

    private CompletableFuture<Response> fromEngine(Request r) {
        if (r.hasReportClientAddresses()) {
            if (stun != null) {
                core.clientAddressesReported(r.getReportClientAddresses());
            }
            return CompletableFuture.completedFuture(Response.newBuilder().setEmpty(Empty.getDefaultInstance()).build());
        }
        return CompletableFuture.completedFuture(Errors.error(Error.Code.UNIMPLEMENTED,
                "agentd serves only ReportClientAddresses from the engine, not " + r.getMethodCase()));
    }

    private void onApp(VmcConnection conn) {
        int n = appNumbers.incrementAndGet();
        PeerCredentials cred = conn.peerCredentials().orElse(null);
        java.util.concurrent.atomic.AtomicBoolean cut = new java.util.concurrent.atomic.AtomicBoolean();
        AppPeer peer = new AppPeer() {
            @Override
            public void sendEvent(Event event) {
                if (!conn.sendEvent(event) && conn.isOpen() && cut.compareAndSet(false, true)) {
                    // An app that missed an event no longer knows its sessions' state: cut it off (its
                    // sessions close) rather than drop events it would never hear about.
                    conn.close(String.format("the app does not read its events: %d messages or %d MiB wait for it (the limit)",
                            io.vmc.transport.TransportLimits.REPLAY_BUFFER_MESSAGES, io.vmc.transport.TransportLimits.REPLAY_BUFFER_BYTES >> 20));
                }
            }

            @Override
            public int uid() {
                return cred == null ? UNKNOWN_UID : cred.uid();
            }

            @Override
            public int pid() {
                return cred == null ? -1 : cred.pid();
            }

            @Override
            public String describe() {
                return "app#" + n + (cred == null ? "" : " (pid " + cred.pid() + ", uid " + cred.uid() + ")");
            }
        };
        AgentCore.App app = core.appConnected(peer);
        conn.setRequestHandler(r -> r.hasGetWebApiSecret() ? CompletableFuture.completedFuture(webApiSecret(peer)) : app.handle(r));
        conn.onClose(() -> {
            log.info("{}: connection closed: {}", peer.describe(), conn.closeReason());
            app.disconnected();
        });
    }

    public AgentCore core() {
        return core;
    }

    /** The port metrics are served on, or -1 when off. */
    public int metricsPort() {
        return metricsPort;
    }

    /** The embedded STUN server's UDP addresses (empty when off). */
    /** The embedded fake-stun's translation rules in their text form (for tests and status). */
    public java.util.List<String> stunRules() {
        return stun == null ? java.util.List.of() : stun.table().rules().stream().map(Object::toString).toList();
    }

    /** The web API's URL ({@code ws://127.0.0.1:PORT/vmc.v1}), or null when it is off. */
    public String webApiUrl() {
        return webApi == null ? null : webApi.url();
    }

    /** The web API's bound address, or null when it is off. */
    public java.net.InetSocketAddress webApiAddress() {
        return webApi == null ? null : webApi.localAddress();
    }

    public java.util.List<java.net.InetSocketAddress> stunAddresses() {
        return stun == null ? java.util.List.of() : stun.udpAddresses();
    }

    /** Whether the fallback media core has been started (for tests and benchmarks). */
    public boolean fallbackStarted() {
        return fallback != null && fallback.isStarted();
    }

    @Override
    public void close() {
        if (metricsServer != null) {
            try {
                metricsServer.close();
            } catch (IOException | RuntimeException e) {
                log.debug("closing the metrics server failed", e);
            }
        }
        if (webApi != null) {
            webApi.close();
        }
        try {
            server.close();
        } catch (RuntimeException e) {
            log.debug("closing the API server failed", e);
        }
        core.close();
        if (engineEndpoint != null) {
            engineEndpoint.close();
        }
        if (fallback != null) {
            fallback.close();
        }
        if (stun != null) {
            stun.close();
        }
        try {
            Files.deleteIfExists(options.apiSocket);
        } catch (IOException e) {
            log.debug("cannot remove {}", options.apiSocket, e);
        }
    }
}
