package io.vmc.stun;

import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** Text form of rules and rule files; see {@link Rule} and the module README. */
final class RuleParser {
    /** Rule files longer than this are rejected: they are written by hand or by agentd, never huge. */
    static final int MAX_RULES_PER_FILE = 10_000;
    /** Longest accepted line in a rule file. */
    static final int MAX_LINE_CHARS = 1024;

    private RuleParser() {
    }

    static List<Rule> parseFile(String text, String origin) {
        List<Rule> rules = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.length() > MAX_LINE_CHARS) {
                throw new RuleSyntaxException(origin + ":" + (i + 1) + ": line of " + line.length()
                        + " characters exceeds the allowed maximum (" + MAX_LINE_CHARS + ")");
            }
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash);
            }
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            if (rules.size() == MAX_RULES_PER_FILE) {
                throw new RuleSyntaxException(origin + ":" + (i + 1) + ": more than the allowed maximum of "
                        + MAX_RULES_PER_FILE + " rules");
            }
            rules.add(parseRule(line, origin, i + 1));
        }
        return rules;
    }

    static Rule parseRule(String text, String origin, int lineNo) {
        String where = lineNo > 0 ? origin + ":" + lineNo + ": " : origin + ": ";
        int arrow = text.indexOf("->");
        if (arrow < 0 || text.indexOf("->", arrow + 2) >= 0) {
            throw new RuleSyntaxException(where + "expected 'SOURCE -> MAPPED', got '" + text + "'");
        }
        String src = text.substring(0, arrow).strip();
        String dst = text.substring(arrow + 2).strip();
        try {
            Rule.Builder b = Rule.builder();
            parseSource(src, b);
            parseMapped(dst, b);
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new RuleSyntaxException(where + e.getMessage() + " in '" + text + "'");
        }
    }

    private static void parseSource(String s, Rule.Builder b) {
        if (s.isEmpty()) {
            throw new IllegalArgumentException("source is empty");
        }
        String addr;
        String ports = null;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'[' without ']' in source '" + s + "'");
            }
            addr = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("unexpected '" + rest + "' after ']' in source");
                }
                ports = rest.substring(1);
            }
        } else {
            int colon = s.indexOf(':');
            if (colon >= 0 && s.indexOf(':', colon + 1) >= 0) {
                addr = s; // bare IPv6, no ports
            } else if (colon >= 0) {
                addr = s.substring(0, colon);
                ports = s.substring(colon + 1);
            } else {
                addr = s;
            }
        }
        if (addr.equals("*")) {
            b.anySource();
        } else {
            int slash = addr.indexOf('/');
            InetAddress a = literal(slash < 0 ? addr : addr.substring(0, slash), "source");
            int max = a.getAddress().length * 8;
            int prefix = slash < 0 ? max : number(addr.substring(slash + 1), "prefix length");
            b.source(a, prefix);
        }
        if (ports != null && !ports.equals("*")) {
            int dash = ports.indexOf('-');
            int lo = number(dash < 0 ? ports : ports.substring(0, dash), "source port");
            int hi = dash < 0 ? lo : number(ports.substring(dash + 1), "source port");
            b.sourcePorts(lo, hi);
        }
    }

    private static void parseMapped(String s, Rule.Builder b) {
        if (s.isEmpty()) {
            throw new IllegalArgumentException("mapped address is empty");
        }
        String addr;
        String port = null;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'[' without ']' in mapped address '" + s + "'");
            }
            addr = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("unexpected '" + rest + "' after ']' in mapped address");
                }
                port = rest.substring(1);
            }
        } else {
            int colon = s.indexOf(':');
            if (colon >= 0 && s.indexOf(':', colon + 1) < 0) {
                addr = s.substring(0, colon);
                port = s.substring(colon + 1);
            } else {
                addr = s;
            }
        }
        b.mapTo(literal(addr, "mapped address"));
        if (port != null) {
            int p = number(port, "mapped port");
            if (p == 0) {
                throw new IllegalArgumentException("mapped port 0 is not allowed; leave the port out to keep the observed one");
            }
            b.mapToPort(p);
        }
    }

    private static InetAddress literal(String s, String what) {
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(s);
        if (bytes == null) {
            throw new IllegalArgumentException(what + " '" + s + "' is not an IPv4 or IPv6 literal");
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(what + " '" + s + "': " + e.getMessage(), e);
        }
    }

    private static int number(String s, String what) {
        if (s.isEmpty() || s.length() > 5 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException(what + " '" + s + "' is not a number from 0 to 65535");
        }
        int v = Integer.parseInt(s);
        if (v > 65535) {
            throw new IllegalArgumentException(what + " " + v + " exceeds 65535");
        }
        return v;
    }
}
