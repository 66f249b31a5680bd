package io.vmc.stun;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which mapped address a STUN request gets, by its source. Thread-safe; changes apply to the next
 * request, with no restart.
 *
 * <p>Two kinds of rules: <em>file rules</em> (from a rule file, replaced as a whole by
 * {@link #setFileRules} or a {@link #watchFile watched file}) and <em>dynamic rules</em>, grouped by the
 * name of whoever pushed them (agentd pushes the engine's {@code ReportClientAddresses} per guest user
 * or session) and replaced group by group with {@link #setDynamicRules}. A request is matched against
 * the dynamic rules first, groups in the order they were first set, then the file rules in file order;
 * the first rule that matches wins. A request that matches none is answered with its observed address.
 *
 * <p>Lookups read an immutable snapshot through one volatile read and do not allocate; updates copy.
 */
public final class TranslationTable {
    /** Maximum number of rules in one dynamic group. */
    public static final int MAX_DYNAMIC_RULES_PER_SOURCE = 256;
    /** Maximum number of dynamic groups. */
    public static final int MAX_DYNAMIC_SOURCES = 4096;

    private static final Rule[] NONE = new Rule[0];

    private final Object lock = new Object();
    private final Map<String, List<Rule>> dynamic = new LinkedHashMap<>();
    private List<Rule> fileRules = List.of();
    private volatile Rule[] snapshot = NONE;
    private volatile long version;

    /** Replaces the file rules (in order). */
    public void setFileRules(List<Rule> rules) {
        List<Rule> copy = List.copyOf(rules);
        synchronized (lock) {
            fileRules = copy;
            publish();
        }
    }

    /**
     * Replaces the dynamic rules pushed under {@code source} (for example {@code "agentd:alice"}); an
     * empty list removes the group.
     */
    public void setDynamicRules(String source, List<Rule> rules) {
        Objects.requireNonNull(source, "source must not be null");
        List<Rule> copy = List.copyOf(rules);
        if (copy.size() > MAX_DYNAMIC_RULES_PER_SOURCE) {
            throw new IllegalArgumentException("rules for '" + source + "': " + copy.size()
                    + " exceed the allowed maximum (" + MAX_DYNAMIC_RULES_PER_SOURCE + ")");
        }
        synchronized (lock) {
            if (copy.isEmpty()) {
                if (dynamic.remove(source) == null) {
                    return;
                }
            } else {
                if (!dynamic.containsKey(source) && dynamic.size() >= MAX_DYNAMIC_SOURCES) {
                    throw new IllegalStateException("dynamic rule sources: " + dynamic.size()
                            + " already, the allowed maximum is " + MAX_DYNAMIC_SOURCES);
                }
                dynamic.put(source, copy);
            }
            publish();
        }
    }

    /** Same as {@code setDynamicRules(source, List.of())}. */
    public void removeDynamicRules(String source) {
        setDynamicRules(source, List.of());
    }

    /** The names under which dynamic rules are currently set. */
    public List<String> dynamicSources() {
        synchronized (lock) {
            return List.copyOf(dynamic.keySet());
        }
    }

    /** All rules in evaluation order. */
    public List<Rule> rules() {
        return List.of(snapshot);
    }

    /** The first matching rule, or null. Allocation-free; called for every request. */
    public Rule lookup(InetAddress address, int port) {
        for (Rule r : snapshot) {
            if (r.matches(address, port)) {
                return r;
            }
        }
        return null;
    }

    /** The address a request from {@code observed} is told it comes from. */
    public InetSocketAddress translate(InetSocketAddress observed) {
        Rule r = lookup(observed.getAddress(), observed.getPort());
        return r == null ? observed : r.map(observed);
    }

    /** Incremented by every change; lets callers and tests see that an update happened. */
    public long version() {
        return version;
    }

    /**
     * Loads {@code file} as file rules now (throwing if it cannot be read or parsed) and reloads it
     * whenever it changes until the returned handle is closed. A later version with an error is
     * rejected as a whole and logged; the rules in effect stay. A deleted file keeps the last rules.
     */
    public Closeable watchFile(Path file) throws IOException {
        return RuleFileWatcher.start(this, file);
    }

    /** Parses rule-file text (one rule per line, {@code #} comments); {@code origin} names it in errors. */
    public static List<Rule> parseRules(String text, String origin) {
        return RuleParser.parseFile(text, origin);
    }

    private void publish() {
        List<Rule> all = new ArrayList<>();
        dynamic.values().forEach(all::addAll);
        all.addAll(fileRules);
        snapshot = all.toArray(NONE);
        version++;
    }
}
