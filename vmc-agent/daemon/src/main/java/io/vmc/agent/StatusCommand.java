package io.vmc.agent;

import io.vmc.agent.api.AgentStatus;
import io.vmc.agent.api.Vmc;
import io.vmc.agent.api.VmcException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code vmc status}: what vmc-agentd in this VM is doing, and why. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show the VMC media mode, its reason, the connected engine and live sessions.")
public final class StatusCommand implements Callable<Integer> {
    @Option(names = "--api-socket", paramLabel = "PATH",
            description = "Agent socket (default $VMC_AGENT_SOCKET or /run/vmc/agent.sock).")
    Path apiSocket;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Vmc.Builder b = Vmc.builder().appName("vmc-status");
        if (apiSocket != null) {
            b.socket(apiSocket);
        }
        try (Vmc vmc = b.connect()) {
            AgentStatus s = vmc.status();
            out.println("mode:     " + s.mode());
            out.println("reason:   " + s.reason() + " - " + s.reason().description());
            if (!s.detail().isEmpty()) {
                out.println("detail:   " + s.detail());
            }
            out.println("engine:   " + (s.engineSoftware().isEmpty() ? "none" : s.engineSoftware() + " (protocol v" + s.protocolVersion() + ")"));
            out.println("sessions: " + s.sessionIds().size());
            s.sessionIds().forEach(id -> out.println("  " + id));
            out.flush();
            return 0;
        } catch (VmcException e) {
            spec.commandLine().getErr().println("vmc status: " + e.getMessage());
            return 2;
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new StatusCommand()).execute(args));
    }
}
