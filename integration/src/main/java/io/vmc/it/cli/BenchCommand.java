package io.vmc.it.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./vmc bench NAME}: the reproducible benchmarks whose figures are in docs/benchmarks.md. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Run a benchmark (figures go to docs/benchmarks.md).",
        subcommands = {io.vmc.it.bench.HairpinBenchCommand.class, io.vmc.it.bench.AgentdBenchCommand.class, io.vmc.it.bench.BrowserBenchCommand.class, io.vmc.it.bench.WebApiBenchCommand.class,
            io.vmc.it.bench.SoakBenchCommand.class, io.vmc.stun.bench.StunBenchCommand.class,
            io.vmc.transport.bench.TransportBenchCommand.class, io.vmc.engine.bench.EngineBenchCommand.class,
            CommandLine.HelpCommand.class})
final class BenchCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a benchmark: "
                + String.join(", ", spec.subcommands().keySet()));
    }
}
