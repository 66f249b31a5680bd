package io.vmc.it.lab;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Random UDP loss on one interface of a namespace, both ways, with nftables ({@code numgen
 * random}): the media path of a thin client on a bad network. 100 % is an outage. Needs root and
 * nft; {@link #close()} removes the table.
 */
public final class PacketLoss implements AutoCloseable {
    private static final String TABLE = "vmc_loss";
    private final String namespace;
    private final String device;

    private PacketLoss(String namespace, String device) {
        this.namespace = namespace;
        this.device = device;
    }

    /** Creates the (empty) rules in {@code namespace} for {@code device}: no loss yet. */
    public static PacketLoss on(String namespace, String device) throws IOException {
        PacketLoss l = new PacketLoss(namespace, device);
        l.nft("add", "table", "inet", TABLE);
        l.nft("add", "chain", "inet", TABLE, "in", "{ type filter hook input priority 0 ; }");
        l.nft("add", "chain", "inet", TABLE, "out", "{ type filter hook output priority 0 ; }");
        return l;
    }

    /** Drops {@code percent} % of UDP packets from now on, in and out (0: none, 100: all). */
    public void set(int percent) throws IOException {
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("percent must be 0..100, was " + percent);
        }
        for (String chain : List.of("in", "out")) {
            nft("flush", "chain", "inet", TABLE, chain);
            if (percent > 0) {
                List<String> rule = new ArrayList<>(List.of("add", "rule", "inet", TABLE, chain,
                        chain.equals("in") ? "iifname" : "oifname", device, "meta", "l4proto", "udp"));
                if (percent < 100) {
                    rule.addAll(List.of("numgen", "random", "mod", "100", "<", Integer.toString(percent)));
                }
                rule.add("drop");
                nft(rule.toArray(String[]::new));
            }
        }
    }

    private void nft(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("nft"));
        command.addAll(List.of(args));
        Shell.run(NetworkLab.inNamespace(namespace, command));
    }

    @Override
    public void close() {
        Shell.runQuietly(NetworkLab.inNamespace(namespace, List.of("nft", "delete", "table", "inet", TABLE)).toArray(String[]::new));
    }
}
