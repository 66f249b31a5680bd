package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.transport.VmcEndpoint;
import io.vmc.transport.proto.GetStats;
import io.vmc.transport.proto.Hello;
import io.vmc.transport.proto.MediaKind;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.StreamStats;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The far party of a realistic topology: {@code vmc engine} in its own network namespace behind a
 * veth pair, driven over its vmc.v1 channel as agentd would drive it. The test's own engine uses
 * {@link #hostAddress}; media crosses the veth link. Needs root; everything is removed on close.
 */
final class EngineInNamespace implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();

    final String namespace;
    /** The veth end inside the namespace (where a test can drop packets with nft). */
    final String nsInterface;
    final String hostAddress;
    final String nsAddress;
    private final String hostInterface;
    private Process engine;
    private VmcEndpoint agent;

    private EngineInNamespace(String prefix) {
        String id = Integer.toHexString(0x1000 + RANDOM.nextInt(0xefff));
        int net = 10 + RANDOM.nextInt(240);
        namespace = prefix + id;
        hostInterface = prefix + "a" + id;
        nsInterface = prefix + "b" + id;
        hostAddress = "10.213." + net + ".1";
        nsAddress = "10.213." + net + ".2";
    }

    /** Fails under CI=true without root, skips otherwise. */
    static void requireRoot() {
        Tools.require("ip");
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root && "true".equals(System.getenv("CI"))) throw new AssertionError("CI=true needs root for network namespaces");
        org.junit.jupiter.api.Assumptions.assumeTrue(root, "network namespaces need root");
    }

    /**
     * @param prefix short, unique per test class (interface names have at most 15 characters)
     * @param jvmOptions e.g. ice4j system properties for the engine's JVM
     * @param engineArgs {@code vmc engine} options besides its channel and ICE address
     */
    static EngineInNamespace start(String prefix, Path log, List<String> jvmOptions, List<String> engineArgs) throws Exception {
        EngineInNamespace n = new EngineInNamespace(prefix);
        try {
            n.setUp(log, jvmOptions, engineArgs);
            return n;
        } catch (Exception | AssertionError e) {
            n.close();
            throw e;
        }
    }

    private void setUp(Path log, List<String> jvmOptions, List<String> engineArgs) throws Exception {
        sh("ip", "netns", "add", namespace);
        sh("ip", "link", "add", hostInterface, "type", "veth", "peer", "name", nsInterface);
        sh("ip", "link", "set", nsInterface, "netns", namespace);
        sh("ip", "addr", "add", hostAddress + "/24", "dev", hostInterface);
        sh("ip", "link", "set", hostInterface, "up");
        sh("ip", "-n", namespace, "addr", "add", nsAddress + "/24", "dev", nsInterface);
        sh("ip", "-n", namespace, "link", "set", nsInterface, "up");
        sh("ip", "-n", namespace, "link", "set", "lo", "up");

        int port = 20000 + RANDOM.nextInt(20000);
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", cp));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("io.vmc.engine.EngineCommand", "--channel", "tcp-listen:" + nsAddress + ":" + port,
                "--ice-address", nsAddress, "--speaker", "none"));
        cmd.addAll(engineArgs);
        engine = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        agent = VmcEndpoint.builder().channel("tcp:" + nsAddress + ":" + port).role(Hello.Role.ROLE_AGENTD)
                .software("namespace-test")
                .requestHandler(r -> CompletableFuture.completedFuture(Response.newBuilder()
                        .setEmpty(io.vmc.transport.proto.Empty.getDefaultInstance()).build()))
                .build();
        agent.start().get(30, TimeUnit.SECONDS);
    }

    /** A request to the namespaced engine; fails the test on an error response. */
    Response call(Request.Builder r) throws Exception {
        Response resp = agent.call(r.build()).get(15, TimeUnit.SECONDS);
        assertThat(resp.hasError()).as("%s", resp.getError().getMessage()).isFalse();
        return resp;
    }

    StreamStats stats(String sessionId, MediaKind kind) throws Exception {
        return call(Request.newBuilder().setGetStats(GetStats.newBuilder().setSessionId(sessionId))).getStats()
                .getStreamsList().stream().filter(s -> s.getKind() == kind).findFirst()
                .orElse(StreamStats.getDefaultInstance());
    }

    /** Runs a command inside the namespace; fails on a non-zero exit. */
    String exec(String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        cmd.addAll(List.of(command));
        return sh(cmd.toArray(new String[0]));
    }

    @Override
    public void close() throws InterruptedException {
        if (agent != null) {
            agent.close();
        }
        if (engine != null) {
            engine.destroy();
            if (!engine.waitFor(10, TimeUnit.SECONDS)) engine.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        shQuiet("ip", "link", "del", hostInterface);
        shQuiet("ip", "netns", "del", namespace);
    }

    private static String sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    private static void shQuiet(String... cmd) {
        try {
            new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
                    .waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            // best effort cleanup
        }
    }
}
