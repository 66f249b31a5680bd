package io.vmc.it.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code vmc} command of the vmc-agentd package: only the guest's commands, on agentd's own
 * class path (no engine UI, no demo, slf4j-simple as the logger), so a VM needs neither Maven nor
 * the source tree.
 */
@Command(
        name = "vmc",
        mixinStandardHelpOptions = true,
        versionProvider = VmcMain.Version.class,
        description = "VMC in the guest: vmc-agentd, its status and the guest's checks.",
        subcommands = {
            io.vmc.agent.StatusCommand.class,
            DoctorCommand.class,
            io.vmc.agent.AgentdCommand.class,
            CommandLine.HelpCommand.class
        })
public final class GuestMain implements Callable<Integer> {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(System.out);
        return 0;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new GuestMain()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }
}
