package io.vmc.it.cli;

import io.vmc.it.doctor.Check;
import io.vmc.it.doctor.MachineChecks;
import io.vmc.it.doctor.Role;
import io.vmc.it.doctor.Setup;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./vmc doctor}: what this machine lacks for a role, and the Debian packages that fix it. */
@Command(
        name = "doctor",
        mixinStandardHelpOptions = true,
        description = {
            "Check this machine for what VMC needs and print a plan: what is missing, the Debian package for each "
                    + "and the apt-get line that installs them.",
            "Exit code 0 only when everything the role needs is present."
        })
final class DoctorCommand implements Callable<Integer> {

    @Option(names = "--role", defaultValue = "client",
            description = "client (thin client running the engine), guest (VM running agentd), "
                    + "dev (building and testing VMC), demo (running ./vmc demo). Default: ${DEFAULT-VALUE}.")
    Role role;

    @Option(names = "--all", description = "Also list every check with its result, not only what is missing.")
    boolean all;

    @Override
    public Integer call() {
        List<Check.Result> results = MachineChecks.forRole(role).stream().map(Check::run).toList();
        boolean ok = report(role, results, all, System.out);
        return ok ? 0 : 1;
    }

    /** Prints the plan; returns whether nothing the role needs is missing. */
    static boolean report(Role role, List<Check.Result> results, boolean all, PrintStream out) {
        String name = role.listName();
        if (all) {
            table(results, out);
            out.println();
        }
        long okCount = results.stream().filter(r -> r.status() == Check.Status.OK).count();
        long warnCount = results.stream().filter(r -> r.status() == Check.Status.WARN).count();
        long missingCount = results.stream().filter(r -> r.status() == Check.Status.MISSING).count();
        out.printf("vmc doctor --role %s: %d checks, %d ok, %d missing, %d warnings.%n", name, results.size(), okCount,
                missingCount, warnCount);

        // What no package fixes: one line each.
        for (Check.Result r : results) {
            if (r.status() != Check.Status.OK && r.need() == null) {
                out.printf("  %-7s  %s: %s%s%n", r.status(), r.name(), r.detail(), r.fix() == null ? "" : " -> " + r.fix());
            }
        }
        List<Setup.Need> required = needs(results, Check.Status.MISSING);
        if (!required.isEmpty()) {
            Setup.Plan plan = new Setup.Plan(required);
            out.printf("Missing: %s:%n", plan.countText());
            plan.lines(null).forEach(out::println);
            out.println("Install them with:");
            out.println("  " + plan.aptGetLine(Setup.isRoot()));
        }
        Set<String> requiredPackages = required.stream().map(Setup.Need::debianPackage).collect(Collectors.toSet());
        List<Setup.Need> optional = needs(results, Check.Status.WARN).stream()
                .filter(n -> !requiredPackages.contains(n.debianPackage())).toList();
        if (!optional.isEmpty()) {
            Setup.Plan plan = new Setup.Plan(optional);
            out.printf("Optional: %s:%n", plan.countText());
            plan.lines(name).forEach(out::println);
        }
        boolean ok = missingCount == 0;
        out.printf("%s role '%s'%s%n", ok ? "Ready for" : "Not ready for", name,
                ok ? ": everything needed is present." : ": install or fix what is missing above.");
        return ok;
    }

    private static List<Setup.Need> needs(List<Check.Result> results, Check.Status status) {
        return results.stream().filter(r -> r.status() == status && r.need() != null).map(Check.Result::need).toList();
    }

    static void table(List<Check.Result> results, PrintStream out) {
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
