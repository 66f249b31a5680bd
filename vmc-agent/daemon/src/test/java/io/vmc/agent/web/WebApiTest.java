package io.vmc.agent.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.agent.WebSecretCommand;
import io.vmc.agent.api.MediaSession;
import io.vmc.agent.api.SessionOptions;
import io.vmc.agent.api.Vmc;
import io.vmc.agent.daemon.AgentDaemon;
import io.vmc.agent.daemon.AgentdHarness;
import io.vmc.agent.daemon.EngineSide;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web API of a real agentd, with a real MediaEngine behind it on a unix socket and media on
 * 127.0.0.1: a Python client (python3-websockets) makes a call through it, and hostile clients are
 * refused without a session, without hurting the others.
 */
@Timeout(90)
class WebApiTest {
    /** Debian's interpreter, where python3-websockets installs (not a virtualenv's python3 on PATH). */
    static final String PYTHON = "/usr/bin/python3";
    static final Path CLIENT = Path.of("..", "..", "docs", "examples", "web-api", "vmc_web_client.py").toAbsolutePath().normalize();
    static final String ALLOWED = "https://phone.example.com";

    @TempDir
    Path dir;
    EngineSide engine;
    AgentDaemon agentd;
    int port;
    String url;
    int uid;
    WebSecrets secrets;

    @BeforeEach
    void start() throws Exception {
        engine = new EngineSide(dir.resolve("engine.sock"), 440);
        AgentDaemon.Options o = AgentdHarness.options(dir);
        o.webApiListen = new java.net.InetSocketAddress("127.0.0.1", 0);
        o.webApiOrigins = List.of(ALLOWED + "/");
        agentd = AgentDaemon.start(o);
        port = agentd.webApiAddress().getPort();
        url = "ws://127.0.0.1:" + port + WebApi.PATH;
        uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        secrets = WebSecrets.load(dir.resolve("web-api.key")); // agentd's key, beside its socket
        await().atMost(Duration.ofSeconds(10)).until(() -> agentd.core().mode() == io.vmc.transport.proto.Mode.OPTIMIZED);
    }

