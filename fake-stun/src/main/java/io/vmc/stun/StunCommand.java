package io.vmc.stun;

import io.netty.util.NetUtil;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.Closeable;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code vmc stun}: runs the STUN server until interrupted (Ctrl-C, SIGTERM or thread interrupt). */
@Command(name = "stun", mixinStandardHelpOptions = true,
        description = {"STUN server (RFC 8489 Binding, UDP and TCP) for the guest network that answers",
                "softphones with the thin client's address, by the translation rules.",
                "Requests matching no rule get their true observed address."},
        footer = {"", "Rule file: one rule per line, 'SOURCE -> MAPPED', # comments, reloaded on change.",
                "  10.0.0.5 -> 192.0.2.10                   keep the observed port",
                "  10.0.0.0/24:5000-5999 -> 192.0.2.10:40000  fixed port",
                "  [fd00::/64] -> [2001:db8::7]",
                "Without --udp and --tcp it listens on 0.0.0.0:3478 for both."})
public final class StunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--udp", paramLabel = "ADDR:PORT", description = "UDP address to listen on, repeatable (IPv6: [ADDR]:PORT; PORT alone: all IPv4 addresses).")
    List<String> udp = new ArrayList<>();

    @Option(names = "--tcp", paramLabel = "ADDR:PORT", description = "TCP address to listen on, repeatable.")
    List<String> tcp = new ArrayList<>();

    @Option(names = "--rules", paramLabel = "FILE", description = "Translation rule file; reloaded when it changes.")
    Path rules;

    @Option(names = "--software", paramLabel = "TEXT", description = "SOFTWARE attribute; empty to leave it out (default: ${DEFAULT-VALUE}).")
    String software = StunServer.DEFAULT_SOFTWARE;

    @Option(names = "--threads", paramLabel = "N", description = "Event loop threads (default: number of processors).")
    Integer threads;

    @Option(names = "--no-epoll", description = "Use Java NIO even where native epoll is available.")
    boolean noEpoll;

    private final TranslationTable table;
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile StunServer server;

    public StunCommand() {
        this(new TranslationTable());
    }

    /** With a table owned by the caller (agentd in the same JVM pushes dynamic rules into it). */
    public StunCommand(TranslationTable table) {
        this.table = table;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new StunCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        StunServer.Builder b = StunServer.builder().translationTable(table)
                .software(software.isEmpty() ? null : software).preferNativeTransport(!noEpoll);
        if (threads != null) {
            b.threads(threads);
        }
        if (udp.isEmpty() && tcp.isEmpty()) {
            b.udp(new InetSocketAddress(StunServer.DEFAULT_PORT)).tcp(new InetSocketAddress(StunServer.DEFAULT_PORT));
        }
        try {
            for (String s : udp) {
                b.udp(parseAddress(s, "--udp"));
            }
            for (String s : tcp) {
                b.tcp(parseAddress(s, "--tcp"));
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        Closeable watcher = null;
        try {
            if (rules != null) {
                try {
                    watcher = table.watchFile(rules);
                } catch (IOException | RuleSyntaxException e) {
                    err.println("fake-stun: cannot load rules: " + e.getMessage());
                    err.flush();
                    return 1;
                }
            }
            StunServer s = b.build();
            try {
                s.start();
            } catch (IOException e) {
                err.println("fake-stun: " + e.getMessage());
                err.flush();
                return 1;
            }
            server = s;
            CountDownLatch stopped = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                s.close();
                stopped.countDown();
            }, "fake-stun-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            for (InetSocketAddress a : s.udpAddresses()) {
                out.println("fake-stun listening on udp " + NetUtil.toSocketAddressString(a));
            }
            for (InetSocketAddress a : s.tcpAddresses()) {
                out.println("fake-stun listening on tcp " + NetUtil.toSocketAddressString(a));
            }
            out.println("fake-stun " + s.transportName() + ", " + table.rules().size() + " rules");
            out.flush();
            started.countDown();
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Runtime.getRuntime().removeShutdownHook(hook);
                s.close();
            }
            return 0;
        } finally {
            if (watcher != null) {
                watcher.close();
            }
        }
    }

    /** The running server, or null before it started (for in-process callers and tests). */
    public StunServer server() {
        return server;
    }

    /** The table this command serves. */
    public TranslationTable translationTable() {
        return table;
    }

    /** Waits until the server listens. */
    public void awaitStarted() throws InterruptedException {
        started.await();
    }

    static InetSocketAddress parseAddress(String s, String option) {
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf("]:");
            if (close < 0) {
                throw bad(option, s);
            }
            host = s.substring(1, close);
            port = s.substring(close + 2);
        } else if (s.indexOf(':') >= 0 && s.indexOf(':') == s.lastIndexOf(':')) {
            host = s.substring(0, s.indexOf(':'));
            port = s.substring(s.indexOf(':') + 1);
        } else if (s.chars().allMatch(Character::isDigit) && !s.isEmpty()) {
            host = "0.0.0.0";
            port = s;
        } else {
            throw bad(option, s);
        }
        byte[] addr = host.isEmpty() || host.equals("*") ? new byte[4] : NetUtil.createByteArrayFromIpAddressString(host);
        if (addr == null || port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit)
                || Integer.parseInt(port) > 65535) {
            throw bad(option, s);
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(addr), Integer.parseInt(port));
        } catch (UnknownHostException e) {
            throw bad(option, s);
        }
    }

    private static IllegalArgumentException bad(String option, String value) {
        return new IllegalArgumentException(
                option + " '" + value + "' is not ADDR:PORT, [IPV6]:PORT or PORT (address literals only)");
    }
}
