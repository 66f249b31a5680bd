package io.vmc.agent.api;

import io.vmc.agent.internal.AgentClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Entry point: a connection to the local vmc-agentd, which puts the media of the app's calls on
 * the thin client (or, without an engine there, inside the VM).
 *
 * <pre>{@code
 * try (Vmc vmc = Vmc.connect()) {                 // $VMC_AGENT_SOCKET or /run/vmc/agent.sock
 *     System.out.println("media mode: " + vmc.mode() + " (" + vmc.modeReason().description() + ")");
 *     vmc.addModeListener(change -> ui.showMode(change));
 *     MediaSession call = vmc.newSession(SessionOptions.audioOnly());
 *     String offer = call.createOffer();
 *     // ... INVITE with the offer, 200 OK with the answer ...
 *     call.setRemoteDescription(SdpType.ANSWER, answer);
 * }
 * }</pre>
 *
 * <p>Each instance has one dispatcher thread that runs every listener and completes every
 * future, in order; never an I/O thread. Closing the instance closes its sessions. Thread-safe.
 */
public interface Vmc extends AutoCloseable {

    /** Environment variable naming the agent socket, overriding {@link #DEFAULT_SOCKET}. */
    String SOCKET_ENV = "VMC_AGENT_SOCKET";

    /** Where vmc-agentd listens by default. */
    Path DEFAULT_SOCKET = Path.of("/run/vmc/agent.sock");

    /**
     * Connects to the agent at {@code $VMC_AGENT_SOCKET}, or {@link #DEFAULT_SOCKET}.
     *
     * @throws VmcException with {@link VmcException.Reason#UNAVAILABLE} if no agent answers
     */
    static Vmc connect() {
        return builder().connect();
    }

    /** Connects to the agent listening at {@code socket}. */
    static Vmc connect(Path socket) {
        return builder().socket(socket).connect();
    }

    static Builder builder() {
        return new Builder();
    }

    /** Creates a media session (blocking). */
    MediaSession newSession(SessionOptions options);

    /** {@link #newSession(SessionOptions)}'s async form. */
    CompletableFuture<MediaSession> newSessionAsync(SessionOptions options);

    /** This instance's open sessions. */
    List<MediaSession> sessions();

    /** Devices where the media currently runs (blocking). */
    List<Device> devices();

    /** {@link #devices()}'s async form. */
    CompletableFuture<List<Device>> devicesAsync();

    /** Makes {@code device} the one used by this app's sessions. */
    void selectDevice(Device device);

    /** {@link #selectDevice(Device)}'s async form. */
    CompletableFuture<Void> selectDeviceAsync(Device device);

    /**
     * Makes {@code speaker} the device rings play on (engine-wide; the thin client remembers it
     * for the user). Often the loudspeaker while calls go to the headset.
     */
    void selectRinger(Device speaker);

    /** {@link #selectRinger(Device)}'s async form. */
    CompletableFuture<Void> selectRingerAsync(Device speaker);

    /** Plays a ring on the thin client's ringer, replacing any ring playing (blocking). */
    void startRing(Ring ring);

    /** {@link #startRing(Ring)}'s async form. */
    CompletableFuture<Void> startRingAsync(Ring ring);

    /** Stops the ring, if one plays. */
    void stopRing();

    /** {@link #stopRing()}'s async form. */
    CompletableFuture<Void> stopRingAsync();

    void addThinClientListener(ThinClientListener listener);

    void removeThinClientListener(ThinClientListener listener);

    /** Current media mode, kept up to date by the agent's events. */
    Mode mode();

    /** Why the agent is in {@link #mode()}. */
    ModeReason modeReason();

    /** Mode, reason and detail as one value. */
    ModeChange modeInfo();

    /** Asks the agent for its full status (blocking). */
    AgentStatus status();

    /** {@link #status()}'s async form. */
    CompletableFuture<AgentStatus> statusAsync();

    void addModeListener(ModeListener listener);

    void removeModeListener(ModeListener listener);

    void addDeviceListener(DeviceListener listener);

    void removeDeviceListener(DeviceListener listener);

    /** Whether the connection to the agent is up. */
    boolean isConnected();

    /** Closes all sessions of this instance and the connection. Idempotent; never throws. */
    @Override
    void close();

    /**
     * Options for {@link Vmc#connect()}.
     *
     * <pre>{@code
     * Vmc vmc = Vmc.builder().socket(Path.of("/run/user/1000/vmc.sock")).appName("acme-phone")
     *         .requestTimeout(Duration.ofSeconds(5)).connect();
     * }</pre>
     */
    final class Builder {
        private Path socket;
        private String appName = "";
        // A fresh JVM in a slow guest (no JIT yet, TCG) needs seconds before it can answer at all.
        private Duration connectTimeout = Duration.ofSeconds(15);
        private Duration requestTimeout = Duration.ofSeconds(10);

        private Builder() {}

        /** The agent's socket; default {@code $VMC_AGENT_SOCKET} or {@link Vmc#DEFAULT_SOCKET}. */
        public Builder socket(Path socket) {
            this.socket = Objects.requireNonNull(socket, "socket must not be null");
            return this;
        }

        /** Shown in agent logs and status, e.g. "acme-phone/2.1". */
        public Builder appName(String appName) {
            Objects.requireNonNull(appName, "appName must not be null");
            if (appName.length() > 64 || appName.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("appName must be at most 64 printable characters");
            }
            this.appName = appName;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive("connectTimeout", timeout);
            return this;
        }

        /** Deadline of each request to the agent (blocking calls and futures). */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive("requestTimeout", timeout);
            return this;
        }

        /** @throws VmcException with {@link VmcException.Reason#UNAVAILABLE} if no agent answers */
        public Vmc connect() {
            Path s = socket;
            if (s == null) {
                String env = System.getenv(SOCKET_ENV);
                s = env == null || env.isBlank() ? DEFAULT_SOCKET : Path.of(env);
            }
            return AgentClient.connect(s, appName, connectTimeout, requestTimeout);
        }

        private static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name + " must not be null");
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, was " + d);
            }
            return d;
        }
    }
}
