package io.vmc.it.cli;

import io.vmc.it.doctor.Check;
import io.vmc.it.doctor.MachineChecks;
import io.vmc.it.doctor.Role;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./vmc doctor}: what this machine lacks for a role, and the Debian package that fixes it. */
@Command(
        name = "doctor",
        mixinStandardHelpOptions = true,
        description = {
            "Check this machine for what VMC needs and say how to fix each miss.",
            "Exit code 0 only when everything the role needs is present."
        })
final class DoctorCommand implements Callable<Integer> {

    @Option(names = "--role", defaultValue = "client",
            description = "client (thin client running the engine), guest (VM running agentd), "
                    + "dev (building and testing VMC). Default: ${DEFAULT-VALUE}.")
    Role role;

    @Override
    public Integer call() {
        List<Check.Result> results = MachineChecks.forRole(role).stream().map(Check::run).toList();
        print(results, System.out);
        boolean ok = results.stream().noneMatch(r -> r.status() == Check.Status.MISSING);
        System.out.printf("%n%s role '%s': %s%n", ok ? "Ready for" : "Not ready for",
                role.name().toLowerCase(), ok ? "everything needed is present"
                        : "install what is MISSING (apt-get install -y <package>)");
        return ok ? 0 : 1;
    }

    static void print(List<Check.Result> results, PrintStream out) {
        int nameWidth = Math.max(5, results.stream().mapToInt(r -> r.name().length()).max().orElse(5));
        String format = "%-7s  %-" + nameWidth + "s  %s%n";
        out.printf(format, "STATUS", "CHECK", "DETAIL / FIX");
        for (Check.Result r : results) {
            String detail = r.detail();
            if (r.status() != Check.Status.OK && r.fix() != null) {
                detail = detail + " -> " + r.fix();
            }
            out.printf(format, r.status(), r.name(), detail);
        }
    }
}
