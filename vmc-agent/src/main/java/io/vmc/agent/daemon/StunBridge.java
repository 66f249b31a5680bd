package io.vmc.agent.daemon;

import io.netty.util.NetUtil;
import io.vmc.stun.Rule;
import io.vmc.stun.StunServer;
import io.vmc.stun.TranslationTable;
import io.vmc.transport.proto.ReportClientAddresses;
import io.vmc.transport.proto.TransportAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the engine's {@code ReportClientAddresses} into fake-stun's translation table, so that a
 * non-ICE softphone in the VM learns the thin client's address from STUN. Optionally runs the
 * STUN server in this process ({@code --stun-port}).
 */
final class StunBridge implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StunBridge.class);
    static final String SOURCE = "agentd:engine";

    private final TranslationTable table;
    private final StunServer server;

    StunBridge(TranslationTable table, StunServer server) {
        this.table = table;
        this.server = server;
    }

    static StunBridge start(InetAddress bind, int port) throws IOException {
        TranslationTable t = new TranslationTable();
        InetSocketAddress a = new InetSocketAddress(bind, port);
        StunServer s = StunServer.builder().udp(a).tcp(a).translationTable(t).threads(1).build().start();
        return new StunBridge(t, s);
    }

    TranslationTable table() {
        return table;
    }

    List<InetSocketAddress> udpAddresses() {
        return server == null ? List.of() : server.udpAddresses();
    }

    /** Applies a report; the client's server-reflexive address wins over its host address. */
    void apply(ReportClientAddresses report) {
        InetAddress mapped = first(report.getServerReflexiveList());
        if (mapped == null) {
            mapped = first(report.getHostList());
        }
        if (mapped == null) {
            table.removeDynamicRules(SOURCE);
            log.info("engine reported no usable client address: STUN translation removed");
            return;
        }
        table.setDynamicRules(SOURCE, List.of(Rule.builder().anySource().mapTo(mapped).build()));
        log.info("STUN clients in this VM are now told the thin client's address {}", mapped.getHostAddress());
    }

    void clear() {
        table.removeDynamicRules(SOURCE);
    }

    /** The first valid IP literal (never a DNS name: the engine's input is not trusted blindly). */
    static InetAddress first(List<TransportAddress> list) {
        for (TransportAddress a : list) {
            if (a.getIp().length() <= 45 && a.getPort() <= 65535) {
                byte[] raw = NetUtil.createByteArrayFromIpAddressString(a.getIp());
                if (raw != null) {
                    try {
                        return InetAddress.getByAddress(raw);
                    } catch (java.net.UnknownHostException e) {
                        // cannot happen for 4 or 16 bytes
                    }
                }
            }
        }
        return null;
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
