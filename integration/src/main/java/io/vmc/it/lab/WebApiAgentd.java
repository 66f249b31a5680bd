package io.vmc.it.lab;

import io.vmc.agent.web.SecretFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * vmc-agentd as deployed with its web API on a free loopback port, pages of {@code origin} allowed,
 * talking to an engine on {@code channel}; {@link #web()} is what a page needs to connect (the URL
 * and the user's secret, as {@code vmc agentd web-secret} fetches them).
 */
public record WebApiAgentd(VmcProcess process, SecretFiles.Connection web) implements AutoCloseable {

    /** Starts agentd (no FALLBACK: these runs are about the engine) and waits for its sockets. */
    public static WebApiAgentd start(Path dir, Path channel, Path agentSocket, String origin) throws Exception {
        int webPort = Ports.freeTcpPort();
        Path conf = Files.writeString(dir.resolve("agentd.conf"), "web-api.allowed-origins = " + origin + "\n");
        VmcProcess agentd = VmcProcess.startAgentd("agentd", null, dir.resolve("agentd.log"), l -> { }, List.of(
                "--channel", "unix:" + channel, "--api-socket", agentSocket.toString(), "--no-fallback",
                "--config", conf.toString(), "--web-api", "127.0.0.1:" + webPort));
        try {
            Waits.awaitFile(agentSocket, 60, dir.resolve("agentd.log"));
            return new WebApiAgentd(agentd, SecretFiles.fetch(agentSocket, Duration.ofSeconds(30)));
        } catch (Exception | Error e) {
            agentd.close();
            throw e;
        }
    }

    @Override
    public void close() {
        process.close();
    }
}
