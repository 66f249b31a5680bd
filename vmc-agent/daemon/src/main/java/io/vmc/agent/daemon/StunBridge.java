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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the engine's {@code ReportClientAddresses} into fake-stun's translation table, one rule set
 * per session: only STUN requests from the sources the app named for that session
 * ({@code SessionOptions.stun_sources}) learn the thin client's address, and only until the session
 * ends (see docs/fake-stun-limits.md). Optionally runs the STUN server in this process
 * ({@code --stun-port}). Thread-safe.
 */
final class StunBridge implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StunBridge.class);
    /** Dynamic rule sources are this prefix and the agentd session id. */
    static final String SOURCE_PREFIX = "agentd:session:";
    /** Most STUN sources one session may name. */
    static final int MAX_SOURCES = 8;

    private final TranslationTable table;
    private final StunServer server;
    private final Set<String> sessions = ConcurrentHashMap.newKeySet();

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

    /**
     * Sets the rules of one session from the engine's report for it (replacing earlier ones); the
     * client's server-reflexive address wins over its host address.
     */
    void apply(String sessionId, List<TransportAddress> sources, ReportClientAddresses report) {
        InetAddress mapped = first(report.getServerReflexiveList());
        if (mapped == null) {
            mapped = first(report.getHostList());
        }
        List<Rule> rules = mapped == null ? List.of() : rules(sources, mapped);
        if (rules.isEmpty()) {
            withdraw(sessionId);
            log.info("session {}: no client address or no STUN source: no STUN translation", sessionId);
            return;
        }
        table.setDynamicRules(SOURCE_PREFIX + sessionId, rules);
        sessions.add(sessionId);
        log.info("session {}: STUN requests from {} are told the thin client's address {} until the session ends",
                sessionId, describe(sources), mapped.getHostAddress());
    }

    /** The session ended (or left the engine): its rules go. */
    void withdraw(String sessionId) {
        if (sessions.remove(sessionId)) {
            table.removeDynamicRules(SOURCE_PREFIX + sessionId);
            log.info("session {}: STUN translation withdrawn", sessionId);
        }
    }

    /** The engine went away: every session's rules go. */
    void clear() {
        for (String s : List.copyOf(sessions)) {
            withdraw(s);
        }
    }

    /**
     * One rule per source: its address (or any address, for an unspecified one) and exactly its port,
     * mapped to {@code mapped} with the observed port kept. Sources that do not parse are left out
     * (agentd checked them when the session was created).
     */
    static List<Rule> rules(List<TransportAddress> sources, InetAddress mapped) {
        List<Rule> out = new ArrayList<>();
        for (TransportAddress s : sources.subList(0, Math.min(sources.size(), MAX_SOURCES))) {
            if (checkSource(s) != null) {
                continue;
            }
            Rule.Builder b = Rule.builder().sourcePorts(s.getPort(), s.getPort()).mapTo(mapped);
            InetAddress a = s.getIp().isEmpty() ? null : parse(s.getIp());
            if (a == null || a.isAnyLocalAddress()) {
                b.anySource();
            } else {
                b.source(a);
            }
            out.add(b.build());
        }
        return out;
    }

    /** Why a source from an app is not usable, or null: port 1..65535, the address empty or an IP literal. */
    static String checkSource(TransportAddress s) {
        if (s.getPort() < 1 || s.getPort() > 65535) {
            return "stun_sources: port must be 1..65535, got " + s.getPort();
        }
        if (!s.getIp().isEmpty() && parse(s.getIp()) == null) {
            String ip = s.getIp().length() > 45 ? s.getIp().substring(0, 45) + "..." : s.getIp();
            return "stun_sources: \"" + ip + "\" is not an IP address";
        }
        return null;
    }

    private static String describe(List<TransportAddress> sources) {
        List<String> out = new ArrayList<>();
        for (TransportAddress s : sources) {
            out.add((s.getIp().isEmpty() ? "*" : s.getIp()) + ":" + s.getPort());
        }
        return String.join(", ", out);
    }

    /** The first valid IP literal (never a DNS name: the engine's input is not trusted blindly). */
    static InetAddress first(List<TransportAddress> list) {
        for (TransportAddress a : list) {
            if (a.getPort() <= 65535) {
                InetAddress ip = parse(a.getIp());
                if (ip != null) {
                    return ip;
                }
            }
        }
        return null;
    }

    private static InetAddress parse(String ip) {
        if (ip.length() > 45) {
            return null;
        }
        byte[] raw = NetUtil.createByteArrayFromIpAddressString(ip);
        if (raw == null) {
            return null;
        }
        try {
            return InetAddress.getByAddress(raw);
        } catch (java.net.UnknownHostException e) {
            return null; // cannot happen for 4 or 16 bytes
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
