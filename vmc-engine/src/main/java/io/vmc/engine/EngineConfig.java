package io.vmc.engine;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** How a {@link MediaEngine} runs. Immutable; build with {@link #builder()}. */
public final class EngineConfig {
    private final List<InetAddress> iceAddresses;
    private final List<InetSocketAddress> stunServers;
    private final AudioSource audioSource;
    private final AudioSink audioSink;
    private final Path recordDir;
    private final Path callRecordFile;
    private final Path deviceChoicesFile;
    private final boolean headsetButtons;
    private final Path headsetInputDevice;
    private final int maxSessions;
    private final double maxCpuLoad;
    private final Duration maxRequestDelay;
    private final boolean echoCancellation;
    private final boolean opusDtx;
    private final boolean opusFecDecoding;
    private final int jitterBufferMs;
    private final Duration statsInterval;
    private final Duration consentTimeout;
    private final Duration consentInterval;
    private final double requestsPerSecond;
    private final int requestBurst;
    private final String software;
    private final io.vmc.transport.proto.Mode mode;
    private final ReceivedAudioListener receivedAudioListener;
    private final ReceivedVideoListener receivedVideoListener;
    private final VideoSource videoSource;
    private final CameraPolicy cameraPolicy;
    private final long overlayParentWindow;
    private final String overlayDisplay;
    private final int[] overlayInsets;
    private final java.util.function.Supplier<java.util.List<io.vmc.overlay.GuestMonitor>> overlayMonitors;
    private final int videoMaxBitrateKbps;
    private final VideoFormat videoFormat;
    private final List<TurnServer> turnServers;
    private final boolean iceRelayOnly;
    private final boolean videoEnabled;
    private final List<String> audioCodecs;
    private final CameraConsent cameraConsent;
    private final ScreenSource screenSource;
    private final ScreenShareConsent screenShareConsent;
    private final Duration cameraPromptTimeout;
    private final boolean requireSrtp;
    private final boolean requireIce;
    private final List<String> allowedNetworks;
    private final java.util.Set<LocalDestination> allowedLocalDestinations;
    private final boolean trustPlainPeers;
    private final int maxSendKbps;

    /** Default {@link #maxSendKbps()}: above the largest video bitrate (10000) plus audio, RTCP and retransmissions. */
    public static final int DEFAULT_MAX_SEND_KBPS = 16000;
    /** Smallest {@link #maxSendKbps()}: one Opus call at its highest rate. */
    public static final int MIN_SEND_KBPS = 64;
    /** Largest {@link #maxSendKbps()}. */
    public static final int MAX_SEND_KBPS = 100000;

    /** Received, decoded audio of each session (48 kHz mono S16LE), e.g. for level meters and benchmarks. */
    @FunctionalInterface
    public interface ReceivedAudioListener {
        /** Called on a GStreamer streaming thread; must return quickly and not keep {@code pcm}. */
        void onAudio(String sessionId, byte[] pcm);
    }

    /** Received, decoded video pictures of every call (I420), e.g. for tests that check what a camera sent. */
    @FunctionalInterface
    public interface ReceivedVideoListener {
        /** Called on a GStreamer streaming thread for each picture; must return quickly. */
        void onPicture(int width, int height, byte[] i420);
    }

    private EngineConfig(Builder b) {
        this.iceAddresses = List.copyOf(b.iceAddresses);
        this.stunServers = List.copyOf(b.stunServers);
        this.audioSource = b.audioSource;
        this.audioSink = b.audioSink;
        this.recordDir = b.recordDir;
        this.callRecordFile = b.callRecordFile;
        this.deviceChoicesFile = b.deviceChoicesFile;
        this.headsetButtons = b.headsetButtons;
        this.headsetInputDevice = b.headsetInputDevice;
        this.maxSessions = b.maxSessions;
        this.maxCpuLoad = b.maxCpuLoad;
        this.maxRequestDelay = b.maxRequestDelay;
        this.echoCancellation = b.echoCancellation;
        this.opusDtx = b.opusDtx;
        this.opusFecDecoding = b.opusFecDecoding;
        this.jitterBufferMs = b.jitterBufferMs;
        this.statsInterval = b.statsInterval;
        this.consentTimeout = b.consentTimeout;
        this.consentInterval = b.consentInterval;
        this.requestsPerSecond = b.requestsPerSecond;
        this.requestBurst = b.requestBurst;
        this.software = b.software;
        this.mode = b.mode;
        this.receivedAudioListener = b.receivedAudioListener;
        this.receivedVideoListener = b.receivedVideoListener;
        this.videoSource = b.videoSource;
        this.cameraPolicy = b.cameraPolicy;
        this.overlayParentWindow = b.overlayParentWindow;
        this.overlayDisplay = b.overlayDisplay;
        this.overlayInsets = b.overlayInsets.clone();
        this.overlayMonitors = b.overlayMonitors;
        this.videoMaxBitrateKbps = b.videoMaxBitrateKbps;
        this.videoFormat = b.videoFormat;
        this.turnServers = List.copyOf(b.turnServers);
        this.iceRelayOnly = b.iceRelayOnly;
        this.videoEnabled = b.videoEnabled;
        this.audioCodecs = List.copyOf(b.audioCodecs);
        this.cameraConsent = b.cameraConsent;
        this.screenSource = b.screenSource;
        this.screenShareConsent = b.screenShareConsent;
        this.cameraPromptTimeout = b.cameraPromptTimeout;
        this.requireSrtp = b.requireSrtp;
        this.requireIce = b.requireIce;
        this.allowedNetworks = List.copyOf(b.allowedNetworks);
        this.allowedLocalDestinations = java.util.Collections.unmodifiableSet(java.util.EnumSet.copyOf(b.allowedLocalDestinations));
        this.trustPlainPeers = b.trustPlainPeers;
        this.maxSendKbps = b.maxSendKbps;
    }

    private EngineConfig(EngineConfig base, VideoSource videoSource) {
        this.iceAddresses = base.iceAddresses;
        this.stunServers = base.stunServers;
        this.audioSource = base.audioSource;
        this.audioSink = base.audioSink;
        this.recordDir = base.recordDir;
        this.callRecordFile = base.callRecordFile;
        this.deviceChoicesFile = base.deviceChoicesFile;
        this.headsetButtons = base.headsetButtons;
        this.headsetInputDevice = base.headsetInputDevice;
        this.maxSessions = base.maxSessions;
        this.maxCpuLoad = base.maxCpuLoad;
        this.maxRequestDelay = base.maxRequestDelay;
        this.echoCancellation = base.echoCancellation;
        this.opusDtx = base.opusDtx;
        this.opusFecDecoding = base.opusFecDecoding;
        this.jitterBufferMs = base.jitterBufferMs;
        this.statsInterval = base.statsInterval;
        this.consentTimeout = base.consentTimeout;
        this.consentInterval = base.consentInterval;
        this.requestsPerSecond = base.requestsPerSecond;
        this.requestBurst = base.requestBurst;
        this.software = base.software;
        this.mode = base.mode;
        this.receivedAudioListener = base.receivedAudioListener;
        this.receivedVideoListener = base.receivedVideoListener;
        this.videoSource = videoSource;
        this.cameraPolicy = base.cameraPolicy;
        this.overlayParentWindow = base.overlayParentWindow;
        this.overlayDisplay = base.overlayDisplay;
        this.overlayInsets = base.overlayInsets;
        this.overlayMonitors = base.overlayMonitors;
        this.videoMaxBitrateKbps = base.videoMaxBitrateKbps;
        this.videoFormat = base.videoFormat;
        this.turnServers = base.turnServers;
        this.iceRelayOnly = base.iceRelayOnly;
        this.videoEnabled = base.videoEnabled;
        this.audioCodecs = base.audioCodecs;
        this.cameraConsent = base.cameraConsent;
        this.screenSource = base.screenSource;
        this.screenShareConsent = base.screenShareConsent;
        this.cameraPromptTimeout = base.cameraPromptTimeout;
        this.requireSrtp = base.requireSrtp;
        this.requireIce = base.requireIce;
        this.allowedNetworks = base.allowedNetworks;
        this.allowedLocalDestinations = base.allowedLocalDestinations;
        this.trustPlainPeers = base.trustPlainPeers;
        this.maxSendKbps = base.maxSendKbps;
    }

    /** This configuration with another video source (a call's own camera, chosen by the user). */
    public EngineConfig withVideoSource(VideoSource source) {
        return source.equals(videoSource) ? this : new EngineConfig(this, Objects.requireNonNull(source, "source"));
    }

    /**
     * Destinations refused unless the policy allows them: sending there would let the guest use the
     * thin client against itself or its own link (architecture 6a).
     */
    public enum LocalDestination {
        /** 127.0.0.0/8, ::1 */
        LOOPBACK("loopback"),
        /** 169.254.0.0/16, fe80::/10 */
        LINK_LOCAL("link-local"),
        /** any address of the thin client's interfaces */
        OWN_ADDRESSES("own-addresses");

        private final String policyName;

        LocalDestination(String policyName) {
            this.policyName = policyName;
        }

        /** The name in the policy file's {@code media.allow-local}. */
        public String policyName() { return policyName; }
    }

    /** Every call must be SRTP: sessions asking for plain RTP are refused, optional SRTP becomes required. Default false. */
    public boolean requireSrtp() { return requireSrtp; }
    /** Every call must use ICE: SDP without ICE credentials is refused. Default false. */
    public boolean requireIce() { return requireIce; }
    /** Networks media may go to, canonical {@code ADDRESS/PREFIX}; empty (default) = any. */
    public List<String> allowedNetworks() { return allowedNetworks; }
    /** Local destinations allowed nonetheless; default none. */
    public java.util.Set<LocalDestination> allowedLocalDestinations() { return allowedLocalDestinations; }
    /**
     * Send full media to a peer without ICE before it has sent anything (the peer's SDP address is
     * trusted); default false: such peers get rare probes until a valid packet comes from them.
     */
    public boolean trustPlainPeers() { return trustPlainPeers; }
    /** Ceiling of what one session sends (audio, video, RTCP), in kbit/s counted with IP and UDP headers. */
    public int maxSendKbps() { return maxSendKbps; }

    /** TURN relays (RFC 8656) for relayed candidates, tried in order. */
    public List<TurnServer> turnServers() { return turnServers; }
    /** Offer and use relayed candidates only, so media always takes the admin's TURN path. Default false. */
    public boolean iceRelayOnly() { return iceRelayOnly; }
    /** Whether calls may carry video at all; false makes every call audio-only. Default true. */
    public boolean videoEnabled() { return videoEnabled; }
    /** Audio codecs the engine may negotiate, in preference order (SDP names). Default: opus, G722, PCMU, PCMA. */
    public List<String> audioCodecs() { return audioCodecs; }

    /**
     * Whether a camera may be used: always, never, or after the user answers a local prompt on the
     * thin client ({@link CameraConsent}). A test pattern needs no consent.
     */
    public enum CameraPolicy { ALLOW, DENY, ASK }

    /** What a video session sends. */
    public VideoSource videoSource() { return videoSource; }
    /** Camera policy; a test pattern needs no consent. Default DENY ({@code vmc engine} defaults to ASK with a display). */
    public CameraPolicy cameraPolicy() { return cameraPolicy; }
    /** Who answers {@link CameraPolicy#ASK}; null = the engine's own dialog on $DISPLAY. */
    public CameraConsent cameraConsent() { return cameraConsent; }
    /** The session's display a screen share sends from; null = this engine cannot share (no SPICE display). */
    public ScreenSource screenSource() { return screenSource; }
    /** Who asks the user before a screen share; null (default) = the engine's dialog. */
    public ScreenShareConsent screenShareConsent() { return screenShareConsent; }
    /** An unanswered camera prompt denies after this long. */
    public Duration cameraPromptTimeout() { return cameraPromptTimeout; }
    /** X11 window id the remote video is drawn into (SetVideoGeometry), or 0 for none. */
    public long overlayParentWindow() { return overlayParentWindow; }
    /** X display of the overlay window, like ":0"; null = $DISPLAY. */
    public String overlayDisplay() { return overlayDisplay; }

    /** Left, top, right, bottom pixels of the overlay window that are not the desktop picture (menus, tool bars). */
    public int[] overlayInsets() { return overlayInsets.clone(); }
    /** The guest's monitors and their windows, for remote video on a second monitor; null = one window. */
    public java.util.function.Supplier<java.util.List<io.vmc.overlay.GuestMonitor>> overlayMonitors() { return overlayMonitors; }
    /** VP8 target bitrate cap. */
    public int videoMaxBitrateKbps() { return videoMaxBitrateKbps; }

    /** The largest picture and frame rate video is sent with. Default 640x480 at 30 fps. */
    public VideoFormat videoFormat() { return videoFormat; }

    /** Resolution and frame rate of sent video. */
    public record VideoFormat(int width, int height, int fps) {
        public static final VideoFormat DEFAULT = new VideoFormat(640, 480, 30);

        public VideoFormat {
            if (width < 160 || width > 1920 || height < 120 || height > 1080 || width % 2 != 0 || height % 2 != 0) {
                throw new IllegalArgumentException("video resolution must be even, 160x120..1920x1080, got " + width + "x" + height);
            }
            if (fps < 1 || fps > 60) throw new IllegalArgumentException("video frame rate must be 1..60 fps, got " + fps);
        }

        /** Within both caps: the smaller width, height and frame rate of the two. */
        public VideoFormat min(VideoFormat other) {
            return new VideoFormat(Math.min(width, other.width), Math.min(height, other.height), Math.min(fps, other.fps));
        }

        /** {@code WIDTHxHEIGHT}, as the policy file and the command line write it. */
        public static VideoFormat parseResolution(String text, int fps) {
            String[] wh = text.trim().split("x", -1);
            try {
                if (wh.length != 2) throw new NumberFormatException();
                return new VideoFormat(Integer.parseInt(wh[0].trim()), Integer.parseInt(wh[1].trim()), fps);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("resolution must be WIDTHxHEIGHT, e.g. 640x480, got \"" + text + "\"");
            }
        }

        @Override
        public String toString() {
            return width + "x" + height + "@" + fps;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Addresses to bind host candidates on (loopback allowed); empty = every non-loopback interface. */
    public List<InetAddress> iceAddresses() { return iceAddresses; }
    public List<InetSocketAddress> stunServers() { return stunServers; }
    public AudioSource audioSource() { return audioSource; }
    public AudioSink audioSink() { return audioSink; }
    /** Where each session's received audio is written as {@code <session-id>.wav}; null = not recorded. */
    public Path recordDir() { return recordDir; }
    /**
     * File that gets one JSON line per ended call (the call-detail record, appended; created
     * readable by its owner only); null = records go to the log only.
     */
    public Path callRecordFile() { return callRecordFile; }

    /**
     * Where the user's last-chosen microphone, speaker and ringer are remembered across calls and
     * engine restarts ({@code $XDG_CONFIG_HOME/vmc/devices.conf} for {@code vmc engine}); null: not
     * remembered.
     */
    public Path deviceChoicesFile() { return deviceChoicesFile; }
    /**
     * Headset buttons become CallControl events and the mute LED follows SetMute (default on): the
     * engine reads the input device of the headset in use (see the thin-client guide for access).
     */
    public boolean headsetButtons() { return headsetButtons; }
    /** The one input event node to read for headset buttons instead of finding it; null: found through sysfs. */
    public Path headsetInputDevice() { return headsetInputDevice; }
    public int maxSessions() { return maxSessions; }
    /**
     * New sessions are refused (RESOURCE_EXHAUSTED, with the figure) while the engine process uses
     * more than this share of all cores, averaged over about a second (default 0.9); calls in
     * progress are not touched.
     */
    public double maxCpuLoad() { return maxCpuLoad; }
    /**
     * New sessions are refused while requests wait longer than this before the engine starts them,
     * or its call timer fires this late (default 3 s): a call admitted then would miss the app's
     * request deadlines.
     */
    public Duration maxRequestDelay() { return maxRequestDelay; }
    public boolean echoCancellation() { return echoCancellation; }
    public boolean opusDtx() { return opusDtx; }
    /** Use the peer's Opus in-band FEC to rebuild lost frames; costs 20 ms of receive latency. Default off. */
    public boolean opusFecDecoding() { return opusFecDecoding; }
    public int jitterBufferMs() { return jitterBufferMs; }
    public Duration statsInterval() { return statsInterval; }
    /** RFC 7675: media stops this long after the last consent response (30 s in the RFC). */
    public Duration consentTimeout() { return consentTimeout; }
    /** How often consent is refreshed (RFC 7675 suggests about 5 s). JVM-wide in ice4j: the first engine sets it. */
    public Duration consentInterval() { return consentInterval; }
    public double requestsPerSecond() { return requestsPerSecond; }
    public int requestBurst() { return requestBurst; }
    public String software() { return software; }
    /**
     * Where this engine's calls run, as its call-detail records say: OPTIMIZED (the thin client's
     * engine, the default) or FALLBACK (agentd's media core inside the VM).
     */
    public io.vmc.transport.proto.Mode mode() { return mode; }
    /** Null when nobody listens. */
    public ReceivedAudioListener receivedAudioListener() { return receivedAudioListener; }
    /** Null when nobody listens. */
    public ReceivedVideoListener receivedVideoListener() { return receivedVideoListener; }

    public static final class Builder {
        private final List<InetAddress> iceAddresses = new ArrayList<>();
        private final List<InetSocketAddress> stunServers = new ArrayList<>();
        private AudioSource audioSource = AudioSource.pulse(null);
        private AudioSink audioSink = AudioSink.pulse(null);
        private Path recordDir;
        private Path callRecordFile;
        private Path deviceChoicesFile;
        private boolean headsetButtons = true;
        private Path headsetInputDevice;
        private int maxSessions = 16;
        private double maxCpuLoad = 0.9;
        private Duration maxRequestDelay = Duration.ofSeconds(3);
        private boolean echoCancellation = true;
        private boolean opusDtx = false;
        private boolean opusFecDecoding = false;
        private int jitterBufferMs = 60;
        private Duration statsInterval = Duration.ofSeconds(1);
        private Duration consentTimeout = Duration.ofSeconds(30);
        private Duration consentInterval = Duration.ofSeconds(5);
        private double requestsPerSecond = 50;
        private int requestBurst = 200;
        private String software = "vmc-engine/0.1.0";
        private io.vmc.transport.proto.Mode mode = io.vmc.transport.proto.Mode.OPTIMIZED;
        private ReceivedAudioListener receivedAudioListener;
        private ReceivedVideoListener receivedVideoListener;
        private VideoSource videoSource = VideoSource.testPattern("smpte");
        private CameraPolicy cameraPolicy = CameraPolicy.DENY;
        private long overlayParentWindow;
        private String overlayDisplay;
        private int[] overlayInsets = new int[4];
        private java.util.function.Supplier<java.util.List<io.vmc.overlay.GuestMonitor>> overlayMonitors;

        /**
         * Where the desktop picture sits inside {@link #overlayParentWindow}: a viewer's menu bar
         * above it is a top inset. Each 0..4096.
         */
        public Builder overlayInsets(int left, int top, int right, int bottom) {
            for (int v : new int[] {left, top, right, bottom}) {
                if (v < 0 || v > 4096) throw new IllegalArgumentException("overlay insets must be 0..4096, got " + v);
            }
            overlayInsets = new int[] {left, top, right, bottom};
            return this;
        }

        /**
         * The remote video follows the guest's monitors onto the session's windows (one per head of
         * each SPICE display channel): {@link #overlayParentWindow} should be the session's first window.
         */
        public Builder overlayMonitors(io.vmc.port.spice.SpiceSession session) {
            Objects.requireNonNull(session, "session");
            overlayMonitors = () -> session.displayMonitors().stream()
                    .map(m -> new io.vmc.overlay.GuestMonitor(m.window(), m.channelId(), io.vmc.overlay.Rect.of(m.x(), m.y(), m.width(), m.height())))
                    .toList();
            return this;
        }

        /** X display name of {@link #overlayParentWindow}; null (default) = $DISPLAY. */
        public Builder overlayDisplay(String display) {
            overlayDisplay = display;
            return this;
        }
        private int videoMaxBitrateKbps = 800;
        private VideoFormat videoFormat = VideoFormat.DEFAULT;
        private final List<TurnServer> turnServers = new ArrayList<>();
        private boolean iceRelayOnly;
        private boolean videoEnabled = true;
        private final List<String> audioCodecs = new ArrayList<>(List.of("opus", "G722", "PCMU", "PCMA"));
        private boolean requireSrtp;
        private boolean requireIce;
        private final List<String> allowedNetworks = new ArrayList<>();
        private final java.util.Set<LocalDestination> allowedLocalDestinations = java.util.EnumSet.noneOf(LocalDestination.class);
        private boolean trustPlainPeers;
        private int maxSendKbps = DEFAULT_MAX_SEND_KBPS;

        public Builder requireSrtp(boolean on) {
            requireSrtp = on;
            return this;
        }

        public Builder requireIce(boolean on) {
            requireIce = on;
            return this;
        }

        /** Replaces the allowed networks ({@code ADDRESS/PREFIX}, a bare address is one host); empty = any. */
        public Builder allowedNetworks(List<String> cidrs) {
            if (cidrs.size() > 64) throw new IllegalArgumentException("allowedNetworks: more than 64 networks");
            List<String> out = new ArrayList<>();
            for (String c : cidrs) out.add(io.vmc.engine.internal.Cidr.parse(Objects.requireNonNull(c, "allowedNetworks entry")).toString());
            allowedNetworks.clear();
            allowedNetworks.addAll(out);
            return this;
        }

        /** Allows these local destinations (adds to what is allowed already). */
        public Builder allowLocalDestinations(java.util.Collection<LocalDestination> kinds) {
            kinds.forEach(k -> allowedLocalDestinations.add(Objects.requireNonNull(k, "local destination")));
            return this;
        }

        public Builder trustPlainPeers(boolean on) {
            trustPlainPeers = on;
            return this;
        }

        public Builder maxSendKbps(int kbps) {
            if (kbps < MIN_SEND_KBPS || kbps > MAX_SEND_KBPS) {
                throw new IllegalArgumentException("maxSendKbps must be " + MIN_SEND_KBPS + ".." + MAX_SEND_KBPS + ", got " + kbps);
            }
            maxSendKbps = kbps;
            return this;
        }

        public Builder turnServer(TurnServer t) {
            turnServers.add(Objects.requireNonNull(t, "turnServer"));
            return this;
        }

        /** Needs at least one {@link #turnServer} by {@link #build()}. */
        public Builder iceRelayOnly(boolean on) {
            iceRelayOnly = on;
            return this;
        }

        public Builder videoEnabled(boolean on) {
            videoEnabled = on;
            return this;
        }

        /** Replaces the allowed audio codecs; names as in SDP ("opus", "G722", "PCMU", "PCMA"), case-insensitive. */
        public Builder audioCodecs(List<String> names) {
            if (names.isEmpty()) throw new IllegalArgumentException("audioCodecs must not be empty");
            List<String> out = new ArrayList<>();
            for (String n : names) {
                String sdp = io.vmc.engine.internal.media.AudioCodec.fromName(n)
                        .orElseThrow(() -> new IllegalArgumentException("unknown audio codec \"" + n + "\" (known: opus, G722, PCMU, PCMA)"))
                        .sdpName();
                if (out.contains(sdp)) throw new IllegalArgumentException("audio codec " + sdp + " listed twice");
                out.add(sdp);
            }
            audioCodecs.clear();
            audioCodecs.addAll(out);
            return this;
        }

        private CameraConsent cameraConsent;
        private Duration cameraPromptTimeout = Duration.ofSeconds(30);
        private ScreenSource screenSource;
        private ScreenShareConsent screenShareConsent;

        /** What a screen share sends: {@code vmc engine --spice} sets the SPICE session's display. */
        public Builder screenSource(ScreenSource s) {
            screenSource = s;
            return this;
        }

        /** Who asks the user before a screen share (tests, embedders); null (default) = the engine's dialog. */
        public Builder screenShareConsent(ScreenShareConsent c) {
            screenShareConsent = c;
            return this;
        }

        /** Who answers {@link CameraPolicy#ASK} (tests, embedders); null (default) = the engine's dialog. */
        public Builder cameraConsent(CameraConsent c) {
            cameraConsent = c;
            return this;
        }

        public Builder cameraPromptTimeout(Duration d) {
            if (d.compareTo(Duration.ofSeconds(1)) < 0 || d.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new IllegalArgumentException("cameraPromptTimeout must be 1 s..10 min, got " + d);
            }
            cameraPromptTimeout = d;
            return this;
        }

        public Builder videoSource(VideoSource s) {
            videoSource = Objects.requireNonNull(s, "videoSource");
            return this;
        }

        public Builder cameraPolicy(CameraPolicy p) {
            cameraPolicy = Objects.requireNonNull(p, "cameraPolicy");
            return this;
        }

        /** X11 window (e.g. the SPICE session window) that hosts the remote video; 0 = none. */
        public Builder overlayParentWindow(long xid) {
            if (xid < 0 || xid > 0xffffffffL) throw new IllegalArgumentException("overlayParentWindow must be an X11 id (0..2^32-1), got " + xid);
            overlayParentWindow = xid;
            return this;
        }

        /** Largest resolution and frame rate to send (a policy cap; smaller saves CPU and bandwidth). */
        public Builder videoFormat(VideoFormat format) {
            videoFormat = Objects.requireNonNull(format, "videoFormat");
            return this;
        }

        /** Lowers {@link #videoFormat} to within {@code cap} (the client policy's limits). */
        public Builder capVideoFormat(VideoFormat cap) {
            videoFormat = videoFormat.min(cap);
            return this;
        }

        public Builder videoMaxBitrateKbps(int kbps) {
            if (kbps < 50 || kbps > 10000) throw new IllegalArgumentException("videoMaxBitrateKbps must be 50..10000, got " + kbps);
            videoMaxBitrateKbps = kbps;
            return this;
        }

        public Builder receivedAudioListener(ReceivedAudioListener l) {
            receivedAudioListener = l;
            return this;
        }

        public Builder receivedVideoListener(ReceivedVideoListener l) {
            receivedVideoListener = l;
            return this;
        }

        public Builder iceAddress(InetAddress a) {
            iceAddresses.add(Objects.requireNonNull(a, "iceAddress"));
            return this;
        }

        public Builder iceAddresses(List<InetAddress> as) {
            as.forEach(this::iceAddress);
            return this;
        }

        public Builder stunServer(InetSocketAddress s) {
            Objects.requireNonNull(s, "stunServer");
            if (s.isUnresolved()) throw new IllegalArgumentException("stunServer must be resolved: " + s);
            stunServers.add(s);
            return this;
        }

        public Builder audioSource(AudioSource s) {
            audioSource = Objects.requireNonNull(s, "audioSource");
            return this;
        }

        public Builder audioSink(AudioSink s) {
            audioSink = Objects.requireNonNull(s, "audioSink");
            return this;
        }

        public Builder recordDir(Path dir) {
            recordDir = dir;
            return this;
        }

        /** See {@link EngineConfig#deviceChoicesFile()}; null (the default) remembers nothing. */
        public Builder deviceChoicesFile(Path file) {
            deviceChoicesFile = file;
            return this;
        }

        /** See {@link EngineConfig#headsetButtons()}. */
        public Builder headsetButtons(boolean on) {
            headsetButtons = on;
            return this;
        }

        /** See {@link EngineConfig#headsetInputDevice()}. */
        public Builder headsetInputDevice(Path node) {
            headsetInputDevice = node;
            return this;
        }

        /** See {@link EngineConfig#callRecordFile()}; null turns the file off. */
        public Builder callRecordFile(Path file) {
            callRecordFile = file;
            return this;
        }

        public Builder maxSessions(int n) {
            if (n < 1 || n > 1000) throw new IllegalArgumentException("maxSessions must be 1..1000, got " + n);
            maxSessions = n;
            return this;
        }

        /** See {@link EngineConfig#maxCpuLoad()}: a share of all cores, more than 0 and at most 1. */
        public Builder maxCpuLoad(double share) {
            if (!(share > 0 && share <= 1)) throw new IllegalArgumentException("maxCpuLoad must be in (0, 1], got " + share);
            maxCpuLoad = share;
            return this;
        }

        /** See {@link EngineConfig#maxRequestDelay()}: 100 ms to 60 s. */
        public Builder maxRequestDelay(Duration d) {
            if (d.toMillis() < 100 || d.toSeconds() > 60) throw new IllegalArgumentException("maxRequestDelay must be 100 ms..60 s, got " + d);
            maxRequestDelay = d;
            return this;
        }

        public Builder echoCancellation(boolean on) {
            echoCancellation = on;
            return this;
        }

        public Builder opusDtx(boolean on) {
            opusDtx = on;
            return this;
        }

        public Builder opusFecDecoding(boolean on) {
            opusFecDecoding = on;
            return this;
        }

        public Builder jitterBufferMs(int ms) {
            if (ms < 0 || ms > 1000) throw new IllegalArgumentException("jitterBufferMs must be 0..1000, got " + ms);
            jitterBufferMs = ms;
            return this;
        }

        public Builder statsInterval(Duration d) {
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("statsInterval must be positive");
            statsInterval = d;
            return this;
        }

        public Builder consentTimeout(Duration d) {
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("consentTimeout must be positive");
            consentTimeout = d;
            return this;
        }

        public Builder consentInterval(Duration d) {
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("consentInterval must be positive");
            consentInterval = d;
            return this;
        }

        public Builder requestRate(double perSecond, int burst) {
            if (perSecond <= 0 || burst < 1) throw new IllegalArgumentException("request rate and burst must be positive");
            requestsPerSecond = perSecond;
            requestBurst = burst;
            return this;
        }

        public Builder software(String s) {
            software = Objects.requireNonNull(s, "software");
            return this;
        }

        /** See {@link EngineConfig#mode()}. */
        public Builder mode(io.vmc.transport.proto.Mode m) {
            if (m != io.vmc.transport.proto.Mode.OPTIMIZED && m != io.vmc.transport.proto.Mode.FALLBACK) {
                throw new IllegalArgumentException("mode must be OPTIMIZED or FALLBACK, got " + m);
            }
            mode = m;
            return this;
        }

        public EngineConfig build() {
            if (iceRelayOnly && turnServers.isEmpty()) {
                throw new IllegalArgumentException("ICE relay-only needs at least one TURN server");
            }
            return new EngineConfig(this);
        }
    }

    /** The microphone (a PulseAudio source; null device = default) or a sine test tone. */
    public static final class AudioSource {
        private final double toneHz;
        private final double toneVolume;
        private final String device;

        private AudioSource(double toneHz, double toneVolume, String device) {
            this.toneHz = toneHz;
            this.toneVolume = toneVolume;
            this.device = device;
        }

        public static AudioSource tone(double hz) {
            if (!(hz >= 20 && hz <= 20000)) throw new IllegalArgumentException("tone must be 20..20000 Hz, got " + hz);
            return new AudioSource(hz, 0.3, null);
        }

        public static AudioSource pulse(String device) {
            return new AudioSource(0, 0, device);
        }

        public boolean isTone() { return toneHz > 0; }
        public double toneHz() { return toneHz; }
        public double toneVolume() { return toneVolume; }
        public String device() { return device; }

        @Override
        public String toString() {
            return isTone() ? "tone " + toneHz + " Hz" : "pulse " + (device == null ? "default" : device);
        }
    }

    /** The speaker (a PulseAudio sink; null device = default) or none (received audio only recorded). */
    public static final class AudioSink {
        private final boolean pulse;
        private final String device;

        private AudioSink(boolean pulse, String device) {
            this.pulse = pulse;
            this.device = device;
        }

        public static AudioSink none() {
            return new AudioSink(false, null);
        }

        public static AudioSink pulse(String device) {
            return new AudioSink(true, device);
        }

        public boolean isPulse() { return pulse; }
        public String device() { return device; }

        @Override
        public String toString() {
            return pulse ? "pulse " + (device == null ? "default" : device) : "none";
        }
    }

    /**
     * The camera ({@code v4l2src}, subject to the {@link CameraPolicy}) or a {@code videotestsrc}
     * pattern (no consent needed).
     */
    public static final class VideoSource {
        private static final java.util.regex.Pattern PATTERN = java.util.regex.Pattern.compile("[a-z0-9-]{1,32}");
        private static final java.util.regex.Pattern DEVICE = java.util.regex.Pattern.compile("/dev/video[0-9]{1,3}");
        private final String pattern;
        private final String device;
        private final boolean camera;

        private VideoSource(String pattern, String device, boolean camera) {
            this.pattern = pattern;
            this.device = device;
            this.camera = camera;
        }

        /** A videotestsrc pattern by nick: "smpte", "red", "ball", ... */
        public static VideoSource testPattern(String pattern) {
            return new VideoSource(checkPattern(pattern), null, false);
        }

        /** A V4L2 camera; null = the default device. */
        public static VideoSource camera(String device) {
            if (device != null && !DEVICE.matcher(device).matches()) {
                throw new IllegalArgumentException("camera device must look like /dev/videoN, got " + device);
            }
            return new VideoSource(null, device, true);
        }

        /**
         * A test pattern treated as a camera: the camera policy and prompt apply to it. For demos and
         * tests on machines without a camera.
         */
        public static VideoSource simulatedCamera(String pattern) {
            return new VideoSource(checkPattern(pattern), null, true);
        }

        private static String checkPattern(String pattern) {
            if (pattern == null || !PATTERN.matcher(pattern).matches()) {
                throw new IllegalArgumentException("test pattern must be a videotestsrc pattern name, got " + pattern);
            }
            return pattern;
        }

        /** Whether the camera policy applies (a real or a simulated camera). */
        public boolean isCamera() { return camera; }
        /** A V4L2 camera, not a pattern: the user may choose which one (SelectDevice). */
        public boolean isRealCamera() { return camera && pattern == null; }

        @Override
        public boolean equals(Object o) {
            return o instanceof VideoSource v && v.camera == camera && Objects.equals(v.pattern, pattern)
                    && Objects.equals(v.device, device);
        }

        @Override
        public int hashCode() {
            return Objects.hash(pattern, device, camera);
        }
        /** The videotestsrc pattern, also for a simulated camera; null for a real camera. */
        public String pattern() { return pattern; }
        public String device() { return device; }

        @Override
        public String toString() {
            if (!camera) return "test pattern " + pattern;
            return pattern != null ? "simulated camera (test pattern " + pattern + ")" : "camera " + (device == null ? "default" : device);
        }
    }

    /** A TURN server reached over UDP with the long-term credential mechanism (RFC 8489 9.2). */
    public static final class TurnServer {
        private final InetSocketAddress address;
        private final String username;
        private final String password;

        private TurnServer(InetSocketAddress address, String username, String password) {
            this.address = address;
            this.username = username;
            this.password = password;
        }

        /** The password is kept in memory only and never printed ({@link #toString()} leaves it out). */
        public static TurnServer udp(InetSocketAddress address, String username, String password) {
            Objects.requireNonNull(address, "TURN server address");
            if (address.isUnresolved()) throw new IllegalArgumentException("TURN server must be resolved: " + address);
            if (username == null || username.isEmpty()) throw new IllegalArgumentException("TURN username must not be empty");
            if (password == null || password.isEmpty()) throw new IllegalArgumentException("TURN password must not be empty");
            return new TurnServer(address, username, password);
        }

        public InetSocketAddress address() { return address; }
        public String username() { return username; }
        public String password() { return password; }

        @Override
        public String toString() {
            String host = address.getAddress().getHostAddress();
            return "turn:" + (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort() + "?transport=udp";
        }
    }
}
