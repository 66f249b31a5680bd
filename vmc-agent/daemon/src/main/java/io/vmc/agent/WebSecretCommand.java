package io.vmc.agent;

import io.vmc.agent.api.VmcException;
import io.vmc.agent.web.SecretFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * {@code vmc agentd web-secret}: run as the desktop user, asks agentd for that user's web API
 * secret and stores it where the user's apps find it (docs/web-api.md).
 */
@Command(name = "web-secret", mixinStandardHelpOptions = true,
        description = "Ask vmc-agentd for your web API secret and store it in $XDG_RUNTIME_DIR/vmc/web-api.secret "
                + "(mode 0600), with the WebSocket URL in web-api.url beside it.")
public final class WebSecretCommand implements Callable<Integer> {
    @Mixin
    WebSecretOptions options;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try {
            Path d = options.dir != null ? options.dir : SecretFiles.defaultDir();
            SecretFiles.Connection c = SecretFiles.fetch(options.socket(), Duration.ofSeconds(15));
            SecretFiles.store(d, c);
            spec.commandLine().getOut().println("web API " + c.url() + "; secret in " + d.resolve(SecretFiles.SECRET_FILE));
            spec.commandLine().getOut().flush();
            return 0;
        } catch (VmcException | IllegalStateException e) {
            spec.commandLine().getErr().println("vmc agentd web-secret: " + e.getMessage());
            return 2;
        }
    }
}
