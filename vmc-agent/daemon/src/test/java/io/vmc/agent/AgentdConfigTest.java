package io.vmc.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmc.agent.daemon.AgentDaemon;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** /etc/vmc/agentd.conf and the command line that overrides it. */
@Timeout(30)
class AgentdConfigTest {
    @TempDir
    Path dir;

    private static AgentdConfig parse(String text) {
        return AgentdConfig.parse("agentd.conf", text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theWebApiKeys() {
        AgentdConfig c = parse("# admin\nweb-api.listen = 127.0.0.1:7411\n"
                + "web-api.allowed-origins = https://Phone.Example.com/, chrome-extension://abcdefghijklmnopabcdefghijklmnop\n");
        assertThat(c.webApiListen).isEqualTo(new InetSocketAddress("127.0.0.1", 7411));
        assertThat(c.webApiOrigins).containsExactly("https://phone.example.com", "chrome-extension://abcdefghijklmnopabcdefghijklmnop");
        assertThat(parse("web-api.listen = [::1]:7411").webApiListen.getAddress().isLoopbackAddress()).isTrue();
        assertThat(parse("web-api.listen = 127.0.0.9:1").webApiListen.getPort()).isEqualTo(1);
        assertThat(parse("").webApiListen).isNull();
    }

    /**
     * The defaults agree: agentd keeps a lost engine's calls long enough for a 10 s outage plus the
     * time the engine's SPICE session takes to notice the server is back, on the command line and
     * in the library alike.
     */
    @Test
    void theDefaultEngineGraceCoversAnOutageAndTheSpiceReconnect() throws Exception {
        AgentdCommand cmd = new AgentdCommand();
        new CommandLine(cmd).parseArgs("--config", Files.writeString(dir.resolve("empty.conf"), "").toString());
        java.time.Duration grace = cmd.toOptions().core.engineGrace;
        assertThat(grace).isEqualTo(new io.vmc.agent.daemon.AgentCore.Config().engineGrace)
                .isGreaterThanOrEqualTo(java.time.Duration.ofSeconds(10).plus(io.vmc.port.spice.SpiceSession.RECONNECT_WINDOW));
    }

    @Test
    void mistakesNameTheLineAndWhatIsWrong() {
        assertThatThrownBy(() -> parse("web-api.listen = 0.0.0.0:7411")).hasMessage(
                "config agentd.conf line 1: web-api.listen: the web API listens on loopback only (127.0.0.0/8 or ::1), got 0.0.0.0");
        assertThatThrownBy(() -> parse("web-api.listen = 192.168.1.5:7411")).hasMessageContaining("loopback only");
        assertThatThrownBy(() -> parse("web-api.listen = localhost:7411")).hasMessageContaining("expected 127.0.0.1:PORT or [::1]:PORT");
        assertThatThrownBy(() -> parse("web-api.listen = 127.0.0.1")).hasMessageContaining("expected 127.0.0.1:PORT");
        assertThatThrownBy(() -> parse("web-api.listen = 127.0.0.1:0")).hasMessageContaining("port must be 1..65535, got 0");
        assertThatThrownBy(() -> parse("web-api.listen = 127.0.0.1:70000")).hasMessageContaining("port must be 1..65535");
        assertThatThrownBy(() -> parse("web-api.listen = 999.0.0.1:7411")).hasMessageContaining("not an IP address");
        assertThatThrownBy(() -> parse("\nweb-api.allowed-origins = *")).hasMessageStartingWith("config agentd.conf line 2: web-api.allowed-origins:")
                .hasMessageContaining("wildcards");
        assertThatThrownBy(() -> parse("web-api.allowed-origins = https://a.example,")).hasMessageContaining("empty entry");
        assertThatThrownBy(() -> parse("web-api.allowed-origins = https://a.example/app")).hasMessageContaining("no path");
        assertThatThrownBy(() -> parse("web-api.allowed-origins = null")).hasMessageContaining("sandboxed");
        assertThatThrownBy(() -> parse("web-api.allowed-origins = " + "https://a.example,".repeat(32) + "https://b.example"))
                .hasMessageContaining("more than 32 origins");
        assertThatThrownBy(() -> parse("web-api.port = 7411")).hasMessageContaining("unknown key \"web-api.port\" (known keys: web-api.listen");
        assertThatThrownBy(() -> parse("web-api.listen = 127.0.0.1:1\nweb-api.listen = 127.0.0.1:2"))
                .hasMessageContaining("line 2: duplicate key");
    }

    @Test
    void theShippedExampleParsesAsItIsAndWithEveryKeySet() throws Exception {
        String shipped = Files.readString(Path.of("..", "packaging", "agentd.conf"));
        assertThat(parse(shipped).webApiListen).as("off as shipped").isNull();
        AgentdConfig on = parse(shipped.replace("#web-api.", "web-api."));
        assertThat(on.webApiListen.getPort()).isEqualTo(7411);
        assertThat(on.webApiOrigins).contains("https://phone.example.com");
    }

    @Test
    void theCommandLineOverridesTheFile() throws Exception {
        Path conf = Files.writeString(dir.resolve("agentd.conf"), "web-api.listen = 127.0.0.1:7411\nweb-api.allowed-origins = https://a.example\n");
        AgentdCommand cmd = new AgentdCommand();
        new CommandLine(cmd).parseArgs("--config", conf.toString());
        AgentDaemon.Options o = cmd.toOptions();
        assertThat(o.webApiListen).isEqualTo(new InetSocketAddress("127.0.0.1", 7411));
        assertThat(o.webApiOrigins).containsExactly("https://a.example");

        cmd = new AgentdCommand();
        new CommandLine(cmd).parseArgs("--config", conf.toString(), "--web-api", "127.0.0.1:0");
        assertThat(cmd.toOptions().webApiListen.getPort()).isZero();

        AgentdCommand bad = new AgentdCommand();
        new CommandLine(bad).parseArgs("--config", conf.toString(), "--web-api", "10.0.0.1:7411");
        assertThatThrownBy(bad::toOptions).hasMessageContaining("--web-api: the web API listens on loopback only");

        AgentdCommand missing = new AgentdCommand();
        new CommandLine(missing).parseArgs("--config", dir.resolve("nope.conf").toString());
        assertThatThrownBy(missing::toOptions).isInstanceOf(java.nio.file.NoSuchFileException.class);
    }
}
