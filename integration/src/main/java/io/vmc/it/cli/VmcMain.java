package io.vmc.it.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code ./vmc} command. Every role of VMC (engine, agentd, stun, demo...) is a subcommand,
 * so one launcher and one class path serve them all.
 */
@Command(
        name = "vmc",
        mixinStandardHelpOptions = true,
        versionProvider = VmcMain.Version.class,
        description = "VMC: softphone media offload for QEMU/SPICE virtual desktops.",
        subcommands = {
            DoctorCommand.class,
            DemoCommand.class,
            SoftphoneCommand.class,
            BenchCommand.class,
            CommandLine.HelpCommand.class
        })
public final class VmcMain implements Callable<Integer> {

    @Option(names = {"-v", "--verbose"}, description = "More log output (-v: VMC debug, -vv: everything).")
    boolean[] verbose = new boolean[0];

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(System.out);
        return 0;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code: 0 ok, 1 failure, 2 bad arguments. */
    public static int run(String... args) {
        CommandLine cli = commandLine();
        cli.setExecutionStrategy(parseResult -> {
            configureLogging(parseResult.commandSpec().root().userObject() instanceof VmcMain main
                    ? main.verbose.length : 0);
            return new CommandLine.RunLast().execute(parseResult);
        });
        cli.setExecutionExceptionHandler((e, command, parseResult) -> {
            // Users get the message; the stack trace is for -v.
            LoggerFactory.getLogger(VmcMain.class).debug("vmc {} failed", command.getCommandName(), e);
            command.getErr().println("vmc " + command.getCommandName() + ": " + e.getMessage());
            return 1;
        });
        return cli.execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new VmcMain()).setCaseInsensitiveEnumValuesAllowed(true);
        Subcommands.addModuleCommands(cli);
        return cli;
    }

    /** Quiet by default: third-party start-up chatter (ice4j, GStreamer bindings) stays below WARN. */
    static void configureLogging(int verbosity) {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        java.util.logging.Logger.getLogger("").setLevel(verbosity >= 2 ? java.util.logging.Level.FINE
                : verbosity == 1 ? java.util.logging.Level.INFO : java.util.logging.Level.WARNING);
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger vmc = (Logger) LoggerFactory.getLogger("io.vmc");
        root.setLevel(verbosity >= 2 ? Level.DEBUG : verbosity == 1 ? Level.INFO : Level.WARN);
        vmc.setLevel(verbosity >= 1 ? Level.DEBUG : Level.INFO);
    }

    /** Version from the jar manifest, or the development version when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = VmcMain.class.getPackage().getImplementationVersion();
            return new String[] {"vmc " + (v == null ? "0.1.0-SNAPSHOT" : v)};
        }
    }
}
