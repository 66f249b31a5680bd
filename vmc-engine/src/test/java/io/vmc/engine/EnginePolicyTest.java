package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EnginePolicyTest {
    @TempDir Path dir;

    private static EnginePolicy parse(String text) {
        return EnginePolicy.parse("test.conf", text.getBytes(StandardCharsets.UTF_8));
    }

    private Path secret(String password) throws Exception {
        Path p = dir.resolve("turn.password");
        Files.writeString(p, password + "\n");
        return p;
    }

    @Test
    void theFileTheClientPackageInstallsSetsNothingAndNamesEveryKey() throws Exception {
        Path packaged = Path.of("packaging/engine.conf");
        EnginePolicy p = EnginePolicy.load(packaged);
        String text = Files.readString(packaged);
        for (String key : EnginePolicy.KEYS) {
            assertThat(p.sets(key)).as("the installed file leaves %s at its default", key).isFalse();
            if (!EnginePolicy.DEPRECATED_KEYS.contains(key)) {
                assertThat(text).as("the installed file shows %s", key).contains("#" + key + " = ");
            }
        }
    }

    @Test
    void theDocumentedExampleLoadsAndAppliesEveryKey() throws Exception {
        Path example = Path.of("../docs/examples/engine.conf");
        EnginePolicy p = EnginePolicy.load(example);
        String guide = Files.readString(Path.of("../docs/admin-guide.md"));
        for (String key : EnginePolicy.KEYS) {
            assertThat(p.sets(key)).as("the example shows %s", key).isEqualTo(!EnginePolicy.DEPRECATED_KEYS.contains(key));
            assertThat(guide).as("the admin guide explains %s", key).contains("| `" + key + "` |");
        }
        // same file with the password file pointing at a real one: applies and builds
        String text = Files.readString(example).replace("/etc/vmc/turn.password", secret("s3cret").toString());
        EngineConfig.Builder b = EngineConfig.builder();
        parse(text).applyTo(b);
        EngineConfig c = b.build();
        assertThat(c.cameraPolicy()).isEqualTo(EngineConfig.CameraPolicy.DENY);
        assertThat(c.iceRelayOnly()).isTrue();
        assertThat(c.turnServers()).hasSize(1);
        assertThat(c.turnServers().get(0).username()).isEqualTo("vmc");
        assertThat(c.turnServers().get(0).password()).isEqualTo("s3cret");
        assertThat(c.turnServers().get(0).toString()).isEqualTo("turn:192.0.2.10:3478?transport=udp").doesNotContain("s3cret");
        assertThat(c.stunServers()).hasSize(1);
        assertThat(c.audioCodecs()).containsExactly("opus", "G722", "PCMU", "PCMA");
        assertThat(c.videoMaxBitrateKbps()).isEqualTo(800);
        assertThat(p.metricsEndpoint().toString()).isEqualTo("127.0.0.1:9464");
        assertThat(p.callRecordFile()).isEqualTo(Path.of("/var/log/vmc/calls.jsonl"));
        assertThat(c.requireSrtp()).isTrue();
        assertThat(c.requireIce()).isTrue();
        assertThat(c.allowedNetworks()).containsExactly("10.0.0.0/8", "192.0.2.0/24", "2001:db8:0:0:0:0:0:0/32");
        assertThat(c.allowedLocalDestinations()).isEmpty();
        assertThat(c.trustPlainPeers()).isFalse();
        assertThat(c.maxSendKbps()).isEqualTo(16000);
    }

    @Test
    void destinationKeysMapOntoTheConfigAndOnlyTighten() {
        EngineConfig defaults = EngineConfig.builder().build();
        assertThat(defaults.requireSrtp()).isFalse();
        assertThat(defaults.requireIce()).isFalse();
        assertThat(defaults.allowedNetworks()).isEmpty();
        assertThat(defaults.allowedLocalDestinations()).isEmpty();
        assertThat(defaults.trustPlainPeers()).isFalse();
        assertThat(defaults.maxSendKbps()).isEqualTo(EngineConfig.DEFAULT_MAX_SEND_KBPS);

        EngineConfig.Builder b = EngineConfig.builder().requireSrtp(true);
        parse("""
                media.require-srtp = false
                media.allowed-networks = 10.1.2.3/16, 2001:db8::1
                media.allow-local = loopback, own-addresses, loopback
                media.plain-peers = trust
                media.max-send-kbps = 2000
                """).applyTo(b);
        EngineConfig c = b.build();
        assertThat(c.requireSrtp()).as("false in the policy leaves a stricter caller's choice").isTrue();
        assertThat(c.allowedNetworks()).containsExactly("10.1.0.0/16", "2001:db8:0:0:0:0:0:1/128");
        assertThat(c.allowedLocalDestinations()).containsExactlyInAnyOrder(EngineConfig.LocalDestination.LOOPBACK, EngineConfig.LocalDestination.OWN_ADDRESSES);
        assertThat(c.trustPlainPeers()).isTrue();
        assertThat(c.maxSendKbps()).isEqualTo(2000);
    }

    @Test
    void badDestinationValuesNameTheLine() {
        assertThatThrownBy(() -> parse("media.allowed-networks = 10.0.0.0/33")).hasMessageContaining("line 1: media.allowed-networks: prefix length must be 0..32");
        assertThatThrownBy(() -> parse("media.allowed-networks = intranet.example/8")).hasMessageContaining("IP literal");
        assertThatThrownBy(() -> parse("media.allowed-networks = 10.0.0.0/8,")).hasMessageContaining("empty entry");
        assertThatThrownBy(() -> parse("media.allow-local = everything")).hasMessageContaining("expected one of loopback, link-local, own-addresses");
        assertThatThrownBy(() -> parse("media.allow-local = none, loopback")).hasMessageContaining("expected one of");
        assertThatThrownBy(() -> parse("media.plain-peers = maybe")).hasMessageContaining("expected one of latch, trust");
        assertThatThrownBy(() -> parse("media.max-send-kbps = 10")).hasMessageContaining("expected a number 64..100000, got 10");
        assertThatThrownBy(() -> parse("media.require-ice = yes")).hasMessageContaining("expected one of true, false");
    }

    @Test
    void metricsEndpointAndCallRecords() {
        assertThat(parse("metrics.listen = 0.0.0.0:9464").metricsEndpoint().isLoopback()).isFalse();
        assertThat(parse("metrics.listen = [::1]:9464").metricsEndpoint().toString()).isEqualTo("[0:0:0:0:0:0:0:1]:9464");
        assertThat(parse("metrics.listen = 9464").metricsEndpoint().isLoopback()).isTrue();
        assertThat(parse("metrics.port = 9465").metricsEndpoint().toString()).isEqualTo("127.0.0.1:9465"); // deprecated, still read
        assertThat(parse("camera = ask").metricsEndpoint()).isNull();
        assertThat(parse("camera = ask").callRecordFile()).isNull();
        assertThatThrownBy(() -> parse("metrics.port = 9464\nmetrics.listen = 9465\n"))
                .hasMessage("policy test.conf: set metrics.listen or metrics.port, not both");
    }

    @Test
    void valuesMapOntoTheConfig() throws Exception {
        EngineConfig.Builder b = EngineConfig.builder();
        parse("""
                # comment
                   camera=allow\r
                video.enabled = false
                audio.codecs = pcma ,OPUS
                video.max-bitrate-kbps = 300
                stun.servers = 127.0.0.1, [::1]:3479, stun:127.0.0.2
                """).applyTo(b);
        EngineConfig c = b.build();
        assertThat(c.cameraPolicy()).isEqualTo(EngineConfig.CameraPolicy.ALLOW);
        assertThat(c.videoEnabled()).isFalse();
        assertThat(c.audioCodecs()).containsExactly("PCMA", "opus");
        assertThat(c.videoMaxBitrateKbps()).isEqualTo(300);
        assertThat(c.stunServers()).extracting(a -> a.getPort()).containsExactly(3478, 3479, 3478);
        EngineConfig.Builder ask = EngineConfig.builder();
        parse("camera = ask").applyTo(ask);
        assertThat(ask.build().cameraPolicy()).isEqualTo(EngineConfig.CameraPolicy.ASK);
        assertThat(EngineConfig.builder().build().videoEnabled()).isTrue();
    }

    @Test
    void videoFormatCapsComeFromThePolicyAndTheCommandLineMayOnlyAskForLess() throws Exception {
        assertThat(EngineConfig.builder().build().videoFormat()).isEqualTo(EngineConfig.VideoFormat.DEFAULT);
        EngineConfig.Builder b = EngineConfig.builder();
        parse("video.max-resolution = 320x240\nvideo.max-fps = 15\n").applyTo(b);
        assertThat(b.build().videoFormat()).isEqualTo(new EngineConfig.VideoFormat(320, 240, 15));

        assertThat(command("video.max-resolution = 320x240\n", "--video-max-resolution", "1280x720", "--video-max-fps", "10")
                .config().videoFormat()).as("policy caps the picture, the option lowers the rate")
                .isEqualTo(new EngineConfig.VideoFormat(320, 240, 10));
        assertThat(command("video.max-fps = 20\n", "--video-max-resolution", "480x360").config().videoFormat())
                .isEqualTo(new EngineConfig.VideoFormat(480, 360, 20));
        assertThatThrownBy(() -> command("", "--video-max-resolution", "1x1").config())
                .hasMessageContaining("160x120..1920x1080");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "colour = red                            | line 1: unknown key \"colour\" (known keys: camera,",
            "camera = maybe                          | line 1: camera: expected one of ask, allow, deny, got \"maybe\"",
            "camera                                  | line 1: expected \"key = value\", got \"camera\"",
            "ice.relay-only = yes                    | line 1: ice.relay-only: expected one of true, false, got \"yes\"",
            "video.max-bitrate-kbps = 99999          | video.max-bitrate-kbps: expected a number 50..10000, got 99999",
            "video.max-bitrate-kbps = -5             | video.max-bitrate-kbps: expected a number 50..10000, got \"-5\"",
            "metrics.port = 0                        | metrics.port: expected a number 1..65535, got 0",
            "metrics.listen = 0                      | metrics.listen: expected a port 1..65535, got 0",
            "metrics.listen = localhost:9464         | metrics.listen: metrics address must be an IP literal, got \"localhost\"",
            "metrics.listen = 127.0.0.1:70000        | metrics.listen: expected a port 0..65535, got 70000",
            "metrics.listen = ::1:9464               | metrics.listen: expected ADDR:PORT, [IPV6]:PORT or PORT",
            "cdr.file = calls.jsonl                  | cdr.file: must be an absolute path",
            "video.max-resolution = 640              | video.max-resolution: resolution must be WIDTHxHEIGHT, e.g. 640x480, got \"640\"",
            "video.max-resolution = 99999x480        | video.max-resolution: video resolution must be even, 160x120..1920x1080, got 99999x480",
            "video.max-resolution = 641x480          | video.max-resolution: video resolution must be even",
            "video.max-resolution = -640x-480        | video.max-resolution: video resolution must be even",
            "video.max-fps = 120                     | video.max-fps: expected a number 1..60, got 120",
            "audio.codecs = opus, speex              | audio.codecs: expected one of opus, g722, pcmu, pcma, got \"speex\"",
            "audio.codecs = opus,,pcmu               | audio.codecs: empty entry",
            "audio.codecs = opus, OPUS               | audio.codecs: OPUS is listed twice",
            "stun.servers = 127.0.0.1:99999          | stun.servers: expected a number 1..65535",
            "stun.servers = ::1                      | stun.servers: expected HOST[:PORT] (IPv6 in brackets)",
            "stun.servers = [zz::1]:3478             | stun.servers: not an IPv6 address",
            "turn.servers = turns:127.0.0.1          | turn.servers: expected turn:HOST[:PORT][?transport=udp]",
            "turn.servers = turn:127.0.0.1?transport=tcp | turn.servers: only ?transport=udp is supported",
            "turn.username = two words               | turn.username: must be 1 to 128 printable ASCII",
            "turn.password-file = relative/file      | turn.password-file: must be an absolute path",
            "turn.servers = turn:127.0.0.1           | turn.servers needs turn.username and turn.password-file",
            "turn.username = vmc                     | turn.username and turn.password-file need turn.servers",
            "= value                                 | line 1: unknown key \"\"",
    })
    void badLinesAreErrorsNamingTheLineAndTheAllowedValues(String line, String message) {
        assertThatThrownBy(() -> parse(line)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("policy test.conf").hasMessageContaining(message);
    }

    @Test
    void errorsNameTheRightLine() {
        assertThatThrownBy(() -> parse("# a\n\ncamera = deny\nvideo.enabled = true\ncamera = allow\n"))
                .hasMessage("policy test.conf line 5: duplicate key \"camera\" (first set on line 3)");
        assertThatThrownBy(() -> parse("camera = deny\n\n\nbogus.key = 1\n")).hasMessageContaining("line 4: unknown key \"bogus.key\"");
    }

    @Test
    void hostileInputIsRefusedWithAClearMessage() throws Exception {
        // non-UTF-8 bytes
        byte[] latin1 = "camera = deny\nturn.username = j\u00f6rg\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> EnginePolicy.parse("x", latin1)).hasMessage("policy x line 2: not valid UTF-8");
        // control characters, NUL included
        assertThatThrownBy(() -> parse("camera = de\u0000ny")).hasMessage("policy test.conf line 1: control character U+0000");
        assertThatThrownBy(() -> parse("camera = deny\u001b[2J")).hasMessageContaining("control character U+001B");
        // one huge line
        String huge = "camera = " + "a".repeat(EnginePolicy.MAX_LINE_BYTES);
        assertThatThrownBy(() -> parse(huge)).hasMessage("policy test.conf line 1: line is longer than the allowed maximum (1024 bytes)");
        // a line of exactly the maximum is fine as far as length goes (it is a comment)
        parse("#" + "x".repeat(EnginePolicy.MAX_LINE_BYTES - 1));
        // a file over the limit, on disk: read no further than the limit
        Path big = dir.resolve("big.conf");
        Files.write(big, ("#" + "x".repeat(100) + "\n").repeat(1000).getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> EnginePolicy.load(big)).hasMessageContaining("is larger than the allowed maximum (65536 bytes)");
        // long unknown key: echoed abbreviated, not whole
        assertThatThrownBy(() -> parse("k".repeat(500) + " = 1")).hasMessageContaining("...").hasMessageNotContaining("k".repeat(100));
        // random bytes: always an IllegalArgumentException with the source name, never anything else
        Random r = new Random(42);
        for (int i = 0; i < 2000; i++) {
            byte[] junk = new byte[r.nextInt(300)];
            r.nextBytes(junk);
            if (r.nextBoolean()) Arrays.fill(junk, 0, Math.min(junk.length, 9), (byte) 'c');
            try {
                EnginePolicy.parse("junk", junk);
            } catch (IllegalArgumentException e) {
                assertThat(e.getMessage()).startsWith("policy junk");
            }
        }
        // an empty file and a comments-only file set nothing
        assertThat(EnginePolicy.parse("empty", new byte[0]).toString()).contains("nothing set");
        assertThat(parse("# only\n   # comments\n\n").sets("camera")).isFalse();
    }

    @Test
    void passwordFileProblemsNameTheKeyButNeverThePassword() throws Exception {
        Path missing = dir.resolve("missing");
        EnginePolicy p = parse("turn.servers = turn:127.0.0.1\nturn.username = vmc\nturn.password-file = " + missing + "\n");
        assertThatThrownBy(() -> p.applyTo(EngineConfig.builder()))
                .hasMessageContaining("line 3: turn.password-file: cannot read " + missing);
        Path empty = dir.resolve("empty");
        Files.writeString(empty, "\n");
        assertThatThrownBy(() -> parse("turn.servers = turn:127.0.0.1\nturn.username = vmc\nturn.password-file = " + empty)
                .applyTo(EngineConfig.builder())).hasMessageContaining("has no password on its first line");
        Path big = dir.resolve("big");
        Files.writeString(big, "p".repeat(5000));
        assertThatThrownBy(() -> parse("turn.servers = turn:127.0.0.1\nturn.username = vmc\nturn.password-file = " + big)
                .applyTo(EngineConfig.builder())).hasMessageContaining("larger than 1024 bytes").hasMessageNotContaining("pppp");
    }

    @Test
    void relayOnlyWithoutATurnServerIsRefused() {
        assertThatThrownBy(() -> {
            EngineConfig.Builder b = EngineConfig.builder();
            parse("ice.relay-only = true").applyTo(b);
            b.build();
        }).hasMessageContaining("relay-only needs at least one TURN server");
    }

    // ---------------------------------------------------------------- with the command line

    /** {@code vmc engine} with {@code policyText} as the admin's file. */
    private EngineCommand command(String policyText, String... args) throws Exception {
        Path file = dir.resolve("engine.conf");
        Files.writeString(file, policyText);
        EngineCommand cmd = new EngineCommand();
        cmd.adminPolicyFile = file;
        String[] all = new String[args.length + 2];
        all[0] = "--channel";
        all[1] = "unix:/run/x.sock";
        System.arraycopy(args, 0, all, 2, args.length);
        new CommandLine(cmd).parseArgs(all);
        return cmd;
    }

    @Test
    void theCommandLineCannotLoosenThePolicy() throws Exception {
        Path pw = secret("secret");
        EngineCommand cmd = command("camera = deny\nice.relay-only = false\nvideo.enabled = false\n"
                        + "turn.servers = turn:127.0.0.1:3478\nturn.username = vmc\nturn.password-file = " + pw + "\n",
                "--allow-camera", "--turn", "turn:127.0.0.9:9999", "--turn-user", "other", "--turn-password-file", pw.toString());
        EngineConfig c = cmd.config();
        assertThat(c.cameraPolicy()).isEqualTo(EngineConfig.CameraPolicy.DENY);
        assertThat(c.videoEnabled()).isFalse();
        assertThat(c.turnServers()).extracting(EngineConfig.TurnServer::toString).containsExactly("turn:127.0.0.1:3478?transport=udp");
        assertThat(c.turnServers().get(0).username()).isEqualTo("vmc");
        assertThat(cmd.policyNotes)
                .anySatisfy(n -> assertThat(n).isEqualTo("--allow-camera: camera = allow ignored, policy " + dir.resolve("engine.conf") + " line 1 sets camera = deny"))
                .anySatisfy(n -> assertThat(n).startsWith("--turn: turn.servers = turn:127.0.0.9:9999 ignored"))
                .anySatisfy(n -> assertThat(n).startsWith("--turn-user: turn.username = other ignored"));

        // relay-only: policy true wins over no option; the option tightens a policy that says false
        assertThat(command("ice.relay-only = true\nturn.servers = turn:127.0.0.1\nturn.username = vmc\nturn.password-file = " + pw)
                .config().iceRelayOnly()).isTrue();
        assertThat(command("ice.relay-only = false\nturn.servers = turn:127.0.0.1\nturn.username = vmc\nturn.password-file = " + pw,
                "--ice-relay-only").config().iceRelayOnly()).isTrue();
    }

    @Test
    void theCommandLineFillsWhatThePolicyLeaves() throws Exception {
        Path pw = secret("secret");
        EngineCommand cmd = command("stun.servers = 127.0.0.2:3479, 127.0.0.1:3478\ncamera = allow\n", "--stun", "127.0.0.2:3479",
                "--turn", "turn:127.0.0.1:3480?transport=udp", "--turn-user", "alice", "--turn-password-file", pw.toString(),
                "--ice-relay-only");
        EngineConfig c = cmd.config();
        assertThat(c.stunServers()).extracting(a -> a.getAddress().getHostAddress() + ":" + a.getPort()).containsExactly("127.0.0.2:3479");
        assertThat(c.cameraPolicy()).isEqualTo(EngineConfig.CameraPolicy.ALLOW);
        assertThat(c.turnServers().get(0).username()).isEqualTo("alice");
        assertThat(c.turnServers().get(0).password()).isEqualTo("secret");
        assertThat(c.iceRelayOnly()).isTrue();
        assertThat(cmd.policyNotes).containsExactly("policy " + dir.resolve("engine.conf") + " (stun.servers, camera)");

        assertThatThrownBy(() -> command("", "--turn", "turn:127.0.0.1").config()).hasMessageContaining("go together");
        assertThatThrownBy(() -> command("", "--turn", "stun:127.0.0.1", "--turn-user", "a", "--turn-password-file", pw.toString()).config())
                .hasMessageStartingWith("--turn: expected turn:HOST");
        assertThatThrownBy(() -> command("", "--ice-relay-only").config()).hasMessageContaining("relay-only needs at least one TURN server");
        assertThatThrownBy(() -> command("camera = perhaps\n").config()).hasMessageContaining("line 1: camera: expected one of ask, allow, deny");
    }
}
