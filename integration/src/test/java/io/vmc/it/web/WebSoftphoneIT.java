package io.vmc.it.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vmc.engine.interop.Baresip;
import io.vmc.engine.media.ToneAnalyzer;
import io.vmc.it.browser.BrowserDriver;
import io.vmc.it.lab.NetworkLab;
import io.vmc.it.lab.Ports;
import io.vmc.it.lab.Shell;
import io.vmc.it.lab.VmcProcess;
import io.vmc.it.lab.Waits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An unmodified JsSIP web softphone (vmc-agent/web-sdk/browser-test/pages/softphone: JsSIP and
 * the standard WebRTC API, no VMC code) in headless Chromium with VMC's extension, which the
 * admin's managed policy allows on that page. It registers over WebSocket to a real Kamailio and
 * calls baresip through it, and baresip calls it: the media is the engine's (tones both ways),
 * the mode OPTIMIZED, and the browser has no UDP socket at all. Pages of other sites are refused.
 * Without an engine, the same page's calls run on the browser's own WebRTC (FALLBACK).
 */
@Timeout(240)
class WebSoftphoneIT {
    /** From the public key in the extension's manifest ("key"): the id agentd and the native host allow. */
    static final String EXTENSION_ID = "nddcfhlafdiclpecckjgemeklcgnoffn";
    static final Path POLICIES = Path.of("/etc/chromium/policies/managed");
    private static final int ENGINE_HZ = 440;
    /** baresip's ausine generator comes out at 883 Hz when asked for 880. */
    private static final int BARESIP_HZ = 880;

    @TempDir
    Path dir;
    private final List<AutoCloseable> running = new ArrayList<>();
    private Path policy;

