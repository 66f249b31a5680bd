package io.vmc.agent;

import io.vmc.agent.web.NativeHost;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code vmc agentd native-host}: the native messaging host the browser starts for VMC's extension
 * (packaging/io.vmc.agent.json names it). stdout carries only framed messages; logs go to stderr.
 */
@Command(name = "native-host", mixinStandardHelpOptions = true,
        description = "Chromium native messaging host for the VMC extension: answers with the web API's URL and your secret. "
                + "Started by the browser, not by hand.")
public final class NativeHostCommand implements Callable<Integer> {
    @Mixin
    WebSecretOptions options;

    /** What the browser passes: the calling extension's origin (and on Windows, its window). */
    @Parameters(arity = "0..*", paramLabel = "BROWSER-ARGS", hidden = true)
    List<String> browserArgs = new ArrayList<>();

    // No method here names a web API type: picocli reflects on this class whenever agentd starts.
    @Override
    public Integer call() throws Exception {
        java.io.PrintStream framing = System.out;
        System.setOut(System.err); // a logger that writes to stdout must not break the browser's framing
        return NativeHost.forUser(options.dir, options.socket()).serve(System.in, framing);
    }
}
