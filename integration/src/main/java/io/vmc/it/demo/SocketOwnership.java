package io.vmc.it.demo;

import io.vmc.it.lab.Shell;
import io.vmc.it.lab.VmcProcess;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The loopback stand-in for a packet capture on the VDI side: media sockets must belong to the
 * engines, and the VM's processes (agentd, softphone) may own no UDP socket except SIP.
 */
final class SocketOwnership {
    private static final Pattern SOCKET = Pattern.compile("\\S+\\s+\\d+\\s+\\d+\\s+(\\S+):(\\d+)\\s.*pid=(\\d+),");

    private SocketOwnership() {}

    /**
     * Looks at the UDP sockets of the running processes (call it mid-call); adds failures to
     * {@code failures}. {@code sipPorts} are the softphones' own SIP ports, the only UDP they may use.
     */
    static void check(List<VmcProcess> processes, java.util.Set<Integer> sipPorts, List<String> failures,
            PrintStream out) throws IOException {
        List<String> sockets = Shell.run("ss", "-uanpH").lines().toList();
        long engineSockets = 0;
        for (VmcProcess p : processes) {
            if (!p.isAlive()) {
                continue;
            }
            List<String> owned = sockets.stream().filter(l -> owner(l) == p.pid()).toList();
            if (p.name().endsWith("engine")) {
                engineSockets += owned.size();
            } else {
                List<String> media = owned.stream().filter(l -> !sipPorts.contains(port(l))).toList();
                if (!media.isEmpty()) {
                    failures.add(p.name() + " owns UDP sockets besides SIP (media inside the VM?): " + media);
                }
            }
        }
        boolean ok = engineSockets > 0 && failures.stream().noneMatch(f -> f.contains("owns UDP"));
        out.printf("  [%s] media sockets belong to the engines only (%d engine UDP sockets; agents and softphones: SIP only)%n",
                ok ? "ok" : "FAIL", engineSockets);
        if (engineSockets == 0) {
            failures.add("no engine owns a UDP socket: where did the media go?");
        }
    }

    private static int port(String ssLine) {
        Matcher m = SOCKET.matcher(ssLine);
        return m.find() ? Integer.parseInt(m.group(2)) : -1;
    }

    private static long owner(String ssLine) {
        Matcher m = SOCKET.matcher(ssLine);
        return m.find() ? Long.parseLong(m.group(3)) : -1;
    }
}
