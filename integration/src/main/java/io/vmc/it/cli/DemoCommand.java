package io.vmc.it.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code ./vmc demo}: a full optimized call between two simulated VMs on this machine. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run a full optimized call between two simulated VMs and two client engines.")
final class DemoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("vmc demo: the optimized call demo is not built yet in this version.");
        return 1;
    }
}
