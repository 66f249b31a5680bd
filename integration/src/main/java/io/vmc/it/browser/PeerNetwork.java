package io.vmc.it.browser;

import io.vmc.it.lab.NetworkLab;
import io.vmc.it.lab.Shell;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * Two network namespaces for WebRTC peers, linked by a veth pair, and a second veth pair from
 * this (the test's) namespace into the first, for an engine running in this JVM. Browsers leave
 * out loopback candidates, and with {@code --allow-loopback-in-peer-connection} DTLS stalled in
 * most calls in our tries: real interfaces in namespaces are what they use. Needs root and
 * iproute2; {@link #close()} removes everything, also what runs inside.
 *
 * <pre>
 *   this namespace  chromiumNNNNe 10.77.E.1 ──── 10.77.E.2 ┐
 *                                                         peer A (chromium-NNNN-a) 10.77.P.1 ──── 10.77.P.2 peer B (chromium-NNNN-b)
 * </pre>
 */
public final class PeerNetwork implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One side: a namespace and its address on the link. */
    public record Side(String namespace, String address) {}

    private final String id = Integer.toHexString(0x1000 + RANDOM.nextInt(0xefff));
    private final List<String> namespaces = new ArrayList<>();
    private final String engineInterface = "chromium" + id + "e";
    private final Side a;
    private final Side b;
    private final String engineAddress;
    private final String peerAddressTowardsEngine;

    private PeerNetwork(int peerNet, int engineNet) {
        a = new Side("chromium-" + id + "-a", "10.77." + peerNet + ".1");
        b = new Side("chromium-" + id + "-b", "10.77." + peerNet + ".2");
        engineAddress = "10.77." + engineNet + ".1";
        peerAddressTowardsEngine = "10.77." + engineNet + ".2";
    }

    /** Whether this process can build the namespaces (root with the ip tool). */
    public static boolean isSupported() {
        return NetworkLab.isSupported();
    }

    /** Creates the namespaces and links; on failure removes what it made. */
    public static PeerNetwork create() throws IOException {
        // Subnets 10.77.100-249.x: the rest of 10.77 is the demo's (inside its own namespaces).
        String used = Shell.run("ip", "-o", "-4", "addr");
        int peerNet;
        int engineNet;
        do {
            peerNet = 100 + RANDOM.nextInt(150);
            engineNet = 100 + RANDOM.nextInt(150);
        } while (peerNet == engineNet || used.contains("10.77." + engineNet + "."));
        PeerNetwork n = new PeerNetwork(peerNet, engineNet);
        try {
            n.build();
            return n;
        } catch (IOException | RuntimeException e) {
            n.close();
            throw e;
        }
    }

    private void build() throws IOException {
        for (Side s : List.of(a, b)) {
            Shell.run("ip", "netns", "add", s.namespace());
            namespaces.add(s.namespace());
            Shell.run("ip", "-n", s.namespace(), "link", "set", "lo", "up");
        }
        String ifA = "chromium" + id + "a";
        String ifB = "chromium" + id + "b";
        Shell.run("ip", "link", "add", ifA, "type", "veth", "peer", "name", ifB);
        up(a.namespace(), ifA, a.address());
        up(b.namespace(), ifB, b.address());

        String inA = "chromium" + id + "f";
        Shell.run("ip", "link", "add", engineInterface, "type", "veth", "peer", "name", inA);
        Shell.run("ip", "addr", "add", engineAddress + "/24", "dev", engineInterface);
        Shell.run("ip", "link", "set", engineInterface, "up");
        up(a.namespace(), inA, peerAddressTowardsEngine);
    }

    private static void up(String namespace, String iface, String address) throws IOException {
        Shell.run("ip", "link", "set", iface, "netns", namespace);
        Shell.run("ip", "-n", namespace, "addr", "add", address + "/24", "dev", iface);
        Shell.run("ip", "-n", namespace, "link", "set", iface, "up");
    }

    /** Peer A's namespace: linked to B and to the engine. */
    public Side a() {
        return a;
    }

    /** Peer B's namespace: linked to A. */
    public Side b() {
        return b;
    }

    /** This namespace's end of the link into A: the ICE address for an engine in this JVM. */
    public String engineAddress() {
        return engineAddress;
    }

    /** A's address on the link to the engine. */
    public String peerAddressTowardsEngine() {
        return peerAddressTowardsEngine;
    }

    @Override
    public void close() {
        // Deleting a namespace removes its veth ends and their peers (also the engine link).
        for (String ns : namespaces) {
            NetworkLab.killAll(ns);
            Shell.runQuietly("ip", "netns", "del", ns);
        }
        namespaces.clear();
        Shell.runQuietly("ip", "link", "del", engineInterface);
    }
}