    @AfterEach
    void stop() {
        if (agentd != null) {
            agentd.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void aPythonClientCallsThroughTheWebApiWithTheSecretTheHelperStored() throws Exception {
        assertThat(Files.getPosixFilePermissions(dir.resolve("web-api.key"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        Path userDir = dir.resolve("user-runtime").resolve("vmc");
        // the user's side: vmc agentd web-secret, on agentd's unix socket (uid from SO_PEERCRED)
        java.io.StringWriter sw = new java.io.StringWriter();
        int rc = new picocli.CommandLine(new WebSecretCommand()).setOut(new java.io.PrintWriter(sw))
                .execute("--api-socket", dir.resolve("agent.sock").toString(), "--dir", userDir.toString());
        String out = sw.toString();
        assertThat(rc).as(out).isZero();
        assertThat(out).contains(url);
        assertThat(Files.getPosixFilePermissions(userDir)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(Files.getPosixFilePermissions(userDir.resolve("web-api.secret"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(userDir.resolve("web-api.secret")).strip()).isEqualTo(secrets.secretFor(uid)).startsWith("vmc1." + uid + ".");
        assertThat(Files.readString(userDir.resolve("web-api.url")).strip()).isEqualTo(url);

        Process p = new ProcessBuilder(PYTHON, CLIENT.toString(), "call", "--dir", userDir.toString()).redirectErrorStream(true).start();
        String output;
        try (InputStream in = p.getInputStream()) {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the Python client finishes").isTrue();
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly();
        }
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("mode OPTIMIZED (ENGINE_CONNECTED) vmc-engine/test").containsPattern("sessions s-[0-9a-f]+ s-[0-9a-f]+")
                .contains("event sessionState CONNECTED").containsPattern("stats packetsReceived [0-9]{2,} encrypted True")
                .contains("error NOT_FOUND for a session that is not ours").contains("closed");
        await().atMost(Duration.ofSeconds(10)).until(() -> agentd.core().sessionCount() == 0 && engine.engine.sessionIds().isEmpty());
    }

    @Test
    void handshakesWithoutTheSecretOrFromAnotherSiteGetTheirStatusAndNothingElse() throws Exception {
        String secret = secrets.secretFor(uid);
        String upgrade = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
        String host = "Host: 127.0.0.1:" + port + "\r\n";
        try (WsClient good = new WsClient(url, secret)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> agentd.core().appCount() == 1);
            int apps = 1;
            assertRefused(host + upgrade, 401, "no secret");
            assertRefused(host + upgrade + "Authorization: Bearer " + secret.substring(0, secret.length() - 2) + "xx\r\n", 401, "wrong secret");
            assertRefused(host + upgrade + "Authorization: Bearer " + secrets.secretFor(uid + 1).replace("vmc1." + (uid + 1), "vmc1." + uid) + "\r\n",
                    401, "wrong secret"); // another user's MAC under our uid
            assertRefused(host + upgrade + "Sec-WebSocket-Protocol: vmc.v1.json, vmc.secret.nonsense\r\n", 401, "wrong secret");
            assertRefused(host + upgrade + "Authorization: Basic dXNlcjpwYXNz\r\n", 401, "wrong secret");
            assertRefused(host + upgrade + "Origin: " + ALLOWED + "\r\n", 401, "no secret");
            assertRefused(host + upgrade + "Origin: https://evil.example\r\nAuthorization: Bearer " + secret + "\r\n", 403, "origin not allowed");
            assertRefused(host + upgrade + "Origin: null\r\nAuthorization: Bearer " + secret + "\r\n", 403, "origin not allowed");
            assertRefused("Host: evil.example:" + port + "\r\n" + upgrade + "Authorization: Bearer " + secret + "\r\n", 403, "Host");
            assertRefused(host + upgrade + "Authorization: Bearer " + secret + "\r\nSec-WebSocket-Protocol: vmc.secret." + secret + "\r\n",
                    401, "more than one secret");
            assertRefused(host + "Authorization: Bearer " + secret + "\r\n", 400, "not a WebSocket upgrade");
            assertRefused(host + upgrade.replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8") + "Authorization: Bearer " + secret + "\r\n",
                    426, "Sec-WebSocket-Version must be 13");
            assertRefused(host + upgrade + "Sec-WebSocket-Protocol: chat, vmc.secret." + secret + "\r\n", 400, "offer the subprotocol vmc.v1.json");
            assertRefused("GET /other HTTP/1.1\r\n", host + upgrade + "Authorization: Bearer " + secret + "\r\n", 404, "/vmc.v1");
            assertRefused("POST /vmc.v1 HTTP/1.1\r\n", host + "Origin: https://evil.example\r\nContent-Length: 0\r\n", 403, "origin not allowed");
            assertRefused("GET /vmc.v1 HTTP/1.1\r\n", "X: " + "y".repeat(WebApi.MAX_HEADER_BYTES) + "\r\n", 400, "malformed");
            assertThat(agentd.core().appCount()).as("no refused client became an app").isEqualTo(apps);
            assertThat(agentd.core().sessionCount()).isZero();

            // the allowed page, with the secret in the subprotocol list as a browser sends it
            String ok = exchange("GET /vmc.v1 HTTP/1.1\r\n" + host + upgrade + "Origin: " + ALLOWED + "\r\nSec-WebSocket-Protocol: vmc.v1.json, vmc.secret."
                    + secret + "\r\n\r\n", false);
            assertThat(ok).startsWith("HTTP/1.1 101").containsIgnoringCase("sec-websocket-protocol: vmc.v1.json").doesNotContain(secret);
            assertThat(good.call("{\"request\":{\"id\":\"1\",\"getStatus\":{}}}")).contains("\"mode\":\"OPTIMIZED\"");
        }
    }

    @Test
    void badMessagesGetClearErrorsAndOversizedOrBinaryOnesCloseOnlyThatConnection() throws Exception {
        String secret = secrets.secretFor(uid);
        try (WsClient good = new WsClient(url, secret); WsClient c = new WsClient(url, secret)) {
            assertThat(c.call("{\"request\": {\"id\": 7, \"getStatus\": {}}}")).startsWith("{\"response\":{\"id\":\"7\",\"status\":{\"mode\":\"OPTIMIZED\"");
            assertThat(c.call("{\"request\": {\"id\": 8, \"getStatus\": {}, \"bogus\": 1}}"))
                    .contains("\"id\":\"8\"").contains("INVALID_ARGUMENT").contains("bogus");
            assertThat(c.call("{\"request\": {\"id\": 9, \"createSession\": {\"options\": {\"audio\": \"loud\"}}}}"))
                    .contains("\"id\":\"9\"").contains("INVALID_ARGUMENT");
            assertThat(c.call("{\"request\": ")).contains("INVALID_ARGUMENT").contains("not JSON: End of input");
            assertThat(c.call("{\"request\": {\"id\": 5, \"getStatus\": {}, \"getStats\": {}}}")).contains("\"id\":\"5\"")
                    .contains("not a vmc.v1 message");
            assertThat(c.call("not json at all")).contains("INVALID_ARGUMENT");
            assertThat(c.call("{\"request\": {\"id\": 10, \"getStatus\": {}}} trailing")).contains("INVALID_ARGUMENT");
            assertThat(c.call("{\"request\":" + "[".repeat(100_000))).contains("INVALID_ARGUMENT").contains("nested too deep");
            assertThat(c.call("{\"response\": {\"id\": 11, \"empty\": {}}}")).contains("a client sends {\\\"request\\\"");
            assertThat(c.call("{\"hello\": {}}")).contains("INVALID_ARGUMENT");
            assertThat(c.call("{\"request\": {\"getStatus\": {}}}")).contains("request.id must be set");
            assertThat(c.call("{\"seq\": 5, \"request\": {\"id\": 12, \"getStatus\": {}}}")).contains("\"id\":\"12\"").contains("seq and ack");
            assertThat(c.call("{\"request\": {\"id\": 13}}")).contains("\"id\":\"13\"").contains("UNIMPLEMENTED");
            assertThat(c.call("{\"request\": {\"id\": 14, \"getWebApiSecret\": {}}}")).contains("PERMISSION_DENIED").contains("unix socket only");
            assertThat(c.call("{\"request\": {\"id\": 15, \"closeSession\": {\"sessionId\": \"s-nope\"}}}")).contains("NOT_FOUND");
            assertThat(c.call("{\"request\": {\"id\": \"16\", \"get_status\": {}}}")).as("proto field names work too").contains("\"status\"");
            assertThat(agentd.core().sessionCount()).isZero();

            // a message over the limit: status 1009, that connection only
            c.send("{\"request\": {\"id\": 17, \"createSession\": {\"options\": {\"label\": \"" + "x".repeat(WebApi.MAX_MESSAGE_BYTES) + "\"}}}}");
            assertThat(c.closeStatus()).startsWith("1009");
            try (WsClient b = new WsClient(url, secret)) {
                b.sendBinary(new byte[] {1, 2, 3});
                assertThat(b.closeStatus()).startsWith("1003");
            }
            assertThat(good.call("{\"request\":{\"id\":\"1\",\"getStatus\":{}}}")).contains("\"mode\":\"OPTIMIZED\"");
            assertThat(agentd.core().sessionCount()).isZero();
        }
    }

    @Test
    void aFloodIsAnsweredWithRateErrorsAndSessionLimitsAreTheUnixSocketsPerUser() throws Exception {
        String secret = secrets.secretFor(uid);
        try (WsClient flood = new WsClient(url, secret); WsClient other = new WsClient(url, secret);
                Vmc unixApp = Vmc.connect(dir.resolve("agent.sock"))) {
            int n = 3000;
            long start = System.nanoTime();
            for (int i = 1; i <= n; i++) {
                flood.send("{\"request\":{\"id\":\"" + i + "\",\"getStatus\":{}}}");
            }
            // meanwhile another client of the same user is served at once
            long t0 = System.nanoTime();
            assertThat(other.call("{\"request\":{\"id\":\"1\",\"getStatus\":{}}}")).contains("\"mode\":\"OPTIMIZED\"");
            long otherMs = (System.nanoTime() - t0) / 1_000_000;
            int refused = 0;
            for (int i = 0; i < n; i++) {
                String m = flood.next();
                if (m.contains("RESOURCE_EXHAUSTED")) {
                    assertThat(m).containsPattern("requests (per second|in flight) from this app");
                    refused++;
                }
            }
            long floodMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(refused).as("%d of %d refused in %d ms", refused, n, floodMs).isGreaterThan(n / 4);
            assertThat(otherMs).as("the other client's round trip during the flood").isLessThan(2000);
            System.out.printf("flood: %d of %d requests refused in %d ms; another client's round trip %d ms%n", refused, n, floodMs, otherMs);

            // sessions: the per-app limit (8) and the per-user limit (16), shared with the same user's unix app
            List<MediaSession> unixSessions = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                unixSessions.add(unixApp.newSession(SessionOptions.audioOnly()));
            }
            for (int i = 0; i < 8; i++) {
                assertThat(other.call("{\"request\":{\"id\":\"" + (100 + i) + "\",\"createSession\":{\"options\":{\"audio\":true}}}}"))
                        .contains("sessionCreated");
            }
            assertThat(other.call("{\"request\":{\"id\":\"9\",\"createSession\":{\"options\":{\"audio\":true}}}}"))
                    .contains("RESOURCE_EXHAUSTED").contains("maximum per app");
            try (WsClient third = new WsClient(url, secret)) {
                assertThat(third.call("{\"request\":{\"id\":\"1\",\"createSession\":{\"options\":{\"audio\":true}}}}"))
                        .contains("RESOURCE_EXHAUSTED").contains("user " + uid).contains("maximum per user");
                // same user: the unix app's session is listed, and belongs to another app
                String status = third.call("{\"request\":{\"id\":\"2\",\"getStatus\":{}}}");
                assertThat(status).contains(unixSessions.get(0).id());
                assertThat(third.call("{\"request\":{\"id\":\"3\",\"createOffer\":{\"sessionId\":\"" + unixSessions.get(0).id() + "\"}}}"))
                        .contains("PERMISSION_DENIED").contains("another app");
            }
            // another user (uid 4242's secret): sees none of them
            try (WsClient stranger = new WsClient(url, secrets.secretFor(4242))) {
                assertThat(stranger.call("{\"request\":{\"id\":\"1\",\"getStatus\":{}}}")).doesNotContain("s-");
                assertThat(stranger.call("{\"request\":{\"id\":\"2\",\"closeSession\":{\"sessionId\":\"" + unixSessions.get(0).id() + "\"}}}"))
                        .contains("NOT_FOUND");
                unixSessions.remove(7).close(); // the engine holds 16 sessions at most
                assertThat(stranger.call("{\"request\":{\"id\":\"3\",\"createSession\":{\"options\":{\"audio\":true}}}}")).contains("sessionCreated");
            }
            // a web app's sessions end with its WebSocket
            await().atMost(Duration.ofSeconds(5)).until(() -> agentd.core().sessionCount() == 15);
            other.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> agentd.core().sessionCount() == 7);
            assertThat(unixSessions.get(0).createOffer()).contains("m=audio");
        }
    }

    @Test
    void silentConnectionsAreBoundedAndTimedOut() throws Exception {
        String secret = secrets.secretFor(uid);
        try (WsClient good = new WsClient(url, secret)) {
            List<Socket> idle = new ArrayList<>();
            try {
                for (int i = 1; i < WebApi.MAX_CONNECTIONS; i++) {
                    idle.add(new Socket("127.0.0.1", port));
                }
                await().atMost(Duration.ofSeconds(5)).until(() -> webConnections() == WebApi.MAX_CONNECTIONS);
                try (Socket over = new Socket("127.0.0.1", port)) {
                    over.setSoTimeout(5000);
                    assertThat(over.getInputStream().read()).as("closed at once, nothing sent").isEqualTo(-1);
                }
                assertThat(good.call("{\"request\":{\"id\":\"1\",\"getStatus\":{}}}")).contains("\"mode\":\"OPTIMIZED\"");
                Socket first = idle.get(0);
                first.setSoTimeout(15_000);
                long t0 = System.nanoTime();
                assertThat(first.getInputStream().read()).isEqualTo(-1);
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(WebApi.HANDSHAKE_TIMEOUT.plusSeconds(3));
                await().atMost(Duration.ofSeconds(10)).until(() -> webConnections() == 1);
            } finally {
                for (Socket s : idle) {
                    s.close();
                }
            }
            assertThat(good.call("{\"request\":{\"id\":\"2\",\"getStatus\":{}}}")).contains("\"mode\":\"OPTIMIZED\"");
        }
    }

    @Test
    void aClientThatNeverReadsItsEventsIsCutOffNotQueuedInAgentd() throws Exception {
        // the JDK's WebSocket reads only on demand: a listener that never asks never reads
        java.net.http.WebSocket ws = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Authorization", "Bearer " + secrets.secretFor(uid)).subprotocols(WebApi.SUBPROTOCOL)
                .buildAsync(java.net.URI.create(url), new java.net.http.WebSocket.Listener() {
                    @Override
                    public void onOpen(java.net.http.WebSocket w) {
                        // no request(n): nothing is ever read
                    }
                }).get(10, java.util.concurrent.TimeUnit.SECONDS);
        try (WsClient other = new WsClient(url, secrets.secretFor(uid))) {
            ws.sendText("{\"request\":{\"id\":\"1\",\"createSession\":{\"options\":{\"audio\":true}}}}", true)
                    .get(10, java.util.concurrent.TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.engine.sessionIds().size() == 1);
            String onEngine = engine.engine.sessionIds().iterator().next();
            Runtime rt = Runtime.getRuntime();
            System.gc();
            long heapBefore = rt.totalMemory() - rt.freeMemory();
            io.vmc.transport.proto.Event stats = io.vmc.transport.proto.Event.newBuilder().setStats(io.vmc.transport.proto.SessionStats
                    .newBuilder().setSessionId(onEngine).addStreams(io.vmc.transport.proto.StreamStats.newBuilder()
                            .setCodec("PCMU").setPacketsSent(1).setPacketsReceived(1))).build();
            long sent = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (webConnections() == 2) {
                assertThat(System.nanoTime()).as("cut off after " + sent + " events").isLessThan(deadline);
                if (engine.endpoint.sendEvent(stats)) {
                    sent++;
                } else {
                    Thread.onSpinWait();
                }
            }
            System.gc();
            long heapAfter = rt.totalMemory() - rt.freeMemory();
            System.out.println("[resilience] web client that never reads: cut off after " + sent + " events; heap "
                    + (heapBefore >> 20) + " -> " + (heapAfter >> 20) + " MiB");
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.engine.sessionIds().isEmpty()); // its session ended
            assertThat(heapAfter).as("memory bounded").isLessThan(heapBefore + (64L << 20));
            assertThat(other.call("{\"request\":{\"id\":\"2\",\"getStatus\":{}}}")).contains("\"mode\":\"OPTIMIZED\"");
        } finally {
            ws.abort();
        }
    }

    private int webConnections() throws Exception {
        java.lang.reflect.Field f = AgentDaemon.class.getDeclaredField("webApi");
        f.setAccessible(true);
        return ((WebApiServer) f.get(agentd)).connections();
    }

    private void assertRefused(String headers, int status, String reason) throws Exception {
        assertRefused("GET /vmc.v1 HTTP/1.1\r\n", headers, status, reason);
    }

    private void assertRefused(String requestLine, String headers, int status, String reason) throws Exception {
        String resp = exchange(requestLine + headers + "\r\n", true);
        assertThat(resp).as(headers).startsWith("HTTP/1.1 " + status + " ").contains(reason).containsIgnoringCase("connection: close")
                .doesNotContainIgnoringCase("upgrade:").doesNotContain("vmc1.");
        String body = resp.substring(resp.indexOf("\r\n\r\n") + 4);
        assertThat(body).as("one reason line, nothing else").matches(status + " [^\\n]*\\n");
    }

    /** Sends raw bytes; returns what agentd sent until it closed (toEof) or until its headers ended. */
    private String exchange(String request, boolean toEof) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            try {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    got.write(buf, 0, n);
                    if (!toEof && got.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
                        break;
                    }
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("agentd neither answered nor closed: " + got.toString(StandardCharsets.ISO_8859_1), e);
            }
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
