package io.vmc.agent;

import io.vmc.agent.api.Vmc;
import io.vmc.agent.api.VmcException;
import io.vmc.agent.web.SecretFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vmc agentd web-secret}: run as the desktop user, asks agentd for that user's web API
 * secret and stores it where the user's apps find it (docs/web-api.md).
 */
@Command(name = "web-secret", mixinStandardHelpOptions = true,
        description = "Ask vmc-agentd for your web API secret and store it in $XDG_RUNTIME_DIR/vmc/web-api.secret "
                + "(mode 0600), with the WebSocket URL in web-api.url beside it.")
public final class WebSecretCommand implements Callable<Integer> {
    @Option(names = "--api-socket", paramLabel = "PATH", description = "Agent socket (default $VMC_AGENT_SOCKET or /run/vmc/agent.sock).")
    Path apiSocket;

    @Option(names = "--dir", paramLabel = "DIR", description = "Folder for the two files (default $XDG_RUNTIME_DIR/vmc).")
    Path dir;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try {
            Path d = dir != null ? dir : SecretFiles.defaultDir();
            SecretFiles.Connection c = SecretFiles.fetch(socket(apiSocket), Duration.ofSeconds(15));
            SecretFiles.store(d, c);
            spec.commandLine().getOut().println("web API " + c.url() + "; secret in " + d.resolve(SecretFiles.SECRET_FILE));
            spec.commandLine().getOut().flush();
            return 0;
        } catch (VmcException | IllegalStateException e) {
            spec.commandLine().getErr().println("vmc agentd web-secret: " + e.getMessage());
            return 2;
        }
    }

    /** The agent socket: the option, else $VMC_AGENT_SOCKET, else /run/vmc/agent.sock. */
    static Path socket(Path option) {
        if (option != null) {
            return option;
        }
        String env = System.getenv(Vmc.SOCKET_ENV);
        return env == null || env.isBlank() ? Vmc.DEFAULT_SOCKET : Path.of(env);
    }
}
