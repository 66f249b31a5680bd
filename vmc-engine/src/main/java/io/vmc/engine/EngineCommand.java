package io.vmc.engine;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.vmc.engine.sdp.SdpParser;
import io.vmc.transport.EventSink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import io.vmc.transport.ChannelUri;
import io.vmc.transport.EndpointListener;
import io.vmc.port.spice.SpiceClient;
import io.vmc.port.spice.SpiceOptions;
import io.vmc.port.spice.SpiceSession;
import io.vmc.port.spice.SpiceSessionError;
import io.vmc.port.spice.SpiceSessionListener;
import io.vmc.port.spice.UsbFilter;
import io.vmc.transport.StreamPorts;
import io.vmc.transport.VmcEndpoint;
import io.vmc.transport.proto.Hello;
import io.vmc.transport.proto.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vmc engine}: the client media engine behind a vmc.v1 channel. */
@Command(name = "engine", mixinStandardHelpOptions = true,
        description = "Runs the VMC media engine on the thin client and serves vmc.v1 requests from the guest's agent.")
public final class EngineCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(EngineCommand.class);

    @Option(names = "--channel", paramLabel = "URI",
            description = "Channel to the agent: unix:PATH, unix-listen:PATH, tcp:HOST:PORT, tcp-listen:HOST:PORT, virtio:NAME.")
    String channel;

    @Option(names = "--spice", paramLabel = "URI",
            description = "Open this SPICE session (spice://HOST:PORT or spice+tls://HOST:PORT) in place of "
                    + "remote-viewer: show the desktop and use the session's VMC port channel.")
    String spice;

    @picocli.CommandLine.Parameters(index = "0", arity = "0..1", paramLabel = "FILE.vv",
            description = "A virt-viewer connection file (Proxmox VE, oVirt/RHV, virt-manager): opens that SPICE session"
                    + " like --spice; a file that says delete-this-file=1 is deleted once read.")
    Path connectionFile;

    /** Read from {@link #connectionFile}, or null. */
    private VirtViewerFile viewerFile;

    @Option(names = "--spice-password-file", paramLabel = "FILE", description = "File with the SPICE ticket (kept off the command line).")
    Path spicePasswordFile;

    @Option(names = "--spice-ca-file", paramLabel = "FILE", description = "CA certificate for spice+tls://.")
    Path spiceCaFile;

    @Option(names = "--spice-host-subject", paramLabel = "SUBJECT", description = "Expected TLS host subject.")
    String spiceHostSubject;

    @Option(names = "--no-desktop-audio", description = "With --spice: leave the VM's sound and virtual microphone"
            + " off this client (by default the desktop's sound plays here and the VM records from here).")
    boolean noDesktopAudio;

    @Option(names = "--fullscreen", description = "With --spice: open the desktop windows fullscreen (F11 or the"
            + " connection file's toggle-fullscreen key toggles).")
    boolean fullscreen;

    @Option(names = "--no-clipboard", description = "With --spice: do not share the clipboard with the VM"
            + " (by default copy and paste work both ways when the guest runs spice-vdagent).")
    boolean noClipboard;

    @Option(names = "--usb-device", paramLabel = "VID:PID",
            description = "With --spice: redirect this USB device to the VM (hex ids as lsusb prints them;"
                    + " repeatable): at connect if plugged in, and whenever it is plugged in later.")
    List<String> usbDevices = new ArrayList<>();

    @Option(names = "--usb-auto-connect-filter", paramLabel = "FILTER",
            description = "With --spice: redirect USB devices plugged in during the session that this filter allows"
                    + " (remote-viewer's syntax: class,vendor,product,version,allow|..., e.g. '0x03,-1,-1,-1,0|-1,-1,-1,-1,1'"
                    + " = all but keyboards and mice).")
    String usbAutoConnectFilter;

    @Option(names = "--no-usb", description = "With --spice: never redirect USB devices to the VM (overrides the connection file).")
    boolean noUsb;

    @Option(names = "--no-display", description = "With --spice: do not show the desktop window (port channel only).")
    boolean noDisplay;

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--ice-address", paramLabel = "ADDR",
            description = "Address to bind ICE host candidates on (repeatable; loopback allowed). Default: all non-loopback interfaces.")
    List<String> iceAddresses = new ArrayList<>();

    @Option(names = "--stun", paramLabel = "HOST:PORT", description = "STUN server for server-reflexive candidates (repeatable).")
    List<String> stun = new ArrayList<>();

    @Option(names = "--turn", paramLabel = "URI",
            description = "TURN relay turn:HOST[:PORT][?transport=udp] for relayed candidates (repeatable); needs --turn-user and --turn-password-file.")
    List<String> turn = new ArrayList<>();

    @Option(names = "--turn-user", paramLabel = "NAME", description = "TURN username (long-term credentials).")
    String turnUser;

    @Option(names = "--turn-password-file", paramLabel = "FILE", description = "File whose first line is the TURN password (kept off the command line).")
    Path turnPasswordFile;

    @Option(names = "--ice-relay-only", description = "Offer and use relayed (TURN) candidates only, so media always takes the relay.")
    boolean iceRelayOnly;

    @Option(names = "--policy", paramLabel = "FILE",
            description = "Your own policy file (same keys as /etc/vmc/engine.conf). It and the options can only tighten the admin's"
                    + " /etc/vmc/engine.conf, which always applies when it exists.")
    Path policyFile;

    @Option(names = "--tone", paramLabel = "HZ", description = "Send a sine test tone instead of the microphone.")
    Double tone;

    @Option(names = "--mic", paramLabel = "DEVICE", description = "PulseAudio source to capture from (default: the default source).")
    String mic;

    @Option(names = "--speaker", paramLabel = "DEVICE",
            description = "PulseAudio sink to play to (default: the default sink); 'none' plays nothing.")
    String speaker;

    @Option(names = "--headset-input", paramLabel = "NODE",
            description = "Input event node of the headset's buttons (default: found through sysfs for the audio device in use); 'off' reads none.")
    String headsetInput;

    @Option(names = "--record-dir", paramLabel = "DIR", description = "Record each session's received audio as DIR/<session-id>.wav.")
    Path recordDir;

    @Option(names = "--metrics", paramLabel = "ADDR:PORT",
            description = "Serve Prometheus metrics on http://ADDR:PORT/metrics (PORT alone: 127.0.0.1:PORT). Default: off,"
                    + " or the policy's metrics.listen / metrics.port.")
    String metrics;

    @Option(names = "--metrics-port", paramLabel = "PORT", description = "Deprecated: same as --metrics PORT.")
    Integer metricsPort;

    @Option(names = "--cdr", paramLabel = "FILE",
            description = "Append one JSON call-detail record per ended call to FILE (records always go to the log too).")
    Path cdr;

    @Option(names = "--agent-gone-after", paramLabel = "SECONDS", defaultValue = "60",
            description = "End the calls of an agent (the VM's agentd) that has been away this long: a guest that "
                    + "never returns (default ${DEFAULT-VALUE}; keep it above agentd's --engine-grace-ms).")
    long agentGoneAfterSeconds;

    @Option(names = "--max-sessions", paramLabel = "N", defaultValue = "16", description = "Most concurrent sessions (default ${DEFAULT-VALUE}).")
    int maxSessions;

    @Option(names = "--max-cpu-percent", paramLabel = "P", defaultValue = "90",
            description = "Refuse new sessions while the engine uses more than P %% of all cores (1-100, default ${DEFAULT-VALUE}); calls in progress go on.")
    int maxCpuPercent;

    @Option(names = "--max-request-delay-ms", paramLabel = "MS", defaultValue = "3000",
            description = "Refuse new sessions while requests wait longer than MS before the engine starts them (default ${DEFAULT-VALUE}).")
    long maxRequestDelayMs;

    @Option(names = "--no-echo-cancel", description = "Disable echo cancellation (webrtcdsp) on device capture.")
    boolean noEchoCancel;

    @Option(names = "--overlay-window", paramLabel = "XID",
            description = "X11 window (decimal or 0x hex id) of the session viewer that shows the remote video of video calls,"
                    + " on $DISPLAY (default with --spice: the engine's own display window).")
    String overlayWindow;

    @Option(names = "--overlay-insets", paramLabel = "L,T,R,B",
            description = "Pixels of the --overlay-window that are not the desktop picture (left,top,right,bottom), e.g. a viewer's menu bar.")
    String overlayInsets;

    /** The engine's own SPICE display window, once open: the default overlay parent. */
    private long spiceWindow;
    /** The session spiceWindow belongs to. */
    private SpiceSession spiceSession;
    /** What screen shares send: the SPICE display's pixels; tests without a VM set their own picture. */
    ScreenSource spiceScreen;

    @Option(names = "--video-max-resolution", paramLabel = "WxH",
            description = "Largest picture sent in video calls (default 640x480; a policy's video.max-resolution caps it).")
    String videoMaxResolution;

    @Option(names = "--video-max-fps", paramLabel = "N",
            description = "Highest frame rate sent in video calls (default 30; a policy's video.max-fps caps it).")
    Integer videoMaxFps;

    @Option(names = "--video-pattern", paramLabel = "NAME",
            description = "videotestsrc pattern sent in video calls (default smpte).")
    String videoPattern;

    @Option(names = "--camera", paramLabel = "DEVICE",
            description = "Send this V4L2 camera (/dev/videoN) in video calls, subject to --camera-policy.")
    String camera;

    @Option(names = "--camera-policy", paramLabel = "ask|allow|deny",
            description = "Camera use: ask the user in a local dialog for each call, always allow, or never "
                    + "(video calls then go audio-only). Default: ask when there is a display, else deny.")
    String cameraPolicy;

    @Option(names = "--allow-camera", description = "Same as --camera-policy allow.")
    boolean allowCamera;

    @Option(names = "--camera-prompt-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "An unanswered camera prompt denies after this long (default ${DEFAULT-VALUE}).")
    int cameraPromptTimeout;

    @Option(names = "--simulated-camera", paramLabel = "PATTERN",
            description = "For demos and tests without a camera: send this videotestsrc pattern as if it were the camera"
                    + " (the camera policy and prompt apply).")
    String simulatedCamera;

    /** Whether this engine can show the camera prompt; decides the default policy. */
    boolean hasDisplay = !java.awt.GraphicsEnvironment.isHeadless();

    @Override
    public Integer call() throws Exception {
        if (connectionFile != null) {
            if (channel != null || spice != null) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "give a FILE.vv or --channel/--spice, not both");
            }
            openConnectionFile();
        }
        if ((channel == null) == (spice == null)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "give exactly one of --channel URI, --spice URI or FILE.vv");
        }
        EngineConfig config = config(); // bad options fail before anything opens
        AtomicReference<EventSink> forward = new AtomicReference<>(e -> { });
        CountDownLatch stop = new CountDownLatch(1);
        boolean ownWindow = spice != null && !noDisplay;
        if (ownWindow || overlayWindow != null) {
            io.vmc.overlay.OverlaySupport.initialize(); // XInitThreads before GTK or GStreamer touch X
        }
        if (spice != null) {
            // before spice-gtk's audio, which would gst_init with GStreamer's segfault trap on (GstSupport)
            try {
                io.vmc.engine.internal.media.GstSupport.init();
            } catch (IllegalStateException noGstreamer) {
                // the media engine reports it as it always did
            }
        }
        SpiceSession session = spice == null ? null : openSpice(stop);
        if (ownWindow) {
            io.vmc.overlay.OverlaySupport.reclaimErrorHandler(); // GTK's handler would exit on our BadWindow
            spiceWindow = session.displayWindowId().orElse(0);
            spiceSession = session;
        }
        if (session != null) {
            spiceScreen = session::captureScreen; // screen shares send the SPICE display's own pixels
            config = config();
        }
        String channelUri = spice == null ? channel : spice;
        try (MediaEngine engine = new MediaEngine(config, e -> forward.get().emit(e))) {
            AutoCloseable endpoint = startEndpoint(channelUri, engine, forward, Duration.ofSeconds(agentGoneAfterSeconds));
            MetricsEndpoint where = metricsEndpoint();
            HTTPServer metricsServer = where == null ? null : startMetrics(engine, where);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "vmc-engine-shutdown"));
            for (String n : policyNotes) System.err.println("vmc engine: " + n);
            System.err.println("vmc engine: TURN " + config.turnServers() + (config.iceRelayOnly() ? " (relay only)" : ""));
            System.err.println("vmc engine: serving " + channelUri + " (audio " + config.audioSource() + " -> "
                    + config.audioSink() + ", ICE " + (config.iceAddresses().isEmpty() ? "all interfaces" : config.iceAddresses()) + ")");
            if (metricsServer != null) {
                System.err.println("vmc engine: metrics on " + where.url(metricsServer.getPort())
                        + (where.isLoopback() ? "" : " (reachable from other machines)"));
            }
            if (config.callRecordFile() != null) System.err.println("vmc engine: call records to " + config.callRecordFile());
            showStatus(engine);
            stop.await();
            if (metricsServer != null) metricsServer.close();
            endpoint.close();
        } finally {
            if (session != null) {
                session.close();
            }
        }
        return 0;
    }

    /**
     * Opens the SPICE session this engine owns (a second SPICE client would kick the user's viewer)
     * and routes the transport's {@code spice} scheme to its VMC port channel.
     */
    private SpiceSession openSpice(CountDownLatch stop) throws IOException {
        if (!SpiceClient.isAvailable()) {
            throw new IOException("SPICE client libraries are missing (" + SpiceClient.unavailabilityCause()
                    + "): apt-get install libspice-client-glib-2.0-8 libspice-client-gtk-3.0-5");
        }
        SpiceOptions.Builder options = SpiceOptions.builder(spice).showDisplay(!noDisplay).desktopAudio(!noDesktopAudio)
                .clipboard(!noClipboard).usbRedirection(!noUsb)
                .reconnectAfterLoss(true); // a dropped network or a restarted VM: calls resume once it is back
        if (spicePasswordFile != null) {
            options.password(Files.readString(spicePasswordFile).strip());
        }
        if (spiceCaFile != null) {
            options.caFile(spiceCaFile);
        }
        if (spiceHostSubject != null) {
            options.hostSubject(spiceHostSubject);
        }
        if (viewerFile != null) {
            applyConnectionFile(options);
        }
        if (fullscreen) options.fullscreen(true);
        applyUsbOptions(options);
        SpiceSession session = SpiceClient.open(options.build(), new SpiceSessionListener() {
            @Override
            public void error(SpiceSession s, SpiceSessionError error) {
                System.err.println("vmc engine: SPICE " + error.kind() + ": " + error.message());
            }

            @Override
            public void connected(SpiceSession s) {
                spiceState("connected to " + s.options().uri());
                System.err.println("vmc engine: SPICE session connected to " + s.options().uri()
                        + (s.options().desktopAudio() ? " (desktop audio on this client" : " (desktop audio off")
                        + (s.options().clipboard() && s.options().showDisplay() ? ", clipboard shared" : "")
                        + s.options().usbAutoConnectFilter().map(f -> ", USB to the VM: " + f).orElse("") + ")");
            }

            @Override
            public void disconnected(SpiceSession s) {
                spiceState("lost, reconnecting to " + s.options().uri());
                System.err.println("vmc engine: SPICE session lost " + s.options().uri() + ", reconnecting");
            }

            @Override
            public void windowClosed(SpiceSession s) {
                stop.countDown(); // the user closed the desktop window: the engine goes with it
            }
        });
        StreamPorts.register(spice.substring(0, spice.indexOf(':')),
                name -> session.portChannel(SpiceClient.VMC_PORT_NAME));
        return session;
    }

    /**
     * Reads {@link #connectionFile} and deletes it when it says so (its password is single-use):
     * before anything connects, so a failed start does not leave the password on disk either.
     */
    void openConnectionFile() throws IOException {
        viewerFile = VirtViewerFile.read(connectionFile);
        if (viewerFile.deleteThisFile) Files.deleteIfExists(connectionFile);
        spice = viewerFile.uri();
        System.err.println("vmc engine: " + viewerFile + (viewerFile.deleteThisFile ? ", file deleted as it asks" : ""));
        if (!viewerFile.ignored().isEmpty()) {
            System.err.println("vmc engine: ignored in " + connectionFile + ": " + String.join(", ", viewerFile.ignored()));
        }
    }

    /** The connection file's password, CA, host subject, proxy and title (options given too win). */
    private void applyConnectionFile(SpiceOptions.Builder options) throws IOException {
        VirtViewerFile v = viewerFile;
        if (spicePasswordFile == null) v.password().ifPresent(options::password); // in memory only
        if (spiceCaFile == null && v.ca != null) {
            Path ca = Files.createTempFile("vmc-spice-ca", ".pem"); // owner-only (temp file default)
            ca.toFile().deleteOnExit();
            Files.writeString(ca, v.ca);
            options.caFile(ca);
        }
        if (spiceHostSubject == null && v.hostSubject != null) options.hostSubject(v.hostSubject);
        if (v.proxy != null) options.proxy(v.proxy);
        if (v.title != null) options.title("VMC - " + v.title);
        options.fullscreen(v.fullscreen);
        if (v.toggleFullscreen != null) options.toggleFullscreenKey(v.toggleFullscreen);
        if (v.releaseCursor != null) options.releaseCursorKey(v.releaseCursor);
        if (v.secureAttention != null) options.secureAttentionKey(v.secureAttention);
    }

    /** Remote-viewer's auto-connect filter when a file says usb-auto-share=1 without a usb-filter. */
    static final String DEFAULT_USB_AUTO_FILTER = "0x03,-1,-1,-1,0|-1,-1,-1,-1,1";

    /**
     * Which USB devices go to the VM: --usb-device ones at connect and when plugged in later, and
     * those the auto-connect filter (--usb-auto-connect-filter, else the file's usb-auto-share and
     * usb-filter) allows when plugged in. Nothing by default.
     */
    void applyUsbOptions(SpiceOptions.Builder options) {
        if (noUsb || (viewerFile != null && !viewerFile.usbRedirection && usbDevices.isEmpty() && usbAutoConnectFilter == null)) {
            options.usbRedirection(false);
            if (!usbDevices.isEmpty() || usbAutoConnectFilter != null) {
                throw new IllegalArgumentException("--no-usb contradicts --usb-device and --usb-auto-connect-filter");
            }
            return;
        }
        UsbFilter devices = null;
        for (String d : usbDevices) {
            UsbFilter f;
            try {
                f = UsbFilter.parseDevice(d);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--usb-device: " + e.getMessage());
            }
            devices = devices == null ? f : devices.then(f);
        }
        UsbFilter auto = null;
        if (usbAutoConnectFilter != null) {
            try {
                auto = UsbFilter.parse(usbAutoConnectFilter);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--usb-auto-connect-filter: " + e.getMessage());
            }
        } else if (viewerFile != null && viewerFile.usbAutoShare) {
            auto = viewerFile.usbFilter != null ? viewerFile.usbFilter : UsbFilter.parse(DEFAULT_USB_AUTO_FILTER);
        }
        if (devices != null) {
            options.usbRedirectOnConnect(devices);
            auto = auto == null ? devices : devices.then(auto);
        }
        if (auto != null) options.usbAutoConnectFilter(auto);
    }

    /** The admin's file and the user's settings together, as {@link #config()} last made them. */
    private EnginePolicy policy = EnginePolicy.none();

    /** Lines for stderr: which policy files apply, and the user settings the admin's file overrode. */
    final List<String> policyNotes = new ArrayList<>();

    /**
     * The admin's policy file. Tests in this package point it elsewhere; nothing a user controls
     * (option, property, environment) can, so the admin's file cannot be escaped.
     */
    Path adminPolicyFile = EnginePolicy.ADMIN_FILE;

    /** The admin's policy, or none when its file does not exist (an unreadable file is an error: fail closed). */
    EnginePolicy loadAdminPolicy() throws IOException {
        return Files.exists(adminPolicyFile) ? EnginePolicy.load(adminPolicyFile) : EnginePolicy.none();
    }

    /** Where metrics are served (the admin's {@code metrics.listen}, else {@code --metrics} or the user's file); null = off. */
    MetricsEndpoint metricsEndpoint() {
        return policy.metricsEndpoint();
    }

    /**
     * What the user asks for: their {@code --policy} file, with the options that have a policy key
     * replacing the file's value of that key.
     */
    private EnginePolicy userPolicy(EnginePolicy file) {
        EnginePolicy u = file != null ? file : EnginePolicy.none();
        if (cameraPolicy != null || allowCamera) {
            String c = cameraPolicy().name().toLowerCase(java.util.Locale.ROOT);
            u = u.with(EnginePolicy.CAMERA, c, c, cameraPolicy != null ? "--camera-policy" : "--allow-camera");
        }
        if (!stun.isEmpty()) {
            List<EnginePolicy.HostPort> servers = new ArrayList<>();
            for (String x : stun) servers.addAll(hostPorts(EnginePolicy.parseOption(EnginePolicy.STUN_SERVERS, x, "--stun")));
            u = u.with(EnginePolicy.STUN_SERVERS, servers, String.join(", ", stun), "--stun");
        }
        if (!turn.isEmpty() || turnUser != null || turnPasswordFile != null) {
            if (turn.isEmpty() || turnUser == null || turnPasswordFile == null) {
                throw new IllegalArgumentException("--turn, --turn-user and --turn-password-file go together");
            }
            List<EnginePolicy.HostPort> servers = new ArrayList<>();
            for (String x : turn) servers.addAll(hostPorts(EnginePolicy.parseOption(EnginePolicy.TURN_SERVERS, x, "--turn")));
            u = u.with(EnginePolicy.TURN_SERVERS, servers, String.join(", ", turn), "--turn")
                    .with(EnginePolicy.TURN_USERNAME, EnginePolicy.parseOption(EnginePolicy.TURN_USERNAME, turnUser, "--turn-user"), turnUser, "--turn-user")
                    .with(EnginePolicy.TURN_PASSWORD_FILE, turnPasswordFile.toAbsolutePath(), turnPasswordFile.toString(), "--turn-password-file");
        }
        if (iceRelayOnly) u = u.with(EnginePolicy.ICE_RELAY_ONLY, true, "true", "--ice-relay-only");
        if (metrics != null && metricsPort != null) {
            throw new IllegalArgumentException("give --metrics or the deprecated --metrics-port, not both");
        }
        if (metrics != null) {
            MetricsEndpoint e;
            try {
                e = MetricsEndpoint.parse(metrics);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("--metrics: " + ex.getMessage());
            }
            u = u.with(EnginePolicy.METRICS_LISTEN, e, metrics, "--metrics");
        } else if (metricsPort != null) {
            System.err.println("vmc engine: --metrics-port is deprecated, use --metrics " + metricsPort);
            u = u.with(EnginePolicy.METRICS_LISTEN, MetricsEndpoint.loopback(metricsPort), String.valueOf(metricsPort), "--metrics-port");
        }
        if (cdr != null) u = u.with(EnginePolicy.CDR_FILE, cdr.toAbsolutePath(), cdr.toString(), "--cdr");
        return u;
    }

    @SuppressWarnings("unchecked")
    private static List<EnginePolicy.HostPort> hostPorts(Object parsed) {
        return (List<EnginePolicy.HostPort>) parsed;
    }

    /**
     * The admin's policy file as a floor, tightened by the user's {@code --policy} file and options
     * ({@link EnginePolicy#tightenedBy}); the files that apply and every ignored user setting are in
     * {@link #policyNotes}.
     */
    EngineConfig config() throws IOException {
        policyNotes.clear();
        EnginePolicy admin = loadAdminPolicy();
        EnginePolicy userFile = policyFile != null ? EnginePolicy.load(policyFile) : null;
        List<String> ignored = new ArrayList<>();
        policy = admin.tightenedBy(userPolicy(userFile), ignored);
        policyNotes.add((Files.exists(adminPolicyFile) ? admin.toString() : "no admin policy (" + adminPolicyFile + " does not exist)")
                + (userFile != null ? ", user " + userFile : ""));
        policyNotes.addAll(ignored);
        if (maxCpuPercent < 1 || maxCpuPercent > 100) throw new IllegalArgumentException("--max-cpu-percent must be 1..100, got " + maxCpuPercent);
        if (agentGoneAfterSeconds < 5 || agentGoneAfterSeconds > 86_400) { // 0 would end calls at every brief drop
            throw new IllegalArgumentException("--agent-gone-after must be 5..86400 seconds, got " + agentGoneAfterSeconds);
        }
        if (maxRequestDelayMs < 100 || maxRequestDelayMs > 60_000) {
            throw new IllegalArgumentException("--max-request-delay-ms must be 100..60000, got " + maxRequestDelayMs);
        }
        EngineConfig.Builder b = EngineConfig.builder().maxSessions(maxSessions).maxCpuLoad(maxCpuPercent / 100.0)
                .maxRequestDelay(java.time.Duration.ofMillis(maxRequestDelayMs)).echoCancellation(!noEchoCancel);
        for (String a : iceAddresses) {
            b.iceAddress(SdpParser.parseAddressLiteral(a).orElseThrow(
                    () -> new IllegalArgumentException("--ice-address must be an IP literal, got " + a)));
        }
        b.audioSource(tone != null ? EngineConfig.AudioSource.tone(tone) : EngineConfig.AudioSource.pulse(mic));
        b.audioSink("none".equals(speaker) ? EngineConfig.AudioSink.none() : EngineConfig.AudioSink.pulse(speaker));
        if (overlayWindow != null) {
            String w = overlayWindow.trim().toLowerCase(java.util.Locale.ROOT);
            try {
                b.overlayParentWindow(w.startsWith("0x") ? Long.parseLong(w.substring(2), 16) : Long.parseLong(w));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--overlay-window must be an X11 window id, got " + overlayWindow);
            }
        }
        if (overlayWindow == null && spiceWindow != 0) {
            b.overlayParentWindow(spiceWindow).overlayMonitors(spiceSession); // a window per guest monitor
        }
        b.screenSource(spiceScreen);
        if (overlayInsets != null) {
            String[] v = overlayInsets.split(",", -1);
            try {
                if (v.length != 4) throw new NumberFormatException();
                b.overlayInsets(Integer.parseInt(v[0].trim()), Integer.parseInt(v[1].trim()),
                        Integer.parseInt(v[2].trim()), Integer.parseInt(v[3].trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--overlay-insets must be L,T,R,B in pixels, got " + overlayInsets);
            }
        }
        if (videoMaxResolution != null || videoMaxFps != null) {
            EngineConfig.VideoFormat d = EngineConfig.VideoFormat.DEFAULT;
            int fps = videoMaxFps != null ? videoMaxFps : d.fps();
            b.videoFormat(videoMaxResolution != null ? EngineConfig.VideoFormat.parseResolution(videoMaxResolution, fps)
                    : new EngineConfig.VideoFormat(d.width(), d.height(), fps));
        }
        if (camera != null) {
            b.videoSource(EngineConfig.VideoSource.camera(camera));
        } else if (simulatedCamera != null) {
            b.videoSource(EngineConfig.VideoSource.simulatedCamera(simulatedCamera));
        } else if (videoPattern != null) {
            b.videoSource(EngineConfig.VideoSource.testPattern(videoPattern));
        }
        b.cameraPolicy(cameraPolicy());
        b.cameraPromptTimeout(java.time.Duration.ofSeconds(cameraPromptTimeout));
        policy.applyTo(b);
        if (recordDir != null) {
            Files.createDirectories(recordDir);
            b.recordDir(recordDir);
        }
        Path records = policy.callRecordFile();
        if (records != null) {
            if (records.getParent() != null && !Files.isDirectory(records.getParent())) {
                throw new IllegalArgumentException(policy.origin(EnginePolicy.CDR_FILE) + ": directory " + records.getParent() + " does not exist");
            }
            b.callRecordFile(records);
        }
        b.deviceChoicesFile(userDeviceChoices());
        if ("off".equals(headsetInput)) b.headsetButtons(false);
        else if (headsetInput != null) b.headsetInputDevice(Path.of(headsetInput));
        return b.build();
    }

    /** {@code $XDG_CONFIG_HOME/vmc/devices.conf}, or {@code ~/.config/vmc/devices.conf}; null without either. */
    static Path userDeviceChoices() {
        String xdg = System.getenv("XDG_CONFIG_HOME");
        if (xdg != null && xdg.startsWith("/")) return Path.of(xdg, "vmc", "devices.conf");
        String home = System.getProperty("user.home");
        return home == null || home.isEmpty() ? null : Path.of(home, ".config", "vmc", "devices.conf");
    }

    private EngineConfig.CameraPolicy cameraPolicy() {
        EngineConfig.CameraPolicy p;
        if (cameraPolicy == null) {
            p = allowCamera ? EngineConfig.CameraPolicy.ALLOW : hasDisplay ? EngineConfig.CameraPolicy.ASK : EngineConfig.CameraPolicy.DENY;
        } else {
            p = switch (cameraPolicy.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "ask" -> EngineConfig.CameraPolicy.ASK;
                case "allow" -> EngineConfig.CameraPolicy.ALLOW;
                case "deny" -> EngineConfig.CameraPolicy.DENY;
                default -> throw new IllegalArgumentException("--camera-policy must be ask, allow or deny, got " + cameraPolicy);
            };
            if (allowCamera && p != EngineConfig.CameraPolicy.ALLOW) {
                throw new IllegalArgumentException("--allow-camera contradicts --camera-policy " + cameraPolicy);
            }
        }
        if (p == EngineConfig.CameraPolicy.ASK && !hasDisplay) {
            LOG.warn("--camera-policy ask without a display: every camera request will be denied");
        }
        return p;
    }

    private volatile String spiceState;
    private volatile io.vmc.engine.internal.StatusBoard board;

    private void spiceState(String state) {
        spiceState = state;
        io.vmc.engine.internal.StatusBoard b = board;
        if (b != null) b.spice(state);
    }

    /**
     * The engine's state for the user: lines on the terminal as they change and, with a display,
     * the status window and the capture indicator (the devices the guest has live, with Stop).
     */
    private void showStatus(MediaEngine engine) {
        board = engine.status();
        if (spiceState != null) board.spice(spiceState);
        java.util.concurrent.atomic.AtomicReference<List<String>> printed = new AtomicReference<>(List.of());
        board.addView(lines -> {
            for (String l : lines) if (!printed.get().contains(l)) System.err.println("vmc engine: status: " + l.strip());
            printed.set(lines);
        });
        if (hasDisplay) {
            io.vmc.engine.internal.ui.SwingStatusWindow w = io.vmc.engine.internal.ui.SwingStatusWindow.create();
            if (w != null) board.addView(w);
            io.vmc.engine.internal.ui.SwingCaptureIndicator.attach(engine.captures());
        } else {
            System.err.println("vmc engine: no display: the devices in use are shown on these lines only");
        }
    }

    /**
     * Serves the engine's requests on the channel and forwards its events (and client addresses) to
     * agentd. An agent away for longer than {@code goneAfter} (a guest that never returns) has its
     * calls ended, each with the reason: nobody is left to end them, and media would flow on.
     */
    static AutoCloseable startEndpoint(String uri, MediaEngine engine, AtomicReference<EventSink> forward, Duration goneAfter) {
        AtomicLong absence = new AtomicLong(); // changes on every (dis)connect
        VmcEndpoint ep = VmcEndpoint.builder()
                .channel(ChannelUri.parse(uri))
                .role(Hello.Role.ROLE_ENGINE)
                .software(engine.config().software())
                .requestHandler(engine)
                .listener(new EndpointListener() {
                    @Override
                    public void onConnected(Hello peer, boolean resumed) {
                        engine.metrics().agentConnected(true);
                        engine.status().agentConnected(peer.getSoftware() + (resumed ? ", resumed" : ""));
                        System.err.println("vmc engine: agent connected (" + peer.getSoftware() + (resumed ? ", resumed" : "") + ")");
                        absence.incrementAndGet();
                        if (!resumed) {
                            engine.closeAllSessions("a new agent connected without resuming: its predecessor's calls have no owner");
                        }
                    }

                    @Override
                    public void onDisconnected(String why) {
                        engine.metrics().agentConnected(false);
                        engine.status().agentDisconnected(why);
                        System.err.println("vmc engine: agent disconnected: " + why + " (media keeps flowing)");
                        long gone = absence.incrementAndGet();
                        CompletableFuture.delayedExecutor(goneAfter.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
                            if (absence.get() == gone && !engine.sessionIds().isEmpty()) {
                                String reason = "the agent has been gone for more than " + goneAfter.toSeconds()
                                        + " s (" + why + "): its calls have no owner";
                                System.err.println("vmc engine: " + reason + "; ending them");
                                engine.closeAllSessions(reason);
                            }
                        });
                    }
                })
                .build();
        forward.set(e -> {
            if (!ep.sendEvent(e)) LOG.debug("event not queued (channel down or queue full)");
        });
        engine.setClientAddressReporter(r -> ep.call(Request.newBuilder().setReportClientAddresses(r).build()));
        ep.start();
        return ep;
    }

    /** Serves the engine's metrics registry (no JVM metrics: the fleet needs call metrics, not heap graphs). */
    static HTTPServer startMetrics(MediaEngine engine, MetricsEndpoint where) throws IOException {
        return where.start(engine.metrics().registry());
    }

    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new EngineCommand()).execute(args));
    }
}
