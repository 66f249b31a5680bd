package io.vmc.agent;

import io.vmc.agent.api.Vmc;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the web API secret comes from and goes: the options of {@code web-secret} and {@code native-host}. */
final class WebSecretOptions {
    @Option(names = "--api-socket", paramLabel = "PATH", description = "Agent socket (default $VMC_AGENT_SOCKET or /run/vmc/agent.sock).")
    Path apiSocket;

    @Option(names = "--dir", paramLabel = "DIR", description = "Folder of web-api.secret and web-api.url (default $XDG_RUNTIME_DIR/vmc).")
    Path dir;

    /** The agent socket: the option, else $VMC_AGENT_SOCKET, else /run/vmc/agent.sock. */
    Path socket() {
        if (apiSocket != null) {
            return apiSocket;
        }
        String env = System.getenv(Vmc.SOCKET_ENV);
        return env == null || env.isBlank() ? Vmc.DEFAULT_SOCKET : Path.of(env);
    }
}
