package io.vmc.it.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Attaches the commands that live in the other modules (engine, agentd, stun...). */
final class Subcommands {
    private Subcommands() {}

    static void addModuleCommands(CommandLine cli) {
        cli.addSubcommand(new io.vmc.engine.EngineCommand());
        cli.addSubcommand(new io.vmc.agent.AgentdCommand());
        cli.addSubcommand(new io.vmc.stun.StunCommand());
        cli.addSubcommand(new io.vmc.agent.StatusCommand());
    }

    /** Says plainly that a role is not built yet, instead of pretending. */
    @Command(mixinStandardHelpOptions = true)
    static final class NotBuilt implements Callable<Integer> {
        private final String name;
        private final String what;

        NotBuilt(String name, String what) {
            this.name = name;
            this.what = what;
        }

        @Override
        public Integer call() {
            System.err.printf("vmc %s: %s is not built yet in this version.%n", name, what);
            return 1;
        }
    }
}
