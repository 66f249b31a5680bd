package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmc.engine.EngineConfig.CameraPolicy;
import io.vmc.engine.EngineConfig.LocalDestination;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The admin's {@code /etc/vmc/engine.conf} is a floor (issue 19 part 5): key by key, a user's
 * {@code --policy} file or option cannot loosen the admin's value and can tighten it. Each test
 * named after a key tries both, as a user would, through {@code vmc engine}'s own option handling.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AdminPolicyFloorTest {
    @TempDir Path dir;
    private EngineCommand cmd;

    /** {@code vmc engine} with {@code admin} as the admin's file, {@code user} (null: none) as {@code --policy}, and options. */
    private EngineConfig engine(String admin, String user, String... options) throws Exception {
        Path adminFile = dir.resolve("etc-engine.conf");
        Files.writeString(adminFile, admin);
        List<String> args = new ArrayList<>(List.of("--channel", "unix:/run/x.sock"));
        if (user != null) {
            Path userFile = dir.resolve("mine.conf");
            Files.writeString(userFile, user);
            args.addAll(List.of("--policy", userFile.toString()));
        }
        args.addAll(Arrays.asList(options));
        cmd = new EngineCommand();
        cmd.adminPolicyFile = adminFile;
        cmd.hasDisplay = true;
        new CommandLine(cmd).parseArgs(args.toArray(String[]::new));
        return cmd.config();
    }

    private String adminLine(int line) {
        return "policy " + dir.resolve("etc-engine.conf") + " line " + line;
    }

    private Path secret() throws Exception {
        return Files.writeString(dir.resolve("turn.password"), "pw\n");
    }

    @Test
    void anEmptyUserFileLeavesTheAdminsFileInForceAndBothAreNamed() throws Exception {
        EngineConfig c = engine("camera = deny\n", "", "--allow-camera");
        assertThat(c.cameraPolicy()).isEqualTo(CameraPolicy.DENY);
        assertThat(cmd.policyNotes).containsExactly(
                "policy " + dir.resolve("etc-engine.conf") + " (camera), user policy " + dir.resolve("mine.conf") + " (nothing set)",
                "--allow-camera: camera = allow ignored, " + adminLine(1) + " sets camera = deny");
    }

    @Test
    void withoutAnAdminFileTheUsersSettingsApply() throws Exception {
        EngineCommand c = new EngineCommand();
        c.adminPolicyFile = dir.resolve("absent.conf");
        Path mine = Files.writeString(dir.resolve("mine.conf"), "media.allow-local = loopback\n");
        new CommandLine(c).parseArgs("--channel", "unix:/run/x.sock", "--policy", mine.toString(), "--allow-camera");
        EngineConfig config = c.config();
        assertThat(config.allowedLocalDestinations()).containsExactly(LocalDestination.LOOPBACK);
        assertThat(config.cameraPolicy()).isEqualTo(CameraPolicy.ALLOW);
        assertThat(c.policyNotes).containsExactly("no admin policy (" + dir.resolve("absent.conf") + " does not exist), user policy "
                + mine + " (media.allow-local)");
    }

    @Test
    void anUnreadableAdminFileStopsTheEngine() throws Exception {
        assertThatThrownBy(() -> engine("camera = perhaps\n", "camera = deny\n")).hasMessageContaining("line 1: camera: expected one of");
        EngineCommand c = new EngineCommand();
        c.adminPolicyFile = Files.createDirectory(dir.resolve("a-directory"));
        new CommandLine(c).parseArgs("--channel", "unix:/run/x.sock");
        assertThatThrownBy(c::config).isInstanceOf(java.io.IOException.class);
    }

    @Test
    @DisplayName(EnginePolicy.CAMERA)
    void camera() throws Exception {
        assertThat(engine("camera = ask\n", "camera = allow\n").cameraPolicy()).isEqualTo(CameraPolicy.ASK);
        assertThat(cmd.policyNotes).contains("policy " + dir.resolve("mine.conf") + " line 1: camera = allow ignored, " + adminLine(1) + " sets camera = ask");
        assertThat(engine("camera = ask\n", null, "--camera-policy", "allow").cameraPolicy()).isEqualTo(CameraPolicy.ASK);
        assertThat(engine("camera = ask\n", "camera = deny\n").cameraPolicy()).isEqualTo(CameraPolicy.DENY);
        assertThat(engine("camera = allow\n", null, "--camera-policy", "ask").cameraPolicy()).isEqualTo(CameraPolicy.ASK);
        assertThat(engine("camera = allow\n", null).cameraPolicy()).as("the admin's value, not the option's default").isEqualTo(CameraPolicy.ALLOW);
    }

    @Test
    @DisplayName(EnginePolicy.VIDEO_ENABLED)
    void videoEnabled() throws Exception {
        assertThat(engine("video.enabled = false\n", "video.enabled = true\n").videoEnabled()).isFalse();
        assertThat(cmd.policyNotes).anySatisfy(n -> assertThat(n).contains("video.enabled = true ignored"));
        assertThat(engine("video.enabled = true\n", "video.enabled = false\n").videoEnabled()).isFalse();
    }

    @Test
    @DisplayName(EnginePolicy.VIDEO_MAX_BITRATE)
    void videoMaxBitrate() throws Exception {
        assertThat(engine("video.max-bitrate-kbps = 500\n", "video.max-bitrate-kbps = 2000\n").videoMaxBitrateKbps()).isEqualTo(500);
        assertThat(engine("video.max-bitrate-kbps = 500\n", "video.max-bitrate-kbps = 300\n").videoMaxBitrateKbps()).isEqualTo(300);
    }

    @Test
    @DisplayName(EnginePolicy.VIDEO_MAX_RESOLUTION)
    void videoMaxResolution() throws Exception {
        assertThat(engine("video.max-resolution = 640x480\n", "video.max-resolution = 1920x1080\n", "--video-max-resolution", "1280x720")
                .videoFormat()).isEqualTo(new EngineConfig.VideoFormat(640, 480, 30));
        assertThat(engine("video.max-resolution = 640x480\n", "video.max-resolution = 320x240\n", "--video-max-resolution", "1280x720")
                .videoFormat()).isEqualTo(new EngineConfig.VideoFormat(320, 240, 30));
    }

    @Test
    @DisplayName(EnginePolicy.VIDEO_MAX_FPS)
    void videoMaxFps() throws Exception {
        assertThat(engine("video.max-fps = 15\n", "video.max-fps = 60\n", "--video-max-fps", "60").videoFormat().fps()).isEqualTo(15);
        assertThat(engine("video.max-fps = 15\n", "video.max-fps = 10\n", "--video-max-fps", "60").videoFormat().fps()).isEqualTo(10);
    }

    @Test
    @DisplayName(EnginePolicy.AUDIO_CODECS)
    void audioCodecs() throws Exception {
        assertThat(engine("audio.codecs = opus, pcmu\n", "audio.codecs = pcma, opus\n").audioCodecs()).containsExactly("opus");
        assertThat(cmd.policyNotes).anySatisfy(n -> assertThat(n).contains("audio.codecs = pcma, opus narrowed to opus, " + adminLine(1)));
        assertThat(engine("audio.codecs = opus, pcmu\n", "audio.codecs = pcmu\n").audioCodecs()).containsExactly("PCMU");
        assertThatThrownBy(() -> engine("audio.codecs = opus\n", "audio.codecs = pcma\n"))
                .hasMessageContaining("audio.codecs allows none of the codecs " + adminLine(1) + " sets audio.codecs = opus");
    }

    @Test
    @DisplayName(EnginePolicy.STUN_SERVERS)
    void stunServers() throws Exception {
        String admin = "stun.servers = 127.0.0.1:3478, 127.0.0.2:3478\n";
        assertThat(engine(admin, null, "--stun", "127.0.0.9:3478").stunServers())
                .extracting(a -> a.getAddress().getHostAddress()).containsExactly("127.0.0.1", "127.0.0.2");
        assertThat(cmd.policyNotes).anySatisfy(n -> assertThat(n).startsWith("--stun: stun.servers = 127.0.0.9:3478 ignored"));
        assertThat(engine(admin, "stun.servers = 127.0.0.2\n").stunServers())
                .extracting(a -> a.getAddress().getHostAddress()).containsExactly("127.0.0.2");
    }

    private String adminTurn() throws Exception {
        return "turn.servers = turn:127.0.0.1:3478, turn:127.0.0.2:3478\nturn.username = vmc\nturn.password-file = " + secret() + "\n";
    }

    @Test
    @DisplayName(EnginePolicy.TURN_SERVERS)
    void turnServers() throws Exception {
        String admin = adminTurn();
        Path pw = secret();
        assertThat(engine(admin, null, "--turn", "turn:127.0.0.9:3478", "--turn-user", "vmc", "--turn-password-file", pw.toString()).turnServers())
                .extracting(EngineConfig.TurnServer::toString).containsExactly("turn:127.0.0.1:3478?transport=udp", "turn:127.0.0.2:3478?transport=udp");
        assertThat(engine(admin, null, "--turn", "turn:127.0.0.2:3478", "--turn-user", "vmc", "--turn-password-file", pw.toString()).turnServers())
                .extracting(EngineConfig.TurnServer::toString).containsExactly("turn:127.0.0.2:3478?transport=udp");
    }

    @Test
    @DisplayName(EnginePolicy.TURN_USERNAME)
    void turnUsername() throws Exception {
        Path other = Files.writeString(dir.resolve("other.password"), "other\n");
        EngineConfig c = engine(adminTurn(), null, "--turn", "turn:127.0.0.2:3478", "--turn-user", "mallory", "--turn-password-file", other.toString());
        assertThat(c.turnServers()).singleElement().satisfies(t -> assertThat(t.username()).isEqualTo("vmc"));
        assertThat(cmd.policyNotes).anySatisfy(n -> assertThat(n).startsWith("--turn-user: turn.username = mallory ignored, " + adminLine(2)));
        // no tighter user name than the admin's: the user may only restate it
        engine(adminTurn(), null, "--turn", "turn:127.0.0.2:3478", "--turn-user", "vmc", "--turn-password-file", secret().toString());
        assertThat(cmd.policyNotes).noneSatisfy(n -> assertThat(n).startsWith("--turn-user"));
    }

    @Test
    @DisplayName(EnginePolicy.TURN_PASSWORD_FILE)
    void turnPasswordFile() throws Exception {
        Path other = Files.writeString(dir.resolve("other.password"), "other\n");
        EngineConfig c = engine(adminTurn(), null, "--turn", "turn:127.0.0.1:3478", "--turn-user", "vmc", "--turn-password-file", other.toString());
        assertThat(c.turnServers()).singleElement().satisfies(t -> assertThat(t.password()).isEqualTo("pw"));
        assertThat(cmd.policyNotes).anySatisfy(n -> assertThat(n).startsWith("--turn-password-file: turn.password-file = " + other + " ignored"));
    }

    @Test
    @DisplayName(EnginePolicy.ICE_RELAY_ONLY)
    void iceRelayOnly() throws Exception {
        assertThat(engine(adminTurn() + "ice.relay-only = true\n", "ice.relay-only = false\n").iceRelayOnly()).isTrue();
        assertThat(engine(adminTurn() + "ice.relay-only = false\n", null, "--ice-relay-only").iceRelayOnly()).isTrue();
        assertThat(engine(adminTurn() + "ice.relay-only = false\n", "ice.relay-only = true\n").iceRelayOnly()).isTrue();
    }

    @Test
    @DisplayName(EnginePolicy.METRICS_LISTEN)
    void metricsListen() throws Exception {
        // where metrics go is the admin's monitoring: a user may restate it, not move or hide it
        engine("metrics.listen = 127.0.0.1:9464\n", null, "--metrics", "0.0.0.0:9464");
        assertThat(cmd.metricsEndpoint().toString()).isEqualTo("127.0.0.1:9464");
        assertThat(cmd.policyNotes).anySatisfy(n -> assertThat(n).isEqualTo("--metrics: metrics.listen = 0.0.0.0:9464 ignored, "
                + adminLine(1) + " sets metrics.listen = 127.0.0.1:9464"));
        engine("metrics.listen = 0.0.0.0:9464\n", "metrics.listen = 127.0.0.1:9464\n");
        assertThat(cmd.metricsEndpoint().toString()).isEqualTo("0.0.0.0:9464");
        engine("metrics.listen = 127.0.0.1:9464\n", null, "--metrics", "9464");
        assertThat(cmd.policyNotes).hasSize(1);
        engine("camera = ask\n", null, "--metrics", "9470");
        assertThat(cmd.metricsEndpoint().toString()).as("unset by the admin: the user's").isEqualTo("127.0.0.1:9470");
    }

    @Test
    @DisplayName(EnginePolicy.METRICS_PORT)
    void metricsPort() throws Exception {
        engine("metrics.port = 9465\n", "metrics.listen = 0.0.0.0:9465\n");
        assertThat(cmd.metricsEndpoint().toString()).isEqualTo("127.0.0.1:9465");
        engine("metrics.port = 9465\n", null, "--metrics-port", "9466");
        assertThat(cmd.metricsEndpoint().toString()).isEqualTo("127.0.0.1:9465");
        engine("metrics.listen = 127.0.0.1:9465\n", "metrics.port = 9465\n");
        assertThat(cmd.policyNotes).hasSize(1); // the same endpoint: nothing ignored
    }

    @Test
    @DisplayName(EnginePolicy.CDR_FILE)
    void cdrFile() throws Exception {
        Path admins = dir.resolve("calls.jsonl");
        assertThat(engine("cdr.file = " + admins + "\n", null, "--cdr", dir.resolve("mine.jsonl").toString()).callRecordFile()).isEqualTo(admins);
        assertThat(engine("cdr.file = " + admins + "\n", "cdr.file = /tmp/elsewhere.jsonl\n").callRecordFile()).isEqualTo(admins);
        assertThat(cmd.policyNotes).anySatisfy(n -> assertThat(n).contains("cdr.file = /tmp/elsewhere.jsonl ignored"));
        assertThat(engine("camera = ask\n", null, "--cdr", dir.resolve("mine.jsonl").toString()).callRecordFile()).isEqualTo(dir.resolve("mine.jsonl"));
    }

    @Test
    @DisplayName(EnginePolicy.MEDIA_REQUIRE_SRTP)
    void requireSrtp() throws Exception {
        assertThat(engine("media.require-srtp = true\n", "media.require-srtp = false\n").requireSrtp()).isTrue();
        assertThat(engine("media.require-srtp = false\n", "media.require-srtp = true\n").requireSrtp()).isTrue();
    }

    @Test
    @DisplayName(EnginePolicy.MEDIA_REQUIRE_ICE)
    void requireIce() throws Exception {
        assertThat(engine("media.require-ice = true\n", "media.require-ice = false\n").requireIce()).isTrue();
        assertThat(engine("media.require-ice = false\n", "media.require-ice = true\n").requireIce()).isTrue();
    }

    @Test
    @DisplayName(EnginePolicy.MEDIA_ALLOWED_NETWORKS)
    void allowedNetworks() throws Exception {
        assertThat(engine("media.allowed-networks = 10.0.0.0/8\n", "media.allowed-networks = 0.0.0.0/0, ::/0\n").allowedNetworks())
                .containsExactly("10.0.0.0/8");
        assertThat(engine("media.allowed-networks = 10.0.0.0/8, 192.0.2.0/24\n", "media.allowed-networks = 10.1.0.0/16, 198.51.100.0/24\n")
                .allowedNetworks()).containsExactly("10.1.0.0/16");
        // nothing in common would be an empty list, which means "any": refused
        assertThatThrownBy(() -> engine("media.allowed-networks = 10.0.0.0/8\n", "media.allowed-networks = 192.0.2.0/24\n"))
                .hasMessageContaining("media.allowed-networks shares no address with the admin's networks");
    }

    @Test
    @DisplayName(EnginePolicy.MEDIA_ALLOW_LOCAL)
    void allowLocal() throws Exception {
        assertThat(engine("media.allow-local = none\n", "media.allow-local = loopback\n").allowedLocalDestinations()).isEmpty();
        assertThat(engine("media.allow-local = loopback, link-local\n", "media.allow-local = loopback, own-addresses\n").allowedLocalDestinations())
                .containsExactly(LocalDestination.LOOPBACK);
        assertThat(engine("media.allow-local = loopback\n", "media.allow-local = none\n").allowedLocalDestinations()).isEmpty();
    }

    @Test
    @DisplayName(EnginePolicy.MEDIA_PLAIN_PEERS)
    void plainPeers() throws Exception {
        assertThat(engine("media.plain-peers = latch\n", "media.plain-peers = trust\n").trustPlainPeers()).isFalse();
        assertThat(engine("media.plain-peers = trust\n", "media.plain-peers = latch\n").trustPlainPeers()).isFalse();
    }

    @Test
    @DisplayName(EnginePolicy.MEDIA_MAX_SEND_KBPS)
    void maxSendKbps() throws Exception {
        assertThat(engine("media.max-send-kbps = 2000\n", "media.max-send-kbps = 16000\n").maxSendKbps()).isEqualTo(2000);
        assertThat(engine("media.max-send-kbps = 2000\n", "media.max-send-kbps = 500\n").maxSendKbps()).isEqualTo(500);
    }

    @Test
    void everyPolicyKeyHasItsTest() {
        List<String> tested = new ArrayList<>();
        for (Method m : getClass().getDeclaredMethods()) {
            DisplayName d = m.getAnnotation(DisplayName.class);
            if (d != null) tested.add(d.value());
        }
        assertThat(tested).containsExactlyInAnyOrderElementsOf(EnginePolicy.KEYS);
    }
}
