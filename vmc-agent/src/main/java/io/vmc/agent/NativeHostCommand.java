package io.vmc.agent;

import io.vmc.agent.web.NativeHost;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vmc agentd native-host}: the native messaging host the browser starts for VMC's extension
 * (packaging/io.vmc.agent.json names it). stdout carries only framed messages; logs go to stderr.
 */
@Command(name = "native-host", mixinStandardHelpOptions = true,
        description = "Chromium native messaging host for the VMC extension: answers with the web API's URL and your secret. "
                + "Started by the browser, not by hand.")
public final class NativeHostCommand implements Callable<Integer> {
    @Option(names = "--api-socket", paramLabel = "PATH", description = "Agent socket (default $VMC_AGENT_SOCKET or /run/vmc/agent.sock).")
    Path apiSocket;

    @Option(names = "--dir", paramLabel = "DIR", description = "Folder of the secret files (default $XDG_RUNTIME_DIR/vmc).")
    Path dir;

    /** What the browser passes: the calling extension's origin (and on Windows, its window). */
    @Parameters(arity = "0..*", paramLabel = "BROWSER-ARGS", hidden = true)
    List<String> browserArgs = new ArrayList<>();

    // No method here names a web API type: picocli reflects on this class whenever agentd starts.
    @Override
    public Integer call() throws Exception {
        return NativeHost.forUser(dir, WebSecretCommand.socket(apiSocket)).serve(System.in, System.out);
    }
}