    @AfterEach
    void stopAll() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
        if (policy != null) {
            Files.deleteIfExists(policy);
        }
        // the logs of the last run, for a failure in CI: target/web-softphone-logs
        Path keep = Files.createDirectories(Path.of("target", "web-softphone-logs"));
        try (Stream<Path> logs = Files.walk(dir)) {
            for (Path log : logs.filter(p -> p.toString().endsWith(".log") && !p.toString().contains("profile")).collect(Collectors.toList())) {
                Files.copy(log, keep.resolve(dir.relativize(log).toString().replace('/', '-')), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @Test
    void anUnmodifiedJsSipPageMakesAndTakesOptimizedCallsWithBaresipAndOtherSitesAreRefused() throws Exception {
        Path channel = dir.resolve("channel.sock");
        Path agentSocket = dir.resolve("agent.sock");
        Path received = Files.createDirectories(dir.resolve("engine-received"));
        List<String> engine = new ArrayList<>(List.of("engine", "--channel", "unix-listen:" + channel, "--ice-address", "127.0.0.1",
                "--tone", "" + ENGINE_HZ, "--speaker", "none", "--record-dir", received.toString()));
        engine.addAll(io.vmc.it.demo.LoopbackPolicy.engineOptions(dir));
        running.add(VmcProcess.start("engine", null, dir.resolve("engine.log"), l -> {}, engine));
        int webPort = Ports.freeTcpPort();
        Path conf = Files.writeString(dir.resolve("agentd.conf"), "web-api.allowed-origins = chrome-extension://" + EXTENSION_ID + "\n");
        running.add(VmcProcess.startAgentd("agentd", null, dir.resolve("agentd.log"), l -> {}, List.of(
                "--channel", "unix:" + channel, "--api-socket", agentSocket.toString(), "--no-fallback",
                "--config", conf.toString(), "--web-api", "127.0.0.1:" + webPort)));
        Waits.awaitFile(agentSocket, 60, dir.resolve("agentd.log"));

        Kamailio kamailio = new Kamailio(Files.createDirectories(dir.resolve("kamailio")), null);
        running.add(kamailio);
        int httpPort = Ports.freeTcpPort();
        Path userDir = dir.resolve("user-runtime");
        BrowserDriver browser = startBrowser(httpPort, agentSocket, userDir, null);

        browser.open("alice", "softphone/");
        browser.await("alice", "window.__vmc !== undefined && __vmc.mode !== 'CONNECTING'", 60);
        assertThat(browser.eval("alice", "__vmc.mode + ' ' + __vmc.modeReason").getAsString()).as("%s", browser.eval("alice", "__vmc.modeDetail")).isEqualTo("OPTIMIZED ENGINE_CONNECTED");
        browser.eval("alice", "JsSIP.debug.enable('JsSIP:RTCSession JsSIP:UA')"); // its log, into browser.log
        browser.eval("alice", "phone.start('" + kamailio.wsUrl() + "', 'sip:alice@127.0.0.1')");
        browser.await("alice", "phone.events.some(e => e.ev === 'registered')", 30);

        // 1. alice calls bob through Kamailio
        try (Baresip bob = new Baresip(dir.resolve("bob-1"), BARESIP_HZ, ";mediaenc=srtp-mand", 90)) {
            browser.eval("alice", "phone.call('sip:bob@127.0.0.1:" + bob.sipPort + "')");
            awaitCallWithMedia(browser, 1);
            assertThat(browser.eval("alice", "phone.info().pc").getAsString()).isEqualTo("VmcPeerConnection");
            assertThat(udpSocketsOf(browser.pid())).as("UDP sockets of Chromium's processes during an optimized call").isEmpty();
            browser.eval("alice", "phone.hangup()");
            browser.await("alice", "phone.events.filter(e => e.ev === 'ended').length === 1", 30);
            bob.close(); // flushes its WAV dump
            assertThat(ToneAnalyzer.dominantFrequency(bob.decodedWav())).as("what bob heard").isCloseTo(ENGINE_HZ, within(5.0));
        }
        Path first = newestRecording(received, Set.of());
        assertThat(ToneAnalyzer.dominantFrequency(first)).as("what the engine played for alice").isCloseTo(BARESIP_HZ, within(10.0));

        // 2. bob calls alice (the page answers, as it does for any incoming call)
        try (Baresip bob = new Baresip(dir.resolve("bob-2"), BARESIP_HZ, ";mediaenc=srtp-mand", 90,
                "/dial sip:alice@127.0.0.1:" + kamailio.udpPort)) {
            awaitCallWithMedia(browser, 2);
            assertThat(udpSocketsOf(browser.pid())).isEmpty();
            bob.close(); // hangs up
            browser.await("alice", "phone.events.filter(e => e.ev === 'ended').length === 2", 30);
            assertThat(ToneAnalyzer.dominantFrequency(bob.decodedWav())).isCloseTo(ENGINE_HZ, within(5.0));
        }
        Path second = newestRecording(received, Set.of(first));
        assertThat(ToneAnalyzer.dominantFrequency(second)).isCloseTo(BARESIP_HZ, within(10.0));

        // 3. another site: the extension is not there, and agentd lets none of its attempts in
        browser.open("mallory", "hostile/");
        assertThat(browser.eval("mallory", "typeof window.__vmc + ' ' + RTCPeerConnection.name + ' ' + (navigator.mediaDevices.isCallRedirectionEnabled === undefined)")
                .getAsString()).isEqualTo("undefined RTCPeerConnection true");
        String secret = Files.readString(userDir.resolve("web-api.secret")).strip();
        String ws = "ws://127.0.0.1:" + webPort + "/vmc.v1";
        for (String protocols : List.of("['vmc.v1.json']", "['vmc.v1.json', 'vmc.secret.vmc1.0.guessed']", "['vmc.v1.json', 'vmc.secret." + secret + "']")) {
            assertThat(browser.eval("mallory", "attempt('" + ws + "', " + protocols + ")").getAsString()).as(protocols).isEqualTo("closed 1006");
        }
        // agentd's lines reach its log through the process pump: wait for them, do not race them
        List<String> refusals = org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> Files.readAllLines(dir.resolve("agentd.log")).stream().filter(l -> l.contains("web API: refused"))
                        .collect(Collectors.toList()), l -> l.size() >= 3);
        assertThat(refusals).as("agentd logs each refusal once").hasSize(3).allMatch(l -> l.contains("(Origin http://127.0.0.1:" + httpPort + ")"));
        assertThat(browser.eval("alice", "__vmc._connection.call('getStatus').then(s => (s.sessionIds || []).length)").getAsInt())
                .as("sessions left after the calls and the refused pages").isZero();
    }

    /**
     * The same page, agentd without an engine (the thin client runs none): FALLBACK, and the
     * browser's own WebRTC carries the call with baresip (DTLS-SRTP, ICE). Both sit in a network
     * namespace of this test with a non-loopback address, because baresip's ICE skips 127/8.
     */
    @Test
    void withoutAnEngineThePageIsInFallbackAndTheBrowsersOwnWebRtcCarriesTheCall() throws Exception {
        String ns = "websdk-fb-" + Long.toHexString(System.nanoTime() & 0xffffff);
        Shell.run("ip", "netns", "add", ns);
        running.add(() -> Shell.runQuietly("ip", "netns", "del", ns)); // last: its processes are stopped before
        String address = "10.231.7.1";
        Shell.run("ip", "-n", ns, "link", "set", "lo", "up");
        // a veth pair inside the namespace: an interface with a non-loopback address (no dummy driver here)
        Shell.run("ip", "-n", ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
        Shell.run("ip", "-n", ns, "addr", "add", address + "/24", "dev", "v0");
        Shell.run("ip", "-n", ns, "link", "set", "v0", "up");
        Shell.run("ip", "-n", ns, "link", "set", "v1", "up");

        Path agentSocket = dir.resolve("agent.sock");
        int webPort = Ports.freeTcpPort();
        Path conf = Files.writeString(dir.resolve("agentd.conf"), "web-api.allowed-origins = chrome-extension://" + EXTENSION_ID + "\n");
        running.add(VmcProcess.startAgentd("agentd", ns, dir.resolve("agentd.log"), l -> {}, List.of(
                "--channel", "unix:" + dir.resolve("no-engine.sock"), "--api-socket", agentSocket.toString(), "--no-fallback",
                "--config", conf.toString(), "--web-api", "127.0.0.1:" + webPort)));
        Waits.awaitFile(agentSocket, 60, dir.resolve("agentd.log"));
        Kamailio kamailio = new Kamailio(Files.createDirectories(dir.resolve("kamailio")), ns);
        running.add(kamailio);
        int bobPort = Ports.freeUdpPort();
        Process bob = startDtlsBaresip(dir.resolve("bob"), ns, address, bobPort);
        running.add(() -> {
            bob.destroy();
            bob.waitFor();
        });
        BrowserDriver browser = startBrowser(Ports.freeTcpPort(), agentSocket, dir.resolve("user-runtime"), ns);

        browser.open("alice", "softphone/");
        browser.await("alice", "window.__vmc !== undefined && __vmc.mode !== 'CONNECTING'", 60);
        assertThat(browser.eval("alice", "__vmc.mode").getAsString()).as("%s", browser.eval("alice", "__vmc.modeReason + ' ' + __vmc.modeDetail")).isEqualTo("FALLBACK");
        browser.eval("alice", "phone.start('" + kamailio.wsUrl() + "', 'sip:alice@127.0.0.1')");
        browser.await("alice", "phone.events.some(e => e.ev === 'registered')", 30);
        browser.eval("alice", "phone.call('sip:bob@" + address + ":" + bobPort + "')");
        awaitCallWithMedia(browser, 1);
        assertThat(browser.eval("alice", "phone.info().pc").getAsString()).isEqualTo("RTCPeerConnection");
        assertThat(udpSocketsOf(browser.pid())).as("the browser's own WebRTC has its UDP sockets").isNotEmpty();
        browser.eval("alice", "phone.hangup()");
        browser.await("alice", "phone.events.filter(e => e.ev === 'ended').length === 1", 30);
    }

    /** baresip with ICE and DTLS-SRTP on a non-loopback address: what the browser's own WebRTC needs. */
    private static Process startDtlsBaresip(Path dir, String ns, String address, int port) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config"), String.join("\n", "poll_method epoll", "sip_listen " + address + ":" + port,
                "audio_source ausine," + BARESIP_HZ, "audio_player aubridge,nullsink", "audio_alert aubridge,nullsink",
                "ausrc_srate 48000", "ausrc_channels 2", "rtcp_mux yes", "rtp_timeout 0", "module_path /usr/lib/baresip/modules",
                "module g711.so", "module opus.so", "module srtp.so", "module dtls_srtp.so", "module ice.so", "module ausine.so",
                "module aubridge.so", "module_app account.so", "module_app menu.so", ""));
        Files.writeString(dir.resolve("accounts"), "<sip:bob@" + address + ":" + port + ">;regint=0;answermode=auto;medianat=ice;mediaenc=dtls_srtp\n");
        return new ProcessBuilder(NetworkLab.inNamespace(ns, List.of("baresip", "-f", dir.toString(), "-t", "120")))
                .redirectErrorStream(true).redirectOutput(dir.resolve("baresip.log").toFile()).start();
    }

