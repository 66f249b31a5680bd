package io.vmc.it.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The VDI topology in network namespaces on this machine: one namespace for the VDI server side
 * (VMs: agentd, softphones, SIP), one per thin client (engine), a link from each client to the
 * VDI side (the SPICE/control path) and an "office" link between the clients (where media must
 * go). Needs root and iproute2. Everything is removed by {@link #close()}.
 *
 * <pre>
 *   client A (ns ...-ca)  ca-v 10.77.1.1 ──── 10.77.1.2 v-a ┐
 *                                                           ├ VDI (ns ...-vdi)
 *   client B (ns ...-cb)  cb-v 10.77.2.1 ──── 10.77.2.2 v-b ┘
 *   client A  ca-o 10.77.3.1 ──────── office link ──────── 10.77.3.2 cb-o  client B
 * </pre>
 */
public final class NetworkLab implements AutoCloseable {

    /** One namespace with its addresses. */
    public record Host(String namespace, String controlInterface, String controlAddress,
            String officeInterface, String officeAddress) {}

    private final String prefix;
    private final List<String> namespaces = new ArrayList<>();
    private final Host vdi;
    private final Host clientA;
    private final Host clientB;

    private NetworkLab(String prefix) {
        this.prefix = prefix;
        this.vdi = new Host(prefix + "-vdi", null, null, null, null);
        this.clientA = new Host(prefix + "-ca", prefix + "ca-v", "10.77.1.1", prefix + "ca-o", "10.77.3.1");
        this.clientB = new Host(prefix + "-cb", prefix + "cb-v", "10.77.2.1", prefix + "cb-o", "10.77.3.2");
    }

    /** Whether this process can build the lab (root with the ip tool). */
    public static boolean isSupported() {
        boolean root = "root".equals(System.getProperty("user.name"));
        return root && (Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip")));
    }

    /** Creates the namespaces and links; on failure removes what it made. */
    public static NetworkLab create() throws IOException {
        return create("vm");
    }

    /**
     * Like {@link #create()} with namespace and interface names starting with {@code tag} (at most
     * 6 characters: interface names are limited to 15) and a random suffix.
     */
    public static NetworkLab create(String tag) throws IOException {
        if (tag.length() > 6) {
            throw new IllegalArgumentException("tag must be at most 6 characters, was '" + tag + "'");
        }
        String prefix = tag + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36), 36);
        NetworkLab lab = new NetworkLab(prefix);
        try {
            lab.build();
            return lab;
        } catch (IOException | RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    private void build() throws IOException {
        for (Host h : List.of(vdi, clientA, clientB)) {
            Shell.run("ip", "netns", "add", h.namespace());
            namespaces.add(h.namespace());
            Shell.run("ip", "-n", h.namespace(), "link", "set", "lo", "up");
        }
        link(clientA.namespace(), clientA.controlInterface(), clientA.controlAddress(),
                vdi.namespace(), vdiSide("a"), "10.77.1.2");
        link(clientB.namespace(), clientB.controlInterface(), clientB.controlAddress(),
                vdi.namespace(), vdiSide("b"), "10.77.2.2");
        link(clientA.namespace(), clientA.officeInterface(), clientA.officeAddress(),
                clientB.namespace(), clientB.officeInterface(), clientB.officeAddress());
    }

    private static void link(String nsA, String ifA, String addrA, String nsB, String ifB, String addrB)
            throws IOException {
        Shell.run("ip", "link", "add", ifA, "type", "veth", "peer", "name", ifB);
        Shell.run("ip", "link", "set", ifA, "netns", nsA);
        Shell.run("ip", "link", "set", ifB, "netns", nsB);
        Shell.run("ip", "-n", nsA, "addr", "add", addrA + "/24", "dev", ifA);
        Shell.run("ip", "-n", nsB, "addr", "add", addrB + "/24", "dev", ifB);
        Shell.run("ip", "-n", nsA, "link", "set", ifA, "up");
        Shell.run("ip", "-n", nsB, "link", "set", ifB, "up");
    }

    private String vdiSide(String party) {
        return prefix + "v-" + party;
    }

    public Host vdi() {
        return vdi;
    }

    public Host clientA() {
        return clientA;
    }

    public Host clientB() {
        return clientB;
    }

    /** The VDI side's end of client A's and client B's control links: capture here for hairpins. */
    public List<String> vdiInterfaces() {
        return List.of(vdiSide("a"), vdiSide("b"));
    }

    /** The VDI side's address on the link to client A (agentd A connects to engine A from here). */
    public String vdiAddressTowardsA() {
        return "10.77.1.2";
    }

    public String vdiAddressTowardsB() {
        return "10.77.2.2";
    }

    /** {@code command} run inside {@code namespace} (unchanged when the namespace is null). */
    public static List<String> inNamespace(String namespace, List<String> command) {
        if (namespace == null) {
            return command;
        }
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(command);
        return full;
    }

    @Override
    public void close() {
        // Deleting a namespace removes its veth ends (and their peers).
        for (String ns : namespaces) {
            killAll(ns);
            Shell.runQuietly("ip", "netns", "del", ns);
        }
        namespaces.clear();
    }

    /** Kills every process that runs in {@code ns} (for clean-up paths). */
    public static void killAll(String ns) {
        try {
            for (String pid : Shell.run("ip", "netns", "pids", ns).split("\\s+")) {
                if (!pid.isBlank()) {
                    Shell.runQuietly("kill", "-9", pid.trim());
                }
            }
        } catch (IOException ignored) {
            // namespace already gone
        }
    }
}
