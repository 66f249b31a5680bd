package io.vmc.it.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code ./vmc softphone}: the sample SIP softphone written on the agent API. */
@Command(name = "softphone", mixinStandardHelpOptions = true,
        description = "The sample SIP softphone written on the VMC agent API.")
final class SoftphoneCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("vmc softphone: the sample softphone is not built yet in this version.");
        return 1;
    }
}