    /** Starts Chromium with the extension, the admin's policy for it and the native messaging host. */
    private BrowserDriver startBrowser(int httpPort, Path agentSocket, Path userDir, String namespace) throws IOException, InterruptedException {
        Path profile = Files.createDirectories(dir.resolve("browser").resolve("profile"));
        // the native messaging host as the package installs it, here per profile (the browser's user-level folder)
        Path host = dir.resolve("vmc-native-host");
        List<String> cmd = new ArrayList<>(VmcProcess.agentdCommand());
        cmd.addAll(List.of("native-host", "--api-socket", agentSocket.toString(), "--dir", userDir.toString()));
        Files.writeString(host, "#!/bin/sh\nexec " + cmd.stream().map(a -> "'" + a.replace("'", "'\\''") + "'").collect(Collectors.joining(" ")) + " 2>>" + dir.resolve("native-host.log") + "\n");
        Files.setPosixFilePermissions(host, PosixFilePermissions.fromString("rwx------"));
        Path hosts = Files.createDirectories(profile.resolve("NativeMessagingHosts"));
        Files.writeString(hosts.resolve("io.vmc.agent.json"), Files.readString(Path.of("..", "vmc-agent", "packaging", "io.vmc.agent.json"))
                .replace("/usr/lib/vmc/vmc-native-host", host.toString()).replace("EXTENSION_ID", EXTENSION_ID));
        // the admin's list of pages, as managed policy for the extension (only this extension's: other browsers are not affected)
        Files.createDirectories(POLICIES);
        policy = POLICIES.resolve("vmc-websdk-it-" + UUID.randomUUID() + ".json");
        Files.writeString(policy, "{\"3rdparty\": {\"extensions\": {\"" + EXTENSION_ID + "\": {\"allowedUrls\": [\"http://127.0.0.1:" + httpPort + "/softphone/*\"]}}}}\n");
        BrowserDriver b = new BrowserDriver(dir.resolve("browser"), httpPort, BrowserDriver.webSdk().resolve("extension"), namespace);
        running.add(b);
        return b;
    }

    private static void awaitCallWithMedia(BrowserDriver browser, int n) throws IOException, InterruptedException {
        browser.await("alice", "phone.events.filter(e => e.ev === 'confirmed').length === " + n, 60);
        browser.await("alice", "phone.events.filter(e => e.ev === 'connection' && e.state === 'connected').length === " + n, 60);
        // about 3 s of audio each way, on the engine's own count
        browser.await("alice", "phone.stats().then(s => s['inbound-rtp']?.packetsReceived > 150 && s['outbound-rtp']?.packetsSent > 150)", 60);
    }

    private static Path newestRecording(Path dir, Set<Path> seen) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".wav") && !seen.contains(p))
                    .max(java.util.Comparator.comparingLong(p -> p.toFile().lastModified()))
                    .orElseThrow(() -> new AssertionError("the engine recorded nothing new in " + dir));
        }
    }

    /** The UDP sockets (inodes) that Chromium's processes hold: its WebRTC would need some for RTP. */
    static Set<String> udpSocketsOf(long browserPid) throws IOException {
        Set<String> udp = new HashSet<>();
        for (String table : List.of("udp", "udp6")) { // the browser's network namespace's tables
            List<String> lines = Files.readAllLines(Path.of("/proc", Long.toString(browserPid), "net", table));
            for (String line : lines.subList(1, lines.size())) {
                udp.add(line.trim().split("\\s+")[9]);
            }
        }
        Set<String> held = new HashSet<>();
        for (long pid : processTree(browserPid)) {
            try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
                fds.forEach(fd -> {
                    try {
                        String target = Files.readSymbolicLink(fd).toString();
                        if (target.startsWith("socket:[")) {
                            String inode = target.substring(8, target.length() - 1);
                            if (udp.contains(inode)) {
                                held.add(pid + ":" + inode);
                            }
                        }
                    } catch (IOException e) {
                        // closed meanwhile
                    }
                });
            } catch (IOException e) {
                // the process ended
            }
        }
        return held;
    }

    private static Set<Long> processTree(long root) {
        Set<Long> tree = new HashSet<>(List.of(root));
        boolean grew = true;
        while (grew) {
            grew = false;
            for (ProcessHandle p : ProcessHandle.allProcesses().collect(Collectors.toList())) {
                if (p.parent().map(ProcessHandle::pid).filter(tree::contains).isPresent() && tree.add(p.pid())) {
                    grew = true;
                }
            }
        }
        return tree;
    }
}
